"""The dispute desk's pages: filing (with the law's view, the evidence held and the routes side
by side), the case page both parties and the officers share, queues, the guarantee fund; and
the complaints section of the order page. Thin, like every page: parse the form, call a
service, show the result or the error."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_POST

from anxin.accounts.models import Role
from anxin.accounts.pages import UserRequest, role_required
from anxin.core import media
from anxin.core.errors import DomainError, NotFound, ValidationFailed, msg
from anxin.core.money import parse_yuan
from anxin.core.pages import error_page, page_lang, user_message
from anxin.core.text import parse_int
from anxin.disputes import bundle, selectors, services
from anxin.disputes import filing as dispute_filing
from anxin.disputes import selectors as dispute_selectors
from anxin.disputes.models import Category, Evidence
from anxin.orders import chat as order_chat
from anxin.orders.models import OrderStatus
from anxin.orders.selectors import can_see as order_can_see
from anxin.remedies.selectors import deposit_status, fund_position
from anxin.remedies.services import deposit_lodge, fund_allocate


def _yuan(value: str, field: str) -> int:
    return parse_yuan((value or "").strip(), field=field)


@login_required
def disputes(request: UserRequest) -> HttpResponse:
    """My cases; an officer's queue; the regulator's transferred cases; everything for the
    operator."""
    cases = list(dispute_selectors.visible(request.user).order_by("-created_at")[:200])
    waiting = [d for d in cases if d.stage != "closed"]
    return render(
        request,
        "disputes/disputes.html",
        {"open_cases": waiting, "closed_cases": [d for d in cases if d.stage == "closed"]},
    )


@role_required(Role.BUYER)
def dispute_new(request: UserRequest) -> HttpResponse:
    """File a complaint about an order (?order=N) or, without one, a sale made elsewhere."""
    number = request.GET.get("order") or request.POST.get("order", "")
    ctx: dict[str, Any] = {
        "number": number,
        "categories": Category.choices,
        "form": request.POST,
        "today": timezone.localdate().isoformat(),
    }
    if request.method == "POST":
        try:
            claimed = _yuan(request.POST.get("claimed", ""), "claimed_fen")
            if number:
                d = services.dispute_file(
                    actor=request.user,
                    number=number,
                    category=request.POST.get("category", ""),
                    claim=request.POST.get("claim", ""),
                    claimed_fen=claimed,
                )
            else:
                paid_on = _date(request.POST.get("paid_on", ""))
                d = services.dispute_file(
                    actor=request.user,
                    seller_username=request.POST.get("seller", "").strip(),
                    category=request.POST.get("category", ""),
                    claim=request.POST.get("claim", ""),
                    claimed_fen=claimed,
                    outside_description=request.POST.get("description", ""),
                    outside_paid_fen=_yuan(request.POST.get("paid", ""), "outside_paid_fen"),
                    outside_paid_on=paid_on,
                    files=[
                        (request.POST.get("evidence_text") or _("Evidence"), f)
                        for f in request.FILES.getlist("files")
                    ],
                )
            messages.success(request, _("Your complaint is filed. The seller has been told."))
            return redirect("web:dispute", d.number)
        except DomainError as e:
            if e.status == 404:
                return error_page(request, e)
            ctx["error"] = user_message(e)
    category = request.POST.get("category") or request.GET.get("category") or "quality_defect"
    ctx.update(
        _filing(
            request,
            category,
            number,
            request.POST.get("claimed", ""),
            request.POST.get("paid", ""),
            request.POST.get("paid_on", ""),
        )
    )
    return render(request, "disputes/dispute_new.html", ctx, status=422 if "error" in ctx else 200)


def _date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValidationFailed(
            "outside_paid_on: the day you paid, as YYYY-MM-DD", field="outside_paid_on"
        ) from None


def _filing(
    request: UserRequest,
    category: str,
    number: str,
    claimed: str,
    paid: str = "",
    paid_on: str = "",
) -> dict[str, Any]:
    try:
        claimed_fen = _yuan(claimed, "claimed_fen") if claimed else 0
    except ValidationFailed:
        claimed_fen = 0
    if not number:
        # A sale outside Anxin: the law is asked only once the buyer has said what she paid
        # (and when); before that it would judge a sale of ¥0 and refuse it.
        try:
            paid_fen = _yuan(paid, "outside_paid_fen") if paid else 0
            paid_day = _date(paid_on) if paid_on else None
        except ValidationFailed:
            paid_fen, paid_day = 0, None
        if paid_fen <= 0:
            return {"awaiting_paid": True, "category": category, "LANG": page_lang()}
    else:
        paid_fen, paid_day = 0, None
    try:
        view = dispute_filing.filing_view(
            user=request.user,
            category=category,
            claimed_fen=claimed_fen,
            number=number,
            paid_fen=paid_fen,
            paid_on=paid_day,
        )
    except DomainError as e:
        return {"view_error": user_message(e), "category": category, "LANG": page_lang()}
    return {"view": view, "category": category, "LANG": page_lang()}


@role_required(Role.BUYER)
def dispute_filing_view(request: UserRequest) -> HttpResponse:
    """The law's view, the evidence and the routes for the complaint being written (htmx)."""
    ctx = _filing(
        request,
        request.GET.get("category", "other"),
        request.GET.get("order", ""),
        request.GET.get("claimed", ""),
        request.GET.get("paid", ""),
        request.GET.get("paid_on", ""),
    )
    return render(request, "disputes/_dispute_filing.html", ctx)


@login_required
def dispute(request: UserRequest, number: str) -> HttpResponse:
    try:
        f = selectors.case_file(request.user, number)
    except DomainError as e:
        return error_page(request, e)
    # Who refused the mediator's proposal (there is one per case): the page says so, rather
    # than showing that party as still to answer.
    refused = {e.actor_role for e in f["events"] if e.kind == "proposal_refused"}
    # The case's officers read the order's shipping and chat here, read-only: the order page
    # is the parties' (and the operator's), and a mediator needs both to weigh a complaint.
    d = f["case"]
    officer = f["role"] in _OFFICERS and d.order is not None
    return render(
        request,
        "disputes/dispute.html",
        {
            **f,
            "LANG": page_lang(),
            "d": d,
            "refused_roles": refused,
            "order_link": d.order is not None and order_can_see(request.user, d.order),
            "order_chat": list(order_chat.messages_of(d.order)) if officer else None,
            # The operator and a regulator go from a case to a blacklist notice about its seller,
            # the case as its evidence (the rule of reputation.blacklist.may_decide, which this
            # layer does not import: the desk itself checks).
            "may_blacklist": request.user.role in (Role.OPERATOR, Role.REGULATOR),
        },
    )


_OFFICERS = frozenset({"mediator", "adjudicator", "operator", "regulator"})


def _int_or_none(value: str) -> bool:
    return value in ("1", "true", "on", "yes")


_ACTIONS: dict[str, Callable[..., Any]] = {
    "answer": lambda u, n, p, f: services.dispute_answer(
        actor=u, number=n, offer_fen=_yuan(p.get("offer", ""), "offer_fen"), text=p.get("text", "")
    ),
    "reply": lambda u, n, p, f: services.dispute_reply(
        actor=u, number=n, accept=_int_or_none(p.get("accept", "")), reason=p.get("reason", "")
    ),
    "withdraw": lambda u, n, p, f: services.dispute_withdraw(
        actor=u, number=n, reason=p.get("reason", "")
    ),
    "propose": lambda u, n, p, f: services.dispute_propose(
        actor=u,
        number=n,
        amount_fen=_yuan(p.get("amount", ""), "amount_fen"),
        text=p.get("text", ""),
    ),
    "respond": lambda u, n, p, f: services.dispute_respond(
        actor=u, number=n, accept=_int_or_none(p.get("accept", "")), reason=p.get("reason", "")
    ),
    "decide": lambda u, n, p, f: services.dispute_decide(
        actor=u,
        number=n,
        refund_fen=_yuan(p.get("refund", ""), "refund_fen"),
        compensation_fen=_yuan(p.get("compensation", ""), "compensation_fen"),
        reasons=p.get("reasons", ""),
        citations=_citations(p.get("citations", "")),
        departure_reason=p.get("departure_reason", ""),
    ),
    "accept_decision": lambda u, n, p, f: services.dispute_accept_decision(actor=u, number=n),
    "appeal": lambda u, n, p, f: services.dispute_appeal(
        actor=u, number=n, reason=p.get("reason", "")
    ),
    "vote": lambda u, n, p, f: services.dispute_vote(
        actor=u,
        number=n,
        uphold=_int_or_none(p.get("uphold", "")),
        remedy_fen=_yuan(p.get("remedy", "") or "0", "remedy_fen"),
        reasons=p.get("reasons", ""),
    ),
    "evidence": lambda u, n, p, f: services.dispute_evidence_submit(
        actor=u, number=n, text=p.get("text", ""), file=f.get("file")
    ),
    "transfer": lambda u, n, p, f: services.dispute_transfer(
        actor=u, number=n, reason=p.get("reason", "")
    ),
    "admit": lambda u, n, p, f: services.dispute_admit(
        actor=u, number=n, reason=p.get("reason", "")
    ),
    "refuse": lambda u, n, p, f: services.dispute_refuse(
        actor=u, number=n, reason=p.get("reason", "")
    ),
}


def _citations(text: str) -> list[dict[str, Any]]:
    """'CRPL 55(1), CC 584' -> citations. Each item: statute id, article, optional paragraph."""
    out: list[dict[str, Any]] = []
    for i, part in enumerate(p.strip() for p in text.replace("，", ",").split(",")):
        if not part:
            continue
        m = re.fullmatch(r"([A-Za-z-]+)\s+(\d+)(?:\((\d+)\))?", part)
        if m is None:
            raise ValidationFailed(
                msg("citations[{i}]: write it as CRPL 55(1): statute, article, (paragraph)", i=i),
                field="citations",
            )
        c: dict[str, Any] = {
            "statute": m.group(1).upper(),
            "article": parse_int(m.group(2), "citations", minimum=1),
        }
        if m.group(3):
            c["paragraph"] = parse_int(m.group(3), "citations", minimum=1)
        out.append(c)
    return out


# What the case page says once each action is done (msgids, translated when shown); for the
# answers that accept or refuse, (if accepted, if refused).
_DONE: dict[str, str | tuple[str, str]] = {
    "answer": gettext_noop("Your answer is sent to the buyer."),
    "reply": (
        gettext_noop("You accepted the seller's offer: the case is settled."),
        gettext_noop("You refused the offer: a mediator takes up the case."),
    ),
    "withdraw": gettext_noop("Your complaint is withdrawn."),
    "propose": gettext_noop("Your proposal is sent to both parties."),
    "respond": (
        gettext_noop("You accepted the mediator's proposal."),
        gettext_noop("You refused the proposal: an adjudicator decides the case."),
    ),
    "decide": gettext_noop("The decision is sent to both parties, who may accept it or appeal."),
    "accept_decision": gettext_noop("You accepted the decision."),
    "appeal": gettext_noop("Your appeal is lodged: a panel of adjudicators hears it."),
    "vote": gettext_noop("Your vote is recorded."),
    "evidence": gettext_noop("Added to the file."),
    "transfer": gettext_noop("The case is sent to the market regulator."),
    "admit": gettext_noop("The complaint is admitted."),
    "refuse": gettext_noop("The complaint is not admitted."),
}


def _done(action: str, post: Any) -> str:
    done = _DONE[action]
    if isinstance(done, tuple):
        done = done[0] if _int_or_none(post.get("accept", "")) else done[1]
    return _(done)


@require_POST
@login_required
def dispute_action(request: UserRequest, number: str, action: str) -> HttpResponse:
    call = _ACTIONS.get(action)
    if call is None:
        return error_page(request, NotFound(msg("no action {action}", action=action)))
    try:
        call(request.user, number, request.POST, request.FILES)
    except DomainError as e:
        if e.status == 404:
            return error_page(request, e)
        messages.error(request, user_message(e))
    else:
        messages.success(request, _done(action, request.POST))
    return redirect("web:dispute", number)


@login_required
def dispute_bundle(request: UserRequest, number: str) -> HttpResponse:
    try:
        return bundle.response(request.user, number)
    except DomainError as e:
        return error_page(request, e)


@login_required
def dispute_file(
    request: UserRequest, number: str, evidence_id: int
) -> HttpResponse | FileResponse:
    """A piece of evidence's file, to whoever can see the case."""
    try:
        d = dispute_selectors.dispute_for(request.user, number)
    except DomainError as e:
        return error_page(request, e)
    item = Evidence.objects.filter(dispute=d, pk=evidence_id).exclude(file="").first()
    if item is None:
        return error_page(request, NotFound("no such file in this case"))
    try:
        return media.file_response(
            item.file, content_type=item.content_type, sha256=item.sha256, public=False
        )
    except DomainError as e:
        return error_page(request, e)


@login_required
def guarantee(request: UserRequest) -> HttpResponse:
    """The operator: the fund's position, and allocating fee income to it. A seller: its
    deposit, what its categories require, and lodging more from its balance."""
    if request.user.role not in (Role.OPERATOR, Role.SELLER):
        return render(
            request, "web/error.html", {"message": _("This page is not for your role.")}, status=403
        )
    if request.method == "POST":
        try:
            amount = _yuan(request.POST.get("amount", ""), "amount_fen")
            if request.user.role == Role.OPERATOR:
                fund_allocate(
                    actor=request.user, amount_fen=amount, reason=request.POST.get("reason", "")
                )
            else:
                deposit_lodge(actor=request.user, amount_fen=amount)
            messages.success(request, _("Done."))
        except DomainError as e:
            messages.error(request, user_message(e))
        return redirect("web:guarantee")
    ctx: dict[str, Any] = {}
    if request.user.role == Role.OPERATOR:
        ctx["fund"] = fund_position()
    else:
        ctx["deposit"] = deposit_status(request.user)
    return render(request, "disputes/guarantee.html", ctx)


def order_cases_panel(request: HttpRequest, ctx: dict[str, Any]) -> str:
    """The order page's complaints section: the order's cases, and the way to file one while
    the order is shipped or completed and no case on it is open."""
    order = ctx["order"]
    return render_to_string(
        "disputes/_order_cases.html",
        {
            **ctx,
            "cases": list(order.disputes.order_by("-pk").values_list("number", "stage")[:5]),
            "can_complain": ctx["is_buyer"]
            and order.status in (OrderStatus.SHIPPED, OrderStatus.COMPLETED)
            and not order.disputes.filter(closed_at__isnull=True).exists(),
        },
        request=request,
    )
