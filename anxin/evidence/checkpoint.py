"""Checkpoints in the C2SP tlog-checkpoint format (c2sp.org/tlog-checkpoint): the body of a
signed note that commits to a tree size and root.

    <origin>
    <tree size, decimal>
    <root hash, base64>
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from anxin.evidence import b64
from anxin.evidence.merkle import HASH_SIZE
from anxin.evidence.note import NoteError, Signer, Verifier, open_note, sign

_SIZE = re.compile(r"^(0|[1-9][0-9]{0,19})$")


class CheckpointError(ValueError):
    pass


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    size: int
    root: bytes

    def body(self) -> str:
        return f"{self.origin}\n{self.size}\n{b64.encode(self.root)}\n"

    def signed(self, signer: Signer) -> str:
        if signer.name != self.origin:
            raise CheckpointError("the signing key's name must be the log's origin")
        return sign(self.body(), signer)

    @classmethod
    def parse(cls, body: str) -> Checkpoint:
        """Anxin's checkpoints carry no extension lines: one more, or one less, is refused."""
        if not body.endswith("\n"):
            raise CheckpointError("checkpoint: does not end with a newline")
        lines = body[:-1].split("\n")
        if len(lines) < 3:
            raise CheckpointError(
                f"checkpoint: {len(lines)} lines, expected 3 (origin, size, root)"
            )
        if len(lines) > 3:
            raise CheckpointError(f"checkpoint: unexpected extension line {lines[3]!r}")
        origin, size, root_b64 = lines
        if not origin:
            raise CheckpointError("checkpoint: empty origin line")
        if not _SIZE.match(size) or int(size) >= 2**63:
            raise CheckpointError(f"checkpoint: tree size {size!r} is not a decimal number")
        try:
            root = b64.decode(root_b64, "checkpoint: root hash")
        except ValueError as e:
            raise CheckpointError(str(e)) from None
        if len(root) != HASH_SIZE:
            raise CheckpointError(f"checkpoint: root hash is {len(root)} bytes, not 32")
        return cls(origin, int(size), root)


def open_checkpoint(note: str, verifier: Verifier) -> Checkpoint:
    """A signed checkpoint, verified against the log's key; the origin must be the key's name."""
    try:
        opened = open_note(note, [verifier])
    except NoteError as e:
        raise CheckpointError(str(e)) from None
    cp = Checkpoint.parse(opened.text)
    if cp.origin != verifier.name:
        raise CheckpointError(f"checkpoint: origin {cp.origin!r} is not the log {verifier.name!r}")
    return cp
