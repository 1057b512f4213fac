from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from anxin.accounts.models import User
from anxin.accounts.services import api_token_authenticate
from anxin.core.errors import Unauthorized


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        row = api_token_authenticate(token.strip())
        if row is None:
            # A request that presents a bearer token is judged by it alone. Falling through to
            # the session would answer a bad token on a write with 403 "CSRF check failed",
            # which tells a program nothing about what to fix.
            raise Unauthorized(
                "the bearer token is invalid, expired or revoked: ask POST /api/v1/auth/token "
                "for a new one",
                code="invalid_token",
            )
        request.anxin_token_id = row.pk  # type: ignore[attr-defined]
        return row.user


# Session cookies (with CSRF checks on writes) for the web pages; bearer tokens for programs.
AUTH = [TokenAuth(), SessionAuth()]


class AuthedRequest(HttpRequest):
    """What an authenticated handler receives: ninja puts the user in `request.auth`."""

    auth: User
