"""Encrypting identity data at rest and finding it again by a keyed hash.

Two keys, each a file in ANXIN_KEYS_DIR made on first use (never in the database):
`identity.key` for AES-256-GCM (the number, name, address and contact, each sealed with a
fresh nonce and the field's name as associated data, so a value cannot be moved to another
field), and `identity-index.key` for HMAC-SHA256 (the same identity always gives the same
index, so a second shop of the same person, or a blacklisted one, is found without storing
the number in the clear)."""

from __future__ import annotations

import hashlib
import hmac
import os

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from anxin.core.keyfile import secret_key as _key


def seal(value: str, field: str) -> bytes:
    nonce = os.urandom(12)
    return nonce + AESGCM(_key("identity.key")).encrypt(nonce, value.encode(), field.encode())


def open_sealed(blob: bytes | memoryview, field: str) -> str:
    data = bytes(blob)
    return AESGCM(_key("identity.key")).decrypt(data[:12], data[12:], field.encode()).decode()


def index(value: str) -> str:
    return hmac.new(_key("identity-index.key"), value.encode(), hashlib.sha256).hexdigest()
