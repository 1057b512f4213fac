"""One error format for the whole API: RFC 7807 problem+json with a stable `code`."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from anxin.core.errors import DomainError
from anxin.ledger.posting import LedgerError
from anxin.payments.providers.base import NotificationRejected

PROBLEM_TYPE = "application/problem+json"


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
            extra=exc.extra,
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
