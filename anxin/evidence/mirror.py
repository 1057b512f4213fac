"""The evidence log mirrored as static files (ANXIN_TILES_STORAGE: a local folder or a bucket),
byte for byte what the log's views serve at the same paths (C2SP tlog-tiles): `checkpoint`,
`tile/<L>/<N>[.p/<W>]`, `tile/entries/<N>[.p/<W>]`. Verifiers and a CDN read the log there
without asking Anxin.

The database stays the source of truth: the mirror is written from it, after the batch that
made the tiles has committed, never inside it. The sequencer process publishes in a thread of
its own (`Publisher.kick`), so a slow or failing bucket never slows or stops the log: a failure
is logged and retried later, and `anxin evidence publish` re-publishes whatever is missing.

What is published is known from the mirror itself: its checkpoint, written last, says up to
which size every tile and bundle is there. A publish writes what lies between that size and
the database's: the full tiles and bundles completed since (once: they never change), the
partial ones at the new size, then the new checkpoint.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from typing import Protocol, cast

from django.conf import settings
from django.core.files.storage import storages
from django.db import connection

from anxin.evidence import keys, store
from anxin.evidence.checkpoint import CheckpointError, open_checkpoint
from anxin.evidence.tiles import WIDTH, nodes_at, tile_path

log = logging.getLogger("anxin.evidence.mirror")

CHECKPOINT = "checkpoint"
TEXT = "text/plain; charset=utf-8"
BINARY = "application/octet-stream"
# What the views send, and the mirror's objects carry: a full tile, and any prefix of one,
# never changes once published; a partial tile is replaced by a wider one within a minute;
# the checkpoint is asked for anew every time.
FINAL = "public, max-age=31536000, immutable"
PARTIAL = "public, max-age=60"
FRESH = "no-cache"
# After a failed publish, the sequencer tries again after this many seconds (or its next batch).
RETRY_SECONDS = 10.0


class Target(Protocol):
    """A mirror's storage (anxin.core.storage.PublishS3Storage or PublishFolderStorage)."""

    def has(self, name: str) -> bool: ...

    def get(self, name: str) -> bytes | None: ...

    def put(self, name: str, data: bytes, *, content_type: str, cache_control: str) -> None: ...


def target() -> Target | None:
    """The mirror's storage, or None when the log is not mirrored."""
    if settings.ANXIN_TILES_STORAGE == "none":
        return None
    return cast(Target, storages["tiles"])


def published_size(out: Target) -> int | None:
    """The size of the mirror's checkpoint (everything up to it is published), or None when it
    has none, or one this log's key did not sign."""
    data = out.get(CHECKPOINT)
    if data is None:
        return None
    try:
        return open_checkpoint(data.decode(), keys.log_verifier()).size
    except (CheckpointError, UnicodeDecodeError):
        return None


def _objects(old: int, new: int) -> Iterator[tuple[int | None, int, int]]:
    """(level, or None for an entry bundle; index; width) of every tile and bundle a log of
    `new` entries publishes beyond one of `old`: the full ones completed since, then the
    partial ones at `new`."""
    level = 0
    while (n := nodes_at(new, level)) > 0:
        for index in range(nodes_at(old, level) // WIDTH, n // WIDTH):
            yield level, index, WIDTH
        if (rest := n % WIDTH) and n != nodes_at(old, level):
            yield level, n // WIDTH, rest
        level += 1
    for index in range(old // WIDTH, new // WIDTH):
        yield None, index, WIDTH
    if (rest := new % WIDTH) and new != old:
        yield None, new // WIDTH, rest


def publish(*, repair: bool = False) -> int:
    """Bring the mirror up to the log's latest checkpoint; returns how many objects were written.

    With `repair`, every object of the log is checked, whatever the mirror's checkpoint says: a
    full tile or bundle that is missing is written, the partial ones and the checkpoint are
    written again (`anxin evidence publish`)."""
    out = target()
    if out is None:
        return 0
    head = store.head()
    done = None if repair else published_size(out)
    if done is not None and done >= head.size:
        return 0
    written = 0
    for level, index, width in _objects(done or 0, head.size):
        path, final = tile_path(level, index, width), width == WIDTH
        if repair and final and out.has(path):
            continue
        # What the views serve at that path (store.tile, store.entries), byte for byte.
        data = store.entries(index, width) if level is None else store.tile(level, index, width)
        out.put(path, data, content_type=BINARY, cache_control=FINAL if final else PARTIAL)
        written += 1
    # Last, once everything it covers is there; never over a larger one that another publisher
    # wrote meanwhile (a mirror's checkpoint does not go back).
    now = published_size(out)
    if now is None or now <= head.size:
        out.put(CHECKPOINT, head.note.encode(), content_type=TEXT, cache_control=FRESH)
        written += 1
    return written


class Publisher:
    """Publishes in a thread of the sequencer's process, one publish at a time: `kick()` after
    a batch starts it, or asks the running one to go round once more. A failure is logged and
    retried at a kick RETRY_SECONDS later; it never reaches the sequencer."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._wanted = False
        self._failed_at: float | None = None
        self.failures = 0

    @property
    def pending(self) -> bool:
        """Whether the mirror may be behind the log (a kick would publish)."""
        return self._wanted

    def kick(self) -> None:
        if settings.ANXIN_TILES_STORAGE == "none":
            return
        with self._lock:
            self._wanted = True
            if self._thread is not None and self._thread.is_alive():
                return
            if self._failed_at is not None and time.monotonic() - self._failed_at < RETRY_SECONDS:
                return
            self._thread = threading.Thread(target=self._run, name="anxin-publish", daemon=True)
            self._thread.start()

    def wait(self, timeout: float | None = None) -> None:
        """Wait for the running publish, if any (tests, and the sequencer when it stops)."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)

    def _run(self) -> None:
        try:
            while True:
                with self._lock:
                    if not self._wanted:
                        return
                    self._wanted = False
                try:
                    publish()
                except Exception:
                    # The log is in the database and goes on; the mirror catches up later.
                    log.warning("publishing the log's tiles failed; will retry", exc_info=True)
                    with self._lock:
                        self._wanted = True
                        self._failed_at = time.monotonic()
                        self.failures += 1
                    return
                with self._lock:
                    self._failed_at = None
        finally:
            connection.close()


publisher = Publisher()
