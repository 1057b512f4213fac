"""A remedy is owed once, and no money moves on a claim nothing supports (issue: safety first).

Every pair of payers on one order (refund then case, after-sales then case, case then
after-sales) pays the buyer what it is owed in all, never the same money twice; the remedies
audit reads what reached the buyer from the ledger and fails when it does not."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from anxin.aftersales import services as aftersales
from anxin.conftest import deliver_all
from anxin.core.errors import Conflict, Forbidden, InvalidTransition, RateLimited
from anxin.disputes import deadlines, filing, services
from anxin.disputes.audit import returns_audit
from anxin.disputes.models import Dispute, Outcome, Stage, Step
from anxin.disputes.tests.helpers import balance, books_balance, completed, desk, shipped
from anxin.disputes.writer import chain
from anxin.ledger.services import (
    TransferRequest,
    buyer_account,
    seller_account,
    transfer_id,
    transfers_create,
)
from anxin.notices.models import Notification
from anxin.orders import services as orders
from anxin.orders.models import Order, OrderStatus
from anxin.remedies.selectors import returned_to_buyer
from anxin.remedies.services import fund_allocate

pytestmark = pytest.mark.django_db


def past(clock, d: Dispute) -> str:
    d.refresh_from_db()
    assert d.due_at is not None
    clock.move_to(d.due_at)
    return deadlines.dispute_deadline(dispute_id=d.pk)


def returned_for_a_refund(buyer, seller, order: Order, reason: str, tracking: str):
    """A return for a defect, approved, sent back (1,200 fen of shipping) and received: the
    after-sales refund is paid."""
    a = aftersales.aftersale_request(
        actor=buyer, number=order.number, kind="quality_return", reason=reason
    )
    aftersales.aftersale_answer(actor=seller, number=order.number, approve=True)
    aftersales.aftersale_ship_back(
        actor=buyer,
        number=order.number,
        carrier="顺丰速运",
        tracking_number=tracking,
        return_shipping_fen=1200,
    )
    aftersales.aftersale_confirm_received(actor=seller, number=order.number)
    return a


def back(order: Order) -> int:
    return returned_to_buyer(order)


def test_a_full_refund_closes_the_case_that_claimed_it_and_nothing_is_paid_again(
    clock, buyer, seller, listing
) -> None:
    # Given a case claiming the whole price of a shipped order
    order = shipped(buyer, seller, listing)
    d = services.dispute_file(
        actor=buyer,
        number=order.number,
        category="quality_defect",
        claim="茶叶发霉",
        claimed_fen=order.amount_fen,
    )
    # When the seller refunds the order in full
    orders.order_refund(actor=seller, number=order.number, reason="直接退款")
    # Then the case closes as refunded, owing and paying nothing, and both parties are told
    d.refresh_from_db()
    assert d.stage == Stage.CLOSED
    assert d.outcome == Outcome.REFUNDED
    assert d.remedy_fen == 0
    assert d.executed_at is None
    kinds = set(Notification.objects.filter(subject=chain(d)).values_list("kind", "user_id"))
    assert {("refunded_closed", buyer.pk), ("refunded_closed", seller.pk)} <= kinds
    # When the old deadline fires anyway
    clock.shift(dt.timedelta(days=30))
    # Then the case is closed, and the buyer has the price back once
    assert deadlines.dispute_deadline(dispute_id=d.pk) == "closed"
    deliver_all()
    assert back(order) == order.amount_fen
    assert balance(f"seller:{seller.pk}") == 0
    books_balance()


def test_refund_then_a_damages_claim_pays_only_the_damages_a_person_awards(
    clock, buyer, seller, listing
) -> None:
    # Given a case claiming the price and 500 yuan of damages, and the desk's staff
    desk()  # the desk is staffed; nobody on it awards damages
    order = shipped(buyer, seller, listing)
    d = services.dispute_file(
        actor=buyer,
        number=order.number,
        category="counterfeit",
        claim="假货",
        claimed_fen=order.amount_fen + 50000,
    )
    # When the seller refunds the order
    orders.order_refund(actor=seller, number=order.number, reason="先退款")
    d.refresh_from_db()
    # Then more was claimed than refunded: the case goes on, and both are told the refund counts.
    assert d.stage == Stage.NEGOTIATION
    assert Notification.objects.filter(subject=chain(d), kind="refunded_open").count() == 2
    # When the seller is silent past the deadline
    # Then the default is the price back, which the buyer already has
    assert past(clock, d) == "default: decided for the buyer"
    deliver_all()
    d.refresh_from_db()
    assert d.outcome == Outcome.DEFAULT
    assert d.executed_at is not None
    assert d.paid_from == {"already": order.amount_fen}
    assert back(order) == order.amount_fen  # not twice
    books_balance()


def test_refund_then_adjudicated_damages_pays_the_damages_alone(
    clock, buyer, seller, listing
) -> None:
    # Given the desk's staff, and money in the seller's balance to take the damages from
    people = desk()
    for i in range(2):
        completed(buyer, seller, listing, tracking=f"SF30000009{i}")
    order = shipped(buyer, seller, listing)
    d = services.dispute_file(
        actor=buyer,
        number=order.number,
        category="counterfeit",
        claim="假货",
        claimed_fen=order.amount_fen + 50000,
    )
    # And a claim for the price and damages: the seller offers nothing but refunds the price,
    # and mediation fails
    services.dispute_answer(actor=seller, number=d.number, offer_fen=0, text="不认")
    orders.order_refund(actor=seller, number=order.number, reason="先退款")
    services.dispute_reply(actor=buyer, number=d.number, accept=False, reason="要赔偿")
    services.dispute_propose(actor=people["mediator"], number=d.number, amount_fen=20000, text="x")
    services.dispute_respond(actor=seller, number=d.number, accept=False, reason="不接受")
    # When the evidence window closes and the law engine reckons the decision
    past(clock, d)  # the evidence window closes
    # Then it is reckoned in full, the price back and the damages (CRPL 55(1)); the
    # page shows what the buyer already has back.
    d.refresh_from_db()
    proposed = filing.proposal(d)
    assert proposed["refund_fen"] == order.amount_fen
    assert proposed["compensation_fen"] == 50000
    # When the adjudicator decides so and both parties accept
    services.dispute_decide(
        actor=d.adjudicator,
        number=d.number,
        refund_fen=order.amount_fen,
        compensation_fen=50000,
        reasons="售假，退一赔三，不足五百元按五百元",
        citations=[{"statute": "CRPL", "article": 55, "paragraph": 1}],
    )
    services.dispute_accept_decision(actor=buyer, number=d.number)
    services.dispute_accept_decision(actor=seller, number=d.number)
    deliver_all()
    # Then the remedy counts the refund as already paid
    d.refresh_from_db()
    assert d.outcome == Outcome.DECIDED
    assert d.remedy_fen == order.amount_fen + 50000
    assert d.paid_from["already"] == order.amount_fen
    # And the price once, from the refund; the damages now, from the seller's balance, and what
    # that could not cover is the seller's debt to the buyer (no fund money in this test).
    paid_now = sum(d.paid_from.get(k, 0) for k in ("escrow", "fee", "seller", "fund"))
    assert paid_now + d.paid_from.get("debt", 0) == 50000
    assert back(order) == order.amount_fen + paid_now
    books_balance()


def test_after_sales_refund_while_a_case_is_open_is_counted_by_the_case(
    clock, buyer, seller, listing
) -> None:
    # Given a case claiming the price and damages on a completed order
    order = completed(buyer, seller, listing)
    d = services.dispute_file(
        actor=buyer,
        number=order.number,
        category="counterfeit",
        claim="假货",
        claimed_fen=order.amount_fen + 50000,
    )
    # When the goods are returned and after-sales refunds them
    a = returned_for_a_refund(buyer, seller, order, "假货", "SF3100000001")
    # Then the buyer has at least the price back and the case goes on
    a.refresh_from_db()
    assert a.status == "refunded", a.status
    price_back = back(order)
    assert price_back >= order.amount_fen
    d.refresh_from_db()
    assert d.stage == Stage.NEGOTIATION  # damages are still claimed
    # When the seller is silent past the deadline
    # Then the default decides for the buyer but pays her nothing more
    assert past(clock, d) == "default: decided for the buyer"
    deliver_all()
    assert back(order) == price_back  # the default pays no damages and no price twice
    books_balance()


def test_a_partial_remedy_then_a_refund_or_after_sales_pays_only_the_rest(
    clock, buyer, seller, listing
) -> None:
    # Given a case claiming 30 yuan for damage on a shipped order
    order = shipped(buyer, seller, listing)
    d = services.dispute_file(
        actor=buyer,
        number=order.number,
        category="quality_defect",
        claim="有破损",
        claimed_fen=3000,
    )
    # When the seller offers the whole claim
    services.dispute_answer(actor=seller, number=d.number, offer_fen=3000, text="补偿")
    deliver_all()
    # Then the order completes with 30 yuan back to the buyer
    order.refresh_from_db()
    assert order.status == OrderStatus.COMPLETED
    assert back(order) == 3000
    # When the seller then refunds the order
    # Then she is refused: the escrow was settled by the case, so no full refund can follow it
    with pytest.raises(InvalidTransition, match="nothing in escrow"):
        orders.order_refund(actor=seller, number=order.number, reason="再退一次")
    assert back(order) == 3000
    # When the goods are returned and after-sales refunds them
    a = returned_for_a_refund(buyer, seller, order, "还是坏的", "SF3100000002")
    deliver_all()
    # Then the return is refunded: the price once in all (3,000 from the case, the rest now),
    # plus the return shipping; what the seller's balance could not cover is its debt to the
    # buyer.
    a.refresh_from_db()
    assert a.status == "refunded"
    from anxin.remedies.models import SellerDebt

    owed = sum(SellerDebt.objects.filter(after_sale=a).values_list("amount_fen", flat=True))
    assert back(order) + owed == order.amount_fen + a.return_shipping_fen
    books_balance()


def test_the_remedies_audit_names_money_paid_back_twice(buyer, seller, listing) -> None:
    # Given a completed order, money in the seller's balance, and a clean audit
    completed(buyer, seller, listing, tracking="SF3000000061")  # money in the seller's balance
    order = completed(buyer, seller, listing)
    assert returns_audit() == []
    # When a payer pays the price back from the seller's balance
    transfers_create(
        [
            TransferRequest(
                transfer_id("test", uuid.uuid4().hex),
                seller_account(seller.pk),
                buyer_account(buyer.pk),
                order.amount_fen,
                "clawback",
                order.number,
            )
        ]
    )
    # Then the audit is clean: once is owed, as the buyer paid it
    assert returns_audit() == []  # once is owed: the buyer paid it
    # When a payer pays back one fen more than the buyer paid
    transfers_create(
        [
            TransferRequest(
                transfer_id("test", uuid.uuid4().hex),
                seller_account(seller.pk),
                buyer_account(buyer.pk),
                1,
                "clawback",
                order.number,
            )
        ]
    )
    # Then the audit names the order, as more given back than it paid
    problems = returns_audit()
    assert len(problems) == 1
    assert order.number in problems[0]
    assert "more than it paid" in problems[0]


# --- claims about sales outside Anxin --------------------------------------------------------


def outside(buyer, seller, **kw) -> Dispute:
    shot = SimpleUploadedFile("chat.png", b"\x89PNG\r\n\x1a\n" + b"0" * 100, "image/png")
    args = (
        dict(
            actor=buyer,
            seller_username=seller.username,
            category="counterfeit",
            claim="朋友圈买的假面膜",
            claimed_fen=39600,
            outside_description="朋友圈买的面膜",
            outside_paid_fen=9900,
            outside_paid_on=dt.date(2026, 4, 28),
            files=[("聊天记录", shot)],
        )
        | kw
    )
    return services.dispute_file(**args)


def test_an_outside_claim_is_never_paid_by_default_and_the_fund_never_advances(
    clock, buyer, seller, operator, listing
) -> None:
    # Given a funded guarantee fund and a seller with money: all a drain would need
    for i in range(3):
        completed(buyer, seller, listing, tracking=f"SF30000008{i}")
    fund_allocate(actor=operator, amount_fen=balance("platform:fees"), reason="保障金")
    fund, seller_money = balance("guarantee:fund"), balance(f"seller:{seller.pk}")
    people = desk()
    # When the buyer files a claim about a sale outside Anxin
    d = outside(buyer, seller)
    # Then nobody has admitted it
    assert d.admitted_at is None
    # When the seller is silent
    # Then the claim goes to a mediator, not to a payment
    assert past(clock, d) == "default: to mediation"
    d.refresh_from_db()
    assert d.step == Step.MEDIATOR_PROPOSAL
    assert d.mediator_id == people["mediator"].pk
    # When mediation fails and evidence closes
    assert past(clock, d) == "default: to adjudication"
    assert past(clock, d) == "evidence closed"
    # Then the adjudicator cannot decide a claim nobody admitted
    with pytest.raises(Conflict, match="admitted"):
        services.dispute_decide(
            actor=Dispute.objects.get(pk=d.pk).adjudicator,
            number=d.number,
            refund_fen=9900,
            compensation_fen=29700,
            reasons="x",
            citations=[{"statute": "CRPL", "article": 55}],
            departure_reason="x",
        )
    # When the adjudicator is silent past the deadline
    # Then the case closes not admitted and unpaid, and no money moved
    assert past(clock, d) == "default: not admitted"
    deliver_all()
    d.refresh_from_db()
    assert d.outcome == Outcome.NOT_ADMITTED
    assert d.executed_at is None
    assert d.remedy_fen == 0
    assert balance("guarantee:fund") == fund
    assert balance(f"seller:{seller.pk}") == seller_money
    assert balance(f"buyer:{buyer.pk}") == 0
    assert Notification.objects.filter(subject=chain(d), kind="not_admitted", user=buyer).exists()
    books_balance()


def test_an_admitted_outside_claim_is_decided_by_a_person_and_may_use_the_fund(
    clock, buyer, seller, operator, listing
) -> None:
    # Given a funded guarantee fund and an outside claim for goods never delivered, in mediation
    for i in range(3):
        completed(buyer, seller, listing, tracking=f"SF30000007{i}")
    fund_allocate(actor=operator, amount_fen=balance("platform:fees"), reason="保障金")
    people = desk()
    d = outside(buyer, seller, category="not_delivered", claimed_fen=9900)
    past(clock, d)  # to mediation
    # When the buyer admits her own claim
    # Then she is refused
    with pytest.raises(Forbidden):
        services.dispute_admit(actor=buyer, number=d.number, reason="我自己说的")
    # When the mediator admits it
    services.dispute_admit(
        actor=people["mediator"], number=d.number, reason="转账记录与聊天记录相符"
    )
    # Then it records who admitted it and when, and it cannot be admitted again
    d.refresh_from_db()
    assert d.admitted_by == people["mediator"]
    assert d.admitted_at is not None
    with pytest.raises(Conflict, match="already"):
        services.dispute_admit(actor=people["mediator"], number=d.number, reason="again")
    # When mediation fails, evidence closes, the adjudicator decides and both parties accept
    assert past(clock, d) == "default: to adjudication"
    assert past(clock, d) == "evidence closed"
    d.refresh_from_db()
    services.dispute_decide(
        actor=d.adjudicator,
        number=d.number,
        refund_fen=filing.proposal(d)["refund_fen"],
        compensation_fen=filing.proposal(d)["compensation_fen"],
        reasons="付款后未发货",
        citations=filing.proposal(d)["citations"] or [{"statute": "CRPL", "article": 55}],
    )
    services.dispute_accept_decision(actor=buyer, number=d.number)
    services.dispute_accept_decision(actor=seller, number=d.number)
    deliver_all()
    # Then the price paid is paid back, by the seller, the fund or as the seller's debt
    d.refresh_from_db()
    assert d.outcome == Outcome.DECIDED
    assert d.remedy_fen == 9900
    assert sum(d.paid_from.get(k, 0) for k in ("seller", "fund", "debt")) == 9900
    books_balance()


def test_a_mediator_refuses_an_outside_claim_that_shows_no_sale(clock, buyer, seller) -> None:
    # Given an outside claim gone to mediation
    people = desk()
    d = outside(buyer, seller)
    past(clock, d)
    # When the mediator refuses it for want of a transfer record
    services.dispute_refuse(
        actor=people["mediator"], number=d.number, reason="只有一行文字，无转账记录"
    )
    # Then the case is not admitted, keeps her reason and pays nothing
    d.refresh_from_db()
    assert d.outcome == Outcome.NOT_ADMITTED
    assert d.admission_reason.startswith("只有")
    assert d.executed_at is None


def test_complaints_are_rate_limited_per_account_and_per_seller(
    clock, buyer, seller, settings
) -> None:
    # Given a limit of three complaints a day, and two outside claims against one seller
    settings.ANXIN_DISPUTE_MAX_PER_DAY = 3
    outside(buyer, seller)
    outside(buyer, seller)
    # When the buyer files a third against that seller
    # Then she is refused for the 30 days, with status 429, and nothing is filed
    with pytest.raises(RateLimited, match="30 days") as e:
        outside(buyer, seller)
    assert e.value.status == 429
    assert Dispute.objects.count() == 2
    from anxin.conftest import make_user

    # When she files against another seller until the day's limit
    other = make_user("seller-two", "seller", "第二家")
    outside(buyer, other)
    # Then the fourth claim of the day is refused for the 24 hours
    with pytest.raises(RateLimited, match="24 hours"):
        outside(buyer, other)
    # When a day has passed
    clock.shift(dt.timedelta(days=1, seconds=1))
    # Then she may file again
    outside(buyer, other)
    assert Dispute.objects.count() == 4
