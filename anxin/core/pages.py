"""What every app's pages share, below every app: the error page and the language of the
law's reasons. Each app's views import these instead of the web shell, which sits above them."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language

from anxin.core.errors import DomainError


def error_page(request: HttpRequest, e: DomainError) -> HttpResponse:
    """A refusal as a page: the same plain message and status the API gives."""
    return render(request, "web/error.html", {"message": e.detail}, status=e.status)


def page_lang() -> str:
    """Which language's text of the law's reasons a page shows: "en" or "zh-hans"."""
    return "en" if (get_language() or "").startswith("en") else "zh-hans"
