"""Uploaded images are checked by their content, never by their name or declared type."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from PIL import Image, UnidentifiedImageError

from anxin.core.errors import ValidationFailed

IMAGE_TYPES = {
    "JPEG": ("image/jpeg", "jpg"),
    "PNG": ("image/png", "png"),
    "WEBP": ("image/webp", "webp"),
}
MAX_PIXELS = 40_000_000


@dataclass(frozen=True)
class CheckedImage:
    content_type: str
    extension: str
    width: int
    height: int


class Upload(Protocol):
    size: int | None

    def read(self) -> bytes: ...


def read_upload(upload: Upload, *, field: str) -> bytes:
    """An uploaded file's bytes, refused by its declared size before it is read into memory
    when that is over the limit (check_image then checks what was actually read)."""
    limit = settings.ANXIN_MAX_IMAGE_BYTES
    if upload.size and upload.size > limit:
        raise ValidationFailed(
            f"{field}: {upload.size} bytes is over the {limit}-byte limit", field=field
        )
    return upload.read()


def check_image(data: bytes, *, field: str) -> CheckedImage:
    """A JPEG, PNG or WebP image within the size limits, or ValidationFailed naming the field
    and what is wrong."""
    limit = settings.ANXIN_MAX_IMAGE_BYTES
    if not data:
        raise ValidationFailed(f"{field}: the file is empty", field=field)
    if len(data) > limit:
        raise ValidationFailed(
            f"{field}: {len(data)} bytes is over the {limit}-byte limit", field=field
        )
    try:
        with Image.open(io.BytesIO(data)) as img:
            fmt = img.format or ""
            img.verify()
        with Image.open(io.BytesIO(data)) as img:
            width, height = img.size
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ValidationFailed(
            f"{field}: not a readable JPEG, PNG or WebP image", field=field
        ) from None
    if fmt not in IMAGE_TYPES:
        raise ValidationFailed(
            f"{field}: {fmt or 'unknown'} images are not accepted; use JPEG, PNG or WebP",
            field=field,
        )
    if width * height > MAX_PIXELS:
        raise ValidationFailed(f"{field}: more than 40 megapixels", field=field)
    content_type, ext = IMAGE_TYPES[fmt]
    return CheckedImage(content_type, ext, width, height)
