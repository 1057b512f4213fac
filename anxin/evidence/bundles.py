"""Evidence bundles as ZIP files: every file under one folder, a manifest listing each with
its SHA-256, fixed timestamps so the same contents give the same bytes.

A bundle goes to mediators, adjudicators and regulators, who open its files on their own
computers: no name in it comes from an uploader. An uploaded file is named by its content
hash and the extension of the type Anxin checked (member()), so `invoice.pdf.exe` or
`run.bat` arrives as `evidence/00003-1f2e….pdf`; the name the uploader gave is kept only as
escaped text in the manifest."""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
from typing import Any

from anxin.core import media
from anxin.evidence.keys import log_signer
from anxin.evidence.note import sign

# What a bundle may hold: Anxin's own records and pages, and uploads under member() names.
_EXTENSIONS = {
    "json",
    "html",
    "txt",
    "vkey",
    "tlog-proof",
    *media.EXTENSIONS.values(),
    "bin",
    # a bundle Anxin made, inside the package of the next route
    "zip",
}
_NAME = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]*(/[A-Za-z0-9_-][A-Za-z0-9._-]*)*")


def manifest_signature(root: str, manifest: bytes) -> str:
    """A signed note (C2SP, the evidence log's key) over the manifest's SHA-256: whoever holds
    the log's public key can check that Anxin made this bundle and that no file in it has
    changed (each file's SHA-256 is in the manifest)."""
    text = f"anxin bundle\n{root}\nmanifest.json sha256 {hashlib.sha256(manifest).hexdigest()}\n"
    return sign(text, log_signer())


def member(folder: str, sha256: str, content_type: str, *, n: int | None = None) -> str:
    """The name of an uploaded file in a bundle: its hash (with its place `n`, when several
    files of one folder are numbered) and the extension of its checked type."""
    stem = sha256 if n is None else f"{n:05d}-{sha256[:16]}"
    return f"{folder}/{stem}.{media.extension(content_type)}"


def escaped(text: str) -> str:
    """`text` with every character that is not printable written as \\uXXXX: a right-to-left
    override makes `gpj.exe` read as `exe.jpg`, a line break forges a second line."""
    return "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in text)


def pack(
    root: str,
    files: dict[str, bytes],
    manifest: dict[str, Any],
    *,
    original_names: dict[str, str] | None = None,
    signed: bool = False,
) -> bytes:
    """The ZIP of `files` under `root/`, with `manifest.json`: `manifest`, the files'
    SHA-256s and, escaped, the names uploaders gave to the files in `original_names`.
    Raises ValueError for a name that is not a plain path with one of the known extensions."""
    for name in files:
        if not _NAME.fullmatch(name) or name.rsplit(".", 1)[-1] not in _EXTENSIONS:
            raise ValueError(f"bundle: {name!r} is not a name a bundle may hold")
    files = dict(files)
    manifest = {
        **manifest,
        "files": {name: hashlib.sha256(data).hexdigest() for name, data in sorted(files.items())},
    }
    if original_names:
        manifest["original_names"] = {
            name: escaped(given) for name, given in sorted(original_names.items())
        }
    files["manifest.json"] = json.dumps(manifest, ensure_ascii=False, indent=2).encode()
    if signed:
        files["manifest.sig"] = manifest_signature(root, files["manifest.json"]).encode()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in sorted(files.items()):
            info = zipfile.ZipInfo(f"{root}/{name}", date_time=(2020, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)
    return buf.getvalue()
