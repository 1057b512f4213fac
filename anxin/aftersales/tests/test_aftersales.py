"""Returns and after-sales through the order flow, with real escrow, ledger, carrier
notifications and timers."""

from __future__ import annotations

import datetime as dt

import pytest

from anxin.aftersales import services
from anxin.aftersales.models import AfterSale, Status
from anxin.carriers.base import EventRejected
from anxin.carriers.sandbox import SandboxCarrier, body_for, sign
from anxin.carriers.services import tracking_event_receive
from anxin.conftest import deliver_all, make_listing, make_user, shipped
from anxin.core.errors import Conflict, InvalidTransition, NotFound, ValidationFailed
from anxin.evidence.models import Record
from anxin.law.days import end_of_day
from anxin.ledger.models import Account
from anxin.ops.audits import books_audit
from anxin.ops.deadlines import deadlines_run
from anxin.orders import services as orders
from anxin.orders.models import Order, OrderStatus
from anxin.payments.models import Refund
from anxin.remedies.models import SellerDebt

pytestmark = pytest.mark.django_db


def books_balance() -> None:
    assert books_audit() == []


def balance(code: str) -> int:
    a = Account.objects.filter(code=code).first()
    return 0 if a is None else a.credits_posted - a.debits_posted


def test_no_reason_return_from_escrow_end_to_end(clock, buyer, seller, listing) -> None:
    # Given a shipped order delivered to the buyer
    order = shipped(buyer, seller, listing)
    assert SandboxCarrier().deliver_now("SF1000000001").startswith("applied")
    # When she previews a no-reason return three days later
    clock.shift(dt.timedelta(days=3))
    decisions, backed = services.aftersale_preview(
        actor=buyer, number=order.number, kind="no_reason_return"
    )
    # Then the law grants it
    assert backed
    assert decisions[0].outcome == "granted"
    # When she requests it
    a = services.aftersale_request(
        actor=buyer, number=order.number, kind="no_reason_return", reason="不喜欢"
    )
    # Then the request is backed by law for the whole price
    assert a.law_backed
    assert a.refund_fen == order.amount_fen
    # When eight more days pass
    # Then the auto-confirm timer pauses while the request is open.
    clock.shift(dt.timedelta(days=8))
    assert orders.order_auto_confirm(order_id=order.pk) == "paused by an open hold"
    # When the seller approves, the buyer ships the goods back and the carrier delivers them
    services.aftersale_answer(actor=seller, number=order.number, approve=True)
    services.aftersale_ship_back(
        actor=buyer, number=order.number, carrier="中通", tracking_number="ZT2000000001"
    )
    clock.shift(dt.timedelta(days=1))
    assert SandboxCarrier().deliver_now("ZT2000000001").startswith("applied: return")
    # Then the return is received by the carrier's word, and the refund falls due
    a.refresh_from_db()
    assert a.status == Status.RETURN_RECEIVED
    assert a.received_via == "carrier"
    # The refund is due 7 days after the seller got the goods back, at 24:00.
    received_day = a.return_received_at.astimezone(services.CN).date()
    assert a.refund_due_at == end_of_day(received_day + dt.timedelta(days=7))
    # When the seller confirms receipt, with a 10-yuan gift not returned
    services.aftersale_confirm_received(
        actor=seller, number=order.number, gifts_not_returned_fen=1000
    )
    # Then the buyer is refunded the price less the gift
    a.refresh_from_db()
    order.refresh_from_db()
    assert a.status == Status.REFUNDED
    assert a.refunded_fen == order.amount_fen - 1000
    assert order.status == OrderStatus.REFUNDED
    assert sum(Refund.objects.filter(order=order).values_list("amount_fen", flat=True)) == (
        order.amount_fen - 1000
    )
    # The seller keeps the gift's price, less the platform's fee on it.
    refunded = order.amount_fen - 1000
    fee_back = order.fee_fen * refunded // order.amount_fen
    assert balance(f"seller:{seller.pk}") == order.seller_share_fen - (refunded - fee_back)
    # Then, once the refunds have run, the books balance and every step is evidence
    deliver_all()
    books_balance()
    kinds = set(Record.objects.filter(chain=f"order:{order.number}").values_list("kind", flat=True))
    for step in ("requested", "approved", "return_shipped", "return_received", "refunded"):
        assert f"order.after_sale_{step}" in kinds
    assert "order.delivered" in kinds


def test_seller_silence_is_agreement_and_timers_are_idempotent(
    clock, buyer, seller, listing
) -> None:
    # Given a repair request on a shipped order
    order = shipped(buyer, seller, listing)
    a = services.aftersale_request(actor=buyer, number=order.number, kind="repair", reason="坏了")
    # When the approval timer runs at once, and just before the seller's 48 hours are over
    # Then it is not due
    assert services.aftersale_auto_approve(after_sale_id=a.pk) == "not due"
    clock.shift(dt.timedelta(hours=47, minutes=59))  # in transit: 48 hours
    assert services.aftersale_auto_approve(after_sale_id=a.pk) == "not due"
    # When the 48 hours pass with no answer and the timer task runs
    clock.shift(dt.timedelta(minutes=2))
    deliver_all()  # the timer task
    # Then the system approves the request, and running the timer again changes nothing
    a.refresh_from_db()
    assert a.status == Status.APPROVED
    assert a.responded_by == "system"
    assert services.aftersale_auto_approve(after_sale_id=a.pk) == "already approved"
    assert deadlines_run()["auto_approved"] == 0
    # When eight days pass and the buyer has not sent the goods back
    # Then the request lapses and the order's hold is closed, so the timer resumes.
    clock.shift(dt.timedelta(days=8))
    deliver_all()
    a.refresh_from_db()
    assert a.status == Status.LAPSED
    assert not Order.objects.get(pk=order.pk).holds.filter(closed_at__isnull=True).exists()


def test_refusal_needs_a_reason_and_can_be_taken_to_a_dispute(buyer, seller, listing) -> None:
    # Given a quality return requested on a shipped order
    order = shipped(buyer, seller, listing)
    services.aftersale_request(
        actor=buyer, number=order.number, kind="quality_return", reason="裂了"
    )
    # When the seller refuses it without a reason
    # Then she is told to give one
    with pytest.raises(ValidationFailed, match="reason"):
        services.aftersale_answer(actor=seller, number=order.number, approve=False, reason="")
    # When she refuses it with a reason
    # Then she cannot change her answer afterwards
    services.aftersale_answer(actor=seller, number=order.number, approve=False, reason="人为损坏")
    with pytest.raises(InvalidTransition):
        services.aftersale_answer(actor=seller, number=order.number, approve=True)
    # When the buyer takes the refusal to a dispute
    a = services.aftersale_escalate(
        actor=buyer, number=order.number, reason="到货即破损，有开箱视频"
    )
    # Then the request is escalated and the order holds for the dispute
    assert a.status == Status.ESCALATED
    order.refresh_from_db()
    assert order.holds.filter(kind="dispute", closed_at__isnull=True).exists()
    assert order.events.filter(kind="after_sale_escalated").exists()


def test_who_may_do_what(buyer, other_buyer, seller, other_seller, listing) -> None:
    # Given a shipped order
    order = shipped(buyer, seller, listing)
    # When another buyer asks for a repair
    # Then she finds no such order
    with pytest.raises(NotFound):
        services.aftersale_request(
            actor=other_buyer, number=order.number, kind="repair", reason="x"
        )
    # When the buyer asks for a repair
    services.aftersale_request(actor=buyer, number=order.number, kind="repair", reason="坏了")
    # Then she cannot ask twice, another seller cannot answer, and she cannot answer herself
    with pytest.raises(Conflict):
        services.aftersale_request(actor=buyer, number=order.number, kind="repair", reason="again")
    with pytest.raises(NotFound):
        services.aftersale_answer(actor=other_seller, number=order.number, approve=True)
    with pytest.raises(Exception, match="only seller"):
        services.aftersale_answer(actor=buyer, number=order.number, approve=True)
    # Then a preview of an unknown kind or item condition is refused naming the field
    with pytest.raises(ValidationFailed, match="kind"):
        services.aftersale_preview(actor=buyer, number=order.number, kind="refund_and_keep")
    with pytest.raises(ValidationFailed, match="item_condition"):
        services.aftersale_preview(
            actor=buyer, number=order.number, kind="repair", item_condition="meh"
        )


def test_a_request_the_law_refuses_can_still_be_agreed(seller, buyer) -> None:
    from anxin.catalog.models import ListingSnapshot

    # Given a shipped order of custom-made goods, excluded from no-reason returns
    listing = make_listing(seller, price_fen=5000)
    ListingSnapshot.objects.filter(listing=listing).update(
        category="custom_made", return_policy="no_reason_excluded"
    )
    order = shipped(buyer, seller, listing, tracking="SF1000000009")
    # When the buyer previews a no-reason return
    decisions, backed = services.aftersale_preview(
        actor=buyer, number=order.number, kind="no_reason_return"
    )
    # Then the law refuses it, citing CRPL Art. 25(1)
    assert not backed
    assert decisions[0].outcome == "refused"
    assert {"statute": "CRPL", "article": 25, "paragraph": 1} in decisions[0].json()["citations"]
    # When she requests it anyway, the seller agrees and takes the goods back
    a = services.aftersale_request(
        actor=buyer, number=order.number, kind="no_reason_return", reason="想退"
    )
    assert not a.law_backed
    services.aftersale_answer(actor=seller, number=order.number, approve=True)
    services.aftersale_ship_back(
        actor=buyer, number=order.number, carrier="中通", tracking_number="ZT2000000009"
    )
    services.aftersale_confirm_received(actor=seller, number=order.number)
    # Then the request, not backed by law, is refunded in full
    a.refresh_from_db()
    assert a.refunded_fen == 5000
    books_balance()


def test_refund_after_payout_takes_the_seller_balance_then_records_a_debt(
    clock, buyer, seller
) -> None:
    # Given a completed order of 100 yuan whose seller has been paid her share
    listing = make_listing(seller, price_fen=10000)
    first = shipped(buyer, seller, listing, tracking="SF1000000002")
    orders.order_confirm(actor=buyer, number=first.number)  # the seller is paid
    first.refresh_from_db()
    share = first.seller_share_fen
    assert balance(f"seller:{seller.pk}") == share
    # When a quality return is approved, shipped back at 15 yuan and received
    a = services.aftersale_request(
        actor=buyer, number=first.number, kind="quality_return", reason="漏水"
    )
    services.aftersale_answer(actor=seller, number=first.number, approve=True)
    services.aftersale_ship_back(
        actor=buyer,
        number=first.number,
        carrier="中通",
        tracking_number="ZT2000000002",
        return_shipping_fen=1500,
    )
    services.aftersale_confirm_received(actor=seller, number=first.number)
    # Then the seller's whole balance is taken and the rest is recorded as her debt
    a.refresh_from_db()
    # Price 10000 + shipping 1500 owed: fee back from the platform, the seller's whole
    # balance, and the rest is the seller's debt.
    debt = SellerDebt.objects.get(after_sale=a)
    assert a.refunded_fen + debt.amount_fen == 10000 + 1500
    assert balance(f"seller:{seller.pk}") == 0
    assert Order.objects.get(pk=first.pk).status == OrderStatus.REFUNDED
    books_balance()
    # When the seller is paid for another order
    # The seller's next payout repays the debt.
    other = make_user("buyer2", "buyer")
    second = shipped(other, seller, listing, tracking="SF1000000003")
    orders.order_confirm(actor=other, number=second.number)
    deliver_all()
    # Then the debt is repaid and settled, and the buyer has the price and the shipping back
    debt.refresh_from_db()
    assert debt.repaid_fen == debt.amount_fen
    assert debt.settled_at is not None
    refunded = sum(Refund.objects.filter(order=first).values_list("amount_fen", flat=True))
    # The provider refunds the whole payment; the return shipping above it is credited to
    # the buyer's funds with Anxin.
    assert refunded == 10000
    assert balance(f"buyer:{buyer.pk}") == 1500
    books_balance()


def test_carrier_delivery_starts_the_clock_and_the_refund_fires_at_the_deadline(
    clock, buyer, seller, listing
) -> None:
    # Given an approved return whose parcel the carrier delivered back to the seller
    order = shipped(buyer, seller, listing)
    services.aftersale_request(
        actor=buyer, number=order.number, kind="no_reason_return", reason="不合适"
    )
    services.aftersale_answer(actor=seller, number=order.number, approve=True)
    services.aftersale_ship_back(
        actor=buyer, number=order.number, carrier="中通", tracking_number="ZT2000000004"
    )
    SandboxCarrier().deliver_now("ZT2000000004")
    a = AfterSale.objects.get(order=order)
    # When the refund timer runs one second before the refund is due
    # Then it is not due
    clock.move_to(a.refund_due_at - dt.timedelta(seconds=1))
    assert services.aftersale_refund_due(after_sale_id=a.pk) == "not due"
    # When the deadline comes and due tasks run, the seller having done nothing
    clock.move_to(a.refund_due_at)
    deliver_all()
    # Then the buyer is refunded in full, and running the timer again changes nothing
    a.refresh_from_db()
    assert a.status == Status.REFUNDED
    assert a.refunded_fen == order.amount_fen
    assert services.aftersale_refund_due(after_sale_id=a.pk) == "already refunded"
    books_balance()


def test_carrier_notifications_are_verified_deduplicated_and_checked(
    buyer, seller, listing
) -> None:
    # Given a shipped order and the carrier's signed delivery report 20 hours later
    order = shipped(buyer, seller, listing)
    at = order.shipped_at + dt.timedelta(hours=20)
    body = body_for("SF1000000001", "delivered", at, "evt-1")
    # When the report arrives twice
    # Then it is applied once, the second copy is a duplicate, and the order is delivered
    assert tracking_event_receive("sandbox", body, sign(body)).startswith("applied")
    assert tracking_event_receive("sandbox", body, sign(body)) == "duplicate"
    order.refresh_from_db()
    assert order.delivered_at == at
    # When a report arrives altered after signing, or unsigned
    # Then it is rejected
    forged = body.replace(b"SF1000000001", b"SF1000000002")
    with pytest.raises(EventRejected, match="signature"):
        tracking_event_receive("sandbox", forged, sign(body))
    with pytest.raises(EventRejected):
        tracking_event_receive("sandbox", body, {})
    # When another delivery report, under a new id, arrives for the parcel already delivered
    # Then it is ignored: no undelivered shipment has that tracking number
    early = body_for("SF1000000001", "delivered", at, "evt-2")
    assert (
        tracking_event_receive("sandbox", early, sign(early))
        == "ignored: no shipment with this tracking number"
    )


def test_repair_goes_back_and_forth_and_the_timer_resumes(clock, buyer, seller, listing) -> None:
    # Given a shipped order and its auto-confirm deadline
    order = shipped(buyer, seller, listing)
    before = order.auto_confirm_at
    # When an approved repair goes back to the seller and, two days later, returns repaired
    services.aftersale_request(actor=buyer, number=order.number, kind="repair", reason="屏幕闪")
    services.aftersale_answer(actor=seller, number=order.number, approve=True)
    services.aftersale_ship_back(
        actor=buyer, number=order.number, carrier="中通", tracking_number="ZT2000000005"
    )
    clock.shift(dt.timedelta(days=2))
    services.aftersale_confirm_received(actor=seller, number=order.number)
    a = services.aftersale_reship(
        actor=seller, number=order.number, carrier="顺丰", tracking_number="SF3000000005"
    )
    # Then the order is shipped again with a later auto-confirm deadline
    assert a.status == Status.RESHIPPED
    order.refresh_from_db()
    assert order.status == OrderStatus.SHIPPED
    assert order.auto_confirm_at > before
    books_balance()


def test_the_api_names_bad_fields(api, buyer, seller, listing) -> None:
    # Given a shipped order
    order = shipped(buyer, seller, listing)
    # When the buyer previews a no-reason return through the API
    b = api(buyer)
    r = b.get(f"/orders/{order.number}/after-sales/preview?kind=no_reason_return")
    # Then it is backed, with the law's citations
    assert r.status_code == 200
    assert r.json()["backed"] is True
    assert r.json()["decisions"][0]["citations"]
    # When she requests an unknown kind, then a repair
    # Then the first is refused naming the kind, the second is requested
    r = b.post(f"/orders/{order.number}/after-sales", {"kind": "swap", "reason": "x"})
    assert r.status_code == 422
    assert "kind" in r.json()["detail"]
    r = b.post(f"/orders/{order.number}/after-sales", {"kind": "repair", "reason": "坏了"})
    assert r.status_code == 201
    assert r.json()["status"] == "requested"
    # When the seller refuses without a reason, then approves
    # Then the refusal without a reason fails and the approval goes through
    s = api(seller)
    r = s.post(f"/orders/{order.number}/after-sales/answer", {"approve": False, "reason": ""})
    assert r.status_code == 422
    r = s.post(f"/orders/{order.number}/after-sales/answer", {"approve": True})
    assert r.json()["status"] == "approved"
    # When the buyer ships back claiming a negative shipping cost
    # Then she is refused naming that field and the request is unchanged
    r = b.post(
        f"/orders/{order.number}/after-sales/ship-back",
        {"carrier": "中通", "tracking_number": "ZT2000000006", "return_shipping_fen": -5},
    )
    assert r.status_code == 422
    assert "return_shipping_fen" in r.json()["detail"]
    assert AfterSale.objects.get(order=order).status == Status.APPROVED  # nothing changed
    # When an empty, unsigned carrier notice is posted
    # Then it is refused
    r = api(None).client.post(
        "/api/v1/carriers/notify/sandbox", data=b"{}", content_type="application/json"
    )
    assert r.status_code == 422
