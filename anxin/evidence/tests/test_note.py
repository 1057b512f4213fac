"""Signed notes and checkpoints against the published example of the Go reference
implementation (golang.org/x/mod/sumdb/note), whose key and note the C2SP format inherits."""

from __future__ import annotations

import pytest

from anxin.evidence import merkle
from anxin.evidence.checkpoint import Checkpoint, CheckpointError, open_checkpoint
from anxin.evidence.note import NoteError, Signer, Verifier, open_note, sign

VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
TEXT = (
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
)
SIGNED = (
    TEXT
    + "\n"
    + (
        "— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1F"
        "FYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
    )
)


def test_the_reference_key_signs_the_reference_note_byte_for_byte() -> None:
    # When the reference private key is read
    signer = Signer.from_skey(SKEY)
    # Then it gives back the reference keys and key ID, and signs the reference note exactly
    assert signer.skey() == SKEY
    assert signer.verifier().vkey() == VKEY
    assert f"{signer.key_id:08x}" == "c74f20a3"
    assert sign(TEXT, signer) == SIGNED  # Ed25519 is deterministic


def test_the_reference_note_opens_with_the_reference_verifier() -> None:
    # When the reference note is opened with the reference verifier
    opened = open_note(SIGNED, [Verifier.from_vkey(VKEY)])
    # Then it gives the text, verified by PeterNeumann
    assert opened.text == TEXT
    assert opened.verified_by == ("PeterNeumann",)


@pytest.mark.parametrize(
    ("note", "reason"),
    [
        (SIGNED.replace("problem,", "problem;"), "does not verify"),
        (SIGNED.replace("\n\n", "\n"), "no blank line"),
        (SIGNED[:-1], "do not end with a newline"),
        (SIGNED.replace("— PeterNeumann ", "— PeterNeumann  "), "malformed signature line"),
        (SIGNED.replace("x08go", "x08g!"), "not base64"),
        (SIGNED.replace("x08go", "y08go"), "no signature from a trusted key"),  # other key ID
        (SIGNED.replace("you", "y\x07u", 1), "control character"),
    ],
)
def test_altered_notes_are_refused_naming_the_reason(note: str, reason: str) -> None:
    # When a note altered as this row says is opened
    # Then it is refused naming the reason
    with pytest.raises(NoteError, match=reason):
        open_note(note, [Verifier.from_vkey(VKEY)])


def test_another_key_does_not_open_the_note() -> None:
    # Given another key under the same name
    other = Signer.generate("PeterNeumann").verifier()
    # When the note is opened with it
    # Then no trusted key signed it
    with pytest.raises(NoteError, match="no signature from a trusted key"):
        open_note(SIGNED, [other])


def test_malformed_keys_are_refused() -> None:
    # When a verifier key's ID does not match its key
    # Then it is refused
    with pytest.raises(NoteError, match="key ID does not match"):
        Verifier.from_vkey(VKEY.replace("c74f20a3", "c74f20a4"))
    # And a key without its key material, or a private key marked public, is refused
    with pytest.raises(NoteError):
        Verifier.from_vkey("PeterNeumann+c74f20a3")
    with pytest.raises(NoteError):
        Signer.from_skey(SKEY.replace("PRIVATE+KEY", "PUBLIC+KEY"))


def test_a_checkpoint_round_trips_and_refuses_extra_or_missing_lines() -> None:
    # Given a checkpoint of a five-leaf tree and the log's key
    signer = Signer.generate("anxin.example/log")
    leaves = [merkle.leaf_hash(bytes([i])) for i in range(5)]
    cp = Checkpoint("anxin.example/log", 5, merkle.root(leaves))
    # When it is signed and opened again
    note = cp.signed(signer)
    # Then it is the same checkpoint
    assert open_checkpoint(note, signer.verifier()) == cp
    # And signed bodies with an extra or missing line or a size not in plain decimal are refused
    body = cp.body()
    for bad, reason in [
        (body + "extension\n", "unexpected extension line"),
        ("\n".join(body.split("\n")[:2]) + "\n", "2 lines"),
        (body.replace("\n5\n", "\n05\n"), "not a decimal"),
        (body.replace("\n5\n", "\n-5\n"), "not a decimal"),
    ]:
        with pytest.raises(CheckpointError, match=reason):
            open_checkpoint(sign(bad, signer), signer.verifier())
    # And a body without its final newline is refused
    with pytest.raises(CheckpointError, match="does not end with a newline"):
        Checkpoint.parse(body[:-1])
    # And a checkpoint signed by the key of another origin is refused
    other_log = Signer.generate("other.example/log")
    with pytest.raises(CheckpointError, match="origin"):
        open_checkpoint(sign(body, other_log), other_log.verifier())
