"""Reading the log: tiles, entry bundles, the latest checkpoint, proofs and vouchers."""

from __future__ import annotations

import json
from dataclasses import dataclass

from django.db import connection

from anxin.core.errors import Conflict, Gone, NotFound, msg
from anxin.evidence import keys, merkle, spans, voucher
from anxin.evidence.checkpoint import Checkpoint
from anxin.evidence.models import LogState, Record, Tile
from anxin.evidence.tiles import WIDTH, TileClient, encode_bundle, nodes_at


@dataclass(frozen=True)
class Head:
    size: int
    root: bytes
    note: str


def head() -> Head:
    """The latest published tree head. Before the first batch, the empty tree's, signed now
    (a deterministic signature: the same text every time)."""
    state = LogState.objects.filter(pk=1).first()
    if state is not None and state.note:
        return Head(state.size, bytes(state.root), state.note)
    signer = keys.log_signer()
    return Head(0, merkle.EMPTY_ROOT, Checkpoint(signer.name, 0, merkle.EMPTY_ROOT).signed(signer))


def stored_tile(level: int, index: int) -> bytes:
    """The stored content of tile (level, index): full, or partial at its current width;
    empty when it is not stored."""
    data = Tile.objects.filter(level=level, index=index).values_list("data", flat=True).first()
    return bytes(data) if data is not None else b""


def tile(level: int, index: int, width: int) -> bytes:
    """A hash tile as published: full, or the first `width` hashes of a partial one."""
    size = head().size
    have = nodes_at(size, level) - index * WIDTH
    if have < width:
        raise NotFound(
            msg(
                "tile {level}/{index} has no {width} hashes in a log of {size}",
                level=level,
                index=index,
                width=width,
                size=size,
            )
        )
    data = stored_tile(level, index)
    if len(data) < width * 32:
        raise NotFound(msg("tile {level}/{index} is not stored", level=level, index=index))
    return data[: width * 32]


def entries(index: int, width: int) -> bytes:
    """An entry bundle: entries index·256 … index·256+width-1, each prefixed by its length."""
    size = head().size
    lo = index * WIDTH
    if size - lo < width:
        raise NotFound(
            msg(
                "entry bundle {index} has no {width} entries in a log of {size}",
                index=index,
                width=width,
                size=size,
            )
        )
    at = spans.records_at(lo, lo + width)
    found = dict(Record.objects.filter(pk__in=at.values()).values_list("id", "entry"))
    if sorted(at) != list(range(lo, lo + width)) or len(found) != len(set(at.values())):
        raise NotFound(msg("entry bundle {index}: entries are missing from storage", index=index))
    return encode_bundle([bytes(found[at[i]]) for i in range(lo, lo + width)])


_TILES = f'SELECT level, "index", data FROM {Tile._meta.db_table} WHERE '  # noqa: S608


class _TreeCache:
    """What every inclusion proof in one published tree shares: the tiles above level 0 and
    the right-edge tiles (a few per million entries), and the hashes of subtrees of at least a
    tile's width or at the right edge, computed once instead of for every proof. The key is
    the tree head (size and root): the root commits to every node, so a cached node can only
    belong to that tree; a new head starts a new cache. Level-0 tiles (8 KB per 256 entries)
    are not kept: a proof reads the one under its leaf."""

    def __init__(self, size: int, root: bytes) -> None:
        self.key = (size, root)
        self.tiles: dict[tuple[int, int], bytes] = {}
        self.subtrees: dict[tuple[int, int], bytes] = {}


_tree_cache = _TreeCache(0, merkle.EMPTY_ROOT)


def _cache_for(size: int, root: bytes) -> _TreeCache:
    global _tree_cache
    cache = _tree_cache
    if cache.key != (size, root):
        cache = _tree_cache = _TreeCache(size, root)
    return cache


class DbTiles(TileClient):
    """A tlog client that reads the stored tiles directly, for proofs served by Anxin."""

    def __init__(self, size: int, root: bytes) -> None:
        super().__init__(size, lambda path: b"")
        self._rows: dict[tuple[int, int], bytes] = {}
        self._shared = _cache_for(size, root)

    def _shareable(self, level: int, index: int) -> bool:
        return level > 0 or index == (self.size - 1) // WIDTH

    def prefetch_for(self, index: int) -> None:
        """Read, in one query, every tile an inclusion proof of `index` touches and the tree
        cache does not hold: at each level the tile above the leaf (which holds all its
        siblings up to the next tile level) and the right-edge tile (which holds the
        incomplete subtrees)."""
        want = set()
        level = 0
        while (n := nodes_at(self.size, level)) > 0:
            want.add((level, (index >> (8 * level)) // WIDTH))
            want.add((level, (n - 1) // WIDTH))
            level += 1
        keys = sorted(want - set(self._rows) - set(self._shared.tiles))
        if not keys:
            return
        # Padded to two per level by repeating the last: one statement text for every proof
        # in a log of this height, so the driver prepares it once and the plan is reused.
        keys += keys[-1:] * (2 * level - len(keys))
        where = " OR ".join(['(level = %s AND "index" = %s)'] * len(keys))
        with connection.cursor() as cur:
            cur.execute(_TILES + where, [x for k in keys for x in k])
            for lv, ix, data in cur.fetchall():
                self._rows[(lv, ix)] = bytes(data)
                if self._shareable(lv, ix):
                    self._shared.tiles[(lv, ix)] = bytes(data)

    def fetch_tile(self, level: int, index: int, width: int) -> bytes:
        data = self._rows.get((level, index)) or self._shared.tiles.get((level, index))
        if data is None:
            data = stored_tile(level, index)
        if len(data) < width * 32:
            raise LookupError(f"tile {level}/{index} is missing or short")
        return data[: width * 32]

    def subtree(self, start: int, end: int) -> bytes:
        if end - start < WIDTH and end != self.size:
            return super().subtree(start, end)
        key = (start, end)
        node = self._shared.subtrees.get(key)
        if node is None:
            node = self._shared.subtrees[key] = super().subtree(start, end)
        return node

    def inclusion_proof(self, index: int) -> list[bytes]:
        self.prefetch_for(index)
        return super().inclusion_proof(index)


def inclusion(idx: int, h: Head | None = None) -> tuple[Head, list[bytes]]:
    h = h or head()
    return h, DbTiles(h.size, h.root).inclusion_proof(idx)


@dataclass(frozen=True)
class ChainVoucher:
    text: str  # the .tlog-proof
    covered: list[Record]  # the records it proves, oldest first
    indices: dict[int, int]  # record id -> log index, for every covered record
    head: Head  # the signed tree head it rests on

    @property
    def index(self) -> int:
        """The log index of the latest covered record, the one the proof is for."""
        return self.indices[self.covered[-1].pk]


def voucher_for_chain(chain: str) -> ChainVoucher:
    """The voucher for a chain's records (an order's history): a tlog-proof of its latest
    integrated record, carrying that record and every one before it with their salts."""
    records = list(Record.objects.filter(chain=chain).order_by("id"))
    indices = spans.index_of(r.pk for r in records)
    covered: list[Record] = []
    for r in records:
        if r.pk not in indices:
            break
        covered.append(r)
    if not records:
        raise NotFound("there is no evidence for this order")
    if not covered:
        raise Conflict(
            "the evidence is not in the log yet; try again in a few seconds",
            code="evidence_pending",
        )
    if any(r.erased_at is not None or r.salt is None for r in covered):
        raise Gone(
            "the records of this order were erased after the retention period",
            code="evidence_erased",
        )
    h = head()  # read after the records: it covers every index they hold
    last = covered[-1]
    index = indices[last.pk]
    proof = DbTiles(h.size, h.root).inclusion_proof(index)
    leaf = merkle.leaf_hash(bytes(last.entry))
    if not merkle.verify_inclusion(index, h.size, leaf, proof, h.root):
        raise RuntimeError("stored evidence does not match the log; run anxin evidence audit")
    text = voucher.make(
        index=index,
        proof=proof,
        signed_checkpoint=h.note,
        rec=json.loads(last.body),
        salt=bytes(last.salt),  # type: ignore[arg-type]
        history=[(json.loads(r.body), bytes(r.salt)) for r in covered[:-1]],  # type: ignore[arg-type]
    )
    return ChainVoucher(text, covered, {r.pk: indices[r.pk] for r in covered}, h)
