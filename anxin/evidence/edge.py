"""The right edge of a growing tree: what a sequencer keeps to integrate new leaves.

A log published as tlog tiles never rewrites a full tile; only the rightmost, partial tile at
each tile level changes as leaves arrive. So integrating a batch needs just those partial tiles
(at most one per level, a few kilobytes for any size of log): new leaf hashes are appended to
the level-0 tile; a tile that fills up is final, and its root (a node eight levels up) is
appended to the tile above. The tree head for any size is computed from the partial tiles
alone, because every complete subtree on the right edge lies inside one of them. The cost of a
batch therefore does not depend on how large the log already is.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from anxin.evidence import merkle
from anxin.evidence.tiles import HEIGHT, WIDTH, nodes_at


class RightEdge:
    def __init__(self, size: int, partial: Mapping[int, list[bytes]]) -> None:
        """`partial[L]` holds the hashes of the partial tile at tile level L for a tree of
        `size` leaves (a tile is partial when its level's node count is not a multiple of 256).
        """
        self.size = size
        self.partial: list[list[bytes]] = []
        level = 0
        while nodes_at(size, level) > 0:
            want = nodes_at(size, level) % WIDTH
            have = list(partial.get(level, []))
            if len(have) != want:
                raise ValueError(
                    f"tile level {level}: {len(have)} hashes in the partial tile, expected {want}"
                )
            self.partial.append(have)
            level += 1

    def append(self, leaves: Iterable[bytes]) -> dict[tuple[int, int], bytes]:
        """Append leaf hashes; returns every tile (level, index) -> content that changed,
        the full ones final and the partial ones at their new width. A level at a time:
        the new nodes fill the partial tile and then whole tiles, and the root of each tile
        that fills goes up as a new node of the level above."""
        out: dict[tuple[int, int], bytes] = {}
        nodes = list(leaves)
        added = len(nodes)
        level = 0
        while nodes:
            if level == len(self.partial):
                self.partial.append([])
            tile = self.partial[level]
            index = nodes_at(self.size, level) // WIDTH
            up = []
            pos = 0
            while pos < len(nodes):
                take = min(WIDTH - len(tile), len(nodes) - pos)
                tile += nodes[pos : pos + take]
                pos += take
                if len(tile) == WIDTH:  # complete: final, and its root goes one level up
                    out[(level, index)] = b"".join(tile)
                    up.append(merkle.root(tile))
                    tile = []
                    index += 1
            self.partial[level] = tile
            if tile:
                out[(level, index)] = b"".join(tile)
            nodes = up
            level += 1
        self.size += added
        return out

    def _node(self, h: int, i: int) -> bytes:
        """A complete node at tree level h on the right edge, from the partial tile below it."""
        level, rem = divmod(h, HEIGHT)
        tile = self.partial[level]
        first = (nodes_at(self.size, level) // WIDTH) * WIDTH
        lo = (i << rem) - first
        return merkle.root(tile[lo : lo + (1 << rem)])

    def root(self) -> bytes:
        """MTH of the whole tree: the complete subtrees for the set bits of the size, folded
        right to left."""
        if self.size == 0:
            return merkle.EMPTY_ROOT
        acc: bytes | None = None
        for h in range(self.size.bit_length()):
            if self.size >> h & 1:
                node = self._node(h, (self.size >> h) - 1)
                acc = node if acc is None else merkle.node_hash(node, acc)
        assert acc is not None
        return acc
