"""Shared set-up for the dispute tests: orders in the states complaints are filed on, the
desk's staff, and the books checked after every path."""

from __future__ import annotations

import pytest

from anxin.accounts.models import Role, User
from anxin.conftest import make_user
from anxin.conftest import shipped as conftest_shipped
from anxin.core.errors import InvalidTransition
from anxin.disputes import deadlines, services
from anxin.disputes.models import Dispute, Step
from anxin.ledger.models import Account
from anxin.ops.audits import books_audit
from anxin.orders import services as orders


def shipped(buyer, seller, listing, tracking: str = "SF3000000001"):
    return conftest_shipped(buyer, seller, listing, tracking)


def completed(buyer, seller, listing, tracking: str = "SF3000000002"):
    order = shipped(buyer, seller, listing, tracking)
    orders.order_confirm(actor=buyer, number=order.number)
    order.refresh_from_db()
    return order


def desk() -> dict[str, User]:
    """One mediator and four adjudicators (the first decides; three hear the appeal)."""
    people = {"mediator": make_user("mediator1", Role.MEDIATOR)}
    for i in range(1, 5):
        people[f"adj{i}"] = make_user(f"adjudicator{i}", Role.ADJUDICATOR)
    return people


def books_balance() -> None:
    assert books_audit() == []


def balance(code: str) -> int:
    a = Account.objects.filter(code=code).first()
    return 0 if a is None else a.credits_posted - a.debits_posted - a.debits_pending


def file_quality(buyer, order, claimed=None) -> Dispute:
    return services.dispute_file(
        actor=buyer,
        number=order.number,
        category="quality_defect",
        claim="茶叶发霉，无法饮用",
        claimed_fen=claimed or order.amount_fen,
    )


def past(clock, d: Dispute) -> str:
    d.refresh_from_db()
    assert d.due_at is not None
    clock.move_to(d.due_at)
    return deadlines.dispute_deadline(dispute_id=d.pk)


def to_decision(clock, buyer, seller, listing, tracking="SF3000000011", claimed=None):
    desk_people = desk()
    order = shipped(buyer, seller, listing, tracking=tracking)
    d = services.dispute_file(
        actor=buyer,
        number=order.number,
        category="counterfeit",
        claim="不是正品",
        claimed_fen=claimed or 70000,
    )
    services.dispute_answer(actor=seller, number=d.number, offer_fen=0, text="是正品")
    services.dispute_reply(actor=buyer, number=d.number, accept=False, reason="要调解")
    services.dispute_propose(
        actor=desk_people["mediator"], number=d.number, amount_fen=20000, text="x"
    )
    services.dispute_respond(actor=seller, number=d.number, accept=False, reason="不接受")
    d.refresh_from_db()
    assert d.step == Step.EVIDENCE
    services.dispute_evidence_submit(actor=buyer, number=d.number, text="鉴定报告：非正品")
    services.dispute_evidence_submit(actor=seller, number=d.number, text="进货发票")
    with pytest.raises(InvalidTransition, match="evidence"):
        services.dispute_decide(
            actor=desk_people["adj1"],
            number=d.number,
            refund_fen=0,
            compensation_fen=0,
            reasons="x",
            citations=[{"statute": "CRPL", "article": 55}],
        )
    assert past(clock, d) == "evidence closed"
    with pytest.raises(InvalidTransition, match="evidence"):
        services.dispute_evidence_submit(actor=buyer, number=d.number, text="迟到的证据")
    d.refresh_from_db()
    return d, order, desk_people


def decided(clock, buyer, seller, listing):
    """A counterfeit case its adjudicator decided: the price back and 500 yuan of damages
    (CRPL 55(1)), in its appeal window. Returns (case, order, desk people)."""
    d, order, people = to_decision(clock, buyer, seller, listing)
    services.dispute_decide(
        actor=people["adj1"],
        number=d.number,
        refund_fen=order.amount_fen,
        compensation_fen=50000,
        reasons="构成欺诈",
        citations=[{"statute": "CRPL", "article": 55, "paragraph": 1}],
    )
    return d, order, people
