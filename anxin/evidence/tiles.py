"""C2SP tlog-tiles (c2sp.org/tlog-tiles): how the log's tree is published as static files
that any transparency-log client can fetch and check.

The tree is cut into tiles of height 8. Tile (L, N) holds the hashes of the nodes at tree level
8·L numbered N·256 … N·256+255; a node at level h is the root of 2**h consecutive leaves. Where
the tree is not yet complete, a partial tile holds the first W < 256 of them and is published
under `.p/W`. Entry bundles carry the entries themselves, each prefixed by its length as a
big-endian uint16.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from anxin.evidence import merkle

HEIGHT = 8
WIDTH = 1 << HEIGHT
MAX_ENTRY = 0xFFFF

_PATH = re.compile(r"^tile/(?:(\d+)|entries)/((?:x\d{3}/)*\d{3})(?:\.p/(\d{1,3}))?$")


def encode_index(n: int) -> str:
    """1234067 -> 'x001/x234/067': three-digit groups, all but the last prefixed with x."""
    if n < 0:
        raise ValueError("negative tile index")
    groups = []
    while True:
        groups.append(f"{n % 1000:03d}")
        n //= 1000
        if n == 0:
            break
    groups.reverse()
    return "/".join([*("x" + g for g in groups[:-1]), groups[-1]])


def tile_path(level: int | None, index: int, width: int = WIDTH) -> str:
    """The path of hash tile (level, index), or of entry bundle `index` when level is None."""
    if not 0 < width <= WIDTH:
        raise ValueError(f"tile width {width} outside 1..{WIDTH}")
    head = "tile/entries" if level is None else f"tile/{level}"
    tail = "" if width == WIDTH else f".p/{width}"
    return f"{head}/{encode_index(index)}{tail}"


def parse_tile_path(path: str) -> tuple[int | None, int, int]:
    """(level or None for entries, index, width) of a tile path, or ValueError."""
    m = _PATH.match(path)
    if not m:
        raise ValueError(f"not a tile path: {path!r}")
    level = int(m.group(1)) if m.group(1) is not None else None
    groups = m.group(2).split("/")
    index = int("".join(g.lstrip("x") for g in groups))
    if encode_index(index) != m.group(2):
        raise ValueError(f"non-canonical tile index in {path!r}")
    width = int(m.group(3)) if m.group(3) else WIDTH
    if m.group(3) and not 0 < width < WIDTH:
        raise ValueError(f"partial tile width {width} must be 1..255")
    if level is not None and level > 63:
        raise ValueError("tile level out of range")
    return level, index, width


def nodes_at(size: int, level: int) -> int:
    """How many complete nodes tree level 8·`level` has in a tree of `size` leaves."""
    return size >> (HEIGHT * level)


def tiles_for(size: int) -> list[tuple[int, int, int]]:
    """Every hash tile (level, index, width) a tree of `size` leaves publishes."""
    out = []
    level = 0
    while (n := nodes_at(size, level)) > 0:
        full, rest = divmod(n, WIDTH)
        out += [(level, i, WIDTH) for i in range(full)]
        if rest:
            out.append((level, full, rest))
        level += 1
    return out


def tile_hashes(level: int, index: int, width: int, node: Callable[[int, int], bytes]) -> bytes:
    """The content of a hash tile: `width` 32-byte hashes, from node(tree level, number)."""
    h = HEIGHT * level
    return b"".join(node(h, index * WIDTH + i) for i in range(width))


def node_from_leaves(leaves: Sequence[bytes]) -> Callable[[int, int], bytes]:
    """node(h, i) for a tree held in memory: the root of leaves i·2**h … (i+1)·2**h - 1."""
    return lambda h, i: merkle.root(leaves[i << h : (i + 1) << h])


def encode_bundle(entries: Sequence[bytes]) -> bytes:
    out = bytearray()
    for e in entries:
        if len(e) > MAX_ENTRY:
            raise ValueError(f"entry of {len(e)} bytes is over {MAX_ENTRY}")
        out += len(e).to_bytes(2, "big") + e
    return bytes(out)


def decode_bundle(data: bytes) -> list[bytes]:
    entries, i = [], 0
    while i < len(data):
        if i + 2 > len(data):
            raise ValueError("entry bundle: truncated length")
        n = int.from_bytes(data[i : i + 2], "big")
        if i + 2 + n > len(data):
            raise ValueError("entry bundle: truncated entry")
        entries.append(data[i + 2 : i + 2 + n])
        i += 2 + n
    return entries


class TileClient:
    """What a tlog client does with published tiles: recompute a tree head and proofs from
    them alone. `fetch(path)` returns a tile's bytes. Used by the tests to show the published
    log is complete, and by `anxin evidence audit` to check what is served."""

    def __init__(self, size: int, fetch: Callable[[str], bytes]) -> None:
        self.size = size
        self._fetch = fetch
        self._cache: dict[tuple[int, int], list[bytes]] = {}

    def _tile(self, level: int, index: int) -> list[bytes]:
        if (level, index) not in self._cache:
            n = nodes_at(self.size, level)
            width = min(WIDTH, n - index * WIDTH)
            if width <= 0:
                raise ValueError(f"tile {level}/{index} is beyond a tree of {self.size}")
            data = self.fetch_tile(level, index, width)
            if len(data) != width * merkle.HASH_SIZE:
                raise ValueError(
                    f"tile {level}/{index}: {len(data)} bytes, expected {width * merkle.HASH_SIZE}"
                )
            self._cache[(level, index)] = [data[i : i + 32] for i in range(0, len(data), 32)]
        return self._cache[(level, index)]

    def fetch_tile(self, level: int, index: int, width: int) -> bytes:
        return self._fetch(tile_path(level, index, width))

    def leaf(self, index: int) -> bytes:
        return self.node(0, index)

    def node(self, h: int, i: int) -> bytes:
        """The hash of a complete node at tree level h, from the tile that holds it or, for a
        level between tile levels, from its children."""
        level, rem = divmod(h, HEIGHT)
        first = i << rem  # its leftmost descendant at tree level 8·level
        # 2**rem hashes: a complete subtree, whose root merkle.root folds level by level.
        return merkle.root(
            self._tile(level, first // WIDTH)[first % WIDTH : first % WIDTH + (1 << rem)]
        )

    def subtree(self, start: int, end: int) -> bytes:
        """MTH of leaves [start, end), split as the RFC splits, from complete nodes."""
        n = end - start
        if n & (n - 1) == 0 and start % n == 0:
            return self.node(n.bit_length() - 1, start // n)
        k = 1
        while k << 1 < n:
            k <<= 1
        return merkle.node_hash(self.subtree(start, start + k), self.subtree(start + k, end))

    def root(self) -> bytes:
        return merkle.EMPTY_ROOT if self.size == 0 else self.subtree(0, self.size)

    def inclusion_proof(self, index: int) -> list[bytes]:
        if not 0 <= index < self.size:
            raise ValueError(f"leaf {index} is not in a tree of {self.size}")
        proof: list[bytes] = []
        start, end = 0, self.size
        while end - start > 1:
            k = 1
            while k << 1 < end - start:
                k <<= 1
            if index < start + k:
                proof.append(self.subtree(start + k, end))
                end = start + k
            else:
                proof.append(self.subtree(start, start + k))
                start += k
        return proof[::-1]

    def consistency_proof(self, first: int) -> list[bytes]:
        """PROOF(first, D[size]) (RFC 9162 2.1.4.1), from the tiles of the larger tree."""
        if not 0 < first <= self.size:
            raise ValueError(f"no consistency proof from size {first} to {self.size}")

        def sub(m: int, start: int, end: int, whole: bool) -> list[bytes]:
            n = end - start
            if m == n:
                return [] if whole else [self.subtree(start, end)]
            k = 1
            while k << 1 < n:
                k <<= 1
            if m <= k:
                return [*sub(m, start, start + k, whole), self.subtree(start + k, end)]
            return [*sub(m - k, start + k, end, False), self.subtree(start, start + k)]

        return sub(first, 0, self.size, True)
