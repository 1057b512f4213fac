from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from anxin.accounts.models import User
from anxin.accounts.services import api_token_authenticate


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        return api_token_authenticate(token)


# Session cookies (with CSRF checks on writes) for the web pages; bearer tokens for programs.
AUTH = [TokenAuth(), SessionAuth()]


class AuthedRequest(HttpRequest):
    """What an authenticated handler receives: ninja puts the user in `request.auth`."""

    auth: User
