"""Path converters. Django's <int:...> takes any run of digits, and a number past what a
database column holds then fails in the driver (a 500) instead of finding nothing (a 404)."""

from __future__ import annotations

from anxin.core.text import INT_MAX


class IdConverter:
    """A row's id or a log index in a URL: 0 to the largest BIGINT; anything else matches no
    URL (404)."""

    regex = "[0-9]{1,19}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if number > INT_MAX:
            raise ValueError(value)
        return number

    def to_url(self, value: int) -> str:
        return str(value)
