"""Files people upload as evidence or documents (not listing images: core.images decodes
those): a declared type from a list, a size limit, first bytes that match the declared type
(so a program is not stored as a photo), and the file's SHA-256."""

from __future__ import annotations

import hashlib

from django.core.files.uploadedfile import UploadedFile

from anxin.core.errors import ValidationFailed, msg


def looks_like(head: bytes, content_type: str | None) -> bool:
    """The file's first bytes are what its declared type's files start with."""
    if content_type == "image/jpeg":
        return head.startswith(b"\xff\xd8\xff")
    if content_type == "image/png":
        return head.startswith(b"\x89PNG\r\n\x1a\n")
    if content_type == "image/webp":
        return head[:4] == b"RIFF" and head[8:12] == b"WEBP"
    if content_type == "application/pdf":
        return head.startswith(b"%PDF-")
    if content_type == "video/mp4":
        return head[4:8] == b"ftyp"
    if content_type == "audio/mpeg":
        return head.startswith(b"ID3") or head[:2] in (b"\xff\xfb", b"\xff\xf3", b"\xff\xf2")
    if content_type == "text/plain":
        try:
            head.decode("utf-8")
        except UnicodeDecodeError as e:
            return e.start >= len(head) - 3  # a character cut at the end of the sample
        return True
    return False


def checked_digest(
    f: UploadedFile,
    *,
    field: str,
    types: set[str] | frozenset[str],
    max_bytes: int,
    refused: str,
    mismatch: str,
) -> str:
    """The upload's SHA-256 once its size, declared type and first bytes pass; otherwise
    ValidationFailed naming `field`: `refused` for a type not in `types`, `mismatch` for
    content that is not of its declared type ({type} in either is the declared type)."""
    if f.size is None or f.size > max_bytes:
        raise ValidationFailed(
            msg(
                "{field}: at most {mib} MiB",
                field=field,
                mib=max_bytes // (1024 * 1024),
            ),
            field=field,
        )
    declared = f.content_type or ""
    if declared not in types:
        raise ValidationFailed(
            msg(
                "{field}: {refused}",
                field=field,
                refused=refused.format(type=declared or "this type"),
            ),
            field=field,
        )
    digest, head = hashlib.sha256(), b""
    for part in f.chunks():
        digest.update(part)
        head = head or part[:4096]
    f.seek(0)
    if not looks_like(head, declared):
        raise ValidationFailed(
            msg("{field}: {mismatch}", field=field, mismatch=mismatch.format(type=declared)),
            field=field,
        )
    return digest.hexdigest()
