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
    assert tiles.encode_index(n) == path
    assert tiles.parse_tile_path(f"tile/0/{path}") == (0, n, 256)


def test_tile_paths_with_partial_widths_and_entries() -> None:
    assert tiles.tile_path(1, 1234067, 7) == "tile/1/x001/x234/067.p/7"
    assert tiles.tile_path(None, 5) == "tile/entries/005"
    assert tiles.parse_tile_path("tile/entries/005.p/9") == (None, 5, 9)
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
    assert tiles.tiles_for(0) == []
    assert tiles.tiles_for(5) == [(0, 0, 5)]
    assert tiles.tiles_for(256) == [(0, 0, 256), (1, 0, 1)]
    assert tiles.tiles_for(70_000) == (
        [(0, i, 256) for i in range(273)] + [(0, 273, 112)] + [(1, 0, 256), (1, 1, 17), (2, 0, 1)]
    )


def test_entry_bundles_round_trip_and_refuse_truncation() -> None:
    entries = [b"", b"a", bytes(300)]
    data = tiles.encode_bundle(entries)
    assert tiles.decode_bundle(data) == entries
    with pytest.raises(ValueError, match="truncated"):
        tiles.decode_bundle(data[:-1])
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
    leaves = [merkle.leaf_hash(i.to_bytes(4, "big")) for i in range(size)]
    files = _published(leaves)
    client = tiles.TileClient(size, files.__getitem__)
    assert client.root() == merkle.root(leaves)
    index = data.draw(st.integers(0, size - 1))
    proof = client.inclusion_proof(index)
    assert proof == merkle.inclusion_proof(index, leaves)
    assert merkle.verify_inclusion(index, size, leaves[index], proof, client.root())


def test_a_tree_past_the_second_tile_level() -> None:
    size = 256 * 256 + 300  # level-2 tiles exist
    leaves = [merkle.leaf_hash(i.to_bytes(4, "big")) for i in range(size)]
    files = _published(leaves)
    assert "tile/2/000.p/1" in files
    client = tiles.TileClient(size, files.__getitem__)
    assert client.root() == merkle.root(leaves)


def test_a_tampered_tile_is_noticed() -> None:
    leaves = [merkle.leaf_hash(bytes([i])) for i in range(40)]
    files = _published(leaves)
    path = tiles.tile_path(0, 0, 40)
    files[path] = b"\x00" * 32 + files[path][32:]
    assert tiles.TileClient(40, files.__getitem__).root() != merkle.root(leaves)
    files[path] = files[path][:-1]
    with pytest.raises(ValueError, match="bytes, expected"):
        tiles.TileClient(40, files.__getitem__).root()
