"""The hashing and proofs against the RFC 6962 test vectors used by certificate-transparency
implementations, and properties over trees of random sizes."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from anxin.evidence import merkle

# The eight leaves and the roots of every prefix (sizes 0..8) shared by CT implementations.
DATA = [
    bytes.fromhex(h)
    for h in [
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    ]
]
LEAVES = [merkle.leaf_hash(d) for d in DATA]
ROOTS = [
    bytes.fromhex(h)
    for h in [
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ]
]
H = bytes.fromhex
# (leaf index, tree size, audit path)
INCLUSION = [
    (
        0,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        5,
        8,
        [
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (2, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
    (
        1,
        5,
        [
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
]
# (first size, second size, consistency proof)
CONSISTENCY = [
    (1, 1, []),
    (
        1,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        6,
        8,
        [
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (
        2,
        5,
        [
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
]


def test_roots_of_every_prefix_match_the_reference() -> None:
    # When the root of every prefix of the eight reference leaves is computed
    # Then each is the reference root
    for size in range(9):
        assert merkle.root(LEAVES[:size]) == ROOTS[size], size


def test_inclusion_proofs_match_the_reference_and_verify() -> None:
    # When an inclusion proof is built for each reference leaf and tree size
    for index, size, path in INCLUSION:
        proof = merkle.inclusion_proof(index, LEAVES[:size])
        # Then it is the reference path, verifies, and fails against the smaller tree's root
        assert proof == [H(p) for p in path]
        assert merkle.verify_inclusion(index, size, LEAVES[index], proof, ROOTS[size])
        assert not merkle.verify_inclusion(index, size, LEAVES[index], proof, ROOTS[size - 1])


def test_consistency_proofs_match_the_reference_and_verify() -> None:
    # When a consistency proof is built for each reference pair of sizes
    for first, second, path in CONSISTENCY:
        proof = merkle.consistency_proof(first, LEAVES[:second])
        # Then it is the reference proof and verifies between the two roots
        assert proof == [H(p) for p in path]
        assert merkle.verify_consistency(first, second, proof, ROOTS[first], ROOTS[second])


def _mutations(proof: list[bytes]) -> list[list[bytes]]:
    """Every way a proof can be wrong by one element: flipped, dropped, added, reordered."""
    out = []
    for i, p in enumerate(proof):
        out.append([*proof[:i], bytes([p[0] ^ 1]) + p[1:], *proof[i + 1 :]])
        out.append(proof[:i] + proof[i + 1 :])
    out.append([*proof, merkle.EMPTY_ROOT])
    if len(proof) > 1 and proof[0] != proof[1]:
        out.append([proof[1], proof[0], *proof[2:]])
    return out


trees = st.integers(1, 70).flatmap(
    # Distinct leaves: with two equal leaves, a proof for one is rightly a proof for the other.
    lambda n: st.tuples(
        st.just(n), st.lists(st.binary(max_size=8), min_size=n, max_size=n, unique=True)
    )
)


@settings(max_examples=150, deadline=None)
@given(trees, st.data())
def test_every_inclusion_proof_verifies_and_every_altered_one_fails(tree, data) -> None:
    # Given a tree of distinct generated leaves
    n, blobs = tree
    leaves = [merkle.leaf_hash(b) for b in blobs]
    top = merkle.root(leaves)
    # When the inclusion proof of a drawn leaf is built
    index = data.draw(st.integers(0, n - 1))
    proof = merkle.inclusion_proof(index, leaves)
    # Then it verifies, and no proof altered by one element does
    assert merkle.verify_inclusion(index, n, leaves[index], proof, top)
    for bad in _mutations(proof):
        assert not merkle.verify_inclusion(index, n, leaves[index], bad, top)
    # And it proves neither another leaf nor the same leaf at another position
    assert not merkle.verify_inclusion(index, n, merkle.leaf_hash(b"other"), proof, top)
    if n > 1:  # the same proof for another position proves nothing
        assert not merkle.verify_inclusion((index + 1) % n, n, leaves[index], proof, top)
    # And not against a checkpoint of another size: the size is bound by the signed root
    for other in {index + 1, n - 1, n + 1} - {n}:
        if other > index:
            other_root = merkle.root(leaves[:other] + [merkle.leaf_hash(b"next")] * (other - n))
            assert not merkle.verify_inclusion(index, other, leaves[index], proof, other_root)


@settings(max_examples=150, deadline=None)
@given(trees, st.data())
def test_every_consistency_proof_verifies_and_every_altered_one_fails(tree, data) -> None:
    # Given a tree of distinct generated leaves
    n, blobs = tree
    leaves = [merkle.leaf_hash(b) for b in blobs]
    # When a consistency proof from a drawn earlier size is built
    first = data.draw(st.integers(1, n))
    old, new = merkle.root(leaves[:first]), merkle.root(leaves)
    proof = merkle.consistency_proof(first, leaves)
    # Then it verifies, and no proof altered by one element does
    assert merkle.verify_consistency(first, n, proof, old, new)
    for bad in _mutations(proof):
        assert not merkle.verify_consistency(first, n, bad, old, new)
    # And a history with its first leaf rewritten does not pass as growth
    if first < n:  # a rewritten history does not pass as growth
        forged = merkle.root([merkle.leaf_hash(b"forged"), *leaves[1:first]])
        assert not merkle.verify_consistency(first, n, proof, forged, new)
