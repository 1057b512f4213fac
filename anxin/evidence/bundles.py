"""Evidence bundles as ZIP files: every file under one folder, a manifest listing each with
its SHA-256, fixed timestamps so the same contents give the same bytes."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from typing import Any


def pack(root: str, files: dict[str, bytes], manifest: dict[str, Any]) -> bytes:
    """The ZIP of `files` under `root/`, with `manifest.json`: `manifest` and the files'
    SHA-256s."""
    files = dict(files)
    manifest = {
        **manifest,
        "files": {name: hashlib.sha256(data).hexdigest() for name, data in sorted(files.items())},
    }
    files["manifest.json"] = json.dumps(manifest, ensure_ascii=False, indent=2).encode()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in sorted(files.items()):
            info = zipfile.ZipInfo(f"{root}/{name}", date_time=(2020, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)
    return buf.getvalue()
