"""The evidence log mirrored to object storage (ANXIN_TILES_STORAGE): after the sequencer's
batches, the bucket (or folder) holds byte for byte what the log's views serve at the same
paths, a verifier reading only the bucket checks an inclusion proof against the signed
checkpoint, a failing bucket never stops the log, and `anxin evidence publish` puts back
whatever is missing."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client

from anxin.evidence import keys, merkle, mirror, sequencer, store
from anxin.evidence.checkpoint import open_checkpoint
from anxin.evidence.models import LogState, Record
from anxin.evidence.services import append
from anxin.evidence.tiles import TileClient, tile_path, tiles_for

pytestmark = [pytest.mark.django_db, pytest.mark.s3]

TILES_S3 = "anxin.core.storage.PublishS3Storage"
TILES_LOCAL = "anxin.core.storage.PublishFolderStorage"


def _records(n: int, start: int = 0) -> None:
    with transaction.atomic():
        for i in range(start, start + n):
            append(chain=f"test:mirror:{i % 7}", kind="test.note", body={"i": i})


def _paths(size: int) -> set[str]:
    """Every path the log's views serve for a log of `size` entries, partial tiles included
    only at this size (the mirror also keeps the narrower ones published before)."""
    out = {tile_path(level, index, width) for level, index, width in tiles_for(size)}
    full, rest = divmod(size, 256)
    out |= {tile_path(None, i) for i in range(full)}
    if rest:
        out.add(tile_path(None, full, rest))
    return out | {"checkpoint"}


def _served(path: str) -> bytes:
    resp = Client().get(f"/log/{path}")
    assert resp.status_code == 200, (path, resp.status_code)
    return resp.content


def _mirror_to(settings, backend: str, **extra) -> None:
    for name, value in extra.items():
        setattr(settings, name, value)
    settings.ANXIN_TILES_STORAGE = "s3" if backend == TILES_S3 else "local"
    settings.STORAGES = {**settings.STORAGES, "tiles": {"BACKEND": backend}}


def test_the_bucket_holds_what_the_views_serve_and_a_verifier_reads_the_log_there(
    s3_bucket, settings
) -> None:
    # Given a log mirrored to a bucket, and 300 records sequenced (a full tile and a partial)
    _mirror_to(settings, TILES_S3)
    _records(300)
    sequencer.integrate_all()
    # When the sequencer's batch is published
    written = mirror.publish()
    # Then the bucket holds every path the views serve, under the prefix, and nothing else
    keys_ = s3_bucket.keys("log/")
    assert {k.removeprefix("log/") for k in keys_} == _paths(300)
    assert written == len(keys_)
    # And each object is byte for byte what the view serves at that path, the checkpoint too
    for key in keys_:
        path = key.removeprefix("log/")
        assert s3_bucket.read(key) == _served(path), path
    # And each carries the views' caching: full tiles forever, partial ones a minute, the
    # checkpoint never
    head = s3_bucket.client().head_object
    assert head(Bucket=s3_bucket.name, Key="log/tile/0/000")["CacheControl"] == mirror.FINAL
    assert head(Bucket=s3_bucket.name, Key="log/tile/0/001.p/44")["CacheControl"] == (
        mirror.PARTIAL
    )
    checkpoint = head(Bucket=s3_bucket.name, Key="log/checkpoint")
    assert checkpoint["CacheControl"] == "no-cache"
    assert checkpoint["ContentType"] == "text/plain; charset=utf-8"

    # When 250 more records are sequenced and published
    _records(250, start=300)
    sequencer.integrate_all()
    more = mirror.publish()
    # Then only what changed is written: level 0's second full tile and its bundle, the new
    # partial tiles and bundle (level 0 and level 1), and the checkpoint
    assert more == 6
    # And the bucket again serves the views' bytes at every path of the log of 550
    for path in _paths(550):
        assert s3_bucket.read(f"log/{path}") == _served(path), path
    # And a verifier that reads only the bucket opens its checkpoint with the log's key ...
    cp = open_checkpoint(s3_bucket.read("log/checkpoint").decode(), keys.log_verifier())
    assert cp.size == 550
    client = TileClient(cp.size, lambda path: s3_bucket.read(f"log/{path}"))
    # ... rebuilds the signed root from the bucket's tiles ...
    assert client.root() == cp.root
    # ... and checks a record's inclusion proof, made from the bucket, against it
    idx = 417
    entry = Record.objects.order_by("id")[idx].entry
    leaf = merkle.leaf_hash(bytes(entry))
    assert merkle.verify_inclusion(idx, cp.size, leaf, client.inclusion_proof(idx), cp.root)
    # And a bucket already up to date is left alone
    assert mirror.publish() == 0


def test_a_local_folder_mirror_is_written_by_sequence_once(settings, tmp_path, capsys) -> None:
    # Given a log mirrored to a local folder
    folder = tmp_path / "tiles"
    _mirror_to(settings, TILES_LOCAL, ANXIN_TILES_DIR=folder)
    _records(40)
    # When `anxin evidence sequence --once` runs
    call_command("evidence", "sequence", "--once")
    # Then the folder holds every path of the log, byte for byte as the views serve it
    written = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
    assert written == _paths(40)
    for path in written:
        assert (folder / path).read_bytes() == _served(path), path
    # When the log grows and is sequenced again
    old = tmp_path / "old.checkpoint"
    old.write_bytes((folder / "checkpoint").read_bytes())
    _records(300, start=40)
    call_command("evidence", "sequence", "--once")
    new = tmp_path / "new.checkpoint"
    new.write_bytes((folder / "checkpoint").read_bytes())
    # Then `anxin verify --consistency`, reading the tiles from the folder alone, finds that
    # the log of 340 extends the log of 40
    capsys.readouterr()
    vkey = keys.log_verifier().vkey()
    call_command("verify", str(old), str(new), "--consistency", "--key", vkey, "--log", str(folder))
    assert "consistent: 40 -> 340" in capsys.readouterr().out


def test_publish_puts_back_what_is_missing_from_the_bucket(s3_bucket, settings, capsys) -> None:
    # Given a published log of 300 entries from whose bucket a full tile, a full bundle and
    # the checkpoint were deleted
    _mirror_to(settings, TILES_S3)
    _records(300)
    sequencer.integrate_all()
    mirror.publish()
    gone = ["log/tile/0/000", "log/tile/entries/000", "log/checkpoint"]
    for key in gone:
        s3_bucket.client().delete_object(Bucket=s3_bucket.name, Key=key)
    # When `anxin evidence publish` runs
    call_command("evidence", "publish")
    # Then every deleted object is back, byte for byte as served, and the command says so
    for key in gone:
        assert s3_bucket.read(key) == _served(key.removeprefix("log/")), key
    assert "the mirror holds the log of 300 entries" in capsys.readouterr().out


@pytest.mark.django_db(transaction=True)
def test_a_failing_bucket_never_stops_the_log_and_the_mirror_catches_up(
    s3_bucket, settings, monkeypatch, caplog
) -> None:
    # Given a log mirrored to a bucket whose credentials are wrong, and a fresh publisher
    settings.ANXIN_S3_SECRET_ACCESS_KEY = "not-the-secret"
    _mirror_to(settings, TILES_S3)
    publisher = mirror.Publisher()
    monkeypatch.setattr(mirror, "publisher", publisher)
    _records(30)
    # When the sequencer runs one round
    rounds: list[int] = []
    with caplog.at_level(logging.WARNING, logger="anxin.evidence.mirror"):
        sequencer.run_forever(interval=0, stop=lambda: rounds.append(1) or len(rounds) > 1)
        publisher.wait(timeout=60)
    # Then the records are in the log all the same, signed
    assert LogState.objects.get(pk=1).size == 30
    assert store.head().size == 30
    # And the failed publish was logged and left for later, the bucket untouched
    assert publisher.failures == 1
    assert publisher.pending
    assert "publishing the log's tiles failed" in caplog.text
    assert s3_bucket.keys() == []
    # When the credentials are right again and the sequencer's next round comes after the wait
    settings.ANXIN_S3_SECRET_ACCESS_KEY = s3_bucket.server.secret_access_key
    _mirror_to(settings, TILES_S3)
    monkeypatch.setattr(mirror, "RETRY_SECONDS", 0.0)
    rounds.clear()
    sequencer.run_forever(interval=0, stop=lambda: rounds.append(1) or len(rounds) > 1)
    publisher.wait(timeout=60)
    # Then the mirror has caught up, from the sequencer's own process
    assert not publisher.pending
    assert s3_bucket.read("log/checkpoint") == _served("checkpoint")
    assert {k.removeprefix("log/") for k in s3_bucket.keys("log/")} == _paths(30)


def test_sequence_once_keeps_the_batch_when_the_bucket_refuses(s3_bucket, settings, capsys) -> None:
    # Given a log mirrored to a bucket whose credentials are wrong
    settings.ANXIN_S3_SECRET_ACCESS_KEY = "not-the-secret"
    _mirror_to(settings, TILES_S3)
    _records(5)
    # When `anxin evidence sequence --once` runs
    with pytest.raises(SystemExit) as exited:
        call_command("evidence", "sequence", "--once")
    # Then it exits 1 saying the mirror is behind and how to fill it
    assert exited.value.code == 1
    out = capsys.readouterr()
    assert "integrated 5 records" in out.out
    assert "run `anxin evidence publish`" in out.err
    # And the records are in the log all the same
    assert store.head().size == 5


def test_the_mirror_is_off_by_default(settings, tmp_path: Path) -> None:
    # Given the default settings (no mirror)
    assert settings.ANXIN_TILES_STORAGE == "none"
    _records(3)
    sequencer.integrate_all()
    # When a publish is asked for
    # Then nothing is written, and the command says there is no mirror
    assert mirror.publish() == 0
    with pytest.raises(Exception, match="no mirror"):
        call_command("evidence", "publish")
