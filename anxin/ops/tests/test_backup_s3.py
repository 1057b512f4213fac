"""anxin backup and anxin restore with media in a bucket (ANXIN_MEDIA_STORAGE=s3): the archive
takes the media through the storage API, and the restore writes them through it into the new
installation's bucket, refusing, before it changes anything, an object there that differs."""

from __future__ import annotations

import json
import tarfile
import uuid

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command

from anxin.core.tests.s3server import S3Bucket
from anxin.ops.tests.test_backup import _anxin, _drop, _empty_installation

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow, pytest.mark.s3]


def test_media_in_a_bucket_are_backed_up_and_restored_into_another_bucket(
    tmp_path, s3_media, seller
) -> None:
    # Given an installation whose media are in a bucket: a photo and a licence
    photo = default_storage.save("evidence/ab/photo.jpg", ContentFile(b"\xff\xd8photo"))
    doc = default_storage.save("sellers/licences/licence.pdf", ContentFile(b"%PDF-1.7 l"))
    assert f"media/{photo}" in s3_media.keys("media/")
    # When it is backed up
    archive = tmp_path / "anxin.tar.gz"
    call_command("backup", "--output", str(archive))
    # Then the archive holds both files, read from the bucket, with their checksums
    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))  # type: ignore[arg-type]
        assert tar.extractfile(f"media/{photo}").read() == b"\xff\xd8photo"  # type: ignore[union-attr]
    assert {f"media/{photo}", f"media/{doc}"} <= {f["path"] for f in manifest["files"]}

    # Given a new installation with an empty database whose media go to another bucket, in
    # which an object of the same name but other content already sits
    target = S3Bucket(s3_media.server, f"anxin-restore-{uuid.uuid4().hex[:12]}")
    client = target.client()
    client.create_bucket(Bucket=target.name)
    client.put_object(Bucket=target.name, Key=f"media/{photo}", Body=b"someone else's")
    env, name = _empty_installation(tmp_path)
    env |= target.env() | {"ANXIN_MEDIA_STORAGE": "s3", "ANXIN_S3_PREFIX": "media"}
    try:
        # When the archive is restored there
        refused = _anxin(env, "restore", str(archive))
        # Then it is refused naming the object, and nothing was written (the database stays
        # empty: the restore below goes in)
        assert refused.returncode != 0
        assert f"media file {photo} exists and differs" in refused.stderr
        assert target.keys() == [f"media/{photo}"]
        # When the object is moved away and the archive restored again
        client.delete_object(Bucket=target.name, Key=f"media/{photo}")
        restored = _anxin(env, "restore", str(archive))
        # Then both files are in the new bucket, byte for byte, and the log audits clean
        assert restored.returncode == 0, restored.stderr
        assert target.read(f"media/{photo}") == b"\xff\xd8photo"
        assert target.read(f"media/{doc}") == b"%PDF-1.7 l"
        audit = _anxin(env, "evidence", "audit")
        assert audit.returncode == 0, audit.stderr
    finally:
        _drop(name)
        for key in target.keys():
            client.delete_object(Bucket=target.name, Key=key)
        client.delete_bucket(Bucket=target.name)
