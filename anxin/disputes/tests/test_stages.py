"""Every stage of a case and every default outcome, with the remedy paid through the real
ledger and the books audited after each path."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.core import mail

from anxin.conftest import deliver_all
from anxin.core.errors import Conflict, Forbidden, InvalidTransition, NotFound, ValidationFailed
from anxin.disputes import deadlines, filing, selectors, services
from anxin.disputes.models import Decision, Dispute, Outcome, Stage, Step
from anxin.disputes.tests.helpers import (
    balance,
    books_balance,
    completed,
    desk,
    file_quality,
    past,
    shipped,
    to_decision,
)
from anxin.disputes.writer import chain
from anxin.evidence.models import Record
from anxin.notices.models import Notification
from anxin.ops.deadlines import deadlines_run
from anxin.orders import services as orders
from anxin.orders.models import Order, OrderStatus
from anxin.remedies.selectors import fund_position
from anxin.remedies.services import deposit_lodge, fund_allocate

pytestmark = pytest.mark.django_db


def test_filing_shows_the_law_the_evidence_held_and_the_routes(buyer, seller, listing) -> None:
    # Given a buyer with a shipped order
    order = shipped(buyer, seller, listing)
    # When she considers a 700 yuan counterfeit complaint
    view = filing.filing_view(
        user=buyer, category="counterfeit", claimed_fen=70000, number=order.number
    )
    # Then the law grants for fraud the price back and three times it, at least 500 yuan
    # (CRPL 55(1)).
    assert view["law_fen"] == order.amount_fen + 50000
    assert {"statute": "CRPL", "article": 55, "paragraph": 1} in view["law"][0]["citations"]
    # And the view lists the evidence held and missing, and the routes with their cost and time
    assert "listing" in view["held"]
    assert "authenticity" in view["missing"]
    routes = {r["key"]: r for r in view["routes"]}
    assert routes["anxin"]["cost_fen"] == 0
    assert routes["small_claims"]["cost_fen"] == 2500
    assert routes["anxin"]["days"] < routes["12315"]["days"]
    # When she considers a complaint the law has no rule for
    nothing = filing.filing_view(user=buyer, category="other", claimed_fen=100)
    # Then the view cites no law and grants nothing
    assert nothing["law"] == []
    assert nothing["law_fen"] == 0


def test_seller_offering_the_whole_claim_settles_from_escrow(buyer, seller, listing) -> None:
    # Given a shipped order
    order = shipped(buyer, seller, listing)
    # When the buyer files a complaint for the whole price
    d = file_quality(buyer, order)
    # Then the case waits for the seller, capped at the price
    assert d.step == Step.SELLER_ANSWER
    assert d.cap_fen == order.amount_fen
    # And the dispute hold pauses the auto-confirm timer
    assert order.holds.get(closed_at__isnull=True).kind == "dispute"
    assert orders.order_auto_confirm(order_id=order.pk) in ("not due", "paused by an open hold")
    # When the seller offers the whole claim
    services.dispute_answer(
        actor=seller, number=d.number, offer_fen=order.amount_fen, text="同意退款"
    )
    # Then the case settles, paid from escrow, and the order is refunded
    d.refresh_from_db()
    assert d.stage == Stage.CLOSED
    assert d.outcome == Outcome.SETTLED
    assert d.remedy_fen == order.amount_fen
    assert d.paid_from == {"escrow": order.amount_fen}
    assert Order.objects.get(pk=order.pk).status == OrderStatus.REFUNDED
    deliver_all()
    books_balance()
    # And the case's record runs from its filing to its payment, one evidence record per event
    kinds = list(d.events.order_by("at", "pk").values_list("kind", flat=True))
    assert kinds[0] == "filed"
    assert kinds[-1] == "remedy_paid"
    records = list(Record.objects.filter(chain=f"dispute:{d.number}").order_by("id"))
    assert len(records) == len(kinds)
    # The chain links each record to the one before, and the case's head is the last.
    import json

    for before, after in itertools.pairwise(records):
        assert json.loads(after.body)["prev"] == bytes(before.commitment).hex()
    d.refresh_from_db()
    assert bytes(d.evidence_head) == bytes(records[-1].commitment)


def test_partial_offer_accepted_completes_the_order_with_the_rest_to_the_seller(
    buyer, seller, listing
) -> None:
    # Given a complaint for the whole price of a shipped order
    order = shipped(buyer, seller, listing)
    d = file_quality(buyer, order)
    # When the seller offers 50 yuan and the buyer accepts
    services.dispute_answer(actor=seller, number=d.number, offer_fen=5000, text="部分退款")
    services.dispute_reply(actor=buyer, number=d.number, accept=True)
    # Then the case settles at 50 yuan and the order completes by the dispute
    d.refresh_from_db()
    assert d.remedy_fen == 5000
    assert d.outcome == Outcome.SETTLED
    o = Order.objects.get(pk=order.pk)
    assert o.status == OrderStatus.COMPLETED
    assert o.confirmed_by == "dispute"
    # And the seller keeps her share less the 50 yuan, the platform giving back its fee on them
    fee_back = order.fee_fen * 5000 // order.amount_fen
    assert balance(f"seller:{seller.pk}") == order.seller_share_fen - (5000 - fee_back)
    deliver_all()
    books_balance()


def test_silent_seller_loses_by_default_within_what_the_law_grants(
    clock, buyer, seller, listing
) -> None:
    # Given a buyer who asks for more than the law gives for a defect (the price back)
    order = shipped(buyer, seller, listing)
    d = file_quality(buyer, order, claimed=order.amount_fen * 2)
    assert d.law_fen == order.amount_fen
    # When the deadline runs a second before the seller's time is up
    clock.move_to(d.due_at - dt.timedelta(seconds=1))
    # Then nothing is due yet
    assert deadlines.dispute_deadline(dispute_id=d.pk) == "not due"
    # When the seller's time is up
    # Then the default decides for the buyer, at what the law grants
    assert past(clock, d) == "default: decided for the buyer"
    d.refresh_from_db()
    assert d.outcome == Outcome.DEFAULT
    assert d.remedy_fen == order.amount_fen
    # And the deadline firing again finds the case closed
    assert deadlines.dispute_deadline(dispute_id=d.pk) == "closed"  # fired twice: nothing twice
    deliver_all()
    books_balance()


def test_silent_seller_without_a_legal_figure_goes_to_mediation(
    clock, buyer, seller, listing
) -> None:
    # Given a complaint about a prize never given, for which the law names no figure
    people = desk()
    order = shipped(buyer, seller, listing)
    d = services.dispute_file(
        actor=buyer,
        number=order.number,
        category="lottery",
        claim="直播抽中的奖品一直没给",
        claimed_fen=order.amount_fen,
    )
    assert d.law_fen == 0
    assert d.cap_fen == order.amount_fen
    # When the seller is silent past the deadline
    # Then the case goes to the mediator, waiting for her proposal
    assert past(clock, d) == "default: to mediation"
    d.refresh_from_db()
    assert d.stage == Stage.MEDIATION
    assert d.step == Step.MEDIATOR_PROPOSAL
    assert d.mediator == people["mediator"]


def test_buyer_silence_takes_an_offer_or_lets_the_case_lapse(clock, buyer, seller, listing) -> None:
    # Given a complaint the seller answered with no offer
    order = shipped(buyer, seller, listing)
    d = file_quality(buyer, order)
    services.dispute_answer(actor=seller, number=d.number, offer_fen=0, text="货没有问题")
    # When the buyer is silent past the deadline
    # Then the case lapses
    assert past(clock, d) == "default: lapsed"
    d.refresh_from_db()
    assert d.outcome == Outcome.LAPSED
    # And the hold is closed: the auto-confirm timer runs again
    assert not Order.objects.get(pk=order.pk).holds.filter(closed_at__isnull=True).exists()

    # Given a second complaint the seller answered with a 30 yuan offer
    second = shipped(buyer, seller, listing, tracking="SF3000000009")
    d2 = file_quality(buyer, second)
    services.dispute_answer(actor=seller, number=d2.number, offer_fen=3000, text="补偿30元")
    # When the buyer is silent past the deadline
    # Then the offer is taken as accepted and paid
    assert past(clock, d2) == "default: offer accepted"
    d2.refresh_from_db()
    assert d2.remedy_fen == 3000
    deliver_all()
    books_balance()


def test_mediation_settles_when_both_accept(clock, buyer, seller, listing) -> None:
    # Given a case in mediation after the buyer turned down a 10 yuan offer
    people = desk()
    order = shipped(buyer, seller, listing)
    d = file_quality(buyer, order)
    services.dispute_answer(actor=seller, number=d.number, offer_fen=1000, text="只能退10元")
    services.dispute_reply(actor=buyer, number=d.number, accept=False, reason="太少")
    m = people["mediator"]
    # When the mediator proposes more than was claimed
    # Then the proposal is refused, naming the amount
    with pytest.raises(ValidationFailed, match="amount_fen"):
        services.dispute_propose(actor=m, number=d.number, amount_fen=d.claimed_fen + 1, text="x")
    # When she proposes 80 yuan and the buyer accepts
    services.dispute_propose(actor=m, number=d.number, amount_fen=8000, text="退80元，买家不退货")
    services.dispute_respond(actor=buyer, number=d.number, accept=True)
    # Then the seller is told, the buyer cannot accept twice, and the case is still in mediation
    assert Notification.objects.filter(user=seller, subject=chain(d), kind="accepted").exists()
    with pytest.raises(Conflict):
        services.dispute_respond(actor=buyer, number=d.number, accept=True)
    d.refresh_from_db()
    assert d.stage == Stage.MEDIATION
    # When the seller accepts too
    services.dispute_respond(actor=seller, number=d.number, accept=True)
    # Then the case settles at 80 yuan
    d.refresh_from_db()
    assert d.outcome == Outcome.SETTLED
    assert d.remedy_fen == 8000
    deliver_all()
    books_balance()


def test_failed_mediation_and_silent_officers_reach_adjudication(
    clock, buyer, seller, listing
) -> None:
    # Given a case in mediation
    people = desk()
    order = shipped(buyer, seller, listing)
    d = file_quality(buyer, order)
    services.dispute_answer(actor=seller, number=d.number, offer_fen=0, text="不同意")
    services.dispute_reply(actor=buyer, number=d.number, accept=False, reason="要调解")
    # When the mediator never proposes
    # Then the case goes to adjudication, taking evidence, with the first adjudicator
    assert past(clock, d) == "default: to adjudication"  # the mediator never proposed
    d.refresh_from_db()
    assert d.stage == Stage.ADJUDICATION
    assert d.step == Step.EVIDENCE
    assert d.adjudicator == people["adj1"]

    # Given a second case in which the buyer accepted the mediator's proposal
    other = shipped(buyer, seller, listing, tracking="SF3000000010")
    d2 = file_quality(buyer, other)
    services.dispute_answer(actor=seller, number=d2.number, offer_fen=0, text="不同意")
    services.dispute_reply(actor=buyer, number=d2.number, accept=False, reason="要调解")
    services.dispute_propose(
        actor=people["mediator"], number=d2.number, amount_fen=6000, text="各让一步"
    )
    services.dispute_respond(actor=buyer, number=d2.number, accept=True)
    # When the seller stays silent
    # Then it goes to adjudication too, with the adjudicator who has fewer cases
    assert past(clock, d2) == "default: to adjudication"  # the seller stayed silent
    d2.refresh_from_db()
    # Spread over the adjudicators: the second case goes to the one with fewer.
    assert d2.adjudicator == people["adj2"]


def test_adjudication_is_bounded_cited_and_explained(clock, buyer, seller, listing) -> None:
    # Given a counterfeit case whose evidence has closed, before its adjudicator
    d, order, people = to_decision(clock, buyer, seller, listing)
    adj = people["adj1"]
    # When the law engine reckons a proposal
    proposed = filing.proposal(d)
    # Then it is the price back and 500 yuan of damages
    assert proposed == {
        "refund_fen": order.amount_fen,
        "compensation_fen": 50000,
        "citations": proposed["citations"],
    }
    ok = dict(
        reasons="鉴定为假货，构成欺诈。",
        citations=[{"statute": "CRPL", "article": 55, "paragraph": 1}],
    )
    # When the adjudicator awards more than the law allows, cites an article that does not
    # exist, cites nothing, or departs from the proposal without saying why
    # Then each decision is refused, naming what is wrong
    with pytest.raises(ValidationFailed, match="at most"):
        services.dispute_decide(
            actor=adj, number=d.number, refund_fen=order.amount_fen, compensation_fen=60000, **ok
        )
    with pytest.raises(ValidationFailed, match="no article 999"):
        services.dispute_decide(
            actor=adj,
            number=d.number,
            refund_fen=order.amount_fen,
            compensation_fen=50000,
            reasons="x",
            citations=[{"statute": "CRPL", "article": 999}],
        )
    with pytest.raises(ValidationFailed, match="citations"):
        services.dispute_decide(
            actor=adj, number=d.number, refund_fen=0, compensation_fen=0, reasons="x", citations=[]
        )
    with pytest.raises(ValidationFailed, match="departure_reason"):
        services.dispute_decide(
            actor=adj, number=d.number, refund_fen=order.amount_fen, compensation_fen=0, **ok
        )
    # When an adjudicator not on the case decides
    # Then the case does not exist for her
    with pytest.raises(NotFound):
        services.dispute_decide(
            actor=people["adj2"],
            number=d.number,
            refund_fen=order.amount_fen,
            compensation_fen=50000,
            **ok,
        )
    # When the adjudicator awards 200 yuan of damages and says why she departs
    decision = services.dispute_decide(
        actor=adj,
        number=d.number,
        refund_fen=order.amount_fen,
        compensation_fen=20000,
        departure_reason="买家也有过错，酌减",
        **ok,
    )
    # Then the decision stands and the appeal window opens
    assert decision.total_fen == order.amount_fen + 20000
    d.refresh_from_db()
    assert d.step == Step.APPEAL_WINDOW
    # When the appeal window closes
    # Then the decision is final and waits to be paid, and the buyer can no longer withdraw
    assert past(clock, d) == "final: decision to be paid"
    d.refresh_from_db()
    assert d.step == Step.PAYING
    assert d.executed_at is None
    with pytest.raises(InvalidTransition):
        services.dispute_withdraw(actor=buyer, number=d.number)
    # When the payment task runs
    deliver_all()  # the payment task, queued with the decision
    # Then the case is decided and the remedy paid
    d.refresh_from_db()
    assert d.outcome == Outcome.DECIDED
    assert d.remedy_fen == order.amount_fen + 20000
    # The price from escrow; the compensation from the seller's balance (just released).
    assert d.paid_from["escrow"] == order.amount_fen
    deliver_all()
    books_balance()


def test_silent_adjudicator_leaves_the_law_engine_proposal_as_the_decision(
    clock, buyer, seller, listing
) -> None:
    # Given a counterfeit case whose evidence has closed, before its adjudicator
    d, order, _ = to_decision(clock, buyer, seller, listing)
    # When the adjudicator is silent past the deadline
    # Then the law engine's proposal decides
    assert past(clock, d) == "default: the law engine's proposal decided"
    decision = Decision.objects.get(dispute=d)
    # And the law engine proposes the price and 500 yuan of damages; no person decided, so the
    # decision is the refund alone (damages are awarded only by a person).
    assert decision.proposal["compensation_fen"] == 50000
    assert decision.is_default
    assert decision.compensation_fen == 0
    assert decision.total_fen == order.amount_fen
    assert decision.citations
    assert decision.decided_by is None
    # When both parties accept
    services.dispute_accept_decision(actor=buyer, number=d.number)
    services.dispute_accept_decision(actor=seller, number=d.number)
    # Then it is paid at once, without waiting for the appeal window
    d.refresh_from_db()
    assert d.outcome == Outcome.DECIDED
    assert d.executed_at is not None
    deliver_all()
    books_balance()


def test_remedy_after_payout_comes_from_the_seller_then_the_fund_then_is_owed(
    clock, buyer, seller, operator, listing, settings
) -> None:
    from anxin.remedies.models import Creditor, SellerDebt

    # Given a guarantee fund that advances at most 200 yuan a case, funded from fee income
    settings.ANXIN_GUARANTEE_CASE_CAP_FEN = 20000
    # Fee income to fund the guarantee fund with.
    for i in range(3):
        completed(buyer, seller, listing, tracking=f"SF30000001{i}")
    fees = balance("platform:fees")
    fund_allocate(actor=operator, amount_fen=fees, reason="首期保障金")
    assert balance("guarantee:fund") == fees
    # And a completed order, its money released to the seller: her balance covers part of
    # the remedy
    order = completed(buyer, seller, listing, tracking="SF3000000200")
    seller_balance = balance(f"seller:{seller.pk}")
    big = services.dispute_file(
        actor=buyer,
        number=order.number,
        category="counterfeit",
        claim="假货",
        claimed_fen=order.amount_fen + 50000,
    )
    # When the seller offers the whole claim of the price and 500 yuan
    services.dispute_answer(actor=seller, number=big.number, offer_fen=big.claimed_fen, text="认")
    # Then it is paid from the fee, the seller's balance, the fund up to its cap, and the rest
    # as debt, each advance recorded as owed and the seller's balance emptied
    big.refresh_from_db()
    paid = big.paid_from
    total = order.amount_fen + 50000
    assert (
        paid.get("fee", 0) + paid.get("seller", 0) + paid.get("fund", 0) + paid.get("debt", 0)
        == total
    )
    assert paid["fund"] <= 20000
    fund_debt = SellerDebt.objects.get(dispute=big, creditor=Creditor.FUND)
    assert fund_debt.amount_fen == paid["fund"]
    if paid.get("debt"):
        assert (
            SellerDebt.objects.get(dispute=big, creditor=Creditor.BUYER).amount_fen == paid["debt"]
        )
    assert seller_balance > 0
    assert balance(f"seller:{seller.pk}") == 0
    books_balance()
    # When the seller's next orders pay out
    for i in range(4):
        completed(buyer, seller, listing, tracking=f"SF30000003{i}")
    deliver_all()
    # Then they repay what is owed, oldest first, and the fund shows what it advanced and
    # recovered
    fund_debt.refresh_from_db()
    assert fund_debt.repaid_fen > 0
    position = fund_position()
    assert position["advanced_fen"] == paid["fund"]
    assert position["recovered_fen"] == sum(
        SellerDebt.objects.filter(creditor=Creditor.FUND).values_list("repaid_fen", flat=True)
    )
    books_balance()


def test_the_deposit_covers_a_fund_advance_at_once(clock, buyer, seller, operator, listing) -> None:
    from anxin.remedies.models import Creditor, SellerDebt

    # Given a funded guarantee fund and a seller who lodged her whole balance as a deposit
    for i in range(5):
        completed(buyer, seller, listing, tracking=f"SF30000004{i}")
    fund_allocate(actor=operator, amount_fen=balance("platform:fees"), reason="保障金")
    deposit_lodge(actor=seller, amount_fen=balance(f"seller:{seller.pk}"))
    assert balance(f"seller:{seller.pk}") == 0
    deposit = balance(f"deposit:{seller.pk}")
    order = completed(buyer, seller, listing, tracking="SF3000000500")
    deposit_lodge(actor=seller, amount_fen=balance(f"seller:{seller.pk}"))
    d = services.dispute_file(
        actor=buyer,
        number=order.number,
        category="quality_defect",
        claim="坏了",
        claimed_fen=order.amount_fen,
    )
    # When she offers the whole claim on a completed order
    services.dispute_answer(actor=seller, number=d.number, offer_fen=order.amount_fen, text="认")
    # Then the fund advances the remedy, as her balance is empty
    d.refresh_from_db()
    assert d.paid_from.get("fund", 0) > 0  # the balance was empty: the fund advanced
    # And once the debt task runs, the deposit repays the fund at once
    deliver_all()  # the debt task takes the deposit at once
    debt = SellerDebt.objects.get(dispute=d, creditor=Creditor.FUND)
    assert debt.settled_at is not None
    assert balance(f"deposit:{seller.pk}") < deposit + order.seller_share_fen
    books_balance()
    # And she has no balance left to lodge
    with pytest.raises(ValidationFailed, match="balance"):
        deposit_lodge(actor=seller, amount_fen=1)


def test_a_sale_outside_anxin_needs_evidence_and_an_unfunded_settlement_is_a_debt(
    clock, buyer, seller, operator, listing
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    # Given a buyer who paid a seller 99 yuan outside Anxin for goods never sent
    # When she files without evidence
    # Then she is told to give evidence
    with pytest.raises(ValidationFailed, match="evidence"):
        services.dispute_file(
            actor=buyer,
            seller_username=seller.username,
            category="not_delivered",
            claim="微信转账后不发货",
            claimed_fen=9900,
            outside_description="朋友圈买的面膜",
            outside_paid_fen=9900,
            outside_paid_on=dt.date(2026, 4, 28),
        )
    # When she files with a screenshot of the chat
    shot = SimpleUploadedFile("chat.png", b"\x89PNG\r\n\x1a\n" + b"0" * 100, "image/png")
    d = services.dispute_file(
        actor=buyer,
        seller_username=seller.username,
        category="not_delivered",
        claim="微信转账后不发货",
        claimed_fen=9900,
        outside_description="朋友圈买的面膜",
        outside_paid_fen=9900,
        outside_paid_on=dt.date(2026, 4, 28),
        files=[("聊天记录", shot)],
    )
    # Then the screenshot is on the file, hashed and sized
    item = d.evidence.get()
    assert len(item.sha256) == 64
    assert item.size == 108
    # When the seller offers the 99 yuan back
    services.dispute_answer(actor=seller, number=d.number, offer_fen=9900, text="退")
    # Then the case settles as the seller's debt to the buyer, as her balance and the fund
    # are empty
    d.refresh_from_db()
    assert d.outcome == Outcome.SETTLED
    assert d.paid_from == {"debt": 9900}
    assert balance(f"buyer:{buyer.pk}") == 0
    books_balance()


def test_bad_input_names_the_field_and_changes_nothing(buyer, seller, listing) -> None:
    # Given a shipped order
    order = shipped(buyer, seller, listing)
    # When the buyer files with an unknown category, a bad amount or an empty claim
    # Then each filing is refused, naming the field, and no case is filed
    for kwargs, field in (
        ({"category": "weather"}, "category"),
        ({"claimed_fen": -1}, "claimed_fen"),
        ({"claimed_fen": "100"}, "claimed_fen"),
        ({"claimed_fen": 0}, "claimed_fen"),
        ({"claim": " "}, "claim"),
    ):
        args = dict(category="quality_defect", claim="坏了", claimed_fen=100) | kwargs
        with pytest.raises(ValidationFailed) as e:
            services.dispute_file(actor=buyer, number=order.number, **args)
        assert e.value.field == field
    assert not Dispute.objects.exists()
    # When she files a valid complaint and then a second on the same order
    d = file_quality(buyer, order)
    # Then the second is refused
    with pytest.raises(Conflict):
        file_quality(buyer, order)
    # When the seller offers more than was claimed
    # Then the offer is refused, naming the field, and the case still waits for her answer
    with pytest.raises(ValidationFailed, match="offer_fen"):
        services.dispute_answer(
            actor=seller, number=d.number, offer_fen=d.claimed_fen + 1, text="x"
        )
    d.refresh_from_db()
    assert d.step == Step.SELLER_ANSWER


def test_notices_reach_every_party_in_app_and_by_email(buyer, seller, listing, settings) -> None:
    # Given a seller with an e-mail address who reads English
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    seller.email, seller.preferred_language = "seller@example.com", "en"
    seller.save()
    order = shipped(buyer, seller, listing)
    # When the buyer files a complaint
    d = file_quality(buyer, order)
    # Then the seller is notified in the app
    assert Notification.objects.filter(user=seller, subject=chain(d), kind="filed").exists()
    # And once the queue runs, by one e-mail naming the case, marked as sent
    deliver_all()
    assert len(mail.outbox) == 1
    assert d.number in mail.outbox[0].body
    assert "complaint" in mail.outbox[0].subject
    assert Notification.objects.get(user=seller, kind="filed").emailed_at is not None


def test_reminders_go_out_before_deadlines_once(clock, buyer, seller, listing) -> None:
    # Given a complaint waiting for the seller's answer
    order = shipped(buyer, seller, listing)
    d = file_quality(buyer, order)
    # When the reminder runs at once
    # Then it is not yet time
    assert deadlines.dispute_remind(dispute_id=d.pk) == "not yet"
    # When it runs twice two hours before the deadline
    clock.move_to(d.due_at - dt.timedelta(hours=2))
    # Then the seller is reminded once
    assert deadlines.dispute_remind(dispute_id=d.pk) == "reminded"
    assert deadlines.dispute_remind(dispute_id=d.pk) == "already reminded"
    assert Notification.objects.filter(user=seller, kind="reminder").count() == 1


def test_transfer_puts_the_case_in_the_regulators_queue(buyer, seller, listing, staff) -> None:
    from anxin.accounts.models import Role

    # Given a complaint the regulator cannot see
    order = shipped(buyer, seller, listing)
    d = file_quality(buyer, order)
    regulator = staff[Role.REGULATOR]
    assert not selectors.visible(regulator).filter(pk=d.pk).exists()
    # When the seller transfers it
    # Then she is refused
    with pytest.raises(Forbidden):
        services.dispute_transfer(actor=seller, number=d.number, reason="x")
    # When the buyer transfers it
    services.dispute_transfer(actor=buyer, number=d.number, reason="卖家涉嫌售假")
    # Then the regulator sees it and is notified, and it cannot be transferred again
    assert selectors.visible(regulator).filter(pk=d.pk).exists()
    assert Notification.objects.filter(user=regulator, kind="transferred").exists()
    with pytest.raises(Conflict):
        services.dispute_transfer(actor=buyer, number=d.number, reason="再转一次")


def test_cases_go_to_the_officer_with_the_fewest_open_cases(buyer, seller, listing) -> None:
    from anxin.accounts.models import Role
    from anxin.conftest import make_user

    # Given two mediators
    first = make_user("mediatorA", Role.MEDIATOR)
    second = make_user("mediatorB", Role.MEDIATOR)
    # When four cases go to mediation one after another
    got = []
    for i in range(4):
        order = shipped(buyer, seller, listing, tracking=f"SF30000007{i}")
        d = file_quality(buyer, order)
        services.dispute_answer(actor=seller, number=d.number, offer_fen=0, text="不同意")
        services.dispute_reply(actor=buyer, number=d.number, accept=False, reason="调解")
        d.refresh_from_db()
        got.append(d.mediator_id)
    # Then they alternate, two open cases each: the count of open cases, not merely whether any
    assert got == [first.pk, second.pk, first.pk, second.pk]


def test_the_safety_net_applies_many_defaults_in_one_batch_as_single_timers_would(
    clock, buyer, seller, listing
) -> None:
    # Given a case before a silent adjudicator, one before a silent seller with a legal
    # figure, and one before a silent seller without one
    evid, _, people = to_decision(clock, buyer, seller, listing, tracking="SF3000000803")
    law = file_quality(buyer, shipped(buyer, seller, listing, tracking="SF3000000801"))
    nolaw = services.dispute_file(
        actor=buyer,
        number=shipped(buyer, seller, listing, tracking="SF3000000802").number,
        category="lottery",
        claim="奖品没给",
        claimed_fen=5000,
    )
    evid_step = Dispute.objects.get(pk=evid.pk).step  # decision
    latest = max(d.due_at for d in Dispute.objects.filter(closed_at__isnull=True))
    # When the safety net runs once all their deadlines have passed
    clock.move_to(latest)
    counts = deadlines_run()
    # Then it applies three defaults in one batch and pays what the default decided
    assert counts["dispute_defaults"] == 3
    assert counts["dispute_remedies_paid"] == 1
    law.refresh_from_db()
    nolaw.refresh_from_db()
    evid.refresh_from_db()
    # And each case goes where its own timer would have taken it
    assert law.outcome == Outcome.DEFAULT
    assert law.remedy_fen == law.cap_fen
    assert law.executed_at is not None
    assert law.stage == Stage.CLOSED
    assert nolaw.stage == Stage.MEDIATION
    assert nolaw.mediator == people["mediator"]
    assert evid_step == Step.DECISION
    assert evid.step == Step.APPEAL_WINDOW
    assert Decision.objects.get(dispute=evid).is_default
    # And each case's evidence chain is whole and its head is its last record
    import json

    for d in (law, nolaw, evid):
        records = list(Record.objects.filter(chain=f"dispute:{d.number}").order_by("id"))
        assert len(records) == d.events.count()
        for before, after in itertools.pairwise(records):
            assert json.loads(after.body)["prev"] == bytes(before.commitment).hex()
        assert bytes(d.evidence_head) == bytes(records[-1].commitment)
    # And the parties and the mediator are told of the mediation, and the remedy is paid once
    assert Notification.objects.filter(subject=chain(nolaw), kind="mediation").count() == 3
    deliver_all()  # the payment task finds it paid; the notices' e-mails go out
    assert law.events.filter(kind="remedy_paid").count() == 1
    books_balance()


def test_goods_paid_for_and_never_delivered_come_back_by_default(clock, buyer, seller, listing):
    # Given a shipped order whose parcel is not yet signed for
    order = shipped(buyer, seller, listing)
    # When the buyer complains that the goods she paid for were never delivered
    d = services.dispute_file(
        actor=buyer,
        number=order.number,
        category="not_delivered",
        claim="付款两周了，物流一直不动",
        claimed_fen=order.amount_fen,
    )
    # Then the law grants it under CRPL 53: paid in advance, not supplied: the prepayment back
    assert d.law_fen == order.amount_fen
    assert d.law[0]["citations"] == [{"statute": "CRPL", "article": 53}]
    # When the seller is silent past the deadline
    # Then the default refunds the order from escrow
    assert past(clock, d) == "default: decided for the buyer"
    deliver_all()
    d.refresh_from_db()
    assert d.paid_from == {"escrow": order.amount_fen}
    assert Order.objects.get(pk=order.pk).status == OrderStatus.REFUNDED
    books_balance()
    # When a second parcel is signed for and the buyer considers the same complaint
    delivered = shipped(buyer, seller, listing, tracking="SF3000000900")
    from anxin.carriers.sandbox import SandboxCarrier

    SandboxCarrier().deliver_now("SF3000000900")
    view = filing.filing_view(
        user=buyer, category="not_delivered", claimed_fen=100, number=delivered.number
    )
    # Then the rule no longer applies
    assert view["law"][0]["outcome"] == "refused"
    assert view["law_fen"] == 0


def test_a_settlement_binds_at_what_was_agreed_even_above_the_laws_figure(
    buyer, seller, listing
) -> None:
    # Given a defect complaint claiming the price and 30 yuan more, above what a decision
    # could give
    order = shipped(buyer, seller, listing)
    d = file_quality(buyer, order, claimed=order.amount_fen + 3000)  # price and a bit more
    assert d.cap_fen == order.amount_fen  # a decision could give no more than the price
    # When the seller offers the whole claim
    services.dispute_answer(actor=seller, number=d.number, offer_fen=d.claimed_fen, text="全部同意")
    # Then the case settles at the whole claim, the price from escrow and the rest from other
    # sources
    d.refresh_from_db()
    assert d.remedy_fen == order.amount_fen + 3000
    assert d.paid_from["escrow"] == order.amount_fen
    assert sum(d.paid_from.values()) == d.remedy_fen
    deliver_all()
    books_balance()
