"""Reading cases: who can see a case, the role a user has in it, the cases a user sees, and
the whole file both parties see, in a fixed number of queries however much evidence it holds
(the case page and the API read it from here)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import F, Prefetch, Q, QuerySet

from anxin.accounts.models import Role, User
from anxin.core.errors import Forbidden, NotFound, msg
from anxin.core.series import as_series, per_day
from anxin.disputes.filing import proposal, silence_bound
from anxin.disputes.models import Appeal, Decision, Dispute, DisputeEvent, Evidence, Stage, Step
from anxin.disputes.panel import verify_draw
from anxin.disputes.steps import STEPS, actions_for, waiting_for
from anxin.orders.models import Order, OrderStatus
from anxin.remedies.selectors import returned_to_buyer


def can_see(user: User, d: Dispute) -> bool:
    if user.role == Role.OPERATOR:
        return True
    if user.pk in (d.buyer_id, d.seller_id, d.mediator_id, d.adjudicator_id):
        return True
    if user.role == Role.REGULATOR and d.transferred_at is not None:
        return True
    appeal = getattr(d, "appeal", None) if has_appeal(d) else None
    return appeal is not None and user.pk in appeal.members


def has_appeal(d: Dispute) -> bool:
    try:
        d.appeal  # noqa: B018
    except Appeal.DoesNotExist:
        return False
    return True


def visible(user: User) -> QuerySet[Dispute]:
    qs = Dispute.objects.select_related("buyer", "seller", "order")
    if user.role == Role.OPERATOR:
        return qs
    mine = Q(buyer=user) | Q(seller=user) | Q(mediator=user) | Q(adjudicator=user)
    if user.role in (Role.ADJUDICATOR, Role.BUYER, Role.SELLER):
        # Panels and juries: few appeals are open at a time, and their members are a list.
        seats = [
            a.dispute_id
            for a in Appeal.objects.filter(decided_at__isnull=True).only("dispute_id", "members")
            if user.pk in a.members
        ]
        mine |= Q(pk__in=seats)
    if user.role == Role.REGULATOR:
        mine |= Q(transferred_at__isnull=False)
    return qs.filter(mine)


def dispute_for(user: User, number: str) -> Dispute:
    """The case, or the same 404 whether it does not exist or is not the user's to see."""
    d = (
        Dispute.objects.select_related("buyer", "seller", "order", "mediator", "adjudicator")
        .filter(number=number)
        .first()
    )
    if d is None or not can_see(user, d):
        raise NotFound(msg("case {number}: not found", number=number))
    return d


def role_in(user: User, d: Dispute) -> str:
    if user.pk == d.buyer_id:
        return "buyer"
    if user.pk == d.seller_id:
        return "seller"
    if user.pk == d.mediator_id:
        return "mediator"
    if user.pk == d.adjudicator_id:
        return "adjudicator"
    if has_appeal(d) and user.pk in d.appeal.members:
        return "panel"
    return user.role


def case_file(user: User, number: str) -> dict[str, Any]:
    """The case as its page and the API show it. Queries: the case with its people and
    order; its events, evidence and decisions (one each, with their authors); its appeal
    and votes."""
    d = (
        Dispute.objects.select_related(
            "buyer", "seller", "order", "mediator", "adjudicator", "transferred_by", "after_sale"
        )
        .prefetch_related(
            Prefetch(
                "events",
                queryset=DisputeEvent.objects.select_related("actor").order_by("at", "pk"),
            ),
            Prefetch(
                "evidence",
                queryset=Evidence.objects.select_related("submitted_by").order_by("at", "pk"),
            ),
            Prefetch(
                "decisions",
                queryset=Decision.objects.select_related("decided_by").order_by("pk"),
            ),
        )
        .filter(number=number)
        .first()
    )
    appeal = (
        Appeal.objects.prefetch_related("votes").filter(dispute__number=number).first()
        if d is not None
        else None
    )
    if d is None:
        raise NotFound(msg("case {number}: not found", number=number))
    # can_see reads the appeal; give it the one just loaded rather than a query of its own.
    if appeal is not None:
        d.appeal = appeal
    if not can_see(user, d):
        raise NotFound(msg("case {number}: not found", number=number))
    role = role_in(user, d)
    return {
        "case": d,
        "role": role,
        "events": list(d.events.all()),
        "evidence": list(d.evidence.all()),
        "decisions": list(d.decisions.all()),
        "appeal": appeal,
        "votes": list(appeal.votes.all()) if appeal else [],
        "proposal": proposal(d),
        # Paid back already on the order (a refund while the case was open): any remedy is
        # paid less this.
        "already_fen": returned_to_buyer(d.order) if d.order is not None else 0,
        "draw_ok": verify_draw(appeal) if appeal else None,
        "can": actions_for(d, role, appeal),
    }


def appeal_pool(d: Dispute, body: str) -> list[int]:
    """Who may be drawn to hear the case's appeal: active adjudicators (a panel) or, for a
    jury, users who traded on Anxin; never the case's parties or officers."""
    skip = {d.buyer_id, d.seller_id, d.mediator_id, d.adjudicator_id}
    if body == "panel":
        ids = User.objects.filter(role=Role.ADJUDICATOR, is_active=True)
    else:
        # Users who bought or sold on Anxin (a completed order), none of whom has traded with
        # either party: no juror judges a trading partner.
        sides = [d.buyer_id, d.seller_id]
        traded = Order.objects.filter(Q(buyer_id__in=sides) | Q(seller_id__in=sides))
        partners = set(traded.values_list("buyer_id", flat=True)) | set(
            traded.values_list("seller_id", flat=True)
        )
        skip |= partners
        active = Order.objects.filter(status=OrderStatus.COMPLETED)
        ids = User.objects.filter(
            Q(pk__in=active.values("buyer_id")) | Q(pk__in=active.values("seller_id")),
            is_active=True,
            role__in=[Role.BUYER, Role.SELLER],
        )
    return sorted(pk for pk in ids.values_list("pk", flat=True) if pk not in skip)


def case_identity_basis(*, buyer: User, seller: User, reference: str) -> str | None:
    """Whether the case `reference` entitles its buyer to the seller's identity (hook
    IDENTITY_BASIS): once staff have admitted it."""
    case = Dispute.objects.filter(buyer=buyer, seller=seller, number=reference).first()
    if case is None:
        return None
    if case.admitted_at is None:
        raise Forbidden(
            msg(
                "case {reference} has not been admitted yet: the seller's "
                "identity is given once staff have found the sale shown",
                reference=reference,
            ),
            code="case_not_admitted",
        )
    return "case"


def desk_cases(user: User, *, limit: int = 200) -> list[dict[str, Any]]:
    """The open cases `user` sees (`visible`), each with the user's role in it (`role_in`),
    whether its step waits for the user (`steps.waiting_for`) and its step's deadline: those
    waiting for the user first, then the nearest deadline first (none last). A staff desk's
    queue, with no list of roles of its own."""
    cases = list(
        visible(user)
        .exclude(stage=Stage.CLOSED)
        .select_related("appeal")
        .order_by(F("due_at").asc(nulls_last=True), "created_at")[:limit]
    )
    rows = []
    for d in cases:
        appeal = d.appeal if has_appeal(d) else None
        rows.append(
            {
                "case": d,
                "role": role_in(user, d),
                "waits_for_me": user.pk in waiting_for(d, appeal.members if appeal else ()),
                "due_at": d.due_at,
                "admitted": d.admitted_at is not None,
            }
        )
    far = dt.datetime.max.replace(tzinfo=dt.UTC)
    rows.sort(key=lambda r: (not r["waits_for_me"], r["due_at"] or far))
    return rows


def cases_waiting_for_seller(seller: User) -> list[dict[str, Any]]:
    """The seller's open complaints whose step waits for the seller (the step table, STEPS),
    the one due first at the top, each with what its deadline's default does if the seller
    does nothing (`if_silent`: a key of deadlines.DEFAULTS) and, where the seller loses by
    default, the most it loses (`bound_fen`, as deadlines' seller_silent reckons it)."""
    steps = [k for k, rule in STEPS.items() if "seller" in rule.waits_for]
    rows = (
        Dispute.objects.filter(seller=seller, closed_at__isnull=True, step__in=steps)
        .select_related("order", "order__snapshot")
        .order_by("due_at", "pk")
    )
    out = []
    for d in rows:
        if d.step == Step.PARTIES_ACCEPT and d.seller_accepted_at is not None:
            continue  # the seller has accepted: the case waits for the buyer
        out.append(
            {
                "case": d,
                "if_silent": STEPS[d.step].default,
                "bound_fen": silence_bound(d) if d.step == Step.SELLER_ANSWER else 0,
            }
        )
    return out


def case_order_ids() -> QuerySet[Dispute, int]:
    """The ids of the orders with a complaint (open or closed), as a subquery."""
    return Dispute.objects.filter(order__isnull=False).values_list("order_id", flat=True)


def open_cases_by_order(order_ids: list[int]) -> dict[int, str]:
    """The number of the complaint open on each of these orders (those with one)."""
    rows = Dispute.objects.filter(order_id__in=order_ids, closed_at__isnull=True)
    return {o: n for o, n in rows.order_by("pk").values_list("order_id", "number") if o}


def disputes_per_day(days: list[dt.date]) -> list[int]:
    """The complaints filed on each local day of `days` (the dashboards), in one query."""
    return as_series(per_day(Dispute.objects.all(), "created_at", days), days)
