"""Evidence records and their commitments.

The log never holds what was said or who said it: each entry is a canonical record of the
commitment SHA-256(salt || canonical record), the record's kind and time, nothing personal. The
record and its salt live in the database (and in the buyer's voucher); erasing a person's data
replaces the stored record but the entry, and every voucher already issued, stay valid.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from typing import Any

from anxin.evidence import merkle

ENTRY_VERSION = 1


def canonical(value: Any) -> bytes:
    """One byte string per value: sorted keys, no spaces, UTF-8, no floats (money is fen)."""

    def check(v: Any) -> None:
        if isinstance(v, float):
            raise ValueError("evidence records hold no floats")
        if isinstance(v, dict):
            for k, x in v.items():
                if not isinstance(k, str):
                    raise ValueError("evidence record keys must be strings")
                check(x)
        elif isinstance(v, list):
            for x in v:
                check(x)

    check(value)
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def new_salt() -> bytes:
    return secrets.token_bytes(32)


def commitment(record: dict[str, Any], salt: bytes) -> bytes:
    if len(salt) != 32:
        raise ValueError("salt must be 32 bytes")
    return hashlib.sha256(salt + canonical(record)).digest()


def entry(record: dict[str, Any], salt: bytes) -> bytes:
    """The log entry for a record: its kind, its time and the commitment, canonically."""
    return seal(record, salt)[2]


def seal(record: dict[str, Any], salt: bytes) -> tuple[bytes, bytes, bytes]:
    """(canonical record, commitment, log entry) of a record, each computed once."""
    for key in ("kind", "at"):
        if not isinstance(record.get(key), str) or not record[key]:
            raise ValueError(f"evidence record: {key!r} missing")
    if len(salt) != 32:
        raise ValueError("salt must be 32 bytes")
    body = canonical(record)
    digest = hashlib.sha256(salt + body).digest()
    log_entry = canonical(
        {"v": ENTRY_VERSION, "kind": record["kind"], "at": record["at"], "commitment": digest.hex()}
    )
    return body, digest, log_entry


def leaf(record: dict[str, Any], salt: bytes) -> bytes:
    return merkle.leaf_hash(entry(record, salt))
