"""The sequencer: gives stored evidence records their place in the log, in batches, and
publishes a signed checkpoint for each batch.

Business transactions only insert records (with no index); this is how production logs such
as Trillian and Tessera decouple writes from integration. One sequencer at a time holds the
LogState row lock, so two sequencers never hand out one index twice (and the unique index on
`idx` would refuse it if they tried). A record committed while a batch is being integrated
waits for the next batch: records are found by having no index, not by an id watermark, so a
transaction that commits late is never skipped. If a sequencer dies mid-batch its transaction
rolls back and the next run integrates the same records.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.utils import timezone

from anxin.core import faults
from anxin.core.sql import insert_row_unless_duplicate
from anxin.evidence import keys, merkle
from anxin.evidence.checkpoint import Checkpoint
from anxin.evidence.edge import RightEdge
from anxin.evidence.models import Checkpoint as CheckpointRow
from anxin.evidence.models import LogState, Record, Tile
from anxin.evidence.store import stored_tile
from anxin.evidence.tiles import WIDTH, nodes_at

R, T = Record._meta.db_table, Tile._meta.db_table
_PENDING = f"SELECT id, entry FROM {R} WHERE idx IS NULL ORDER BY id LIMIT %s"  # noqa: S608
# `r.idx IS NULL` lets the planner find the rows among the pending ones (a partial index)
# instead of scanning the whole log to join them; the ids go as one array literal, which
# the server parses faster than the driver would send twenty thousand parameters.
_ASSIGN_PG = (
    f"UPDATE {R} r SET idx = v.ord + %s FROM unnest(%s::bigint[]) "  # noqa: S608
    "WITH ORDINALITY AS v(id, ord) WHERE r.id = v.id AND r.idx IS NULL"
)
_ASSIGN = f"UPDATE {R} SET idx = %s WHERE id = %s"  # noqa: S608
# A full tile is final: the upsert rewrites only a tile that was partial.
_UPSERT_TAIL = (
    'ON CONFLICT (level, "index") DO UPDATE SET data = excluded.data '
    f"WHERE length({T}.data) < {WIDTH * 32}"
)
_UPSERT_PG = (
    f'INSERT INTO {T} (level, "index", data) '  # noqa: S608
    "SELECT * FROM unnest(%s::smallint[], %s::bigint[], %s::bytea[]) " + _UPSERT_TAIL
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


def integrate(batch: int | None = None) -> int:
    """Integrate up to `batch` pending records in one transaction; returns how many."""
    batch = batch or settings.ANXIN_SEQUENCER_BATCH
    signer = keys.log_signer()
    pg = connection.vendor == "postgresql"
    with transaction.atomic():
        # The migration creates the row; a flushed database (tests) gets it back here.
        insert_row_unless_duplicate(LogState, id=1, size=0, root=merkle.EMPTY_ROOT, note="")
        state = LogState.objects.select_for_update().get(pk=1)
        with connection.cursor() as cur:
            cur.execute(_PENDING, [batch])
            rows = cur.fetchall()
        if not rows:
            return 0
        edge = RightEdge(state.size, partial_tiles(state.size))
        if edge.root() != bytes(state.root):
            raise LogCorrupt(
                f"the stored tiles do not give the stored root of the log of {state.size} entries"
            )
        base = state.size
        ids = [pk for pk, _ in rows]
        # The database writes the indexes while a thread hashes the leaves and builds the
        # tiles: neither waits for the other (the thread holds the interpreter only while
        # this one waits for the server).
        hashing = _Background(lambda: edge.append([merkle.leaf_hash(bytes(e)) for _, e in rows]))
        try:
            with connection.cursor() as cur:
                if pg:
                    cur.execute(_ASSIGN_PG, [base - 1, "{" + ",".join(map(str, ids)) + "}"])
                    assigned = cur.rowcount
                else:
                    cur.executemany(_ASSIGN, [(base + i, pk) for i, pk in enumerate(ids)])
                    assigned = len(ids)
        finally:
            hashing.wait()  # whatever happened, the thread is done before the batch ends
        changed = hashing.result()
        if assigned != len(ids):
            raise LogCorrupt(f"{len(ids) - assigned} of {len(ids)} pending records had an index")
        tiles = sorted(changed.items())
        with connection.cursor() as cur:
            if pg:
                cur.execute(
                    _UPSERT_PG,
                    [
                        [lv for (lv, _), _ in tiles],
                        [ix for (_, ix), _ in tiles],
                        [d for _, d in tiles],
                    ],
                )
            else:
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
    second (every `interval` seconds plus the time a batch takes)."""
    while not stop():
        close_old_connections()
        n = integrate_all(batch)
        if not n:
            time.sleep(interval)
