"""A market regulator's pages: its office (recording an interview, a warning, an order to
correct, a penalty decision or a referral; asking the platform for data; its early warnings),
each act's page (publishing a penalty; the seller answering an order to correct), a data
request's page (the operator answering it), an early warning's page, and the public penalties
page. Thin: parse the form, call a service, show the result."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from anxin.accounts.models import Role, SellerProfile
from anxin.accounts.pages import UserRequest
from anxin.core import media
from anxin.core.divisions import division_label
from anxin.core.errors import DomainError, NotFound, ValidationFailed, msg
from anxin.core.money import parse_yuan
from anxin.core.pages import error_page, user_message
from anxin.core.text import parse_int
from anxin.supervision import regulator as reg
from anxin.supervision import selectors
from anxin.supervision.models import Organisation, OrgKind
from anxin.supervision.models_regulator import (
    ActionKind,
    ActionStatus,
    DataRequest,
    EarlyWarning,
    OffenceKind,
    RegulatorAction,
    RequestStatus,
)
from anxin.supervision.services import FILES_MAX
from anxin.supervision.views import _date


def _sellers_covered(office: Organisation) -> list[SellerProfile]:
    """The Anxin sellers whose route leads to the office's region (for its forms)."""
    prefix = office.region.rstrip("0")
    prefix = prefix + "0" * (len(prefix) % 2)
    rows = SellerProfile.objects.filter(
        Q(address_region__startswith=prefix) | Q(address_region="")
    ).order_by("shop_name")[:300]
    return [p for p in rows if reg.covers(office, reg.seller_region(p.user_id))]


def _target(request: HttpRequest) -> reg.Target:
    p = request.POST
    raw = p.get("seller_id", "")
    return reg.Target(
        seller_id=parse_int(raw, "seller_id", minimum=1) if raw else None,
        complaint=p.get("complaint", "").strip(),
    )


def _seller_pick(request: HttpRequest) -> int | None:
    """The Anxin seller a link chose (?seller=ID), for the office's forms."""
    raw = request.GET.get("seller", "")
    return int(raw) if raw.isdigit() and len(raw) < 12 else None


def _fen(raw: str, field: str) -> int:
    return parse_yuan(raw.strip() or "0", field=field)


@login_required
def office_page(request: UserRequest) -> HttpResponse:
    """The regulator's office; an association's staff see their region's early warnings; the
    operator the platform's data requests; a seller the acts recorded about its shop."""
    user = request.user
    org = selectors.organisation_of(user)
    ctx: dict[str, Any] = {"org": org, "now": timezone.now(), "form": request.POST}
    if org is not None:
        ctx["warnings"] = EarlyWarning.objects.filter(
            Q(regulator=org) | Q(association=org)
        ).order_by("-raised_at")[:50]
    if org is not None and org.kind == OrgKind.REGULATOR:
        ctx |= {
            "is_regulator": True,
            "actions": reg.actions_of(org).select_related("seller")[:100],
            "requests": DataRequest.objects.filter(organisation=org).order_by("-asked_at")[:50],
            "sellers": _sellers_covered(org),
            "kinds": ActionKind.choices,
            "offences": OffenceKind.choices,
            "today": timezone.localdate().isoformat(),
            # From a complaint's page: the act is about the seller it names.
            "complaint_number": request.GET.get("complaint", "")[:24],
            "seller_pick": _seller_pick(request),
        }
    elif user.role == Role.OPERATOR:
        ctx["operator_requests"] = DataRequest.objects.select_related(
            "organisation", "seller"
        ).order_by("status", "answer_by")[:100]
    elif user.role == Role.SELLER:
        ctx["against"] = reg.actions_against(user)[:100]
    elif org is None:
        return error_page(request, NotFound("no such page"))
    return render(request, "supervision/office.html", ctx)


@login_required
@require_POST
def action_new(request: UserRequest) -> HttpResponse:
    """Record an act about a seller: the form's `kind` picks the service."""
    p = request.POST
    kind = p.get("kind", "")
    try:
        target = _target(request)
        summary = p.get("summary", "")
        if kind == ActionKind.PENALTY:
            a = reg.penalty_decide(
                actor=request.user,
                target=target,
                summary=summary,
                terms=reg.PenaltyTerms(
                    offence=p.get("offence", ""),
                    committed_at=_date(p.get("committed_at", ""), "committed_at"),
                    illegal_gains_fen=_fen(p.get("illegal_gains", ""), "illegal_gains_fen"),
                    fine_fen=_fen(p.get("fine", ""), "fine_fen"),
                    minor=p.get("minor") == "1",
                ),
            )
        elif kind == ActionKind.REFERRAL:
            a = reg.referral_make(
                actor=request.user,
                target=target,
                summary=summary,
                evidence_refs=p.get("evidence", "").split(),
            )
        else:
            days = p.get("correct_days", "")
            a = reg.action_record(
                actor=request.user,
                target=target,
                kind=kind,
                summary=summary,
                correct_days=parse_int(days, "correct_days", minimum=1) if days else None,
            )
    except DomainError as e:
        if e.status == 404:
            return error_page(request, e)
        messages.error(request, user_message(e))
        return redirect("web:supervision")
    messages.success(request, _("Recorded. The seller is told when it is on Anxin."))
    return redirect("web:regulator_action", a.number)


def _action_for(request: UserRequest, number: str) -> tuple[RegulatorAction, str]:
    a = (
        RegulatorAction.objects.filter(number=number)
        .select_related("organisation", "blacklist_entry", "complaint")
        .first()
    )
    role = reg.action_role(request.user, a) if a is not None else None
    if a is None or role is None:
        raise NotFound(msg("action {number}: not found", number=number))
    return a, role


@login_required
def action_page(request: UserRequest, number: str) -> HttpResponse:
    try:
        a, role = _action_for(request, number)
    except DomainError as e:
        return error_page(request, e)
    law = a.law or {}
    now = timezone.now()
    return render(
        request,
        "supervision/action.html",
        {
            "a": a,
            "files": list(a.answer_files.order_by("pk")),
            "files_max": FILES_MAX,
            "role": role,
            "law": law,
            "band": (law.get("penalties") or [None])[0],
            "reasons": law.get("reasons", {}),
            "citations": law.get("citations", []),
            "open": a.status == ActionStatus.OPEN
            and a.correct_by is not None
            and a.correct_by > now,
            "publishable": a.kind == ActionKind.PENALTY and a.published_at is None,
            "shown": a.published_at is not None
            and a.shown_until is not None
            and a.shown_until > now,
        },
    )


@login_required
@require_POST
def action_act(request: UserRequest, number: str, action: str) -> HttpResponse:
    """publish (the office's staff), answer (the seller, to an order to correct)."""
    try:
        if action == "publish":
            reg.penalty_publish(actor=request.user, number=number)
            messages.success(request, _("Published on the public penalties page."))
        elif action == "answer":
            reg.correction_answer(
                actor=request.user,
                number=number,
                note=request.POST.get("note", ""),
                files=request.FILES.getlist("evidence"),
            )
            messages.success(request, _("Your answer is recorded. The regulator is told."))
        else:
            raise NotFound(msg("action {number}: not found", number=number))
    except DomainError as e:
        if e.status == 404:
            return error_page(request, e)
        messages.error(request, user_message(e))
    return redirect("web:regulator_action", number)


@login_required
def action_file(request: UserRequest, number: str, file_id: int) -> HttpResponseBase:
    """A file of the seller's answer to an order to correct: for the office and the seller."""
    try:
        f = reg.answer_file_for(request.user, number, file_id)
        return media.file_response(
            f.file, content_type=f.content_type, sha256=f.sha256, public=False
        )
    except DomainError as e:
        return error_page(request, e)


@login_required
@require_POST
def data_request_new(request: UserRequest) -> HttpResponse:
    p = request.POST
    try:
        raw = p.get("seller_id", "")
        if not raw:
            raise ValidationFailed("seller_id: name a seller or a complaint", field="seller_id")
        r = reg.data_request_make(
            actor=request.user,
            seller_id=parse_int(raw, "seller_id", minimum=1),
            purpose=p.get("purpose", ""),
            period_from=_date(p.get("period_from", ""), "period_from"),
            period_to=_date(p.get("period_to", ""), "period_to"),
        )
    except DomainError as e:
        if e.status == 404:
            return error_page(request, e)
        messages.error(request, user_message(e))
        return redirect("web:supervision")
    messages.success(request, _("Sent to the platform. It answers by the date shown."))
    return redirect("web:data_request", r.number)


@login_required
def data_request_page(request: UserRequest, number: str) -> HttpResponse:
    try:
        r, role = reg.request_for_reader(request.user, number)
    except DomainError as e:
        return error_page(request, e)
    shop = SellerProfile.objects.filter(user_id=r.seller_id).first()
    return render(
        request,
        "supervision/data_request.html",
        {
            "r": r,
            "role": role,
            "shop": shop.shop_name if shop else r.seller.username,
            "open": r.status == RequestStatus.OPEN,
            "overdue": r.status == RequestStatus.OPEN and r.answer_by <= timezone.now(),
        },
    )


@login_required
@require_POST
def data_request_answer(request: UserRequest, number: str) -> HttpResponse:
    try:
        reg.data_request_answer(
            actor=request.user, number=number, note=request.POST.get("note", "")
        )
    except DomainError as e:
        if e.status == 404:
            return error_page(request, e)
        messages.error(request, user_message(e))
    else:
        messages.success(request, _("Answered. The export is on the evidence log."))
    return redirect("web:data_request", number)


@login_required
def data_request_file(request: UserRequest, number: str) -> HttpResponseBase:
    """The export (a ZIP): for the staff of the office that asked, and no one else."""
    try:
        r = reg.request_export(request.user, number)
        return media.file_response(
            r.file, content_type=reg.export_type(r), sha256=r.sha256, public=False
        )
    except DomainError as e:
        return error_page(request, e)


@login_required
def warning_page(request: UserRequest, number: str) -> HttpResponse:
    w = EarlyWarning.objects.filter(number=number).select_related("seller").first()
    org = selectors.organisation_of(request.user)
    if w is None or org is None or org.pk not in (w.regulator_id, w.association_id):
        return error_page(
            request, NotFound(msg("early warning {number}: not found", number=number))
        )
    shop = SellerProfile.objects.filter(user_id=w.seller_id).first()
    return render(
        request,
        "supervision/warning.html",
        {
            "w": w,
            "shop": shop.shop_name if shop else w.seller.username,
            "region": division_label(w.region) if w.region else "",
            "is_regulator": org.kind == OrgKind.REGULATOR,
        },
    )


def penalties_public(request: HttpRequest) -> HttpResponse:
    """The public penalties page: published decisions while they are shown (PDR Art. 13)."""
    rows = list(reg.penalties_shown().select_related("organisation")[:200])
    return render(request, "supervision/penalties.html", {"rows": rows})
