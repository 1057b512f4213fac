"""The sequencer's right edge builds exactly the tiles and roots the whole tree has, whatever
the batches, and resumes from its partial tiles alone."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from anxin.evidence import merkle, tiles
from anxin.evidence.edge import RightEdge


def _leaves(n: int) -> list[bytes]:
    return [merkle.leaf_hash(hashlib.sha256(str(i).encode()).digest()) for i in range(n)]


def _expected_tiles(leaves: list[bytes]) -> dict[tuple[int, int], bytes]:
    node = tiles.node_from_leaves(leaves)
    return {
        (level, index): tiles.tile_hashes(level, index, width, node)
        for level, index, width in tiles.tiles_for(len(leaves))
    }


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=700), min_size=1, max_size=6))
def test_batches_build_the_published_tiles_and_root(batches: list[int]) -> None:
    # Given leaves cut into generated batches
    leaves = _leaves(sum(batches))
    store: dict[tuple[int, int], bytes] = {}
    done = 0
    for b in batches:
        # When each batch is appended by an edge resumed from the stored partial tiles alone,
        # as a new sequencer process would
        partial = {
            level: [data[i : i + 32] for i in range(0, len(data), 32)]
            for (level, index), data in store.items()
            if len(data) < tiles.WIDTH * 32 and index == tiles.nodes_at(done, level) // tiles.WIDTH
        }
        edge = RightEdge(done, partial)
        store.update(edge.append(leaves[done : done + b]))
        done += b
        # Then after each batch the edge's size and root are the tree's so far
        assert edge.size == done
        assert edge.root() == merkle.root(leaves[:done])
    # And the stored tiles are exactly the ones the whole tree publishes
    assert store == _expected_tiles(leaves)


def test_a_large_tree_three_tile_levels() -> None:
    # Given 65,836 leaves, enough for three tile levels
    leaves = _leaves(256 * 256 + 300)
    # When a fresh right edge appends them all
    edge = RightEdge(0, {})
    store = edge.append(leaves)
    # Then its root is the tree's and level 2 holds one hash, the root of the first 65,536 leaves
    assert edge.root() == merkle.root(leaves)
    assert {k: v for k, v in store.items() if k[0] == 2} == {(2, 0): merkle.root(leaves[:65536])}


def test_a_wrong_partial_tile_is_refused() -> None:
    # When an edge of 5 leaves is resumed from 3 level-0 hashes
    # Then it is refused naming the level and the count
    with pytest.raises(ValueError, match="tile level 0: 3 hashes"):
        RightEdge(5, {0: _leaves(3)})


@settings(max_examples=30, deadline=None)
@given(st.integers(min_value=1, max_value=1200), st.data())
def test_consistency_proofs_from_tiles_verify(size: int, data: st.DataObject) -> None:
    # Given the published tiles of a tree of generated size, and a client reading only them
    leaves = _leaves(size)
    store = _expected_tiles(leaves)
    client = tiles.TileClient(
        size, lambda p: store[tiles.parse_tile_path(p)[:2]][: tiles.parse_tile_path(p)[2] * 32]
    )  # type: ignore[index]
    # When the client builds a consistency proof from a drawn earlier size
    first = data.draw(st.integers(min_value=1, max_value=size))
    proof = client.consistency_proof(first)
    # Then it is the reference proof and verifies between the two roots
    assert proof == merkle.consistency_proof(first, leaves)
    assert merkle.verify_consistency(
        first, size, proof, merkle.root(leaves[:first]), merkle.root(leaves)
    )
