"""Identity numbers, checked part by part so that a refusal names the check that failed.

Resident identity card numbers (GB 11643): 18 characters, a region code of the
administrative divisions (GB/T 2260, as python-stdnum's table holds them, including codes
since retired for people born while they were in use), a real birth date in the past, a
sequence, and an ISO 7064 MOD 11-2 check digit. Unified social credit codes (GB 32100): 18
characters of the code's alphabet with its MOD 31 check character. python-stdnum does the
arithmetic and the region lookup; the order of the checks and their messages are Anxin's.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from stdnum import exceptions
from stdnum.cn import ric, uscc

from anxin.core.errors import ValidationFailed, msg


def resident_id(value: str, *, field: str = "id_number", today: dt.date | None = None) -> str:
    """The ID number, compacted (lower-case x made upper), or ValidationFailed naming the check."""
    number = (value or "").strip().replace(" ", "").upper()
    if len(number) != 18:
        raise ValidationFailed(
            msg("{field}: must be 18 characters (GB 11643)", field=field), field=field
        )
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise ValidationFailed(
            msg(
                "{field}: the first 17 characters must be digits and the last a digit or X",
                field=field,
            ),
            field=field,
        )
    try:
        born = ric.get_birth_date(number)
    except exceptions.ValidationError:
        raise ValidationFailed(
            msg(
                "{field}: {digits} is not a valid birth date",
                field=field,
                digits=number[6:14],
            ),
            field=field,
        ) from None
    if born > (today or timezone.localdate()) or born.year < 1900:
        raise ValidationFailed(
            msg("{field}: birth date {born} is not possible", field=field, born=born), field=field
        )
    try:
        ric.get_birth_place(number)
    except exceptions.ValidationError:
        raise ValidationFailed(
            msg(
                "{field}: {region} is not a region code in use when the holder was born",
                field=field,
                region=number[:6],
            ),
            field=field,
        ) from None
    if number[17] != ric.calc_check_digit(number):
        raise ValidationFailed(
            msg("{field}: the check digit is wrong (GB 11643)", field=field), field=field
        )
    return number


def credit_code(value: str, *, field: str = "credit_code") -> str:
    """The unified social credit code, compacted, or ValidationFailed naming the check."""
    number = (value or "").strip().replace(" ", "").replace("-", "").upper()
    if len(number) != 18:
        raise ValidationFailed(
            msg("{field}: must be 18 characters (GB 32100)", field=field), field=field
        )
    try:
        uscc.validate(number)
    except exceptions.InvalidChecksum:
        raise ValidationFailed(
            msg("{field}: the check character is wrong (GB 32100)", field=field), field=field
        ) from None
    except exceptions.ValidationError:
        raise ValidationFailed(
            msg(
                "{field}: not in the code's format (registration authority, "
                "organisation type, region, organisation code: digits and "
                "letters other than I, O, Z, S, V)",
                field=field,
            ),
            field=field,
        ) from None
    return number


def masked(number: str) -> str:
    """What anyone but an entitled party sees: the first four and last two characters."""
    return number[:4] + "*" * (len(number) - 6) + number[-2:]
