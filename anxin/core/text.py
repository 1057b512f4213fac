"""Checks for text that people type: one place, so every form and API names the field the same
way when it refuses something."""

from __future__ import annotations

import re

from anxin.core.errors import ValidationFailed

PHONE = re.compile(r"^\+?[0-9 -]{5,20}$")


def is_whole(value: object) -> bool:
    """A whole number as JSON and forms give it: an int, and not a bool (which Python counts
    as one)."""
    return isinstance(value, int) and not isinstance(value, bool)


def clean_text(value: str, field: str, max_len: int, *, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationFailed(f"{field}: required", field=field)
    if len(value) > max_len:
        raise ValidationFailed(f"{field}: at most {max_len} characters", field=field)
    return value


def clean_phone(value: str, field: str, *, required: bool = True) -> str:
    value = clean_text(value, field, 32, required=required)
    if value and not PHONE.match(value):
        raise ValidationFailed(f"{field}: not a phone number", field=field)
    return value
