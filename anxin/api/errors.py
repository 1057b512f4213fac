"""One error format for the whole API: RFC 7807 problem+json with a stable `code`."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from anxin.core.errors import DomainError
from anxin.core.pages import user_message
from anxin.ledger.posting import LedgerError
from anxin.payments.providers.base import NotificationRejected

PROBLEM_TYPE = "application/problem+json"

# What every problem holds (RFC 7807 and Anxin's own members), declared once in the OpenAPI
# document and referred to by every error response.
PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "description": "An RFC 7807 problem. `code` is stable; `field` names the input at fault.",
    "type": "object",
    "required": ["type", "title", "status", "detail", "code", "instance"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "code": {"type": "string"},
        "instance": {"type": "string"},
        "field": {"type": "string"},
        "message": {
            "type": "string",
            "description": "A refusal's message for a person, in the request's language "
            "(Accept-Language: zh-Hans or en); `detail` stays the English template's text",
        },
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
            },
        },
    },
}
# The errors any operation can answer (a malformed request, credentials or a signature
# refused, an unknown object or state, bad input, throttling); those only an authenticated one
# can (403); those only one with a body can (413).
ERRORS_ALWAYS = {
    400: "The request cannot be read",
    401: "Authentication required, or the credentials or signature are wrong",
    404: "No such object (or not yours)",
    409: "Not allowed in the object's current state",
    422: "Invalid input; `field` names it",
    429: "Too many requests",
}
ERRORS_AUTHENTICATED = {403: "Not allowed for your role"}
ERRORS_WITH_BODY = {413: "The request body is too large"}


def declare_errors(schema: dict[str, Any]) -> None:
    """The OpenAPI document with every operation's error responses declared as problems, so
    that clients (and the fuzz test) know each answer an operation can give."""
    schema.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    ref = {PROBLEM_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for operations in schema.get("paths", {}).values():
        for op in operations.values():
            errors = dict(ERRORS_ALWAYS)
            if op.get("security"):
                errors.update(ERRORS_AUTHENTICATED)
            if "requestBody" in op:
                errors.update(ERRORS_WITH_BODY)
            responses = op.setdefault("responses", {})
            for status, description in sorted(errors.items()):
                responses.setdefault(str(status), {"description": description, "content": ref})


def problem(
    request: HttpRequest,
    *,
    status: int,
    code: str,
    title: str,
    detail: str,
    field: str | None = None,
    extra: dict[str, Any] | None = None,
) -> HttpResponse:
    import json

    body = {
        "type": f"urn:anxin:problem:{code}",
        "title": title,
        "status": status,
        "detail": detail,
        "code": code,
        "instance": request.path,
    }
    if field is not None:
        body["field"] = field
    # Extra members never replace the standard ones.
    body.update({k: v for k, v in (extra or {}).items() if v is not None and k not in body})
    return HttpResponse(
        json.dumps(body, ensure_ascii=False), status=status, content_type=PROBLEM_TYPE
    )


def _loc(loc: list[Any]) -> str:
    # ninja reports ("body", "payload", "quantity"): the client knows its field as "quantity".
    parts = [
        str(p)
        for p in loc
        if p not in ("body", "payload", "query", "path", "header", "form", "file")
    ]
    return ".".join(parts) or ".".join(str(p) for p in loc)


def install(api: NinjaAPI) -> None:
    @api.exception_handler(DomainError)
    def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
        return problem(
            request,
            status=exc.status,
            code=exc.code,
            title=exc.title,
            detail=exc.detail,
            field=exc.field,
            # What a page would say, for an app to show its user as it is.
            extra={"message": user_message(exc), **(exc.extra or {})},
        )

    @api.exception_handler(NinjaValidationError)
    def validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        errors = [
            {"field": _loc(e.get("loc", [])), "message": e.get("msg", "invalid")}
            for e in exc.errors
        ]
        first = errors[0] if errors else {"field": "", "message": "invalid"}
        return problem(
            request,
            status=422,
            code="validation_failed",
            title="Invalid input",
            detail=f"{first['field']}: {first['message']}",
            field=first["field"],
            extra={"errors": errors},
        )

    @api.exception_handler(AuthenticationError)
    def auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return problem(
            request,
            status=401,
            code="unauthorized",
            title="Authentication required",
            detail="log in, or send 'Authorization: Bearer <token>'",
        )

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        return problem(
            request,
            status=exc.status_code,
            code=f"http_{exc.status_code}",
            title="Request refused",
            detail=str(exc),
        )

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return problem(
            request, status=404, code="not_found", title="Not found", detail=str(exc) or "not found"
        )

    @api.exception_handler(LedgerError)
    def ledger_error(request: HttpRequest, exc: LedgerError) -> HttpResponse:
        return problem(
            request,
            status=409,
            code=f"ledger_{exc.code}",
            title="Refused by the ledger",
            detail=exc.message,
        )

    @api.exception_handler(NotificationRejected)
    def rejected(request: HttpRequest, exc: NotificationRejected) -> HttpResponse:
        return problem(
            request,
            status=401 if "signature" in exc.code else 400,
            code=f"notification_{exc.code}",
            title="Notification refused",
            detail=exc.message,
        )
