"""Reading a case: the whole file both parties see, in a fixed number of queries however much
evidence it holds (the case page and the API read it from here)."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch

from anxin.accounts.models import User
from anxin.disputes import services
from anxin.disputes.models import Appeal, Decision, Dispute, DisputeEvent, Evidence
from anxin.remedies.selectors import returned_to_buyer


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
        raise services.NotFound(f"case {number}: not found")
    # can_see reads the appeal; give it the one just loaded rather than a query of its own.
    if appeal is not None:
        d.appeal = appeal
    if not services.can_see(user, d):
        raise services.NotFound(f"case {number}: not found")
    role = services.role_in(user, d)
    return {
        "case": d,
        "role": role,
        "events": list(d.events.all()),
        "evidence": list(d.evidence.all()),
        "decisions": list(d.decisions.all()),
        "appeal": appeal,
        "votes": list(appeal.votes.all()) if appeal else [],
        "proposal": services.proposal(d),
        # Paid back already on the order (a refund while the case was open): any remedy is
        # paid less this.
        "already_fen": returned_to_buyer(d.order) if d.order is not None else 0,
        "draw_ok": services.verify_draw(appeal) if appeal else None,
        "can": actions(d, role, appeal),
    }


def actions(d: Dispute, role: str, appeal: Appeal | None) -> list[str]:
    """What this user can do in the case now (the page shows these forms, and only these)."""
    if d.stage == "closed" or d.step == "paying":
        return []
    step, can = d.step, []
    party = role in ("buyer", "seller")
    if role == "seller" and step == "seller_answer":
        can.append("answer")
    if role == "buyer" and step == "buyer_reply":
        can.append("reply")
    if role == "mediator" and step == "mediator_proposal":
        can.append("propose")
    if party and step == "parties_accept":
        accepted = d.buyer_accepted_at if role == "buyer" else d.seller_accepted_at
        if accepted is None:
            can.append("respond")
    if role in ("mediator", "adjudicator") and d.admitted_at is None:
        can += ["admit", "refuse"]
    if role == "adjudicator" and step == "decision" and d.admitted_at is not None:
        can.append("decide")
    if party and step == "appeal_window":
        can.append("accept_decision")
        if appeal is None:
            can.append("appeal")
    if role == "panel" and step == "panel_votes":
        can.append("vote")
    officer = role in ("mediator", "adjudicator")
    if (party or officer) and (
        d.stage in ("negotiation", "mediation")
        or (d.stage == "adjudication" and (step == "evidence" or officer))
    ):
        can.append("evidence")
    if role in ("buyer", "mediator") and d.transferred_at is None:
        can.append("transfer")
    if role == "buyer" and step not in ("appeal_window", "panel_votes"):
        can.append("withdraw")
    return can
