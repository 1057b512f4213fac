"""C2SP signed notes (c2sp.org/signed-note) with Ed25519 keys, byte for byte as the Go
reference implementation (golang.org/x/mod/sumdb/note) writes and reads them, so that any
tool of the transparency-log ecosystem can check Anxin's checkpoints.

    <text, ending in a newline>
    <blank line>
    — <key name> base64(4-byte key ID || signature)
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from anxin.evidence import b64

ED25519 = 0x01
EM_DASH = "\u2014"
MAX_SIGNATURES = 16


class NoteError(ValueError):
    """A note, key or signature that is not valid; the message says what is wrong."""


def key_id(name: str, public_key: bytes, sig_type: int = ED25519) -> int:
    digest = hashlib.sha256(name.encode() + b"\n" + bytes([sig_type]) + public_key).digest()
    return int.from_bytes(digest[:4], "big")


def _check_name(name: str) -> None:
    if not name or "+" in name or any(c.isspace() for c in name):
        raise NoteError(f"key name {name!r}: must be non-empty, with no '+' and no spaces")


@dataclass(frozen=True)
class Verifier:
    name: str
    key_id: int
    public_key: Ed25519PublicKey

    @classmethod
    def from_vkey(cls, vkey: str) -> Verifier:
        """Parse `name+hex8+base64(0x01 || public key)`."""
        parts = vkey.strip().split("+", 2)
        if len(parts) != 3:
            raise NoteError("verifier key: expected name+keyid+key")
        name, hex_id, b64text = parts
        _check_name(name)
        try:
            kid = int(hex_id, 16)
            raw = b64.decode(b64text, "verifier key")
        except ValueError:
            raise NoteError("verifier key: malformed key ID or base64") from None
        if len(hex_id) != 8 or len(raw) != 33 or raw[0] != ED25519:
            raise NoteError("verifier key: not an Ed25519 key (type 0x01, 32 bytes)")
        if key_id(name, raw[1:]) != kid:
            raise NoteError("verifier key: key ID does not match the name and key")
        return cls(name, kid, Ed25519PublicKey.from_public_bytes(raw[1:]))

    def vkey(self) -> str:
        raw = self.public_key.public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        return f"{self.name}+{self.key_id:08x}+{b64.encode(bytes([ED25519]) + raw)}"


@dataclass(frozen=True)
class Signer:
    name: str
    private_key: Ed25519PrivateKey

    @classmethod
    def generate(cls, name: str) -> Signer:
        _check_name(name)
        return cls(name, Ed25519PrivateKey.generate())

    @classmethod
    def from_skey(cls, skey: str) -> Signer:
        """Parse `PRIVATE+KEY+name+hex8+base64(0x01 || seed)`."""
        parts = skey.strip().split("+", 4)
        if len(parts) != 5 or parts[:2] != ["PRIVATE", "KEY"]:
            raise NoteError("signer key: expected PRIVATE+KEY+name+keyid+key")
        name, hex_id, b64text = parts[2:]
        _check_name(name)
        try:
            raw = b64.decode(b64text, "signer key")
        except ValueError:
            raise NoteError("signer key: malformed base64") from None
        if len(raw) != 33 or raw[0] != ED25519:
            raise NoteError("signer key: not an Ed25519 seed")
        signer = cls(name, Ed25519PrivateKey.from_private_bytes(raw[1:]))
        if f"{signer.key_id:08x}" != hex_id.lower():
            raise NoteError("signer key: key ID does not match the name and key")
        return signer

    def skey(self) -> str:
        seed = self.private_key.private_bytes(
            serialization.Encoding.Raw,
            serialization.PrivateFormat.Raw,
            serialization.NoEncryption(),
        )
        material = b64.encode(bytes([ED25519]) + seed)
        return f"PRIVATE+KEY+{self.name}+{self.key_id:08x}+{material}"

    @property
    def public_bytes(self) -> bytes:
        return self.private_key.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )

    @property
    def key_id(self) -> int:
        return key_id(self.name, self.public_bytes)

    def verifier(self) -> Verifier:
        return Verifier(self.name, self.key_id, self.private_key.public_key())

    def signature_line(self, text: bytes) -> str:
        blob = self.key_id.to_bytes(4, "big") + self.private_key.sign(text)
        return f"{EM_DASH} {self.name} {b64.encode(blob)}\n"


def _check_text(text: str) -> None:
    if not text.endswith("\n"):
        raise NoteError("note text: must end with a newline")
    if any(ord(c) < 0x20 and c != "\n" for c in text):
        raise NoteError("note text: contains a control character")


def sign(text: str, *signers: Signer) -> str:
    _check_text(text)
    return text + "\n" + "".join(s.signature_line(text.encode()) for s in signers)


@dataclass(frozen=True)
class Opened:
    text: str
    verified_by: tuple[str, ...]


def open_note(note: str, verifiers: list[Verifier]) -> Opened:
    """The note's text, if at least one signature from a known key verifies and none from a
    known key fails; otherwise NoteError naming the reason."""
    if any(ord(c) < 0x20 and c != "\n" for c in note):
        raise NoteError("note: contains a control character")
    split = note.rfind("\n\n")
    if split < 0:
        raise NoteError("note: no blank line between the text and the signatures")
    text, sig_block = note[: split + 1], note[split + 2 :]
    if not sig_block.endswith("\n"):
        raise NoteError("note: the signature lines do not end with a newline")
    lines = sig_block[:-1].split("\n")
    if len(lines) > MAX_SIGNATURES:
        raise NoteError(f"note: more than {MAX_SIGNATURES} signatures")
    known = {(v.name, v.key_id): v for v in verifiers}
    verified = []
    for line in lines:
        prefix = EM_DASH + " "
        fields = line[len(prefix) :].split(" ") if line.startswith(prefix) else []
        if len(fields) != 2:
            raise NoteError(f"note: malformed signature line {line!r}")
        name, sig_b64 = fields
        try:
            blob = b64.decode(sig_b64, f"signature of {name}")
        except ValueError as e:
            raise NoteError(f"note: {e}") from None
        if len(blob) < 5:
            raise NoteError(f"note: signature of {name} is too short")
        v = known.get((name, int.from_bytes(blob[:4], "big")))
        if v is None:
            continue  # unknown keys are ignored, as the specification requires
        try:
            v.public_key.verify(blob[4:], text.encode())
        except InvalidSignature:
            raise NoteError(f"note: the signature of {name} does not verify") from None
        verified.append(name)
    if not verified:
        raise NoteError("note: no signature from a trusted key")
    return Opened(text, tuple(verified))
