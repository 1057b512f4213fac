"""What every page's template may read: the signed-in user's unread notices, for the menu."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest

from anxin.notices.selectors import notices_unread_count


def notices(request: HttpRequest) -> dict[str, Callable[[], int]]:
    """`notices_unread`: counted only when a template shows it (the menu of a full page, not
    a fragment htmx swaps in), and only for a signed-in user."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"notices_unread": lambda: notices_unread_count(user)}
