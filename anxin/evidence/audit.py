"""`anxin evidence audit`: recompute the whole tree from the stored entries and check it
against the stored tiles, every stored checkpoint and every stored record.

What it catches: an entry altered (its hash is not the one published), entries swapped or
reordered, an entry removed (its record deleted, or a span of indices gone), a record in the
log twice or neither in the log nor waiting for it, a record whose
content no longer matches the commitment in its entry, a tile rewritten, and a checkpoint that
is forged or does not match the entries it covers. A stored tile can be rewritten to match an
altered entry, but not the signed checkpoints: the roots then disagree.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field

from anxin.evidence import merkle, record, spans
from anxin.evidence.checkpoint import CheckpointError, open_checkpoint
from anxin.evidence.edge import RightEdge
from anxin.evidence.models import Checkpoint, LogState, Pending, Record, Tile
from anxin.evidence.note import Verifier

MAX_FINDINGS = 50


@dataclass
class Report:
    entries: int = 0
    checkpoints: int = 0
    erased: int = 0
    problems: list[str] = field(default_factory=list)
    more: int = 0

    def problem(self, text: str) -> None:
        if len(self.problems) < MAX_FINDINGS:
            self.problems.append(text)
        else:
            self.more += 1

    @property
    def ok(self) -> bool:
        return not self.problems


def audit(verifier: Verifier, chunk: int = 2_000) -> Report:
    rep = Report()
    leaves: list[bytes] = []
    placed: dict[int, int] = {}  # record id -> its log index
    for first, count, ids in spans.all_spans():
        if first != len(leaves):
            if first > len(leaves):
                rep.problem(f"entries {len(leaves)} to {first - 1} are missing (removed spans)")
                leaves.extend([b"\0" * 32] * (first - len(leaves)))
            else:
                rep.problem(f"entries {first} to {len(leaves) - 1} are in two spans")
                ids = ids[len(leaves) - first :]
                first = len(leaves)
        if count != len(ids) or list(ids) != sorted(set(ids)):
            rep.problem(f"the span at entry {first} was rewritten: its record ids are out of order")
        for lo in range(0, len(ids), chunk):
            _check_records(rep, leaves, placed, first + lo, ids[lo : lo + chunk])
    _check_pending(rep, placed)
    rep.entries = len(leaves)

    # Tiles: what the entries give, against what is stored and served.
    edge = RightEdge(0, {})
    checkpoints = list(Checkpoint.objects.order_by("size").values_list("size", "root", "note"))
    expected_tiles: dict[tuple[int, int], bytes] = {}
    done = 0
    for size, root, note in checkpoints:
        rep.checkpoints += 1
        try:
            cp = open_checkpoint(note, verifier)
        except CheckpointError as e:
            rep.problem(f"checkpoint of size {size}: {e}")
            continue
        if cp.size != size or cp.root != bytes(root):
            rep.problem(f"checkpoint of size {size}: its stored size or root is not what it signs")
        if size > len(leaves):
            rep.problem(
                f"checkpoint of size {size} covers entries that are no longer stored "
                f"(only {len(leaves)} are)"
            )
            continue
        expected_tiles.update(edge.append(leaves[done:size]))
        done = size
        if edge.root() != cp.root:
            rep.problem(
                f"checkpoint of size {size}: the stored entries give another root "
                "(an entry it covers was altered, removed or reordered)"
            )
    expected_tiles.update(edge.append(leaves[done:]))
    _compare_tiles(rep, leaves, expected_tiles)

    state = LogState.objects.filter(pk=1).first() or LogState(size=0, root=merkle.EMPTY_ROOT)
    if state.size != len(leaves):
        rep.problem(f"the log says it has {state.size} entries; {len(leaves)} are stored")
    elif bytes(state.root) != edge.root():
        rep.problem("the log's current root is not the root of the stored entries")
    if checkpoints and state.note != checkpoints[-1][2]:
        rep.problem("the published checkpoint is not the latest stored one")
    return rep


def _compare_tiles(
    rep: Report, leaves: list[bytes], expected: dict[tuple[int, int], bytes]
) -> None:
    stored = {
        (lv, ix): bytes(d) for lv, ix, d in Tile.objects.values_list("level", "index", "data")
    }
    # Level 0 first, hash by hash, to name the entries: a swap shows as two hashes traded.
    published: list[bytes] = []
    for ix in range((len(leaves) + 255) // 256):
        data = stored.get((0, ix), b"")
        published += [data[i : i + 32] for i in range(0, len(data), 32)]
    where = {h: i for i, h in enumerate(published)}
    seen: set[int] = set()
    for i, leaf in enumerate(leaves):
        if (i < len(published) and published[i] == leaf) or i in seen:
            continue
        j = where.get(leaf)
        if j is not None and j < len(leaves) and leaves[j] == published[i]:
            rep.problem(f"entries {i} and {j} are swapped (reordered rows)")
            seen.add(j)
        elif i < len(published):
            rep.problem(f"entry {i} was altered: its hash is not the one published in the tiles")
        else:
            rep.problem(f"entry {i} has no published tile")
    for key in sorted(set(stored) | set(expected)):
        if key[0] == 0 and key in expected and key in stored:
            continue  # reported entry by entry above
        if stored.get(key) != expected.get(key):
            what = "missing" if key not in stored else "not derived from the entries"
            rep.problem(f"tile {key[0]}/{key[1]} is {what}")


def _check_records(
    rep: Report, leaves: list[bytes], placed: dict[int, int], first: int, ids: Sequence[int]
) -> None:
    """The records at indices first, first+1, …: each present once and matching its entry."""
    rows = {
        r.pk: r
        for r in Record.objects.filter(pk__in=list(ids)).only(
            "id", "kind", "body", "salt", "entry", "erased_at"
        )
    }
    for idx, pk in enumerate(ids, first):
        if pk in placed:
            rep.problem(f"record {pk} is in the log twice (entries {placed[pk]} and {idx})")
        placed[pk] = idx
        if pk not in rows:
            rep.problem(f"entry {idx} is missing: its record {pk} was removed")
            leaves.append(b"\0" * 32)
            continue
        r = rows[pk]
        entry = bytes(r.entry)
        leaves.append(merkle.leaf_hash(entry))
        if r.erased_at is not None:
            rep.erased += 1
            continue
        try:
            _, _, expected = record.seal(json.loads(r.body), bytes(r.salt or b""))
        except (ValueError, TypeError):
            expected = b""
        if expected != entry:
            rep.problem(
                f"record {pk} (entry {idx}, {r.kind}) does not match its log entry: "
                "the stored record or its entry was altered"
            )


def _check_pending(rep: Report, placed: dict[int, int]) -> None:
    """Every record is in the log or waiting for it, never both; a waiting leaf hash is its
    record's."""
    waiting = dict(Pending.objects.values_list("id", "leaf"))
    for pk in sorted(set(waiting) & set(placed)):
        rep.problem(f"record {pk} is waiting for the log but already at entry {placed[pk]}")
    entries = Record.objects.filter(pk__in=list(waiting)).values_list("id", "entry")
    for pk, entry in entries.iterator(chunk_size=2_000):
        if merkle.leaf_hash(bytes(entry)) != bytes(waiting[pk]):
            rep.problem(f"record {pk} is waiting with a leaf hash that is not its entry's")
    if Record.objects.count() != len(placed) + len(waiting):
        known = set(placed) | set(waiting)
        lost = [
            pk
            for pk in Record.objects.order_by("id").values_list("id", flat=True).iterator()
            if pk not in known
        ]
        if lost:
            rep.problem(
                f"{len(lost)} records are neither in the log nor waiting for it "
                f"(first: record {lost[0]})"
            )
