"""Where files live: media (uploads) and the evidence log's published tiles, on local disk or in
S3-compatible object storage (django-storages), as settings.py's STORAGES says
(ANXIN_MEDIA_STORAGE, ANXIN_TILES_STORAGE; README, "Object storage").

Media are private in every mode. The bucket is never public and no presigned or bucket URL is
ever handed out: `url()` of the media storage names Anxin's own /media/ address, whose view
(and the other views of what a file belongs to) decides who may read it and streams the file
through the storage API. So a photo's address is the same on disk and in a bucket, and a page
or an API answer never carries a link that would bypass the permission checks.

The tiles storage is a mirror that the evidence log publishes to (anxin.evidence.mirror): every
object is written whole (`put`, with its own Content-Type and Cache-Control), read back whole
(`get`) or only asked after (`has`).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

from botocore.exceptions import ClientError
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import FileSystemStorage
from django.utils.encoding import filepath_to_uri
from storages.backends.s3 import S3Storage
from storages.utils import clean_name


def secret_access_key() -> str | None:
    """The S3 secret: ANXIN_S3_SECRET_ACCESS_KEY, or the content of the file
    ANXIN_S3_SECRET_ACCESS_KEY_PATH, read when a storage is first made (never stored in the
    database). None: boto3's own chain (its environment variables, an instance role)."""
    if settings.ANXIN_S3_SECRET_ACCESS_KEY:
        return str(settings.ANXIN_S3_SECRET_ACCESS_KEY)
    path = settings.ANXIN_S3_SECRET_ACCESS_KEY_PATH
    if not path:
        return None
    try:
        return Path(path).read_text().strip()
    except OSError as e:
        raise ImproperlyConfigured(
            f"ANXIN_S3_SECRET_ACCESS_KEY_PATH: cannot read {path}: {e}"
        ) from None


def s3_options(*, bucket: str, prefix: str) -> dict[str, Any]:
    """django-storages' S3 options from Anxin's settings, for one bucket and key prefix."""
    if not bucket:
        raise ImproperlyConfigured("object storage (s3) needs a bucket: set ANXIN_S3_BUCKET")
    style = settings.ANXIN_S3_ADDRESSING_STYLE
    return {
        "bucket_name": bucket,
        "location": prefix.strip("/"),
        "endpoint_url": settings.ANXIN_S3_ENDPOINT_URL or None,
        "region_name": settings.ANXIN_S3_REGION or None,
        "access_key": settings.ANXIN_S3_ACCESS_KEY_ID or None,
        "secret_key": secret_access_key(),
        "addressing_style": None if style == "auto" else style,
        "signature_version": "s3v4",
        # Private objects: no ACL sent (the bucket's own, private, applies; buckets that
        # refuse ACLs accept this), and never a presigned URL.
        "default_acl": None,
        "querystring_auth": False,
    }


class MediaS3Storage(S3Storage):
    """Media in a private bucket (ANXIN_MEDIA_STORAGE=s3). Names never collide silently: as on
    local disk, a name taken gets a suffix (content-addressed files check first anyway)."""

    def __init__(self, **options: Any) -> None:
        super().__init__(
            **{
                **s3_options(bucket=settings.ANXIN_S3_BUCKET, prefix=settings.ANXIN_S3_PREFIX),
                "file_overwrite": False,
                **options,
            }
        )

    def url(
        self,
        name: str,
        parameters: dict[str, Any] | None = None,
        expire: int | None = None,
        http_method: str | None = None,
    ) -> str:
        """Anxin's own address of the file (MEDIA_URL, served by its views), as
        FileSystemStorage gives: never the bucket's, never presigned."""
        return urljoin(str(settings.MEDIA_URL), filepath_to_uri(name).lstrip("/"))


class PublishS3Storage(S3Storage):
    """The evidence log's mirror in a bucket (ANXIN_TILES_STORAGE=s3): ANXIN_TILES_S3_BUCKET
    (the media bucket by default) under ANXIN_TILES_S3_PREFIX. Meant to be read by anyone:
    give its prefix a public-read policy, or put a CDN in front."""

    def __init__(self, **options: Any) -> None:
        super().__init__(
            **{
                **s3_options(
                    bucket=settings.ANXIN_TILES_S3_BUCKET, prefix=settings.ANXIN_TILES_S3_PREFIX
                ),
                "file_overwrite": True,
                **options,
            }
        )

    def _key(self, name: str) -> str:
        return str(self._normalize_name(clean_name(name)))

    def has(self, name: str) -> bool:
        return bool(self.exists(name))

    def get(self, name: str) -> bytes | None:
        try:
            body = self.bucket.Object(self._key(name)).get()["Body"]
        except ClientError as e:
            if e.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                return None
            raise
        return bytes(body.read())

    def put(self, name: str, data: bytes, *, content_type: str, cache_control: str) -> None:
        self.bucket.Object(self._key(name)).put(
            Body=data, ContentType=content_type, CacheControl=cache_control
        )


class PublishFolderStorage(FileSystemStorage):
    """The evidence log's mirror in a local folder (ANXIN_TILES_STORAGE=local, ANXIN_TILES_DIR),
    for a web server or a sync tool to serve. Each object is written to a temporary file and
    renamed into place: a reader sees the old object or the new one, never half of one."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**{"location": settings.ANXIN_TILES_DIR, **options})

    def has(self, name: str) -> bool:
        return bool(self.exists(name))

    def get(self, name: str) -> bytes | None:
        try:
            return Path(self.path(name)).read_bytes()
        except FileNotFoundError:
            return None

    def put(self, name: str, data: bytes, *, content_type: str, cache_control: str) -> None:
        target = Path(self.path(name))
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".publish-")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.chmod(tmp, 0o644)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
