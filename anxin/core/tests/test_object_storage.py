"""Media in S3-compatible object storage (ANXIN_MEDIA_STORAGE=s3), against a real S3 protocol
server (moto's, over HTTP, checking SigV4 signatures): files go into the private bucket through
the storage API and come out only through Anxin's own permission-checked views, at the same
addresses as on local disk; the settings and the system checks refuse what cannot work."""

from __future__ import annotations

import io
import subprocess
import sys
import urllib.error
import urllib.request

import pytest
from botocore.exceptions import ClientError
from django.core.checks import Error
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import Client
from PIL import Image

from anxin.catalog.services import listing_image_upload
from anxin.conftest import child_env, pay, place_order
from anxin.core.checks import object_storage
from anxin.core.tests.s3server import MEDIA_BACKEND
from anxin.orders import chat

pytestmark = [pytest.mark.django_db, pytest.mark.s3]


def _png(color: tuple[int, int, int] = (30, 120, 200)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), color).save(buf, "PNG")
    return buf.getvalue()


def _client(user=None) -> Client:
    c = Client()
    if user is not None:
        c.force_login(user)
    return c


def test_an_image_goes_into_the_private_bucket_and_out_through_anxins_view(
    s3_media, seller
) -> None:
    # Given media in a bucket
    # When a seller uploads a listing image
    image = listing_image_upload(actor=seller, data=_png())
    # Then the bucket holds it under the media prefix, byte for byte
    key = f"media/{image.file.name}"
    assert key in s3_media.keys("media/")
    assert s3_media.read(key) == _png()
    # And its address is Anxin's own, as on local disk: never the bucket's, never presigned
    assert image.file.url == f"/media/listing-images/{image.sha256[:2]}/{image.sha256}.png"
    # And Anxin's view serves it from the bucket, typed
    r = _client().get(image.file.url)
    assert r.status_code == 200
    assert b"".join(r.streaming_content) == _png()
    assert r["Content-Type"] == "image/png"
    # And the bucket itself answers nobody who does not sign with the key: not a browser
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"{s3_media.server.endpoint}/{s3_media.name}/{key}")  # noqa: S310
    assert refused.value.code == 403


def test_a_chat_image_in_the_bucket_goes_to_the_orders_parties_only(
    s3_media, buyer, other_buyer, seller, listing
) -> None:
    # Given a paid order whose buyer posted an image in its chat, stored in the bucket
    order = place_order(buyer, listing)
    pay(order)
    m = chat.message_post(actor=buyer, number=order.number, text="看图", image=_png((1, 2, 3)))
    assert f"media/{m.attachment.file.name}" in s3_media.keys("media/")
    url = f"/orders/{order.number}/attachments/{m.attachment_id}"
    # When the seller fetches it through the order's view
    r = _client(seller).get(url)
    # Then she gets it, privately cached
    assert r.status_code == 200
    assert b"".join(r.streaming_content) == _png((1, 2, 3))
    assert r["Cache-Control"].startswith("private")
    # When another buyer, or anyone by the storage path, fetches it
    # Then it is not found
    assert _client(other_buyer).get(url).status_code == 404
    assert _client(buyer).get(f"/media/{m.attachment.file.name}").status_code == 404


def test_an_object_gone_from_the_bucket_is_a_404_not_an_error(s3_media, seller) -> None:
    # Given a listing image whose object was removed from the bucket
    image = listing_image_upload(actor=seller, data=_png((9, 9, 9)))
    s3_media.client().delete_object(Bucket=s3_media.name, Key=f"media/{image.file.name}")
    # When it is fetched
    r = _client().get(image.file.url)
    # Then the answer is the ordinary not-found page
    assert r.status_code == 404


def test_names_taken_in_the_bucket_get_a_suffix_as_on_disk(s3_media) -> None:
    # Given a file stored under a name
    first = default_storage.save("disputes/2026/05/D1-abc", ContentFile(b"one"))
    # When another file is stored under the same name
    second = default_storage.save("disputes/2026/05/D1-abc", ContentFile(b"two"))
    # Then the first is kept and the second gets a name of its own
    assert first == "disputes/2026/05/D1-abc"
    assert second != first
    assert s3_media.read(f"media/{first}") == b"one"
    assert s3_media.read(f"media/{second}") == b"two"


def test_the_secret_is_read_from_its_file_and_a_wrong_one_is_refused(
    s3_media, settings, tmp_path
) -> None:
    # Given the secret access key in a file instead of the environment
    secret = tmp_path / "s3-secret"
    secret.write_text(s3_media.server.secret_access_key + "\n")
    settings.ANXIN_S3_SECRET_ACCESS_KEY = ""
    settings.ANXIN_S3_SECRET_ACCESS_KEY_PATH = str(secret)
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": MEDIA_BACKEND}}
    # When a file is stored
    name = default_storage.save("evidence/from-file.txt", ContentFile(b"signed"))
    # Then the server accepted the signature made with it
    assert s3_media.read(f"media/{name}") == b"signed"
    assert object_storage() == []
    # When the file holds a wrong secret
    secret.write_text("not-the-secret")
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": MEDIA_BACKEND}}
    # Then the server refuses the request's signature
    with pytest.raises(ClientError, match=r"403|SignatureDoesNotMatch"):
        default_storage.save("evidence/refused.txt", ContentFile(b"x"))


def test_the_checks_refuse_s3_without_a_bucket_or_with_half_a_key(settings, tmp_path) -> None:
    # Given media on local disk (the default)
    settings.ANXIN_MEDIA_STORAGE = "local"
    settings.ANXIN_TILES_STORAGE = "none"
    # Then the checks have nothing to say
    assert object_storage() == []
    # When media are set to s3 without a bucket
    settings.ANXIN_MEDIA_STORAGE = "s3"
    settings.ANXIN_S3_BUCKET = ""
    settings.ANXIN_S3_ACCESS_KEY_ID = ""
    settings.ANXIN_S3_SECRET_ACCESS_KEY = ""
    settings.ANXIN_S3_SECRET_ACCESS_KEY_PATH = ""
    # Then the deploy checks (which `anxin serve` runs before it starts) fail on it
    with pytest.raises(SystemCheckError, match=r"anxin\.E001"):
        call_command("check", deploy=True)
    # When the mirror of the log is set to s3 without any bucket
    settings.ANXIN_TILES_STORAGE = "s3"
    settings.ANXIN_TILES_S3_BUCKET = ""
    # Then that is refused too
    assert "anxin.E002" in {m.id for m in object_storage()}
    # When there is a bucket and a key id but no secret
    settings.ANXIN_S3_BUCKET = settings.ANXIN_TILES_S3_BUCKET = "anxin-media"
    settings.ANXIN_S3_ACCESS_KEY_ID = "AKIDEXAMPLE"
    # Then half a key is refused
    assert {m.id for m in object_storage()} >= {"anxin.E005"}
    # When the secret's file cannot be read
    settings.ANXIN_S3_SECRET_ACCESS_KEY_PATH = str(tmp_path / "missing")
    # Then that is said
    assert "anxin.E004" in {m.id for m in object_storage()}
    # When the media and the public mirror share a bucket without prefixes of their own
    (tmp_path / "secret").write_text("s3cr3t")
    settings.ANXIN_S3_SECRET_ACCESS_KEY_PATH = str(tmp_path / "secret")
    settings.ANXIN_S3_PREFIX = ""
    settings.ANXIN_TILES_S3_PREFIX = "log"
    # Then that is refused: the mirror would sit among the private media
    assert [m.id for m in object_storage()] == ["anxin.E006"]
    assert all(isinstance(m, Error) for m in object_storage())
    # When each has its own prefix
    settings.ANXIN_S3_PREFIX = "media"
    # Then all is well
    assert object_storage() == []


def _settings_of(env: dict[str, str], code: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            sys.executable,
            "-c",
            f"import django; django.setup(); from django.conf import settings; {code}",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_environment_chooses_the_storages_and_local_disk_stays_the_default() -> None:
    # Given a process started with no object storage settings
    env = child_env()
    for name in [k for k in env if k.startswith(("ANXIN_S3_", "ANXIN_TILES_", "ANXIN_MEDIA_"))]:
        del env[name]
    show = "print(settings.STORAGES['default']['BACKEND'], 'tiles' in settings.STORAGES)"
    # When its settings are read
    plain = _settings_of(env, show)
    # Then media are on local disk and the log has no mirror
    assert plain.stdout.split() == ["django.core.files.storage.FileSystemStorage", "False"]
    # When media and the mirror are set to s3
    s3 = _settings_of(
        {
            **env,
            "ANXIN_MEDIA_STORAGE": "s3",
            "ANXIN_TILES_STORAGE": "s3",
            "ANXIN_S3_BUCKET": "anxin-media",
            "ANXIN_TILES_S3_PREFIX": "/public/log/",
        },
        show + "; print(settings.ANXIN_TILES_S3_BUCKET, settings.ANXIN_TILES_S3_PREFIX)"
        "; print(settings.STORAGES['tiles']['BACKEND'])",
    )
    # Then the bucket storages are chosen, the mirror in the media bucket unless told
    assert s3.stdout.split() == [
        MEDIA_BACKEND,
        "True",
        "anxin-media",
        "public/log",
        "anxin.core.storage.PublishS3Storage",
    ], s3.stderr
    # When a value is not one of the choices
    bad = _settings_of({**env, "ANXIN_MEDIA_STORAGE": "ftp"}, "print(1)")
    # Then the process refuses to start, naming the setting
    assert bad.returncode != 0
    assert "ANXIN_MEDIA_STORAGE: local or s3" in bad.stderr
