"""A seller's own pages: its shop profile; verification (verify or re-verify, licences, the
registration duty the law engine decides); its badge. And the operator's licence review queue.
The seller's public record, with its reviews and credit, is reputation's page."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from anxin.accounts import services as accounts
from anxin.accounts.models import Role
from anxin.accounts.pages import UserRequest, role_required
from anxin.core.errors import DomainError, ValidationFailed, msg
from anxin.core.pages import page_lang, user_message
from anxin.core.text import clean_text, parse_int
from anxin.sellers import badge, services
from anxin.sellers.models import (
    Badge,
    Kind,
    Level,
    Licence,
    LicenceKind,
    LicenceStatus,
    Verification,
)
from anxin.web.regions import region_from


def _date(value: str, field: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValidationFailed(
            msg("{field}: a date as YYYY-MM-DD", field=field), field=field
        ) from None


@role_required(Role.SELLER)
def seller_profile(request: UserRequest) -> HttpResponse:
    profile = getattr(request.user, "seller_profile", None)
    error = None
    form = request.POST.get("form", "") if request.method == "POST" else ""
    if form in ("closure", "closure_cancel"):
        try:
            if form == "closure":
                c = services.shop_closure_announce(
                    actor=request.user, reason=request.POST.get("reason", "")
                )
                messages.success(
                    request,
                    _(
                        "Closure announced. Your shop page shows it; the shop closes at the end "
                        "of %(day)s."
                    )
                    % {"day": date_format(c.last_day, "DATE_FORMAT")},
                )
            else:
                services.shop_closure_cancel(actor=request.user)
                messages.success(request, _("The closure is called off. Your shop trades on."))
        except DomainError as e:
            error = user_message(e)
        else:
            return redirect("web:seller_profile")
    elif request.method == "POST":
        try:
            accounts.seller_profile_update(
                user=request.user,
                shop_name=request.POST.get("shop_name", ""),
                contact_phone=request.POST.get("contact_phone", ""),
                wechat_id=request.POST.get("wechat_id", ""),
                return_address=request.POST.get("return_address"),
                address_region=region_from(request.POST, "address_region"),
            )
        except DomainError as e:
            error = user_message(e)
        else:
            messages.success(request, _("Profile saved."))
            return redirect("web:seller_home")
    closure = services.shop_closure_of(request.user.pk)
    return render(
        request,
        "sellers/seller_profile.html",
        {
            "profile": profile,
            "error": error,
            "closure": closure,
            "closed": closure is not None and closure.closes_at <= timezone.now(),
            "notice_days": services.shop_closure_notice_days(),
            "last_day_if_today": services.shop_closure_last_day(),
        },
    )


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
                services.seller_verify(
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
            error = user_message(e)
    v = Verification.objects.filter(seller=request.user).first()
    ctx: dict[str, Any] = {
        "v": v,
        "level": Level(services.seller_level(request.user)).label,
        "licences": Licence.objects.filter(seller=request.user).order_by("-submitted_at"),
        "kinds": Kind.choices,
        "licence_kinds": LicenceKind.choices,
        "duty": services.seller_registration_duty(request.user) if v else [],
        "error": error,
        "form": request.POST,
        "LANG": page_lang(),
    }
    return render(request, "sellers/seller_verification.html", ctx, status=422 if error else 200)


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
            messages.error(request, user_message(e))
        return redirect("web:licence_queue")
    pending = Licence.objects.filter(status=LicenceStatus.PENDING).select_related("seller")
    return render(request, "sellers/licence_queue.html", {"pending": pending})


@role_required(Role.SELLER)
def seller_badge(request: UserRequest) -> HttpResponse:
    """POST issues a new badge. A GET (the address typed, or a link followed) goes to the
    seller's public page, where the badge and its button are, rather than a blank 405."""
    if request.method != "POST":
        return redirect("web:seller_public", request.user.pk)
    try:
        badge.issue(actor=request.user)
        messages.success(request, _("Your new badge is ready."))
    except DomainError as e:
        messages.error(request, user_message(e))
    return redirect("web:seller_public", request.user.pk)


@role_required(Role.SELLER)
def seller_badge_qr(request: UserRequest) -> HttpResponse:
    b = (
        Badge.objects.filter(seller=request.user, revoked_at__isnull=True)
        .order_by("-issued_at")
        .first()
    )
    if b is None:
        return render(request, "web/error.html", {"message": _("No badge yet.")}, status=404)
    url = f"{settings.ANXIN_SITE_URL}/s/{request.user.pk}?badge={badge.encode(b.note)}"
    svg = io.BytesIO()  # a file of its own, with its namespace (see catalog.views.checkout_qr)
    segno.make(url, error="l").save(svg, kind="svg", xmldecl=False, scale=3, border=2)
    return HttpResponse(svg.getvalue(), content_type="image/svg+xml")


def badge_key(request: HttpRequest) -> HttpResponse:
    """The platform's badge verifier key, for checking badges offline."""
    return HttpResponse(badge.verifier().vkey() + "\n", content_type="text/plain; charset=utf-8")


@login_required
def identity_disclose(request: UserRequest) -> HttpResponse:
    """A seller's real identity, given to whom the law entitles: a regulator or the operator,
    or a buyer of the seller's naming the order or admitted case (Consumer Rights Protection
    Law Art. 44). Who may ask is the service's rule (seller_identity_may_ask), and whether a
    buyer's order or case entitles them is the disclosure's own check. Every disclosure is
    recorded; the identity is shown on this response only, never kept in the session."""
    if not services.seller_identity_may_ask(request.user):
        return render(
            request, "web/error.html", {"message": _("This page is not for your role.")}, status=403
        )
    src = request.POST if request.method == "POST" else request.GET
    ctx: dict[str, Any] = {
        "seller": src.get("seller", ""),
        "reference": src.get("reference", ""),
        "needs_reference": services.seller_identity_needs_reference(request.user),
    }
    status = 200
    if request.method == "POST":
        try:
            seller_id = parse_int(request.POST.get("seller"), "seller", minimum=1)
            # A buyer is entitled only through an order or case of hers: the field is required.
            reference = clean_text(
                request.POST.get("reference", ""),
                "reference",
                40,
                required=ctx["needs_reference"],
            )
            ctx["identity"] = services.seller_identity_disclose(
                actor=request.user, seller_id=seller_id, reference=reference
            )
            ctx["seller_id"] = seller_id
            messages.success(
                request, _("The seller's identity is shown below. This disclosure is recorded.")
            )
        except DomainError as e:
            messages.error(request, user_message(e))
            status = e.status
    return render(request, "sellers/identity.html", ctx, status=status)
