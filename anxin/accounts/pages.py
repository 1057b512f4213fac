"""What pages need from accounts: the signed-in request's type and the gate by role. Here,
not in the web shell, so that every app's views can use them without importing upwards."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django_htmx.middleware import HtmxDetails

from anxin.accounts.models import User


class UserRequest(HttpRequest):
    """A request behind login_required: its user is a real account. `htmx` is django-htmx's
    reading of the htmx headers (truthy when htmx sent the request and wants a fragment)."""

    user: User
    htmx: HtmxDetails


def role_required(*roles: str) -> Callable:
    def deco(view: Callable) -> Callable:
        @wraps(view)
        @login_required
        def wrapper(request: UserRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.user.role not in roles:
                return render(
                    request,
                    "web/error.html",
                    {"message": _("This page is not for your role.")},
                    status=403,
                )
            return view(request, *args, **kwargs)

        return wrapper

    return deco
