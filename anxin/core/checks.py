"""System checks of Anxin's own settings (`anxin check`, and `anxin check --deploy`, which
`anxin serve` runs before it starts): errors here stop the start."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, register


def _overlap(a: str, b: str) -> bool:
    """Whether key prefixes `a` and `b` (folders, without slashes at the ends) share keys."""
    a, b = a.strip("/"), b.strip("/")
    return not a or not b or a == b or a.startswith(b + "/") or b.startswith(a + "/")


@register()
def object_storage(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """ANXIN_MEDIA_STORAGE and ANXIN_TILES_STORAGE set to s3 have a bucket and credentials that
    can be read, and the private media and the public mirror of the log never share keys."""
    out: list[CheckMessage] = []
    media_s3 = settings.ANXIN_MEDIA_STORAGE == "s3"
    tiles_s3 = settings.ANXIN_TILES_STORAGE == "s3"
    if media_s3 and not settings.ANXIN_S3_BUCKET:
        out.append(
            Error(
                "ANXIN_MEDIA_STORAGE is s3 but no bucket is set",
                hint="set ANXIN_S3_BUCKET (README, Object storage)",
                id="anxin.E001",
            )
        )
    if tiles_s3 and not settings.ANXIN_TILES_S3_BUCKET:
        out.append(
            Error(
                "ANXIN_TILES_STORAGE is s3 but no bucket is set",
                hint="set ANXIN_TILES_S3_BUCKET, or ANXIN_S3_BUCKET",
                id="anxin.E002",
            )
        )
    if not (media_s3 or tiles_s3):
        return out
    path = settings.ANXIN_S3_SECRET_ACCESS_KEY_PATH
    if path and settings.ANXIN_S3_SECRET_ACCESS_KEY:
        out.append(
            Error(
                "both ANXIN_S3_SECRET_ACCESS_KEY and ANXIN_S3_SECRET_ACCESS_KEY_PATH are set",
                hint="keep one: the file is the safer",
                id="anxin.E003",
            )
        )
    elif path and not (Path(path).is_file() and Path(path).read_text().strip()):
        out.append(
            Error(
                f"ANXIN_S3_SECRET_ACCESS_KEY_PATH: {path} is not a readable, non-empty file",
                id="anxin.E004",
            )
        )
    has_secret = bool(settings.ANXIN_S3_SECRET_ACCESS_KEY or path)
    if bool(settings.ANXIN_S3_ACCESS_KEY_ID) != has_secret:
        out.append(
            Error(
                "an S3 access key needs both its id (ANXIN_S3_ACCESS_KEY_ID) and its secret "
                "(ANXIN_S3_SECRET_ACCESS_KEY or ANXIN_S3_SECRET_ACCESS_KEY_PATH)",
                hint="set both, or neither to use boto3's own credentials (an instance role)",
                id="anxin.E005",
            )
        )
    if (
        media_s3
        and tiles_s3
        and settings.ANXIN_S3_BUCKET == settings.ANXIN_TILES_S3_BUCKET
        and _overlap(settings.ANXIN_S3_PREFIX, settings.ANXIN_TILES_S3_PREFIX)
    ):
        out.append(
            Error(
                "the media and the log's tiles share keys in one bucket: the public mirror "
                "would sit among the private media",
                hint="give the tiles their own bucket (ANXIN_TILES_S3_BUCKET), or give each "
                "its own prefix (ANXIN_S3_PREFIX, ANXIN_TILES_S3_PREFIX)",
                id="anxin.E006",
            )
        )
    return out
