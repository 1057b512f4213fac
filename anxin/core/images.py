"""Uploaded images are checked by their content, never by their name or declared type."""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from PIL import Image, UnidentifiedImageError

from anxin.core.errors import ValidationFailed, msg

IMAGE_TYPES = {
    "JPEG": ("image/jpeg", "jpg"),
    "PNG": ("image/png", "png"),
    "WEBP": ("image/webp", "webp"),
}


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
            msg(
                "{field}: {size} bytes is over the {limit}-byte limit",
                field=field,
                size=upload.size,
                limit=limit,
            ),
            field=field,
        )
    return upload.read()


def check_image(data: bytes, *, field: str) -> CheckedImage:
    """A JPEG, PNG or WebP image within the size limits, or ValidationFailed naming the field
    and what is wrong."""
    limit = settings.ANXIN_MAX_IMAGE_BYTES
    if not data:
        raise ValidationFailed(msg("{field}: the file is empty", field=field), field=field)
    if len(data) > limit:
        raise ValidationFailed(
            msg(
                "{field}: {n_data} bytes is over the {limit}-byte limit",
                field=field,
                n_data=len(data),
                limit=limit,
            ),
            field=field,
        )
    unreadable = ValidationFailed(
        msg("{field}: not a readable JPEG, PNG or WebP image", field=field), field=field
    )
    try:
        # Opening reads the header alone; the size it declares is checked against our limit
        # before verify() or anything else touches the pixels: an 80-byte PNG can declare
        # 20000 x 20000 pixels. Pillow's own bomb guard (a warning, then an error at twice its
        # limit) is silenced so that our limit, not Pillow's, decides and names the field.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as img:
                fmt = img.format or ""
                width, height = img.size
                _check_pixels(width, height, field=field)
                img.verify()
    except Image.DecompressionBombError:
        # Over twice Pillow's limit, which is above the highest ANXIN_MAX_IMAGE_PIXELS allowed.
        limit = settings.ANXIN_MAX_IMAGE_PIXELS
        raise ValidationFailed(
            msg("{field}: more than {limit} pixels", field=field, limit=limit), field=field
        ) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise unreadable from None
    if fmt not in IMAGE_TYPES:
        raise ValidationFailed(
            msg(
                "{field}: {fmt} images are not accepted; use JPEG, PNG or WebP",
                field=field,
                fmt=fmt or "unknown",
            ),
            field=field,
        )
    content_type, ext = IMAGE_TYPES[fmt]
    return CheckedImage(content_type, ext, width, height)


def _check_pixels(width: int, height: int, *, field: str) -> None:
    limit = settings.ANXIN_MAX_IMAGE_PIXELS
    if width * height > limit:
        raise ValidationFailed(
            msg(
                "{field}: {width} x {height} is more than {limit} pixels",
                field=field,
                width=width,
                height=height,
                limit=limit,
            ),
            field=field,
        )
