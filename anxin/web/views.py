"""The shell's pages: the landing page and the way home for each role, the seller's home,
the staff desk, and the notices every app sends. The shell sits above every app, so its pages
may read any app's selectors; each app's own pages live in that app's views."""

from __future__ import annotations

import datetime as dt
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
from anxin.aftersales.selectors import aftersales_waiting_for_seller, seller_deadline
from anxin.catalog import selectors as catalog_sel
from anxin.core.errors import DomainError, NotFound, msg
from anxin.core.pages import error_page
from anxin.core.text import parse_int
from anxin.disputes.selectors import cases_waiting_for_seller, desk_cases
from anxin.ledger.audit import audit_latest
from anxin.ledger.models import Account
from anxin.notices.models import Notification
from anxin.notices.selectors import notices_list
from anxin.notices.texts import notice_text, notice_url
from anxin.orders import selectors as order_sel
from anxin.orders.models import Order, OrderStatus
from anxin.reconcile.services import alerts_open_count, may_reconcile
from anxin.reputation import blacklist
from anxin.reputation.services import review_may_hide, reviews_recent
from anxin.sellers.models import Level, Verification
from anxin.sellers.models import Status as VerificationStatus
from anxin.sellers.selectors import licences_pending
from anxin.sellers.services import licence_may_review, seller_identity_may_ask, seller_level
from anxin.web import lookup
from anxin.web.dashboard import WINDOWS, dashboard

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
    """The seller's home: what needs doing first (the orders to ship by their ship-by date,
    the after-sales requests and complaints that wait for the seller, each with its deadline
    and what happens if the seller lets it pass), then its money and its listings; and, until
    the seller is verified (or while re-verification is overdue), a card leading to
    verification, as nothing can be listed before (E-Commerce Law Art. 27)."""
    v = Verification.objects.filter(seller=request.user).first()
    after_sales = [
        {"a": a, "due": seller_deadline(a)} for a in aftersales_waiting_for_seller(request.user)
    ]
    return render(
        request,
        "web/seller_home.html",
        {
            "verified": seller_level(request.user) != Level.NONE,
            "verification_lapsed": v is not None and v.status == VerificationStatus.LAPSED,
            "money": order_sel.seller_money(request.user),
            "to_ship": order_sel.orders_to_ship(request.user),
            "after_sales": after_sales,
            "cases": cases_waiting_for_seller(request.user),
            "listings": catalog_sel.listings_of(request.user),
            "profile": getattr(request.user, "seller_profile", None),
        },
    )


@role_required(*STAFF_ROLES)
def staff_home(request: UserRequest) -> HttpResponse:
    """The staff desk: each queue the user has, with its count and nearest deadlines, every
    item linking to its page. Which queues a user has is each app's own rule: the cases they
    see and their role in each (disputes.selectors), who decides blacklistings, hides reviews,
    reviews licences and may have a seller's identity (reputation, sellers)."""
    user = request.user
    cases = desk_cases(user)
    ctx: dict[str, Any] = {
        "role": user.get_role_display(),
        "mine": [r for r in cases if r["waits_for_me"]],
        "others": [r for r in cases if not r["waits_for_me"]],
        "now": timezone.now(),
        "soon": timezone.now() + dt.timedelta(days=1),
    }
    if licence_may_review(user):
        ctx["licences"] = licences_pending()
    if blacklist.may_decide(user):
        ctx["notices"] = blacklist.awaiting_decision()
    if review_may_hide(user):
        recent = reviews_recent()
        ctx["reviews"] = recent
        ctx["reviews_shown"] = sum(r.hidden_at is None for r in recent)
    ctx["may_identity"] = seller_identity_may_ask(user)
    if user.role == Role.OPERATOR:
        ctx["by_status"] = dict(Order.objects.values_list("status").annotate(n=Count("pk")))
        ctx["statuses"] = OrderStatus.choices
        # The last recorded audit of the whole books (run hourly by a worker, or by `anxin
        # ledger audit`): auditing the whole history on every view would grow with it.
        ctx["audit"] = audit_latest()
        ctx["audit_stale"] = ctx["audit"] is None or ctx["audit"].finished_at < timezone.now() - (
            dt.timedelta(minutes=2 * (settings.ANXIN_AUDIT_EVERY_MINUTES or 60))
        )
        ctx["fees"] = (
            Account.objects.filter(code="platform:fees").aggregate(s=Sum("credits_posted"))["s"]
            or 0
        )
        ctx["fee_percent"] = f"{settings.ANXIN_PLATFORM_FEE_BPS / 100:g}"
        ctx["auto_confirm_days"] = settings.ANXIN_AUTO_CONFIRM_DAYS
        ctx["recent"] = order_sel.visible_orders(user).order_by("-created_at")[:20]
    if may_reconcile(user):
        ctx["reconcile_alerts"] = alerts_open_count()
    return render(request, "web/staff_home.html", ctx)


@role_required(Role.OPERATOR, Role.REGULATOR)
@require_GET
def staff_dashboard(request: UserRequest) -> HttpResponse:
    """The operator's and the regulator's dashboard: orders and complaints a day, the
    after-sales backlog and the guarantee fund's balance, over the last 30 days (`?days=90`
    for 90), each a chart drawn on the server with its figures in a table under it."""
    days = request.GET.get("days", "")
    days_back = int(days) if days in {str(w) for w in WINDOWS} else WINDOWS[0]
    return render(request, "web/staff_dashboard.html", dashboard(days_back))


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
