"""The sequencer: gives stored evidence records their place in the log, in batches, and
publishes a signed checkpoint for each batch.

Business transactions only insert records (a trigger queues each in the Pending table); this
is how production logs such as Trillian and Tessera decouple writes from integration. One
sequencer at a time holds the LogState row lock, so two sequencers never hand out one index
twice (and Span's primary key, the batch's first index, would refuse it if they tried). A
batch takes its records off the queue, hashes them into the tiles and writes one Span row
saying which records got which indices. A record committed while a batch is being integrated
waits in the queue for the next batch, so a transaction that commits late is never skipped.
If a sequencer dies mid-batch its transaction rolls back, the records are back in the queue,
and the next run integrates them.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import psycopg
from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.utils import timezone

from anxin.core import faults
from anxin.core.sql import insert_row_unless_duplicate
from anxin.evidence import keys, merkle, mirror, spans
from anxin.evidence.checkpoint import Checkpoint
from anxin.evidence.edge import RightEdge
from anxin.evidence.models import Checkpoint as CheckpointRow
from anxin.evidence.models import LogState, Pending, Span, Tile
from anxin.evidence.store import stored_tile
from anxin.evidence.tiles import WIDTH, nodes_at

P, S, T = Pending._meta.db_table, Span._meta.db_table, Tile._meta.db_table
# Takes the oldest pending records off the queue, with their leaf hashes, in one statement. The
# queue is filled by a trigger in the inserting transaction, so a record that commits late
# is simply taken by a later batch: nothing is found by an id watermark.
# The batch is bounded by the id of its last record (an index range scan), not by a list of
# ids (a hash join over the whole queue): 4x less server time for 20,000.
_TAKE = (
    f"DELETE FROM {P} WHERE id <= coalesce("  # noqa: S608
    f"(SELECT id FROM {P} ORDER BY id LIMIT 1 OFFSET %s), 9223372036854775807) "
    "RETURNING id, leaf"
)
_SPAN = (
    f"INSERT INTO {S} (first_idx, count, first_id, last_id, ids) "  # noqa: S608
    "VALUES (%s, %s, %s, %s, %s)"
)
# A full tile is final: the upsert rewrites only a tile that was partial.
_UPSERT_TAIL = (
    'ON CONFLICT (level, "index") DO UPDATE SET data = excluded.data '
    f"WHERE length({T}.data) < {WIDTH * 32}"
)
_UPSERT_PG = (
    f'INSERT INTO {T} (level, "index", data) '  # noqa: S608
    "SELECT * FROM unnest(%b::smallint[], %b::bigint[], %b::bytea[]) " + _UPSERT_TAIL
)
_UPSERT = f'INSERT INTO {T} (level, "index", data) VALUES (%s, %s, %s) ' + _UPSERT_TAIL  # noqa: S608


class LogCorrupt(RuntimeError):
    """The stored tiles do not match the stored tree head: the sequencer stops rather than
    build on them. `anxin evidence audit` says where."""


def partial_tiles(size: int) -> dict[int, list[bytes]]:
    """The right-edge tiles of a tree of `size` leaves, from the tile table."""
    wanted = {}
    level = 0
    while (n := nodes_at(size, level)) > 0:
        if n % WIDTH:
            wanted[level] = n // WIDTH
        level += 1
    out: dict[int, list[bytes]] = {}
    for level, index in wanted.items():
        data = stored_tile(level, index)
        width = nodes_at(size, level) % WIDTH
        out[level] = [data[i : i + 32] for i in range(0, min(len(data), width * 32), 32)]
    return out


class _Background:
    """A function run in a thread; `result()` waits for it and returns its value or raises
    its exception."""

    def __init__(self, fn: Callable[[], dict[tuple[int, int], bytes]]) -> None:
        self._fn = fn
        self._value: dict[tuple[int, int], bytes] = {}
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            self._value = self._fn()
        except BaseException as e:  # handed to the caller
            self._error = e

    def wait(self) -> None:
        self._thread.join()

    def result(self) -> dict[tuple[int, int], bytes]:
        self.wait()
        if self._error is not None:
            raise self._error
        return self._value


def _execute(sql: str, params: list[Any], *, fetch: bool = False) -> list[tuple[Any, ...]]:
    """Runs one of the sequencer's statements; returns its rows if `fetch`.

    On PostgreSQL through a cursor that binds parameters on the server and reads results as
    binary, on the connection (and so in the transaction) Django's cursors use: Django's bind
    in the client and read text, and a batch moves a megabyte of entries, ids and tiles.
    Measured on 100,000 entries in batches of 20,000: 0.46 s of integration against 0.77 s.
    """
    if connection.vendor == "postgresql":
        connection.ensure_connection()
        with psycopg.Cursor(connection.connection) as cur:
            cur.execute(sql, params, binary=fetch)
            return cur.fetchall() if fetch else []
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchall() if fetch else []


def integrate(batch: int | None = None) -> int:
    """Integrate up to `batch` pending records in one transaction; returns how many."""
    batch = batch or settings.ANXIN_SEQUENCER_BATCH
    signer = keys.log_signer()
    pg = connection.vendor == "postgresql"
    with transaction.atomic():
        # The migration creates the row; a flushed database (tests) gets it back here.
        insert_row_unless_duplicate(LogState, id=1, size=0, root=merkle.EMPTY_ROOT, note="")
        state = LogState.objects.select_for_update().get(pk=1)
        rows = sorted(_execute(_TAKE, [batch - 1], fetch=True))
        if not rows:
            return 0
        edge = RightEdge(state.size, partial_tiles(state.size))
        if edge.root() != bytes(state.root):
            raise LogCorrupt(
                f"the stored tiles do not give the stored root of the log of {state.size} entries"
            )
        # The database stores the batch's span while a thread builds the tiles (the thread
        # holds the interpreter only while this one waits for the server).
        hashing = _Background(lambda: edge.append([bytes(leaf) for _, leaf in rows]))
        try:
            ids = [pk for pk, _ in rows]
            _execute(_SPAN, [state.size, len(ids), ids[0], ids[-1], spans.pack(ids)])
        finally:
            hashing.wait()  # whatever happened, the thread is done before the batch ends
        changed = hashing.result()
        tiles = sorted(changed.items())
        if pg:
            _execute(
                _UPSERT_PG,
                [[lv for (lv, _), _ in tiles], [ix for (_, ix), _ in tiles], [d for _, d in tiles]],
            )
        else:
            with connection.cursor() as cur:
                cur.executemany(_UPSERT, [(lv, ix, d) for (lv, ix), d in tiles])
        faults.point("sequencer.after_assign")
        root = edge.root()
        note = Checkpoint(signer.name, edge.size, root).signed(signer)
        CheckpointRow.objects.create(size=edge.size, root=root, note=note, at=timezone.now())
        LogState.objects.filter(pk=1).update(size=edge.size, root=root, note=note)
    return len(rows)


def integrate_all(batch: int | None = None) -> int:
    """Integrate until nothing is pending; returns how many records were integrated."""
    total = 0
    while n := integrate(batch):
        total += n
    return total


def run_forever(
    *, interval: float = 0.5, stop: Callable[[], bool] = lambda: False, batch: int | None = None
) -> None:
    """The sequencer process: while there is new evidence, a new checkpoint at least every
    second (every `interval` seconds plus the time a batch takes). With a mirror of the log
    (ANXIN_TILES_STORAGE), what the batches committed is published by a thread of this process
    meanwhile (mirror.publisher): the next batch never waits for the bucket."""
    while not stop():
        close_old_connections()
        n = integrate_all(batch)
        if n or mirror.publisher.pending:
            mirror.publisher.kick()
        if not n:
            time.sleep(interval)
