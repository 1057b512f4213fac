"""anxin backup and anxin restore: an archive of a working installation restored into an empty
database and empty folders; both audits pass there, a voucher issued before the backup still
verifies, sealed identity data still opens; and a damaged or misdirected restore changes
nothing."""

from __future__ import annotations

import json
import subprocess
import sys
import tarfile
import uuid
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from anxin.conftest import child_env, deliver_all, shipped
from anxin.evidence import keys, sequencer, store
from anxin.orders.events import order_chain
from anxin.orders.services import order_confirm

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def _anxin(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "anxin", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _empty_installation(tmp_path: Path) -> tuple[dict[str, str], str | None]:
    """A new installation's environment: an empty database (a new PostgreSQL database on the
    test's server, or a new SQLite file), empty data and key folders. Returns its environment
    and, on PostgreSQL, the database's name (to drop afterwards)."""
    env = child_env()
    data = tmp_path / "restored-data"
    env["ANXIN_DATA_DIR"] = str(data)
    env["ANXIN_KEYS_DIR"] = str(data / "keys")
    if connection.vendor == "postgresql":
        name = f"restored_{uuid.uuid4().hex[:8]}"
        with connection.cursor() as cur:
            cur.execute(f'CREATE DATABASE "{name}"')
        env["DATABASE_URL"] = env["DATABASE_URL"].rsplit("/", 1)[0] + f"/{name}"
        return env, name
    env["ANXIN_SQLITE_PATH"] = str(tmp_path / "restored.sqlite3")
    return env, None


def _drop(name: str | None) -> None:
    if name is not None:
        with connection.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_backup_restores_into_an_empty_installation_and_its_voucher_still_verifies(
    tmp_path, buyer, seller, listing
) -> None:
    # Given a working installation: a completed order whose voucher was issued, a photo in
    # the media folder, a verified seller's sealed identity
    order = shipped(buyer, seller, listing, tracking="SF7000000001")
    order_confirm(actor=buyer, number=order.number)
    deliver_all()
    sequencer.integrate_all()
    voucher = tmp_path / "order.tlog-proof"
    voucher.write_text(store.voucher_for_chain(order_chain(order)).text)
    vkey = keys.log_verifier().vkey()
    photo = default_storage.save("evidence/backup-test.jpg", ContentFile(b"\xff\xd8photo"))
    # When it is backed up
    archive = tmp_path / "anxin.tar.gz"
    call_command("backup", "--output", str(archive))
    # Then the archive holds its manifest, the database, the keys and the photo, each listed
    # with its checksum
    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))  # type: ignore[arg-type]
    listed = {f["path"] for f in manifest["files"]}
    assert manifest["database"]["vendor"] == connection.vendor
    assert manifest["database"]["file"] in listed
    assert "keys/log.skey" in listed
    assert f"media/{photo}" in listed
    assert manifest["database"]["migrations"]["orders"]
    assert oct(archive.stat().st_mode & 0o777) == "0o600"
    env, name = _empty_installation(tmp_path)
    try:
        # When it is restored into an empty database and empty folders
        restored = _anxin(env, "restore", str(archive))
        assert restored.returncode == 0, restored.stderr
        # Then the ledger and the evidence log audit clean there
        ledger = _anxin(env, "ledger", "audit")
        assert ledger.returncode == 0, ledger.stdout + ledger.stderr
        evidence = _anxin(env, "evidence", "audit")
        assert evidence.returncode == 0, evidence.stderr
        assert "audit OK" in evidence.stdout
        # And the voucher issued before the backup verifies with the restored log's key
        restored_vkey = (Path(env["ANXIN_KEYS_DIR"]) / "log.skey").exists()
        assert restored_vkey
        verified = _anxin(env, "verify", str(voucher), "--key", vkey)
        assert verified.returncode == 0, verified.stderr
        # And the restored log signs on with the same key: a new order's voucher verifies too
        more = _anxin(
            env,
            "shell",
            "--no-imports",
            "-c",
            "from anxin.evidence import keys; print(keys.log_verifier().vkey())",
        )
        assert more.stdout.strip() == vkey
        # And sealed identity data opens with the restored identity key, and the photo is back
        opened = _anxin(
            env,
            "shell",
            "--no-imports",
            "-c",
            "from anxin.sellers.models import Verification; from anxin.sellers import crypto; "
            f"v = Verification.objects.get(seller__username={seller.username!r}); "
            "print(crypto.open_sealed(v.name_sealed, 'name'))",
        )
        assert opened.returncode == 0, opened.stderr
        assert opened.stdout.strip()
        assert (Path(env["ANXIN_DATA_DIR"]) / "media" / photo).read_bytes() == b"\xff\xd8photo"
        # When the same archive is restored there again
        again = _anxin(env, "restore", str(archive))
        # Then it is refused: the database is not empty
        assert again.returncode != 0
        assert "not empty" in again.stderr
    finally:
        _drop(name)


def test_a_damaged_archive_is_refused_before_anything_changes(tmp_path, seller) -> None:
    # Given a backup whose database file was altered after it was written
    archive = tmp_path / "anxin.tar.gz"
    call_command("backup", "--output", str(archive))
    damaged = tmp_path / "damaged.tar.gz"
    with tarfile.open(archive) as src, tarfile.open(damaged, "w:gz") as dst:
        for m in src.getmembers():
            data = src.extractfile(m).read()  # type: ignore[union-attr]
            if m.name.startswith("database/"):
                data = data[:-1] + bytes([data[-1] ^ 1])
            dst.addfile(m, __import__("io").BytesIO(data))
    env, name = _empty_installation(tmp_path)
    try:
        # When it is restored
        out = _anxin(env, "restore", str(damaged))
        # Then it is refused naming the damaged file, and nothing was written
        assert out.returncode != 0
        assert "does not match its checksum" in out.stderr
        assert not (Path(env["ANXIN_KEYS_DIR"]) / "log.skey").exists()
        tables = _anxin(
            env,
            "shell",
            "--no-imports",
            "-c",
            "from django.db import connection; print(len(connection.introspection.table_names()))",
        )
        assert tables.stdout.strip() == "0"
    finally:
        _drop(name)


def test_a_backup_never_overwrites_an_archive(tmp_path, seller) -> None:
    # Given a file where the archive would go
    target = tmp_path / "exists.tar.gz"
    target.write_text("keep me")
    # When a backup is asked to write there
    # Then it is refused, and the file is kept
    with pytest.raises(CommandError, match="exists"):
        call_command("backup", "--output", str(target))
    assert target.read_text() == "keep me"
