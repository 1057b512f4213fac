"""Checks for text and numbers that people type: one place, so every form and API names the field
the same way when it refuses something."""

from __future__ import annotations

import re
import unicodedata

from anxin.core.errors import ValidationFailed, msg

PHONE = re.compile(r"^\+?[0-9 -]{5,20}$")
# A parcel's recipient in mainland China: a mobile number (optionally +86) or a landline with its
# area code, once spaces and dashes are taken out. The checkout page's `pattern` says the same.
RECIPIENT_PHONE = re.compile(r"(?:\+?86)?1[3-9][0-9]{9}|0[0-9]{2,3}[0-9]{7,8}")
# The widest integer a database column holds (a signed 64-bit BIGINT): an id or an amount past
# it is refused as input instead of failing in the database driver.
INT_MIN, INT_MAX = -(2**63), 2**63 - 1
# Characters no text column can hold: PostgreSQL refuses NUL outright, and a lone surrogate (a
# JSON "\ud800") cannot be encoded as UTF-8 for either database.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
# Bidirectional embeddings, overrides and isolates: they reorder what is shown ("Trojan
# source"), so a name or an address could read differently from what was stored.
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")
# Letters and symbols that are drawn as nothing (Hangul fillers, the blank braille pattern).
_BLANK = frozenset("\u115f\u1160\u3164\uffa0\u2800")


def is_whole(value: object) -> bool:
    """A whole number as JSON and forms give it: an int, and not a bool (which Python counts
    as one)."""
    return isinstance(value, int) and not isinstance(value, bool)


def parse_int(
    value: str | int | None, field: str, *, minimum: int = INT_MIN, maximum: int = INT_MAX
) -> int:
    """A whole number typed in a form or a query string, within minimum..maximum (by default
    what a database column holds), or ValidationFailed naming the field."""
    if isinstance(value, bool):
        raise ValidationFailed(msg("{field}: a whole number", field=field), field=field)
    if isinstance(value, int):
        number = value
    else:
        raw = (value or "").strip()
        # int() alone would also take "1_000", "٣" and a thousand digits.
        if not re.fullmatch(r"[+-]?[0-9]{1,19}", raw):
            raise ValidationFailed(msg("{field}: a whole number", field=field), field=field)
        number = int(raw)
    if not minimum <= number <= maximum:
        raise ValidationFailed(
            msg(
                "{field}: a whole number from {minimum} to {maximum}",
                field=field,
                minimum=minimum,
                maximum=maximum,
            ),
            field=field,
        )
    return number


def unstorable(value: str) -> bool:
    """Whether the text holds a character no database column can store (NUL, a lone
    surrogate)."""
    return _UNSTORABLE.search(value) is not None


def _visible(value: str) -> bool:
    """Whether anything would be seen: not only spaces, format characters (zero-width spaces,
    U+FEFF, bidi marks) and controls."""
    return any(
        not ch.isspace()
        and ch not in _BLANK
        and unicodedata.category(ch) not in ("Cf", "Cc", "Zs", "Zl", "Zp")
        for ch in value
    )


def clean_text(
    value: str, field: str, max_len: int, *, required: bool = True, multiline: bool = False
) -> str:
    """Text as typed, trimmed, or ValidationFailed naming the field. Refused: control
    characters (multi-line text keeps newlines and tabs; Windows line ends become "\\n"),
    bidi overrides, text that shows nothing (only zero-width or format characters), and
    over max_len characters."""
    value = (value or "").strip()
    if multiline:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    allowed = "\n\t" if multiline else ""
    if any(unicodedata.category(ch) == "Cc" and ch not in allowed for ch in value) or unstorable(
        value
    ):
        kind = "control characters" if multiline else "control characters or line breaks"
        raise ValidationFailed(msg("{field}: contains {kind}", field=field, kind=kind), field=field)
    if _BIDI.search(value):
        raise ValidationFailed(
            msg("{field}: contains bidirectional override characters", field=field), field=field
        )
    if value and not _visible(value):
        raise ValidationFailed(msg("{field}: nothing visible in it", field=field), field=field)
    if required and not value:
        raise ValidationFailed(msg("{field}: required", field=field), field=field)
    if len(value) > max_len:
        raise ValidationFailed(
            msg("{field}: at most {max_len} characters", field=field, max_len=max_len), field=field
        )
    return value


def clean_recipient_phone(value: str, field: str) -> str:
    """A number a courier can call: a mainland mobile (13x-19x, 11 digits, optionally +86) or a
    landline with its area code (0571-88886666). Spaces and dashes are taken out."""
    value = clean_text(value, field, 32)
    compact = re.sub(r"[ \-]", "", value)
    if not RECIPIENT_PHONE.fullmatch(compact):
        raise ValidationFailed(
            msg(
                "{field}: not a number a courier can call; enter a mainland mobile number "
                "(11 digits, e.g. 139 0000 1111) or a landline with its area code "
                "(e.g. 0571-88886666)",
                field=field,
            ),
            code="phone_invalid",
            field=field,
        )
    return compact


def clean_phone(value: str, field: str, *, required: bool = True) -> str:
    value = clean_text(value, field, 32, required=required)
    if value and not PHONE.match(value):
        raise ValidationFailed(msg("{field}: not a phone number", field=field), field=field)
    return value
