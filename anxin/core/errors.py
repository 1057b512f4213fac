"""Domain errors: one stable code each, mapped to RFC 7807 problem+json in the API and to a
plain message on pages. Services raise these; nothing below the views knows about HTTP.

A raise site gives either a constant English sentence or `msg(template, **params)`: a constant
template with named `{params}`. `detail` is always the English rendering (the API's text);
`template` and `params` let a page translate the same message (`core.pages.user_message`).
Templates are constant strings so that a test can extract every one and check its translation."""

from __future__ import annotations

from typing import Any


class Msg:
    """A message template (constant English, `str.format` style) and its parameters."""

    __slots__ = ("params", "template")

    def __init__(self, template: str, /, **params: Any) -> None:
        self.template = template
        self.params = params

    def english(self) -> str:
        return self.template.format(**self.params) if self.params else self.template

    def __repr__(self) -> str:
        return f"Msg({self.template!r}, **{self.params!r})"


def msg(template: str, /, **params: Any) -> Msg:
    """The message of a raise site whose text has values in it: `msg("order {number}: …",
    number=order.number)`. The template must be a constant (a test extracts it)."""
    return Msg(template, **params)


class DomainError(Exception):
    status = 400
    code = "bad_request"
    title = "Bad request"

    def __init__(
        self,
        detail: str | Msg,
        *,
        code: str | None = None,
        field: str | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        message = detail if isinstance(detail, Msg) else Msg(detail)
        self.template = message.template
        self.params = message.params
        self.detail = message.english()
        super().__init__(self.detail)
        if code:
            self.code = code
        self.field = field
        self.extra = extra or {}


class ValidationFailed(DomainError):
    status = 422
    code = "validation_failed"
    title = "Invalid input"


class NotFound(DomainError):
    """Also raised for objects that exist but are not the actor's: the two must look alike."""

    status = 404
    code = "not_found"
    title = "Not found"


class Forbidden(DomainError):
    """For actions on an object the actor may see but not change (a seller confirming receipt)."""

    status = 403
    code = "forbidden"
    title = "Forbidden"


class Conflict(DomainError):
    status = 409
    code = "conflict"
    title = "Conflict"


class InvalidTransition(Conflict):
    code = "invalid_transition"
    title = "Not allowed in the current state"


class IdempotencyConflict(Conflict):
    code = "idempotency_key_reused"
    title = "Idempotency key reused with different content"


class RateLimited(DomainError):
    """Too many of something in too short a time (complaints, unpaid orders, sign-ins)."""

    status = 429
    code = "rate_limited"
    title = "Too many requests"


class Unauthorized(DomainError):
    status = 401
    code = "unauthorized"
    title = "Authentication required"


class Gone(DomainError):
    status = 410
    code = "gone"
    title = "No longer available"
