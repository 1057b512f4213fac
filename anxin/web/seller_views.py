"""A seller's verification page: verify or re-verify, licences, the registration duty the
law engine decides; and the operator's licence review queue."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from anxin.accounts.models import Role
from anxin.core.errors import DomainError, ValidationFailed
from anxin.sellers import services
from anxin.sellers.models import Kind, Level, Licence, LicenceKind, LicenceStatus, Verification
from anxin.web.views import UserRequest, role_required


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
        "LANG": "en" if (get_language() or "").startswith("en") else "zh-hans",
    }
    return render(request, "web/seller_verification.html", ctx, status=422 if error else 200)


@role_required(Role.OPERATOR)
def licence_queue(request: UserRequest) -> HttpResponse:
    if request.method == "POST":
        try:
            services.licence_review(
                actor=request.user,
                licence_id=int(request.POST.get("licence", "0") or 0),
                approve=request.POST.get("approve") == "1",
                reason=request.POST.get("reason", ""),
            )
            messages.success(request, _("Done."))
        except DomainError as e:
            messages.error(request, e.detail)
        return redirect("web:licence_queue")
    pending = Licence.objects.filter(status=LicenceStatus.PENDING).select_related("seller")
    return render(request, "web/licence_queue.html", {"pending": pending})
