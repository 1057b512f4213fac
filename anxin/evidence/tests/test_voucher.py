"""Vouchers verify offline with the log's key alone, and nothing altered passes."""

from __future__ import annotations

import pytest

from anxin.evidence import merkle, record, voucher
from anxin.evidence.checkpoint import Checkpoint
from anxin.evidence.note import Signer

ORIGIN = "anxin.example/log"


def _log(n: int):
    signer = Signer.generate(ORIGIN)
    records = [
        {
            "kind": "order.paid",
            "at": f"2026-05-01T10:00:{i:02d}+08:00",
            "order": f"AX2026050100{i:02d}",
            "amount_fen": 12800 + i,
        }
        for i in range(n)
    ]
    salts = [record.new_salt() for _ in range(n)]
    leaves = [record.leaf(r, s) for r, s in zip(records, salts, strict=True)]
    return signer, records, salts, leaves


def _voucher(signer, records, salts, leaves, index, size=None):
    size = size or len(leaves)
    cp = Checkpoint(ORIGIN, size, merkle.root(leaves[:size]))
    return voucher.make(
        index=index,
        proof=merkle.inclusion_proof(index, leaves[:size]),
        signed_checkpoint=cp.signed(signer),
        rec=records[index],
        salt=salts[index],
    )


def test_a_voucher_verifies_and_says_what_was_recorded() -> None:
    # Given a 7-record log signed by its key
    signer, records, salts, leaves = _log(7)
    # When the voucher of record 3 is verified with the log's key
    v = voucher.verify(_voucher(signer, records, salts, leaves, 3), signer.verifier())
    # Then it names index 3 of a tree of 7 and the record
    assert v.index == 3
    assert v.checkpoint.size == 7
    assert v.record == records[3]


def test_a_voucher_with_any_byte_changed_is_refused() -> None:
    # Given a good voucher from a 5-record log
    signer, records, salts, leaves = _log(5)
    good = _voucher(signer, records, salts, leaves, 2).encode()
    key = signer.verifier()
    # When any single byte has one of two bits flipped
    # Then the voucher is refused
    for i in range(len(good)):
        for flip in (0x01, 0x20):
            bad = good[:i] + bytes([good[i] ^ flip]) + good[i + 1 :]
            with pytest.raises(voucher.VoucherError):
                voucher.verify_bytes(bad, key)


@pytest.mark.parametrize(
    "case", ["wrong key", "other size", "extra line", "missing line", "other record", "no extra"]
)
def test_refusals_name_the_problem(case: str) -> None:
    # Given a good voucher of record 4 in a 6-record log
    signer, records, salts, leaves = _log(6)
    text = _voucher(signer, records, salts, leaves, 4)
    key = signer.verifier()
    expect = {
        "wrong key": "no signature from a trusted key",
        "other size": "inclusion proof",
        "extra line": "unexpected extension line",
        "missing line": "2 lines",
        "other record": "inclusion proof",
        "no extra": "no extra line",
    }[case]
    # When it is spoiled as this case says
    if case == "wrong key":
        key = Signer.generate(ORIGIN).verifier()
    elif case == "other size":  # the proof for a tree of 5 under a checkpoint of 6
        proof_for_5 = _voucher(signer, records, salts, leaves, 4, size=5).split("\n\n")[0]
        text = proof_for_5 + "\n\n" + text.split("\n\n", 1)[1]
    elif case in ("extra line", "missing line"):
        cp = Checkpoint(ORIGIN, 6, merkle.root(leaves))
        body = (
            cp.body() + "more\n"
            if case == "extra line"
            else "\n".join(cp.body().split("\n")[:2]) + "\n"
        )
        from anxin.evidence.note import sign

        text = text.split("\n\n")[0] + "\n\n" + sign(body, signer)
    elif case == "other record":
        text = voucher.make(
            index=4,
            proof=merkle.inclusion_proof(4, leaves),
            signed_checkpoint=text.split("\n\n", 1)[1],
            rec={**records[4], "amount_fen": 1},
            salt=salts[4],
        )
    else:
        lines = text.split("\n")
        text = "\n".join([lines[0], *lines[2:]])
    # Then verifying it is refused naming the problem
    with pytest.raises(voucher.VoucherError, match=expect):
        voucher.verify(text, key)


def test_records_refuse_floats_and_need_kind_and_time() -> None:
    # When a record holds a float
    # Then it is refused
    with pytest.raises(ValueError, match="floats"):
        record.canonical({"amount": 1.5})
    # And a record without its time is refused as missing a field
    with pytest.raises(ValueError, match="missing"):
        record.entry({"kind": "x"}, record.new_salt())
    # When the same record is encoded with its keys in another order
    a = record.entry({"kind": "k", "at": "t", "b": 1, "a": 2}, bytes(32))
    b = record.entry({"at": "t", "a": 2, "kind": "k", "b": 1}, bytes(32))
    # Then the entries are equal, and hold a commitment instead of the record
    assert a == b  # key order does not matter: the encoding is canonical
    assert b'"a":2' not in a  # the entry holds the commitment, not the record


def test_anxin_verify_exits_0_or_1_naming_the_failure(tmp_path) -> None:
    import subprocess
    import sys

    # Given a voucher file and the log's key file
    signer, records, salts, leaves = _log(4)
    good = tmp_path / "order.tlog-proof"
    good.write_text(_voucher(signer, records, salts, leaves, 1))
    key = tmp_path / "log.vkey"
    key.write_text(signer.verifier().vkey())

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "anxin", "verify", *args],
            capture_output=True,
            text=True,
            timeout=60,
        )

    # When `anxin verify` checks the voucher with the key file
    ok = run(str(good), "--key", str(key))
    # Then it exits 0 naming the entry, the log and the order
    assert ok.returncode == 0, ok.stderr
    assert "voucher OK: entry 1 of anxin.example/log" in ok.stdout
    assert "AX202605010001" in ok.stdout
    # When a voucher claiming another index is checked
    bad = tmp_path / "tampered.tlog-proof"
    bad.write_text(good.read_text().replace("index 1", "index 2"))
    out = run(str(bad), "--key", signer.verifier().vkey())
    # Then it exits 1 rejecting the inclusion proof
    assert out.returncode == 1
    assert "REJECTED: voucher: the inclusion proof" in out.stderr
    # When the good voucher is checked with another key
    other = Signer.generate(ORIGIN).verifier().vkey()
    out = run(str(good), "--key", other)
    # Then it exits 1: no trusted key signed it
    assert out.returncode == 1
    assert "no signature from a trusted key" in out.stderr


def test_a_chained_voucher_with_any_byte_changed_is_refused() -> None:
    """An order's voucher carries its whole history: a change anywhere in it is caught."""
    import random

    from anxin.evidence.checkpoint import Checkpoint as Cp

    # Given an order's chain of four records, each linking to the one before, in a signed log
    signer = Signer.generate(ORIGIN)
    chain, salts, prev = [], [], None
    for i, kind in enumerate(["order.created", "order.paid", "chat.message", "order.shipped"]):
        rec = {"kind": kind, "at": f"2026-05-01T02:00:0{i}Z", "order": "AX1", "text": "你好"}
        if prev is not None:
            rec["prev"] = prev.hex()
        salt = record.new_salt()
        prev = record.commitment(rec, salt)
        chain.append(rec)
        salts.append(salt)
    leaves = [record.leaf(r, s) for r, s in zip(chain, salts, strict=True)]
    # When a voucher of the last record carries the other three as its history
    text = voucher.make(
        index=3,
        proof=merkle.inclusion_proof(3, leaves),
        signed_checkpoint=Cp(ORIGIN, 4, merkle.root(leaves)).signed(signer),
        rec=chain[3],
        salt=salts[3],
        history=list(zip(chain[:3], salts[:3], strict=True)),
    )
    # Then it verifies and gives back the whole chain
    key = signer.verifier()
    v = voucher.verify(text, key)
    assert [*v.history, v.record] == chain
    # And each of 400 random single-bit changes anywhere in it is refused
    good = text.encode()
    rng = random.Random(3)
    for i in rng.sample(range(len(good)), 400):
        bad = good[:i] + bytes([good[i] ^ 0x01]) + good[i + 1 :]
        with pytest.raises(voucher.VoucherError):
            voucher.verify_bytes(bad, key)
    # And a history with a record left out no longer links up
    short = voucher.make(
        index=3,
        proof=merkle.inclusion_proof(3, leaves),
        signed_checkpoint=Cp(ORIGIN, 4, merkle.root(leaves)).signed(signer),
        rec=chain[3],
        salt=salts[3],
        history=[(chain[0], salts[0]), (chain[2], salts[2])],
    )
    with pytest.raises(voucher.VoucherError, match="does not follow"):
        voucher.verify(short, key)
