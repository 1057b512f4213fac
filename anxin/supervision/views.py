"""The open complaint channel's pages: filing a complaint about any seller (with the law's view
of it at once), the complainant's list, the regulator's queue, and the complaint's page with
what each reader may do there. Thin: parse the form, call a service, show the result."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Case, IntegerField, Value, When
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from anxin.accounts.models import Role, SellerProfile, User
from anxin.accounts.pages import UserRequest
from anxin.core import media
from anxin.core.divisions import division_label
from anxin.core.errors import DomainError, NotFound, ValidationFailed, msg
from anxin.core.money import parse_yuan
from anxin.core.pages import error_page, user_message
from anxin.core.text import parse_int
from anxin.supervision import selectors, services
from anxin.supervision.models import Complaint, ComplaintStatus, Organisation, OrgKind, RegionBasis
from anxin.web.regions import region_from

REFUSAL_GROUNDS = {
    "not_our_remit": gettext_lazy(
        "The matter is not for the market regulator, or not for this office"
    ),
    "not_consumer": gettext_lazy(
        "Not bought for personal use, or no consumer dispute with the seller shown"
    ),
    "materials": gettext_lazy("The materials the measures require are missing or false"),
    "impersonation": gettext_lazy(
        "Filed in someone else's name, or the identity could not be checked"
    ),
    "other_law": gettext_lazy("Another law or regulation says it is not to be accepted"),
}


def _date(raw: str, field: str) -> dt.date | None:
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise ValidationFailed(
            msg("{field}: not a date (YYYY-MM-DD)", field=field), field=field
        ) from None


def _seller_named(request: HttpRequest) -> services.SellerNamed:
    p = request.POST
    seller_id = p.get("seller_id", "")
    return services.SellerNamed(
        seller_id=parse_int(seller_id, "seller_id", minimum=1) if seller_id else None,
        name=p.get("seller_name", ""),
        wechat=p.get("seller_wechat", ""),
        platform=p.get("seller_platform", ""),
        link=p.get("seller_link", ""),
        address=p.get("seller_address", ""),
        region=region_from(p, "seller_region"),
    )


@login_required
def complaint_new(request: UserRequest) -> HttpResponse:
    """A complaint to the market regulator about any seller: an Anxin seller (?seller=ID),
    or one named by its shop name, WeChat ID, platform and link."""
    user: User = request.user
    raw = request.GET.get("seller") or request.POST.get("seller_id") or ""
    seller = None
    if raw:
        try:
            seller_id = parse_int(raw, "seller_id", minimum=1)
        except DomainError as e:
            return error_page(request, e)
        seller = SellerProfile.objects.filter(user_id=seller_id).select_related("user").first()
        if seller is None:
            return error_page(request, NotFound(msg("seller {id}: not found", id=seller_id)))
    ctx: dict[str, Any] = {
        "seller": seller,
        "form": request.POST,
        "today": timezone.localdate().isoformat(),
        "has_phone": bool(user.phone),
        "phone_url": reverse("web:phone_add") + "?next=" + request.get_full_path(),
    }
    if request.method == "POST":
        try:
            c = services.complaint_file(
                actor=user,
                seller=_seller_named(request),
                materials=services.Materials(
                    name=request.POST.get("complainant_name", ""),
                    address=request.POST.get("complainant_address", ""),
                    request=request.POST.get("request", ""),
                    facts=request.POST.get("facts", ""),
                    knew_at=_date(request.POST.get("knew_at", ""), "knew_at"),
                    paid_fen=parse_yuan(request.POST.get("paid", "") or "0", field="paid_fen"),
                    handled_elsewhere=request.POST.get("handled_elsewhere") == "1",
                ),
                files=request.FILES.getlist("evidence"),
            )
        except DomainError as e:
            ctx["error"] = user_message(e)
        else:
            if c.status == ComplaintStatus.REFUSED:
                messages.error(
                    request,
                    _(
                        "The law does not let the regulator accept this complaint. Its page "
                        "says why and what you can do instead."
                    ),
                )
            else:
                messages.success(
                    request,
                    _(
                        "Your complaint is filed. The regulator decides whether to accept it "
                        "by the date on its page."
                    ),
                )
            return redirect("web:complaint", c.number)
    return render(
        request, "supervision/complaint_new.html", ctx, status=422 if "error" in ctx else 200
    )


@login_required
def complaint_list(request: UserRequest) -> HttpResponse:
    """The reader's complaints: those one made; for a regulator's staff, its office's queue
    (waiting ones first, nearest due first); for a seller, those accepted against it."""
    org = selectors.organisation_of(request.user)
    if org is not None and org.kind != OrgKind.REGULATOR:
        org = None  # an association's work is on its mediation page
    queue = None
    if org is not None:
        queue = selectors.complaints_for(org).order_by(
            Case(
                When(status=ComplaintStatus.RECEIVED, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            ),
            "decide_by",
            "-received_at",
        )[:200]
    return render(
        request,
        "supervision/complaint_list.html",
        {
            "organisation": org,
            "queue": queue,
            "mine": selectors.complaints_of(request.user)[:100],
            "against": selectors.complaints_against(request.user)[:100],
            "now": timezone.now(),
        },
    )


def _complaint_for(request: UserRequest, number: str) -> tuple[Complaint, str]:
    c = Complaint.objects.filter(number=number).select_related("regulator").first()
    role = selectors.complaint_role(request.user, c) if c is not None else None
    if c is None or role is None:
        raise NotFound(msg("complaint {number}: not found", number=number))
    return c, role


@login_required
def complaint_page(request: UserRequest, number: str) -> HttpResponse:
    try:
        c, role = _complaint_for(request, number)
    except DomainError as e:
        return error_page(request, e)
    decision = c.law or {}
    return render(
        request,
        "supervision/complaint.html",
        {
            "c": c,
            "role": role,
            "region": division_label(c.region),
            "basis": RegionBasis(c.region_basis).label,
            "decision": decision,
            "reasons": decision.get("reasons", {}),
            "citations": decision.get("citations", []),
            "files": list(c.files.all()) if role != "seller" else [],
            "grounds": REFUSAL_GROUNDS,
            "ground_label": REFUSAL_GROUNDS.get(c.refusal_ground, ""),
            "waiting": c.status == ComplaintStatus.RECEIVED,
            "overdue": c.status == ComplaintStatus.RECEIVED and c.decide_by <= timezone.now(),
        },
    )


@login_required
@require_POST
def complaint_act(request: UserRequest, number: str, action: str) -> HttpResponse:
    """admit / refuse (the regulator's staff), withdraw (the complainant)."""
    try:
        if action == "admit":
            services.complaint_admit(actor=request.user, number=number)
            messages.success(request, _("Accepted. The complainant and the seller are told."))
        elif action == "refuse":
            services.complaint_refuse(
                actor=request.user,
                number=number,
                ground=request.POST.get("ground", ""),
                note=request.POST.get("note", ""),
            )
            messages.success(
                request, _("Not accepted. The complainant is told why and what else to do.")
            )
        elif action == "withdraw":
            services.complaint_withdraw(actor=request.user, number=number)
            messages.success(request, _("Your complaint is withdrawn."))
        else:
            raise NotFound(msg("complaint {number}: not found", number=number))
    except DomainError as e:
        if e.status == 404:
            return error_page(request, e)
        messages.error(request, user_message(e))
    return redirect("web:complaint", number)


@login_required
def complaint_file(request: UserRequest, number: str, file_id: int) -> HttpResponseBase:
    """A piece of the complaint's evidence: for the complainant and the regulator's staff."""
    try:
        c, role = _complaint_for(request, number)
        f = c.files.filter(pk=file_id).first()
        if role == "seller" or f is None:
            raise NotFound(msg("complaint {number}: not found", number=number))
        return media.file_response(
            f.file, content_type=f.content_type, sha256=f.sha256, public=False
        )
    except DomainError as e:
        return error_page(request, e)


@login_required
def organisations(request: UserRequest) -> HttpResponse:
    """The operator's page of consumer associations and market regulators and their staff."""
    if request.user.role != Role.OPERATOR:
        return error_page(request, NotFound("page: not found"))
    error = None
    if request.method == "POST":
        p = request.POST
        try:
            if p.get("form") == "staff":
                services.organisation_staff_add(
                    actor=request.user,
                    organisation_id=parse_int(p.get("organisation"), "organisation", minimum=1),
                    username=p.get("username", ""),
                )
                messages.success(request, _("Staff member added."))
            elif p.get("form") == "remove":
                services.organisation_staff_remove(
                    actor=request.user, staff_id=parse_int(p.get("staff"), "staff", minimum=1)
                )
                messages.success(request, _("Staff member removed."))
            else:
                services.organisation_create(
                    actor=request.user,
                    kind=p.get("kind", ""),
                    name=p.get("name", ""),
                    region=region_from(p, "region"),
                )
                messages.success(request, _("Organisation added."))
            return redirect("web:organisations")
        except DomainError as e:
            error = user_message(e)
    orgs = Organisation.objects.prefetch_related("staff__user").order_by("region", "kind")
    return render(
        request,
        "supervision/organisations.html",
        {
            "organisations": [(o, division_label(o.region)) for o in orgs],
            "error": error,
            "form": request.POST,
        },
        status=422 if error else 200,
    )
