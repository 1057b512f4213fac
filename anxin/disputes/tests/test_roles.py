"""The role matrix: each action of the desk, tried by everyone; only its owner succeeds, and
everyone else is refused without the case changing. Outsiders get the same 404 as for a case
that does not exist."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from anxin.accounts.models import Role
from anxin.conftest import make_user
from anxin.core.errors import Forbidden, NotFound
from anxin.disputes import deadlines, selectors, services
from anxin.disputes.models import Dispute, Step
from anxin.disputes.tests.helpers import desk, shipped

pytestmark = pytest.mark.django_db

CITE = [{"statute": "CRPL", "article": 55, "paragraph": 1}]


def _at(step: str, clock, buyer, seller, listing, people) -> Dispute:
    order = shipped(buyer, seller, listing)
    d = services.dispute_file(
        actor=buyer, number=order.number, category="counterfeit", claim="假货", claimed_fen=70000
    )
    if step == Step.SELLER_ANSWER:
        return d
    services.dispute_answer(actor=seller, number=d.number, offer_fen=100, text="补偿1元")
    if step == Step.BUYER_REPLY:
        return d
    services.dispute_reply(actor=buyer, number=d.number, accept=False, reason="太少")
    if step == Step.MEDIATOR_PROPOSAL:
        return d
    services.dispute_propose(actor=people["mediator"], number=d.number, amount_fen=100, text="x")
    if step == Step.PARTIES_ACCEPT:
        return d
    services.dispute_respond(actor=seller, number=d.number, accept=False, reason="不接受")
    if step == Step.EVIDENCE:
        return d
    d.refresh_from_db()
    clock.move_to(d.due_at)
    deadlines.dispute_deadline(dispute_id=d.pk)
    if step == Step.DECISION:
        return d
    services.dispute_decide(
        actor=people["adj1"],
        number=d.number,
        refund_fen=12800,
        compensation_fen=50000,
        reasons="欺诈",
        citations=CITE,
    )
    assert step == Step.APPEAL_WINDOW
    return d


ACTIONS: list[tuple[str, str, str, Callable[[Any, str], Any]]] = [
    (
        "answer",
        Step.SELLER_ANSWER,
        "seller",
        lambda u, n: services.dispute_answer(actor=u, number=n, offer_fen=100, text="x"),
    ),
    (
        "reply",
        Step.BUYER_REPLY,
        "buyer",
        lambda u, n: services.dispute_reply(actor=u, number=n, accept=True),
    ),
    (
        "propose",
        Step.MEDIATOR_PROPOSAL,
        "mediator",
        lambda u, n: services.dispute_propose(actor=u, number=n, amount_fen=100, text="x"),
    ),
    (
        "respond",
        Step.PARTIES_ACCEPT,
        "buyer",
        lambda u, n: services.dispute_respond(actor=u, number=n, accept=True),
    ),
    (
        "evidence",
        Step.EVIDENCE,
        "seller",
        lambda u, n: services.dispute_evidence_submit(actor=u, number=n, text="发票"),
    ),
    (
        "decide",
        Step.DECISION,
        "adj1",
        lambda u, n: services.dispute_decide(
            actor=u, number=n, refund_fen=12800, compensation_fen=50000, reasons="x", citations=CITE
        ),
    ),
    (
        "appeal",
        Step.APPEAL_WINDOW,
        "seller",
        lambda u, n: services.dispute_appeal(actor=u, number=n, reason="不服"),
    ),
    (
        "transfer",
        Step.SELLER_ANSWER,
        "buyer",
        lambda u, n: services.dispute_transfer(actor=u, number=n, reason="移交"),
    ),
    (
        "withdraw",
        Step.SELLER_ANSWER,
        "buyer",
        lambda u, n: services.dispute_withdraw(actor=u, number=n),
    ),
]
# Who else is a party to the case, and may see it, but may not do this.
ON_THE_CASE = {
    "answer": ["buyer"],
    "reply": ["seller"],
    "propose": ["buyer", "seller"],
    "respond": ["mediator"],
    "evidence": [],
    "decide": ["buyer", "seller", "mediator"],
    "appeal": ["adj1"],
    "transfer": ["seller"],
    "withdraw": ["seller"],
}


@pytest.mark.parametrize(("name", "step", "owner", "call"), ACTIONS, ids=[a[0] for a in ACTIONS])
def test_only_the_owner_of_an_action_can_take_it(
    name, step, owner, call, clock, buyer, seller, other_buyer, other_seller, operator, listing
) -> None:
    # Given a case at the step where this action is taken, the desk's staff and outsiders
    people = desk()
    people |= {
        "buyer": buyer,
        "seller": seller,
        "other_buyer": other_buyer,
        "other_seller": other_seller,
        "other_mediator": make_user("mediator9", Role.MEDIATOR),
        "regulator": make_user("regulator1", Role.REGULATOR),
        "operator": operator,
    }
    d = _at(step, clock, buyer, seller, listing, people)
    d.refresh_from_db()
    before = (d.step, d.stage, d.events.count())
    # When each outsider tries the action
    # Then each is told the case does not exist
    outsiders = ["other_buyer", "other_seller", "other_mediator", "regulator", "adj3"]
    if step in (Step.SELLER_ANSWER, Step.BUYER_REPLY, Step.MEDIATOR_PROPOSAL, Step.PARTIES_ACCEPT):
        outsiders.append("adj1")  # not yet assigned to the case
    for who in outsiders:
        if who == owner or who in ON_THE_CASE[name]:
            continue
        with pytest.raises(NotFound):
            call(people[who], d.number)
    # And each other person on the case is refused
    for who in ON_THE_CASE[name]:
        with pytest.raises(Forbidden):
            call(people[who], d.number)
    # And the case has not changed
    d.refresh_from_db()
    assert (d.step, d.stage, d.events.count()) == before
    # When the action's owner takes it
    call(people[owner], d.number)
    # Then the case records it
    d.refresh_from_db()
    assert d.events.count() > before[2]


def test_only_the_operator_assigns_officers_and_only_real_ones(
    buyer, seller, operator, listing
) -> None:
    from anxin.core.errors import ValidationFailed
    from anxin.notices.models import Notification

    # Given a newly filed case and the desk's staff
    people = desk()
    order = shipped(buyer, seller, listing)
    d = services.dispute_file(
        actor=buyer, number=order.number, category="quality_defect", claim="坏了", claimed_fen=100
    )
    # When the buyer assigns a mediator
    # Then she is refused
    with pytest.raises(Forbidden):
        services.dispute_assign(actor=buyer, number=d.number, mediator="mediator1")
    # When the operator names an adjudicator as the mediator
    # Then she is told there is no such mediator
    with pytest.raises(ValidationFailed, match="no active mediator"):
        services.dispute_assign(actor=operator, number=d.number, mediator="adjudicator1")
    # When the operator assigns a real mediator
    services.dispute_assign(actor=operator, number=d.number, mediator="mediator1")
    # Then the mediator holds the case and is notified
    d.refresh_from_db()
    assert d.mediator == people["mediator"]
    assert Notification.objects.filter(user=people["mediator"], kind="assigned").exists()


def test_outsiders_cannot_see_a_case_and_operators_can(
    buyer, seller, other_buyer, operator, listing
) -> None:
    # Given a case between a buyer and a seller
    order = shipped(buyer, seller, listing)
    d = services.dispute_file(
        actor=buyer, number=order.number, category="quality_defect", claim="坏了", claimed_fen=100
    )
    # When another buyer asks for it
    # Then she is told it does not exist
    with pytest.raises(NotFound):
        selectors.dispute_for(other_buyer, d.number)
    # When the operator asks for it
    # Then she sees it
    assert selectors.dispute_for(operator, d.number) == d
    # And the case lists for the seller but not for the other buyer
    assert list(selectors.visible(other_buyer)) == []
    assert list(selectors.visible(seller)) == [d]
