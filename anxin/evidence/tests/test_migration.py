"""Migration 0003 moves the log's positions from a column on every record to spans and a
queue, and back: no record changes its place and none waiting is lost. Migration 0004 has the
queue hold leaf hashes instead of entries, and back."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from anxin.evidence import merkle, spans
from anxin.evidence.models import Pending, Record, Span

BEFORE = [("evidence", "0002_log_state")]
AFTER = [("evidence", "0003_spans")]
LEAVES = [("evidence", "0004_pending_leaf")]
AT = dt.datetime(2026, 5, 1, tzinfo=dt.UTC)


def _migrate(target):
    executor = MigrationExecutor(connection)
    executor.migrate(target)
    return executor.loader.project_state(target).apps


def _old_log() -> dict[int, int | None]:
    """Records as the old schema held them: 30 in the log, where the record at index 20
    committed late (its id is smaller than index 19's), and 4 waiting. {id: idx}."""
    OldRecord = _migrate(BEFORE).get_model("evidence", "Record")
    rows = [
        OldRecord.objects.create(
            chain=f"order:{i // 5}",
            kind="order.paid",
            at=AT,
            body="{}",
            salt=b"s" * 32,
            commitment=b"c" * 32,
            entry=f"entry {i}".encode(),
        )
        for i in range(34)
    ]
    order = [r.pk for r in rows[:19]] + [rows[20].pk, rows[19].pk] + [r.pk for r in rows[21:30]]
    for idx, pk in enumerate(order):
        OldRecord.objects.filter(pk=pk).update(idx=idx)
    return {pk: (order.index(pk) if pk in order else None) for pk in (r.pk for r in rows)}


@pytest.mark.django_db(transaction=True)
def test_the_positions_move_to_spans_and_back() -> None:
    # Given a log in the old schema with a late-committed record and 4 records waiting
    old = _old_log()
    # When the database is migrated
    OldPending = _migrate(AFTER).get_model("evidence", "Pending")
    # Then every record keeps its index, and the waiting ones are queued with their entries
    placed = {pk: idx for pk, idx in old.items() if idx is not None}
    assert spans.index_of(old) == placed
    assert spans.records_at(0, 30) == {idx: pk for pk, idx in placed.items()}
    waiting = sorted(pk for pk, idx in old.items() if idx is None)
    assert sorted(OldPending.objects.values_list("id", flat=True)) == waiting
    assert all(
        bytes(p.entry) == bytes(Record.objects.get(pk=p.pk).entry) for p in OldPending.objects.all()
    )
    # And a span never holds ids out of order: the late record starts a new one
    assert [s.first_idx for s in Span.objects.order_by("first_idx")] == [0, 20]
    # And a record inserted now is queued by the trigger
    new = Record.objects.create(
        chain="order:99",
        kind="order.paid",
        at=AT,
        body="{}",
        salt=b"s" * 32,
        commitment=b"c" * 32,
        entry=b"late",
    )
    assert bytes(OldPending.objects.get(pk=new.pk).entry) == b"late"
    # When the migration is reversed
    OldRecord = _migrate(BEFORE).get_model("evidence", "Record")
    # Then the column holds every index again, and the new record is waiting (no index)
    assert dict(OldRecord.objects.values_list("id", "idx")) == {**old, new.pk: None}
    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


def _record(entry: bytes) -> Record:
    return Record.objects.create(
        chain="order:1", kind="order.paid", at=AT, body="{}", salt=b"s" * 32,
        commitment=b"c" * 32, entry=entry,
    )  # fmt: skip


@pytest.mark.django_db(transaction=True)
def test_the_queue_moves_from_entries_to_leaf_hashes_and_back() -> None:
    # Given the schema of 0003, with two records waiting (queued with their entries)
    OldPending = _migrate(AFTER).get_model("evidence", "Pending")
    waiting = [_record(b"first"), _record(b"second")]
    assert {p.pk: bytes(p.entry) for p in OldPending.objects.all()} == {
        waiting[0].pk: b"first",
        waiting[1].pk: b"second",
    }
    # When the database is migrated to 0004
    _migrate(LEAVES)
    # Then each waiting record is queued with its leaf hash
    expected = {r.pk: merkle.leaf_hash(bytes(r.entry)) for r in waiting}
    assert {p.pk: bytes(p.leaf) for p in Pending.objects.all()} == expected
    # And a record inserted now is queued by the new trigger with its leaf hash
    late = _record(b"late")
    assert bytes(Pending.objects.get(pk=late.pk).leaf) == merkle.leaf_hash(b"late")
    # When the migration is reversed
    OldPending = _migrate(AFTER).get_model("evidence", "Pending")
    # Then the queue holds every waiting record's entry again
    assert {p.pk: bytes(p.entry) for p in OldPending.objects.all()} == {
        waiting[0].pk: b"first",
        waiting[1].pk: b"second",
        late.pk: b"late",
    }
    # And the old trigger queues a new record with its entry
    again = _record(b"again")
    assert bytes(OldPending.objects.get(pk=again.pk).entry) == b"again"
    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
