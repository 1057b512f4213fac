"""A seller's verification page: verify or re-verify, licences, the registration duty the
law engine decides; and the operator's licence review queue."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from anxin.accounts.models import Role
from anxin.core.errors import DomainError, ValidationFailed
from anxin.core.text import parse_int
from anxin.sellers import services
from anxin.sellers.models import (
    Badge,
    Kind,
    Level,
    Licence,
    LicenceKind,
    LicenceStatus,
    Verification,
)
from anxin.web.views import UserRequest, page_lang, role_required


def _date(value: str, field: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValidationFailed(f"{field}: a date as YYYY-MM-DD", field=field) from None


@role_required(Role.SELLER)
def verification(request: UserRequest) -> HttpResponse:
    error = None
    if request.method == "POST":
        p = request.POST
        try:
            if p.get("form") == "licence":
                services.licence_submit(
                    actor=request.user,
                    kind=p.get("kind", ""),
                    number=p.get("number", ""),
                    valid_until=_date(p.get("valid_until", ""), "valid_until"),
                    document=request.FILES.get("document"),
                )
                messages.success(request, _("Licence sent for review."))
            else:
                services.verify(
                    actor=request.user,
                    kind=p.get("kind", ""),
                    name=p.get("name", ""),
                    number=p.get("number", ""),
                    address=p.get("address", ""),
                    contact=p.get("contact", ""),
                    licence_file=request.FILES.get("licence_file"),
                )
                messages.success(request, _("Verified."))
            return redirect("web:seller_verification")
        except DomainError as e:
            error = e.detail
    v = Verification.objects.filter(seller=request.user).first()
    ctx: dict[str, Any] = {
        "v": v,
        "level": Level(services.level(request.user)).label,
        "licences": Licence.objects.filter(seller=request.user).order_by("-submitted_at"),
        "kinds": Kind.choices,
        "licence_kinds": LicenceKind.choices,
        "duty": services.registration_duty(request.user) if v else [],
        "error": error,
        "form": request.POST,
        "LANG": page_lang(),
    }
    return render(request, "web/seller_verification.html", ctx, status=422 if error else 200)


@role_required(Role.OPERATOR)
def licence_queue(request: UserRequest) -> HttpResponse:
    if request.method == "POST":
        try:
            services.licence_review(
                actor=request.user,
                licence_id=parse_int(request.POST.get("licence"), "licence"),
                approve=request.POST.get("approve") == "1",
                reason=request.POST.get("reason", ""),
            )
            messages.success(request, _("Done."))
        except DomainError as e:
            messages.error(request, e.detail)
        return redirect("web:licence_queue")
    pending = Licence.objects.filter(status=LicenceStatus.PENDING).select_related("seller")
    return render(request, "web/licence_queue.html", {"pending": pending})


def seller_public(request: HttpRequest, seller_id: int) -> HttpResponse:
    """The seller's live page: who it is, how it is verified, its licences; with a scanned
    badge (?badge=), whether that badge is genuine, current or revoked."""
    from anxin.accounts.models import User
    from anxin.reputation import blacklist, credit
    from anxin.reputation.api import review_out
    from anxin.reputation.services import reviews_of
    from anxin.sellers import badge

    seller = (
        User.objects.filter(pk=seller_id, role=Role.SELLER).select_related("seller_profile").first()
    )
    if seller is None:
        return render(request, "web/error.html", {"message": _("No such seller.")}, status=404)
    v = Verification.objects.filter(seller=seller).first()
    verdict = None
    if request.GET.get("badge"):
        try:
            note = badge.decode(request.GET["badge"])
        except ValueError:
            note = ""
        checked, verdict = badge.live(note)
        if checked is not None and checked.fields.get("seller") != str(seller.pk):
            verdict = "forged"
    profile = getattr(seller, "seller_profile", None)
    return render(
        request,
        "web/seller_public.html",
        {
            "shop": profile.shop_name if profile else seller.username,
            "seller_id": seller.pk,
            "level": Level(services.level(seller)).label,
            "lapsed": v is not None and v.status == "lapsed",
            "since": v.verified_at if v else None,
            "licences": services.active_licences(seller),
            "verdict": verdict,
            "is_owner": request.user.is_authenticated and request.user.pk == seller.pk,
            "badge_url": Badge.objects.filter(seller=seller, revoked_at__isnull=True).exists(),
            "reviews": [review_out(r) for r in reviews_of(seller)],
            "credit": credit.explain(seller.pk),
            "min_orders": settings.ANXIN_CREDIT_MIN_ORDERS,
            "standing": blacklist.standing(seller.pk),
            "now": timezone.now(),
            "may_adjust": request.user.is_authenticated
            and getattr(request.user, "role", "") == Role.OPERATOR,
        },
    )


@require_POST
@role_required(Role.OPERATOR)
def seller_adjust(request: UserRequest, seller_id: int) -> HttpResponse:
    """The operator's adjustment of a seller's score, from the seller's page."""
    from anxin.reputation import credit

    try:
        credit.adjust(
            actor=request.user,
            seller_id=seller_id,
            points=parse_int(request.POST.get("points"), "points"),
            days=parse_int(request.POST.get("days"), "days"),
            reason=request.POST.get("reason", ""),
        )
        messages.success(request, _("The adjustment is recorded and shown on the seller's page."))
    except DomainError as e:
        messages.error(request, e.detail)
    return redirect("web:seller_public", seller_id)


@require_POST
@role_required(Role.SELLER)
def seller_badge(request: UserRequest) -> HttpResponse:
    from anxin.sellers import badge

    try:
        badge.issue(actor=request.user)
        messages.success(request, _("Your new badge is ready."))
    except DomainError as e:
        messages.error(request, e.detail)
    return redirect("web:seller_public", request.user.pk)


@role_required(Role.SELLER)
def seller_badge_qr(request: UserRequest) -> HttpResponse:
    import segno

    from anxin.sellers import badge

    b = (
        Badge.objects.filter(seller=request.user, revoked_at__isnull=True)
        .order_by("-issued_at")
        .first()
    )
    if b is None:
        return render(request, "web/error.html", {"message": _("No badge yet.")}, status=404)
    url = f"{settings.ANXIN_SITE_URL}/s/{request.user.pk}?badge={badge.encode(b.note)}"
    svg = io.BytesIO()  # a file of its own, with its namespace (see views.checkout_qr)
    segno.make(url, error="l").save(svg, kind="svg", xmldecl=False, scale=3, border=2)
    return HttpResponse(svg.getvalue(), content_type="image/svg+xml")


def badge_key(request: HttpRequest) -> HttpResponse:
    """The platform's badge verifier key, for checking badges offline."""
    from anxin.sellers import badge

    return HttpResponse(badge.verifier().vkey() + "\n", content_type="text/plain; charset=utf-8")


def blacklist_page(request: HttpRequest) -> HttpResponse:
    """The public blacklist; a seller with a notice sees it here and appeals."""
    from anxin.reputation import blacklist
    from anxin.reputation.models import BlacklistEntry, Ground

    if request.method == "POST" and request.user.is_authenticated:
        try:
            blacklist.appeal(
                actor=request.user,  # type: ignore[arg-type]
                entry_id=parse_int(request.POST.get("entry"), "entry"),
                text=request.POST.get("text", ""),
            )
            messages.success(request, _("Your appeal is recorded."))
        except DomainError as e:
            messages.error(request, e.detail)
        return redirect("web:blacklist")
    grounds = dict(Ground.choices)
    rows = [{**r, "ground": grounds.get(r["ground"], r["ground"])} for r in blacklist.public_list()]
    mine = (
        BlacklistEntry.objects.filter(seller_id=request.user.pk).order_by("-noticed_at")
        if request.user.is_authenticated
        else []
    )
    return render(request, "web/blacklist.html", {"rows": rows, "mine": mine})
