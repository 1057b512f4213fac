"""Tiles as C2SP tlog-tiles lays them out, and a client that rebuilds the tree from them."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from anxin.evidence import merkle, tiles


@pytest.mark.parametrize(
    ("n", "path"),
    [
        (0, "000"),
        (7, "007"),
        (999, "999"),
        (1000, "x001/000"),
        (1234067, "x001/x234/067"),
    ],
)
def test_index_encoding_follows_the_specification(n, path) -> None:
    # Then the index encodes as the spec's path, which parses back to a full level-0 tile
    assert tiles.encode_index(n) == path
    assert tiles.parse_tile_path(f"tile/0/{path}") == (0, n, 256)


def test_tile_paths_with_partial_widths_and_entries() -> None:
    # Then a partial tile's path carries its width, and entry bundles have paths of their own
    assert tiles.tile_path(1, 1234067, 7) == "tile/1/x001/x234/067.p/7"
    assert tiles.tile_path(None, 5) == "tile/entries/005"
    assert tiles.parse_tile_path("tile/entries/005.p/9") == (None, 5, 9)
    # And malformed, out-of-range and escaping paths are refused
    for bad in [
        "tile/0/5",
        "tile/0/x000/005",
        "tile/0/005.p/256",
        "tile/0/005.p/0",
        "tile/x/005",
        "../etc/passwd",
        "tile/0/005/",
    ]:
        with pytest.raises(ValueError, match="tile"):
            tiles.parse_tile_path(bad)


def test_which_tiles_a_tree_publishes() -> None:
    # Then an empty tree publishes no tile; others their full tiles and one partial tile per level
    assert tiles.tiles_for(0) == []
    assert tiles.tiles_for(5) == [(0, 0, 5)]
    assert tiles.tiles_for(256) == [(0, 0, 256), (1, 0, 1)]
    assert tiles.tiles_for(70_000) == (
        [(0, i, 256) for i in range(273)] + [(0, 273, 112)] + [(1, 0, 256), (1, 1, 17), (2, 0, 1)]
    )


def test_entry_bundles_round_trip_and_refuse_truncation() -> None:
    # Given three entries, one empty and one of 300 bytes
    entries = [b"", b"a", bytes(300)]
    # When they are bundled
    data = tiles.encode_bundle(entries)
    # Then the bundle decodes back to them
    assert tiles.decode_bundle(data) == entries
    # And a bundle missing its last byte is refused as truncated
    with pytest.raises(ValueError, match="truncated"):
        tiles.decode_bundle(data[:-1])
    # And an entry over the maximum size cannot be bundled
    with pytest.raises(ValueError, match="over"):
        tiles.encode_bundle([bytes(70_000)])


def _published(leaves: list[bytes]) -> dict[str, bytes]:
    node = tiles.node_from_leaves(leaves)
    return {
        tiles.tile_path(lv, i, w): tiles.tile_hashes(lv, i, w, node)
        for lv, i, w in tiles.tiles_for(len(leaves))
    }


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 1200), st.data())
def test_a_client_rebuilds_the_root_and_proofs_from_tiles_alone(size, data) -> None:
    # Given the published tiles of a tree of generated size
    leaves = [merkle.leaf_hash(i.to_bytes(4, "big")) for i in range(size)]
    files = _published(leaves)
    # When a client reading only those tiles rebuilds the root
    client = tiles.TileClient(size, files.__getitem__)
    # Then it is the tree's root
    assert client.root() == merkle.root(leaves)
    # And its inclusion proof for a drawn leaf is the reference proof and verifies
    index = data.draw(st.integers(0, size - 1))
    proof = client.inclusion_proof(index)
    assert proof == merkle.inclusion_proof(index, leaves)
    assert merkle.verify_inclusion(index, size, leaves[index], proof, client.root())


def test_a_tree_past_the_second_tile_level() -> None:
    # Given a tree of 65,836 leaves, past the second tile level
    size = 256 * 256 + 300  # level-2 tiles exist
    leaves = [merkle.leaf_hash(i.to_bytes(4, "big")) for i in range(size)]
    # When its tiles are published
    files = _published(leaves)
    # Then they include a partial level-2 tile
    assert "tile/2/000.p/1" in files
    # And a client reading only them rebuilds the tree's root
    client = tiles.TileClient(size, files.__getitem__)
    assert client.root() == merkle.root(leaves)


def test_a_tampered_tile_is_noticed() -> None:
    # Given the published tiles of a 40-leaf tree
    leaves = [merkle.leaf_hash(bytes([i])) for i in range(40)]
    files = _published(leaves)
    # When the first hash of its partial level-0 tile is zeroed
    path = tiles.tile_path(0, 0, 40)
    files[path] = b"\x00" * 32 + files[path][32:]
    # Then a client rebuilds a different root from the tiles
    assert tiles.TileClient(40, files.__getitem__).root() != merkle.root(leaves)
    # And a tile cut short by a byte is refused for its length
    files[path] = files[path][:-1]
    with pytest.raises(ValueError, match="bytes, expected"):
        tiles.TileClient(40, files.__getitem__).root()
