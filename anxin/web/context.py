"""What every page's template may read: the signed-in user's unread notices, and the staff
pages the user may use, for the menu."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest

from anxin.notices.selectors import notices_unread_count
from anxin.reputation.blacklist import may_decide
from anxin.reputation.services import review_may_hide


def notices(request: HttpRequest) -> dict[str, Callable[[], int]]:
    """`notices_unread`: counted only when a template shows it (the menu of a full page, not
    a fragment htmx swaps in), and only for a signed-in user."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"notices_unread": lambda: notices_unread_count(user)}


def staff_menu(request: HttpRequest) -> dict[str, Any]:
    """`staff_desk`: whether the user has the staff desk (web.views.staff_home's gate).
    `staff_links`: the menu's staff pages (URL name, label) this user may use, each by its
    app's own rule: the blacklist desk (blacklist.may_decide), the reviews (review_may_hide).
    Asks no database."""
    from django.utils.translation import gettext_lazy as _

    from anxin.web.views import STAFF_ROLES

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    links = []
    if may_decide(user):  # type: ignore[arg-type]
        links.append(("web:blacklist_desk", _("Blacklist notices")))
    if review_may_hide(user):  # type: ignore[arg-type]
        links.append(("web:review_desk", _("Reviews")))
    if getattr(user, "role", "") == "operator":
        links.append(("web:organisations", _("Associations and regulators")))
    if getattr(user, "role", "") in ("regulator", "mediator"):
        # The complaints to their organisation (supervision); staff of none see only a note.
        links.append(("web:complaints", _("Complaints")))
        links.append(("web:mediations", _("Mediation")))
    return {"staff_links": links, "staff_desk": user.role in STAFF_ROLES}
