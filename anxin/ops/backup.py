"""Backup and restore: the database, the key files and the media in one archive.

An archive is a gzipped tar with:

    manifest.json          what is in it: the format, when, the database's vendor and the
                           last migration of each app, and every other member's size and SHA-256
    database/anxin.pgdump  PostgreSQL: pg_dump's custom format (one consistent snapshot)
    database/anxin.sqlite3 SQLite: a copy made with SQLite's online backup
    keys/...               every file of ANXIN_KEYS_DIR (the evidence log's and the badges'
                           signing keys, the identity keys: without them the log cannot sign on,
                           and sealed identity data cannot be opened)
    secret/secret_key      the site's secret key file, when it is a file (DATA_DIR/secret_key)
    media/...              every media file (evidence photos, licences, review photos), read
                           through Django's storage API: from MEDIA_ROOT, or from the bucket
                           when ANXIN_MEDIA_STORAGE=s3 (copied into the backup's temporary
                           folder first, so that it needs room for them)

The database is dumped first and the files copied after: a file uploaded meanwhile is in the
archive without a row that names it (harmless), never the other way round.

Restoring checks every checksum before it changes anything, goes only into an empty
database, never overwrites a key file or a media file that differs from the archive's, and
then migrates (the code may be newer than the backup). Media go back through the storage API
too, so an archive made on local disk restores into a bucket and the other way round. The
payment providers' own key files (ANXIN_WECHATPAY_*_PATH, ANXIN_ALIPAY_*_PATH) live where the
operator put them and are not in the archive: back them up with the rest of the machine's
secrets.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from django.conf import settings
from django.core.files import File
from django.core.files.storage import Storage, default_storage
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder

FORMAT = "anxin-backup"
VERSION = 1
MANIFEST = "manifest.json"
_CHUNK = 1 << 20


class BackupError(Exception):
    """The backup or the restore cannot go on; the message says why, and nothing was changed
    (a restore stops before its first change)."""


@dataclass(frozen=True)
class Summary:
    archive: Path
    vendor: str
    files: int
    size: int


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(_CHUNK):
            h.update(chunk)
    return h.hexdigest()


def _tool(name: str) -> str:
    """A PostgreSQL client program: from ANXIN_PG_BINDIR, or the PATH. It should be the
    server's version or newer (pg_dump refuses to dump a server newer than itself)."""
    if settings.ANXIN_PG_BINDIR:
        found = Path(settings.ANXIN_PG_BINDIR) / name
        if found.exists():
            return str(found)
    which = shutil.which(name)
    if which is None:
        raise BackupError(f"{name} is not installed (PostgreSQL's client programs are needed)")
    return which


def _pg_env_and_args() -> tuple[dict[str, str], list[str]]:
    db = connection.settings_dict
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    args = []
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    return env, [*args, "--dbname", str(db["NAME"])]


def _run(cmd: list[str], env: dict[str, str] | None = None) -> None:
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BackupError(f"{Path(cmd[0]).name} failed: {done.stderr.strip()[-500:]}")


def _dump_database(into: Path) -> Path:
    if connection.vendor == "postgresql":
        out = into / "anxin.pgdump"
        env, args = _pg_env_and_args()
        _run([_tool("pg_dump"), "--format=custom", "--no-owner", "--file", str(out), *args], env)
        return out
    if connection.vendor == "sqlite":
        out = into / "anxin.sqlite3"
        src = sqlite3.connect(str(connection.settings_dict["NAME"]))
        dst = sqlite3.connect(str(out))
        try:
            with dst:
                src.backup(dst)
        finally:
            src.close()
            dst.close()
        return out
    raise BackupError(f"a {connection.vendor} database is not one Anxin backs up")


def _migrations() -> dict[str, str]:
    last: dict[str, str] = {}
    for app, name in MigrationRecorder(connection).applied_migrations():
        if name > last.get(app, ""):
            last[app] = name
    return dict(sorted(last.items()))


def _secret_key_file() -> Path | None:
    path = Path(settings.DATA_DIR) / "secret_key"
    return path if path.is_file() and not os.environ.get("ANXIN_SECRET_KEY") else None


def _tree(root: Path, under: str) -> Iterator[tuple[Path, str]]:
    if not root.is_dir():
        return
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            yield path, f"{under}/{path.relative_to(root).as_posix()}"


def _media_names(storage: Storage, folder: str = "") -> Iterator[str]:
    """Every file's name in the media storage, folder by folder (listdir works the same on
    disk and in a bucket)."""
    try:
        dirs, files = storage.listdir(folder)
    except FileNotFoundError:  # no media folder yet
        return
    for name in sorted(files):
        yield f"{folder}/{name}" if folder else name
    for name in sorted(dirs):
        yield from _media_names(storage, f"{folder}/{name}" if folder else name)


def _media(into: Path) -> list[tuple[Path, str]]:
    """Copies of every media file in `into`, read through the storage API, with their names in
    the archive."""
    out = []
    for name in _media_names(default_storage):
        copy = into / _safe_name(name)
        copy.parent.mkdir(parents=True, exist_ok=True)
        try:
            with default_storage.open(name, "rb") as src, copy.open("wb") as dst:
                shutil.copyfileobj(src, dst, _CHUNK)
        except FileNotFoundError:  # erased since it was listed
            continue
        out.append((copy, f"media/{name}"))
    return out


def backup(output: Path, *, now: dt.datetime | None = None) -> Summary:
    """Write a backup archive of this installation to `output` (refused if it exists)."""
    output = Path(output)
    if output.exists():
        raise BackupError(f"{output} exists: give a new file name")
    now = now or dt.datetime.now(dt.UTC)
    with tempfile.TemporaryDirectory(prefix="anxin-backup-") as tmp:
        dump = _dump_database(Path(tmp))
        members: list[tuple[Path, str]] = [(dump, f"database/{dump.name}")]
        members += list(_tree(Path(settings.ANXIN_KEYS_DIR), "keys"))
        if (secret := _secret_key_file()) is not None:
            members.append((secret, "secret/secret_key"))
        members += _media(Path(tmp) / "media")
        files = [
            {"path": name, "size": p.stat().st_size, "sha256": _sha256(p)} for p, name in members
        ]
        manifest = {
            "format": FORMAT,
            "version": VERSION,
            "created_at": now.isoformat(),
            "database": {
                "vendor": connection.vendor,
                "file": f"database/{dump.name}",
                "migrations": _migrations(),
            },
            "files": files,
        }
        partial = output.with_name(output.name + ".partial")
        with tarfile.open(partial, "w:gz") as tar:
            body = json.dumps(manifest, indent=2, sort_keys=True).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mtime, info.mode = len(body), int(now.timestamp()), 0o600
            tar.addfile(info, io.BytesIO(body))
            for path, name in members:
                tar.add(str(path), arcname=name, recursive=False)
        # Key files are secrets: the archive is readable by its owner only.
        partial.chmod(0o600)
        partial.rename(output)
    return Summary(output, connection.vendor, len(files), output.stat().st_size)


# --- restore -----------------------------------------------------------------------------------


def _safe_name(name: str) -> PurePosixPath:
    p = PurePosixPath(name)
    if p.is_absolute() or ".." in p.parts or not p.parts:
        raise BackupError(f"the archive holds a file outside its folders: {name!r}")
    return p


def _unpack(archive: Path, into: Path) -> dict[str, Any]:
    """Extract the archive into `into` and check it whole: its manifest, every listed file's
    size and checksum, and nothing unlisted."""
    try:
        tar = tarfile.open(archive, "r:gz")
    except (OSError, tarfile.TarError) as e:
        raise BackupError(f"{archive} is not a backup archive: {e}") from None
    with tar:
        names = set()
        for m in tar.getmembers():
            _safe_name(m.name)
            if not (m.isfile() or m.isdir()):
                raise BackupError(f"the archive holds something other than files: {m.name!r}")
            names.add(m.name)
        tar.extractall(into, filter="data")
    try:
        manifest = json.loads((into / MANIFEST).read_text())
    except (OSError, ValueError):
        raise BackupError(f"{archive} has no readable {MANIFEST}") from None
    if manifest.get("format") != FORMAT or manifest.get("version") != VERSION:
        raise BackupError(f"{archive} is not a version {VERSION} Anxin backup")
    listed = {f["path"] for f in manifest["files"]}
    for f in manifest["files"]:
        path = into / _safe_name(f["path"])
        if not path.is_file():
            raise BackupError(f"{f['path']} is listed in the manifest but missing")
        if path.stat().st_size != f["size"] or _sha256(path) != f["sha256"]:
            raise BackupError(f"{f['path']} does not match its checksum: the archive is damaged")
    extra = {n for n in names if (into / n).is_file()} - listed - {MANIFEST}
    if extra:
        raise BackupError(f"the archive holds files its manifest does not list: {sorted(extra)}")
    return dict(manifest)


def _placed(files: list[dict[str, Any]], prefix: str, root: Path) -> list[tuple[str, Path]]:
    """Where each of the archive's files under `prefix` goes in `root`, refusing to replace a
    file that differs from the archive's (a file equal to it is left as it is)."""
    out = []
    for f in files:
        if not f["path"].startswith(prefix + "/"):
            continue
        target = root / PurePosixPath(f["path"]).relative_to(prefix)
        if target.exists() and _sha256(target) != f["sha256"]:
            raise BackupError(
                f"{target} exists and differs from the backup's: restore into a new "
                "installation, or move it away first"
            )
        out.append((f["path"], target))
    return out


def _storage_sha256(storage: Storage, name: str) -> str:
    h = hashlib.sha256()
    with storage.open(name, "rb") as f:
        while chunk := f.read(_CHUNK):
            h.update(chunk)
    return h.hexdigest()


def _media_placed(files: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """(member, name in the media storage) of the archive's media files that are not there
    yet, refusing one that is there with other content (one equal to it is left as it is)."""
    out = []
    for f in files:
        if not f["path"].startswith("media/"):
            continue
        name = PurePosixPath(f["path"]).relative_to("media").as_posix()
        if default_storage.exists(name):
            if _storage_sha256(default_storage, name) != f["sha256"]:
                raise BackupError(
                    f"media file {name} exists and differs from the backup's: restore into a "
                    "new installation (an empty media folder or bucket), or move it away first"
                )
            continue
        out.append((f["path"], name))
    return out


def _database_is_empty() -> bool:
    return not connection.introspection.table_names()


def _load_database(dump: Path, vendor: str) -> None:
    if vendor != connection.vendor:
        raise BackupError(
            f"the backup is of a {vendor} database; this installation uses {connection.vendor}"
        )
    if vendor == "postgresql":
        env, args = _pg_env_and_args()
        _run(
            [
                _tool("pg_restore"),
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                "--single-transaction",
                *args,
                str(dump),
            ],
            env,
        )
        return
    target = Path(str(connection.settings_dict["NAME"]))
    connection.close()
    src = sqlite3.connect(str(dump))
    dst = sqlite3.connect(str(target))
    try:
        with dst:
            src.backup(dst)
    finally:
        src.close()
        dst.close()


def restore(archive: Path) -> dict[str, Any]:
    """Restore `archive` into this installation: an empty database, and key and media folders
    without conflicting files. Returns the archive's manifest."""
    archive = Path(archive)
    if not archive.is_file():
        raise BackupError(f"{archive}: no such file")
    with tempfile.TemporaryDirectory(prefix="anxin-restore-") as tmp:
        root = Path(tmp)
        manifest = _unpack(archive, root)
        if not _database_is_empty():
            raise BackupError(
                "the database is not empty: restore into a new, empty database "
                "(createdb, or a new SQLite file)"
            )
        files = manifest["files"]
        keys = _placed(files, "keys", Path(settings.ANXIN_KEYS_DIR))
        media = _media_placed(files)
        # The secret key file a new installation made for itself when it first started is
        # replaced: its database is empty, so nothing was signed with it that matters.
        secret = [
            (f["path"], Path(settings.DATA_DIR) / "secret_key")
            for f in files
            if f["path"] == "secret/secret_key"
        ]
        # Every check is done: from here on, the restore changes things.
        _load_database(root / manifest["database"]["file"], manifest["database"]["vendor"])
        for name, target in [*keys, *secret]:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(root / name, target)
            target.chmod(0o600)
        for member, name in media:
            with (root / member).open("rb") as f:
                saved = default_storage.save(name, File(f, name=name))
            if saved != name:
                raise BackupError(f"media file {name} was stored as {saved}: restore it by hand")
    return manifest
