"""Shopping vouchers: a C2SP tlog-proof (c2sp.org/tlog-proof) whose `extra` line carries the
evidence record and its salt. Anyone holding a voucher and the log's public key can check,
offline, that the record is in the log and says what the voucher says it says.

    c2sp.org/tlog-proof@v1
    extra <base64 of {"record": …, "salt": …}>
    index <n>
    <inclusion proof, one base64 hash per line>
    <blank line>
    <signed checkpoint>
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from anxin.evidence import b64, merkle, record
from anxin.evidence.checkpoint import Checkpoint, CheckpointError, open_checkpoint
from anxin.evidence.note import Verifier

HEADER = "c2sp.org/tlog-proof@v1"
_INDEX = re.compile(r"^index (0|[1-9][0-9]{0,19})$")


class VoucherError(ValueError):
    """The voucher does not prove what it claims; the message says which check failed."""


@dataclass(frozen=True)
class Verified:
    index: int
    checkpoint: Checkpoint
    record: dict[str, Any]
    history: tuple[dict[str, Any], ...] = ()  # the records before it in its chain, oldest first


def make(
    *,
    index: int,
    proof: list[bytes],
    signed_checkpoint: str,
    rec: dict[str, Any],
    salt: bytes,
    history: Sequence[tuple[dict[str, Any], bytes]] = (),
) -> str:
    """A voucher for `rec` at `index`. `history` is the chain of records before it (each
    names the commitment of the one before in `prev`), so one voucher proves them all."""
    content: dict[str, Any] = {"record": rec, "salt": salt.hex()}
    if history:
        content["history"] = [{"record": r, "salt": s.hex()} for r, s in history]
    extra = record.canonical(content)
    lines = [
        HEADER,
        f"extra {b64.encode(extra)}",
        f"index {index}",
        *(b64.encode(p) for p in proof),
    ]
    return "\n".join(lines) + "\n\n" + signed_checkpoint


def verify_bytes(data: bytes, verifier: Verifier) -> Verified:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise VoucherError("voucher: not UTF-8 text") from None
    return verify(text, verifier)


def verify(text: str, verifier: Verifier) -> Verified:
    head, sep, checkpoint_note = text.partition("\n\n")
    if not sep:
        raise VoucherError("voucher: no blank line before the checkpoint")
    lines = head.split("\n")
    if lines[0] != HEADER:
        raise VoucherError(f"voucher: first line is not {HEADER}")
    if len(lines) < 3 or not lines[1].startswith("extra "):
        raise VoucherError("voucher: no extra line with the evidence record")
    try:
        raw_extra = b64.decode(lines[1][len("extra ") :], "voucher extra")
        extra = json.loads(raw_extra)
        rec, salt = extra["record"], bytes.fromhex(extra["salt"])
        if record.canonical(extra) != raw_extra:
            raise ValueError("not canonical")
        if set(extra) - {"record", "salt", "history"}:
            raise ValueError("unknown field")
        leaf = record.leaf(rec, salt)
        history = [(h["record"], bytes.fromhex(h["salt"])) for h in extra.get("history", [])]
        commitments = [record.commitment(r, s) for r, s in history]
    except (ValueError, KeyError, TypeError, UnicodeDecodeError, AttributeError) as e:
        raise VoucherError(f"voucher: the evidence record cannot be read ({e})") from None
    chain = [r for r, _ in history] + [rec]
    if history and "prev" in chain[0]:
        raise VoucherError("voucher: the history does not start at the first record")
    for i in range(1, len(chain)):
        if chain[i].get("prev") != commitments[i - 1].hex():
            raise VoucherError(
                f"voucher: history record {i + 1} does not follow record {i} "
                "(a record was changed, removed or reordered)"
            )
    m = _INDEX.match(lines[2])
    if not m:
        raise VoucherError("voucher: malformed index line")
    index = int(m.group(1))
    try:
        proof = [b64.decode(line, "voucher: proof hash") for line in lines[3:]]
    except ValueError as e:
        raise VoucherError(str(e)) from None
    if any(len(p) != merkle.HASH_SIZE for p in proof):
        raise VoucherError("voucher: a proof hash is not 32 bytes")
    try:
        cp = open_checkpoint(checkpoint_note, verifier)
    except CheckpointError as e:
        raise VoucherError(f"voucher: {e}") from None
    if index >= cp.size:
        raise VoucherError(f"voucher: index {index} is outside the checkpoint's {cp.size} entries")
    if not merkle.verify_inclusion(index, cp.size, leaf, proof, cp.root):
        raise VoucherError(
            "voucher: the inclusion proof does not lead to the checkpoint's root "
            "(the record, the proof or the tree size was changed)"
        )
    return Verified(index, cp, rec, tuple(r for r, _ in history))
