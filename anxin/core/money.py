"""Money is integer fen (分). These helpers format, parse and split it; never with floats."""

from __future__ import annotations

import re
from typing import Any

from anxin.core.errors import ValidationFailed, msg
from anxin.core.text import is_whole

_YUAN = re.compile(r"^\s*(\d{1,9})(?:\.(\d{1,2}))?\s*$")


def format_fen(amount_fen: int, currency: str = "CNY") -> str:
    sign = "-" if amount_fen < 0 else ""
    yuan, fen = divmod(abs(amount_fen), 100)
    symbol = "¥" if currency == "CNY" else currency + " "
    return f"{sign}{symbol}{yuan:,}.{fen:02d}"


def parse_yuan(text: str, *, field: str = "price") -> int:
    """'12.8' -> 1280. Refuses anything that is not a plain non-negative amount in yuan."""
    match = _YUAN.match(text or "")
    if not match:
        raise ValidationFailed(
            msg("{field}: not an amount in yuan with at most two decimals", field=field),
            field=field,
        )
    whole, frac = match.groups()
    return int(whole) * 100 + int((frac or "0").ljust(2, "0"))


def fee_for(amount_fen: int, fee_bps: int) -> int:
    """The platform fee: amount x bps / 10,000, rounded down to the fen.

    Rounding down means the seller never pays a fraction of a fen more than the published rate,
    and seller share + fee always equals the amount exactly, so no fen is created or lost.
    """
    if amount_fen < 0 or fee_bps < 0:
        raise ValueError("amount and rate must be non-negative")
    return amount_fen * fee_bps // 10_000


def clean_fen(value: Any, field: str, *, most: int) -> int:
    """An amount someone typed or sent, in whole fen from 0 to `most`, or a clear error
    naming the field."""
    if not is_whole(value):
        raise ValidationFailed(
            msg("{field}: must be a whole number of fen", field=field), field=field
        )
    if value < 0:
        raise ValidationFailed(msg("{field}: must not be negative", field=field), field=field)
    if value > most:
        raise ValidationFailed(
            msg("{field}: at most {most} fen in this case", field=field, most=most), field=field
        )
    return int(value)
