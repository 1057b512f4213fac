"""Domain errors: one stable code each, mapped to RFC 7807 problem+json in the API and to a
plain message on pages. Services raise these; nothing below the views knows about HTTP."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    status = 400
    code = "bad_request"
    title = "Bad request"

    def __init__(
        self,
        detail: str,
        *,
        code: str | None = None,
        field: str | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
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
