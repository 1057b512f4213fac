"""The shell's pages: the landing page and the way home for each role, the seller's home,
the staff desk, and the notices every app sends. The shell sits above every app, so its pages
may read any app's selectors; each app's own pages live in that app's views."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from anxin.accounts.models import Role
from anxin.accounts.pages import UserRequest, role_required
from anxin.catalog import selectors as catalog_sel
from anxin.core.errors import DomainError, NotFound, msg
from anxin.core.pages import error_page
from anxin.core.text import parse_int
from anxin.disputes.audit import returns_audit
from anxin.ledger.audit import ledger_audit
from anxin.ledger.models import Account
from anxin.notices.models import Notification
from anxin.notices.selectors import notices_list
from anxin.notices.texts import notice_text, notice_url
from anxin.orders import selectors as order_sel
from anxin.orders.audit import orders_audit
from anxin.orders.models import Order, OrderStatus
from anxin.sellers.models import Level, Verification
from anxin.sellers.models import Status as VerificationStatus
from anxin.sellers.services import seller_level
from anxin.web import lookup

STAFF_ROLES = {Role.MEDIATOR, Role.ADJUDICATOR, Role.REGULATOR, Role.OPERATOR}


def _landing(
    request: HttpRequest, what: str = "", answer: lookup.Answer | None = None, status: int = 200
) -> HttpResponse:
    checks = [
        {
            "what": "seller",
            "title": _("Is this seller on Anxin?"),
            "label": _("Shop name or seller number"),
            "placeholder": _("e.g. Wang's Tea Shop"),
            "button": _("Check the seller"),
        },
        {
            "what": "badge",
            "title": _("Is this badge genuine?"),
            "label": _("The badge's link or number"),
            "placeholder": _("the link its QR code holds"),
            "button": _("Check the badge"),
        },
        {
            "what": "voucher",
            "title": _("Is this voucher genuine?"),
            "label": _("The voucher's link or log entry number"),
            "placeholder": _("the link its QR code holds"),
            "button": _("Check the voucher"),
        },
    ]
    ctx = {
        "checks": checks,
        "what": what,
        "q": request.GET.get("q", "") if what else "",
        "problem": _(answer.problem) if answer and answer.problem else "",
        "shops": answer.shops if answer else [],
    }
    return render(request, "web/landing.html", ctx, status=status)


def home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return _landing(request)
    if request.user.role == Role.SELLER:
        return redirect("web:seller_home")
    if request.user.role in STAFF_ROLES:
        return redirect("web:staff_home")
    return redirect("web:orders")


@require_GET
def check(request: HttpRequest, what: str) -> HttpResponse:
    """The landing page's checks (a seller, a badge, a voucher), open to anyone: the page that
    answers, or the landing page again saying why nothing was found (422 for input that is
    not what the check reads, 404 for nothing found)."""
    finder = lookup.FINDERS.get(what)
    if finder is None:
        return render(request, "web/error.html", {"message": _("Unknown check.")}, status=404)
    answer = finder(request.GET.get("q", "")[:4000])
    if answer.url:
        return redirect(answer.url)
    status = 200 if answer.shops else 422 if answer.unreadable else 404
    return _landing(request, what, answer, status)


@role_required(Role.SELLER)
def seller_home(request: UserRequest) -> HttpResponse:
    """The seller's home: its money, the orders to ship, its listings; and, until the seller
    is verified (or while re-verification is overdue), a card leading to verification, as
    nothing can be listed before (E-Commerce Law Art. 27)."""
    v = Verification.objects.filter(seller=request.user).first()
    return render(
        request,
        "web/seller_home.html",
        {
            "verified": seller_level(request.user) != Level.NONE,
            "verification_lapsed": v is not None and v.status == VerificationStatus.LAPSED,
            "money": order_sel.seller_money(request.user),
            "to_ship": order_sel.orders_to_ship(request.user),
            "listings": catalog_sel.listings_of(request.user),
            "profile": getattr(request.user, "seller_profile", None),
        },
    )


@role_required(*STAFF_ROLES)
def staff_home(request: UserRequest) -> HttpResponse:
    ctx: dict[str, Any] = {"role": request.user.get_role_display()}
    if request.user.role == Role.OPERATOR:
        ctx["by_status"] = dict(Order.objects.values_list("status").annotate(n=Count("pk")))
        ctx["statuses"] = OrderStatus.choices
        ctx["problems"] = ledger_audit() + orders_audit() + returns_audit()
        ctx["fees"] = (
            Account.objects.filter(code="platform:fees").aggregate(s=Sum("credits_posted"))["s"]
            or 0
        )
        ctx["fee_bps"] = settings.ANXIN_PLATFORM_FEE_BPS
        ctx["auto_confirm_days"] = settings.ANXIN_AUTO_CONFIRM_DAYS
        ctx["recent"] = order_sel.visible_orders(request.user).order_by("-created_at")[:20]
    return render(request, "web/staff_home.html", ctx)


@login_required
def notifications(request: UserRequest) -> HttpResponse:
    """GET: your notices, changing nothing (a prefetching browser or a link checker must not
    mark them read). POST: mark one read (`notice`), or all of them."""
    mine = Notification.objects.filter(user=request.user)
    if request.method == "POST":
        unread = mine.filter(read_at__isnull=True)
        if "notice" in request.POST:
            try:
                pk = parse_int(request.POST["notice"], "notice", minimum=1)
            except DomainError as e:
                return error_page(request, e)
            if not mine.filter(pk=pk).exists():
                return error_page(request, NotFound(msg("notice {pk}: not found", pk=pk)))
            unread = unread.filter(pk=pk)
        unread.update(read_at=timezone.now())
        return redirect("web:notifications")
    rows = notices_list(request.user)
    items = [{"n": n, "text": notice_text(n), "url": notice_url(n)} for n in rows]
    return render(
        request,
        "web/notifications.html",
        {"items": items, "unread": any(n.read_at is None for n in rows)},
    )
