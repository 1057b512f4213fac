"""Where records sit in the log, read from the Span rows the sequencer writes (one per batch:
see evidence.models)."""

from __future__ import annotations

import sys
from array import array
from bisect import bisect_left
from collections.abc import Iterable, Iterator

from anxin.evidence.models import Span


def pack(ids: Iterable[int]) -> bytes:
    """Record ids as a span stores them: signed 64-bit little-endian."""
    a = array("q", ids)
    if sys.byteorder != "little":
        a.byteswap()
    return a.tobytes()


def unpack(data: bytes | memoryview) -> array[int]:
    a = array("q")
    a.frombytes(bytes(data))
    if sys.byteorder != "little":
        a.byteswap()
    return a


def _find(ids: array[int], pk: int) -> int | None:
    i = bisect_left(ids, pk)
    return i if i < len(ids) and ids[i] == pk else None


def index_of(record_ids: Iterable[int]) -> dict[int, int]:
    """The log index of each record that has one (records still pending are left out).

    The spans whose id ranges hold a record's id are read one at a time, nearest last id
    first: the first is the record's own unless it committed late (its span then came after
    others whose ranges cover it). Asking for more than one at once would make the server scan
    every later span for matches not needed. A span already read is searched first: the
    records of one chain are often in one span."""
    out: dict[int, int] = {}
    read: list[tuple[int, array[int]]] = []
    for pk in sorted(set(record_ids)):
        out.update((pk, first + i) for first, ids in read if (i := _find(ids, pk)) is not None)
        candidates = Span.objects.filter(first_id__lte=pk, last_id__gte=pk).order_by("last_id")
        offset = 0
        while pk not in out:
            row = list(candidates.values_list("first_idx", "ids")[offset : offset + 1])
            if not row:
                break
            first, ids = row[0][0], unpack(row[0][1])
            read.append((first, ids))
            if (i := _find(ids, pk)) is not None:
                out[pk] = first + i
            offset += 1
    return out


def records_at(lo: int, hi: int) -> dict[int, int]:
    """{log index: record id} for the stored indices in lo … hi-1."""
    first = Span.objects.filter(first_idx__lte=lo).order_by("-first_idx")[:1]
    later = Span.objects.filter(first_idx__gt=lo, first_idx__lt=hi).order_by("first_idx")
    out = {}
    for span in [*first.values_list("first_idx", "ids"), *later.values_list("first_idx", "ids")]:
        start, ids = span[0], unpack(span[1])
        for i in range(max(lo, start), min(hi, start + len(ids))):
            out[i] = ids[i - start]
    return out


def record_at(idx: int) -> int | None:
    """The id of the record at log index `idx`, if one is stored there."""
    return records_at(idx, idx + 1).get(idx)


def all_spans(chunk: int = 64) -> Iterator[tuple[int, int, array[int]]]:
    """Every span in log order, as (first index, stored count, record ids); for the audit."""
    rows = Span.objects.order_by("first_idx").values_list("first_idx", "count", "ids")
    for first, count, data in rows.iterator(chunk_size=chunk):
        yield first, count, unpack(data)
