"""Strict base64: the one encoding of each byte string. A voucher must not verify after any
byte of it changes, and lenient decoders accept a changed last character whose flipped bits
are padding ('...Hc=' and '...Hd=' can decode alike)."""

from __future__ import annotations

import base64
import binascii


def decode(text: str, what: str) -> bytes:
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError(f"{what}: not base64") from None
    if base64.b64encode(raw).decode() != text:
        raise ValueError(f"{what}: not canonical base64")
    return raw


def encode(raw: bytes) -> str:
    return base64.b64encode(raw).decode()
