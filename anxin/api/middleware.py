"""One guard in front of every view, for what no view should have to think about.

- A parameter holding a character no database column can store (NUL, which PostgreSQL refuses
  outright; a lone surrogate, which neither database can encode) is refused before any view
  runs: sign-in, sign-up, tokens and payment notifications read their input without
  core.text.clean_text, and SQLite would store a NUL silently where PostgreSQL fails with a 500.
- A body that cannot be parsed (a broken multipart) is a 400, one over the size limit a 413.
- Under /api/ every error is RFC 7807 problem+json, including those no API handler made: an
  unknown path (404), a method the path does not take (405, with Allow), a server error.

Refusals come in the reader's format: problem+json under /api/, a plain page (in the reader's
language) elsewhere.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from http import HTTPStatus
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import BadRequest, RequestDataTooBig, SuspiciousOperation
from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.utils.translation import gettext as _

from anxin.api.errors import PROBLEM_TYPE, problem
from anxin.core.text import unstorable

API_PREFIX = "/api/"
# Response headers a problem keeps from the response it replaces.
_KEPT_HEADERS = ("Allow", "WWW-Authenticate", "Retry-After")


class InputGuardMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        length = request.META.get("CONTENT_LENGTH")
        if length and not (length.isascii() and length.isdigit()):
            # Django reads such a body as empty; the metrics middleware would raise on it.
            return _refuse(
                request,
                400,
                "malformed_body",
                _("The request could not be read."),
                "the Content-Length header is not a number of bytes",
            )
        try:
            field = _unstorable_field(request)
        except RequestDataTooBig:
            return _refuse(
                request,
                413,
                "request_too_large",
                _("The request is larger than this site accepts."),
                "the request body is over the size limit",
            )
        except (MultiPartParserError, BadRequest, SuspiciousOperation, UnicodeDecodeError):
            return _refuse(
                request,
                400,
                "malformed_body",
                _("The request could not be read."),
                "the request body cannot be parsed",
            )
        if field is not None:
            return _refuse(
                request,
                422,
                "unstorable_character",
                _("%(field)s: contains a character that cannot be stored (such as NUL).")
                % {"field": field},
                f"{field}: contains a character that cannot be stored (NUL or a lone surrogate)",
                field=field,
            )
        response = self.get_response(request)
        if _is_api(request) and response.status_code >= 400 and not _is_problem(response):
            return _as_problem(request, response)
        return response


def _is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith(API_PREFIX)


def _is_problem(response: HttpResponse) -> bool:
    return response.get("Content-Type", "").startswith(PROBLEM_TYPE)


def _refuse(
    request: HttpRequest,
    status: int,
    code: str,
    page_message: str,
    detail: str,
    *,
    field: str | None = None,
) -> HttpResponse:
    if _is_api(request):
        return problem(
            request,
            status=status,
            code=code,
            title=HTTPStatus(status).phrase,
            detail=detail,
            field=field,
        )
    if field is not None and f"HTTP_{field.upper().replace('-', '_')}" in request.META:
        # A header (a cookie, say) is what is wrong: the page must not load a session by it.
        request.user = AnonymousUser()
    return render(request, "web/error.html", {"message": page_message}, status=status)


def _as_problem(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """A problem in place of an error response that Django or ninja made outside the API's
    exception handlers (their pages are HTML or bare text)."""
    status = response.status_code
    phrase = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Error"
    details = {
        404: f"no API operation at {request.path}",
        405: f"{request.method} is not allowed here; allowed: {response.get('Allow', '')}",
    }
    out = problem(
        request,
        status=status,
        code={404: "not_found", 405: "method_not_allowed"}.get(status, f"http_{status}"),
        title=phrase,
        detail=details.get(status, phrase.lower()),
    )
    for header in _KEPT_HEADERS:
        if header in response:
            out[header] = response[header]
    return out


def _unstorable_field(request: HttpRequest) -> str | None:
    """The name of the first parameter (query, form field, uploaded file's name, JSON member,
    header, the path itself) holding a character no database can store, or None."""
    if unstorable(request.path_info):
        return "path"
    for name, value in request.META.items():
        if name.startswith("HTTP_") and isinstance(value, str) and unstorable(value):
            return name[5:].replace("_", "-").title()
    for name, values in request.GET.lists():
        if unstorable(name) or any(unstorable(v) for v in values):
            return name
    if request.method not in ("POST", "PUT", "PATCH", "DELETE"):
        return None
    content_type = request.content_type or ""
    small = int(request.META.get("CONTENT_LENGTH") or 0) <= settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    if content_type == "application/json" or content_type.endswith("+json"):
        try:
            doc = json.loads(request.body)
        except ValueError:
            return None  # the view says what is wrong with it
        return next(_json_unstorable(doc, ""), None)
    if request.method == "POST" and content_type in (
        "multipart/form-data",
        "application/x-www-form-urlencoded",
    ):
        if small:
            # Read whole first, so that a view that reads the raw body afterwards still can.
            request.body  # noqa: B018
        for name, values in request.POST.lists():
            if unstorable(name) or any(unstorable(v) for v in values):
                return name
        for name, files in request.FILES.lists():
            if any(unstorable(f.name or "") for f in files):
                return name
    return None


def _json_unstorable(doc: Any, path: str) -> Iterator[str]:
    if isinstance(doc, str):
        if unstorable(doc):
            yield path or "body"
    elif isinstance(doc, dict):
        for key, value in doc.items():
            where = f"{path}.{key}" if path else str(key)
            if unstorable(key):
                yield where
            yield from _json_unstorable(value, where)
    elif isinstance(doc, list):
        for i, value in enumerate(doc):
            yield from _json_unstorable(value, f"{path}.{i}" if path else str(i))
