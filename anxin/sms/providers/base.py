"""The contract every SMS provider adapter fulfils (the sandbox, Tencent Cloud SMS).

Anxin sends one kind of message: a one-time sign-in code to a mainland mobile number. Chinese
carriers deliver only texts from an approved signature (签名) and template (模板), so an
adapter is given the code and its lifetime, never free text: the real provider fills its
approved template with them. `send_code` returns the provider's id for the message, or raises
SmsNotSent when the provider refused it or could not be reached (the caller tells the person
to try again later; nothing of the provider's answer reaches them).
"""

from __future__ import annotations

from typing import Protocol


class SmsNotSent(Exception):
    """The provider did not accept the message; `code` is its reason (for the log)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


class SmsProvider(Protocol):
    name: str

    def send_code(self, *, number: str, code: str, minutes: int) -> str:
        """Text `code` (valid `minutes`) to `number` (11 digits, mainland). Returns the
        provider's message id."""
        ...
