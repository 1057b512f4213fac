"""The consumer association's pages: its mediation queue, a mediation's page (testing, the
outcome, the next route's package), referrals to the regulator and its answers, and the
public page of typical cases. Thin: parse the form, call a service, show the result."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Case, IntegerField, Q, Value, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from anxin.accounts.pages import UserRequest
from anxin.core.errors import DomainError, NotFound, msg
from anxin.core.money import parse_yuan
from anxin.core.pages import error_page, user_message
from anxin.supervision import mediation
from anxin.supervision.models import OrgKind
from anxin.supervision.models_association import (
    Mediation,
    MediationStatus,
    Referral,
    TypicalCase,
)


@login_required
def mediation_list(request: UserRequest) -> HttpResponse:
    """The association's queue (running first, nearest limit first), referrals, and the
    consumer's own mediations."""
    org = mediation.staff_org(request.user, OrgKind.ASSOCIATION)
    regulator = mediation.staff_org(request.user, OrgKind.REGULATOR)
    queue = None
    if org is not None:
        queue = (
            Mediation.objects.filter(association=org)
            .order_by(
                Case(
                    When(status__in=mediation.OPEN_STATES, then=Value(0)),
                    default=Value(1),
                    output_field=IntegerField(),
                ),
                "ends_at",
            )
            .select_related("association")[:200]
        )
    referrals = None
    if org is not None or regulator is not None:
        referrals = Referral.objects.filter(
            Q(association=org) if org is not None else Q(regulator=regulator)
        ).order_by("answered_at", "answer_by")[:100]
    return render(
        request,
        "supervision/mediation_list.html",
        {
            "organisation": org,
            "regulator": regulator,
            "queue": queue,
            "referrals": referrals,
            "mine": Mediation.objects.filter(consumer=request.user).order_by("-started_at")[:50],
            "now": timezone.now(),
        },
    )


@login_required
def mediation_page(request: UserRequest, number: str) -> HttpResponse:
    try:
        m, role = mediation.mediation_for_reader(request.user, number)
    except DomainError as e:
        return error_page(request, e)
    return render(
        request,
        "supervision/mediation.html",
        {
            "m": m,
            "role": role,
            "running": m.status in mediation.OPEN_STATES,
            "failed": m.status == MediationStatus.FAILED,
        },
    )


@login_required
@require_POST
def mediation_act(request: UserRequest, number: str, action: str) -> HttpResponse:
    """testing-start / testing-end / agreed / failed: the association's staff."""
    p = request.POST
    try:
        if action in ("testing-start", "testing-end"):
            mediation.mediation_testing(
                actor=request.user,
                number=number,
                start=action == "testing-start",
                note=p.get("note", ""),
            )
            messages.success(request, _("Saved. The limit is moved by the testing time."))
        elif action in ("agreed", "failed"):
            mediation.mediation_end(
                actor=request.user,
                number=number,
                agreed=action == "agreed",
                text=p.get("text", ""),
                settled_fen=parse_yuan(p.get("settled", "") or "0", field="settled_fen"),
            )
            messages.success(request, _("The outcome is recorded. Both parties are told."))
        else:
            raise NotFound(msg("mediation {number}: not found", number=number))
    except DomainError as e:
        if e.status == 404:
            return error_page(request, e)
        messages.error(request, user_message(e))
    return redirect("web:mediation", number)


@login_required
def mediation_package(request: UserRequest, number: str, route: str) -> HttpResponse:
    """The signed ZIP for the next route: `regulator` or `court`."""
    try:
        data = mediation.package(actor=request.user, number=number, route=route)
    except DomainError as e:
        return error_page(request, e)
    resp = HttpResponse(data, content_type="application/zip")
    resp["Content-Disposition"] = f'attachment; filename="anxin-{route}-{number}.zip"'
    return resp


@login_required
@require_POST
def mediation_start(request: UserRequest) -> HttpResponse:
    """Open a mediation: the complainant from a complaint (`complaint`), the regulator
    entrusting one (`entrust`, with `parties_agree`), or a buyer from a desk case (`case`)."""
    p = request.POST
    try:
        if p.get("case"):
            m = mediation.mediation_from_case(actor=request.user, case_number=p["case"])
        elif p.get("entrust"):
            m = mediation.mediation_entrust(
                actor=request.user,
                complaint_number=p["entrust"],
                parties_agree=p.get("parties_agree") == "1",
            )
        else:
            m = mediation.mediation_ask(actor=request.user, complaint_number=p.get("complaint", ""))
    except DomainError as e:
        if e.status == 404:
            return error_page(request, e)
        messages.error(request, user_message(e))
        back = (p.get("case") and "web:dispute") or "web:complaint"
        return redirect(back, p.get("case") or p.get("entrust") or p.get("complaint", ""))
    messages.success(
        request, _("The consumer association has the case and will contact both parties.")
    )
    return redirect("web:mediation", m.number)


@login_required
def referral_page(request: UserRequest, number: str) -> HttpResponse:
    r = Referral.objects.filter(number=number).select_related("association", "regulator").first()
    org = mediation.staff_org(request.user, OrgKind.ASSOCIATION)
    regulator = mediation.staff_org(request.user, OrgKind.REGULATOR)
    visible = r is not None and (
        (org is not None and r.association_id == org.pk)
        or (regulator is not None and r.regulator_id == regulator.pk)
    )
    if r is None or not visible:
        return error_page(request, NotFound(msg("referral {number}: not found", number=number)))
    if request.method == "POST":
        try:
            mediation.referral_answer(
                actor=request.user, number=number, answer=request.POST.get("answer", "")
            )
            messages.success(request, _("Your answer is sent to the consumer association."))
            return redirect("web:referral", number)
        except DomainError as e:
            if e.status == 404:
                return error_page(request, e)
            messages.error(request, user_message(e))
    return render(
        request,
        "supervision/referral.html",
        {"r": r, "may_answer": regulator is not None and r.answered_at is None},
    )


@login_required
def referral_new(request: UserRequest) -> HttpResponse:
    ctx: dict[str, Any] = {"form": request.POST}
    if request.method == "POST":
        try:
            r = mediation.referral_make(
                actor=request.user,
                seller_name=request.POST.get("seller_name", ""),
                text=request.POST.get("text", ""),
                cases=request.POST.get("cases", "").split(),
            )
            messages.success(request, _("Sent to the market regulator, who must answer."))
            return redirect("web:referral", r.number)
        except DomainError as e:
            if e.status == 404:
                return error_page(request, e)
            ctx["error"] = user_message(e)
    return render(
        request, "supervision/referral_new.html", ctx, status=422 if "error" in ctx else 200
    )


@login_required
@require_POST
def typical_case_new(request: UserRequest) -> HttpResponse:
    p = request.POST
    try:
        mediation.typical_case_publish(
            actor=request.user,
            mediation_number=p.get("mediation", ""),
            title=p.get("title", ""),
            summary=p.get("summary", ""),
            lesson=p.get("lesson", ""),
        )
        messages.success(request, _("Published on the typical cases page."))
    except DomainError as e:
        if e.status == 404:
            return error_page(request, e)
        messages.error(request, user_message(e))
        return (
            redirect("web:mediation", p.get("mediation", ""))
            if p.get("mediation")
            else redirect("web:mediations")
        )
    return redirect("web:typical_cases")


def typical_cases(request: HttpRequest) -> HttpResponse:
    """Public: the typical cases consumer associations have published."""
    return render(
        request,
        "supervision/typical_cases.html",
        {
            "cases": TypicalCase.objects.select_related("association").order_by("-published_at")[
                :100
            ]
        },
    )
