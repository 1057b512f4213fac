"""An order's life through the services, with exact money at every step."""

from __future__ import annotations

import datetime as dt

import pytest

from anxin.conftest import deliver_all, make_listing, pay, place_order
from anxin.core.errors import Conflict, Forbidden, IdempotencyConflict, InvalidTransition
from anxin.law.days import end_of_day
from anxin.ledger.models import Account
from anxin.ops.audits import books_audit
from anxin.ops.deadlines import deadlines_run
from anxin.orders import services
from anxin.orders.models import Order, OrderStatus
from anxin.payments.models import (
    NotificationStatus,
    PaymentNotification,
    PaymentStatus,
    Refund,
    SandboxNotification,
)

pytestmark = pytest.mark.django_db


def acct(code: str) -> Account:
    return Account.objects.get(code=code)


def audit_clean() -> None:
    assert books_audit() == []


def ship(order):
    return services.order_ship(
        actor=order.seller, number=order.number, carrier="顺丰速运", tracking_number="SF1234567890"
    )


def test_the_whole_escrow_path_pays_the_seller_only_after_confirmation(
    clock, buyer, seller, listing
) -> None:
    # Given a tea listed at 128 yuan with 10 in stock
    # When a buyer orders two
    order = place_order(buyer, listing, quantity=2)
    # Then the 0.6% fee comes out of the seller's share and two items leave stock
    assert order.amount_fen == 25600
    assert order.fee_fen == 153
    assert order.seller_share_fen == 25447
    listing.refresh_from_db()
    assert listing.stock == 8

    # When she pays
    pay(order)
    # Then her money is held in escrow, pending for the seller and the platform
    assert order.status == OrderStatus.PAID
    b, s, fees = acct(f"buyer:{buyer.pk}"), acct(f"seller:{seller.pk}"), acct("platform:fees")
    assert b.credits_posted == 25600
    assert b.debits_pending == 25600
    assert b.available == 0
    assert s.credits_pending == 25447
    assert s.credits_posted == 0
    assert fees.credits_pending == 153
    assert fees.credits_posted == 0

    # When the seller ships five hours later
    clock.shift(dt.timedelta(hours=5))
    ship(order)
    # Then the order waits ten days for confirmation and the seller is not paid yet
    order.refresh_from_db()
    assert order.status == OrderStatus.SHIPPED
    # Shipped on 1 May: ten days counted from the 2nd end at 24:00 of 11 May, Beijing time
    # (Civil Code Arts. 201 and 203).
    assert order.auto_confirm_at == end_of_day(dt.date(2026, 5, 11))
    assert acct(f"seller:{seller.pk}").credits_posted == 0  # still in escrow

    # When the buyer confirms receipt
    services.order_confirm(actor=buyer, number=order.number)
    # Then the escrow is released to the seller and the platform, and every audit is clean
    order.refresh_from_db()
    assert order.status == OrderStatus.COMPLETED
    assert order.confirmed_by == "buyer"
    s, fees, b = acct(f"seller:{seller.pk}"), acct("platform:fees"), acct(f"buyer:{buyer.pk}")
    assert s.credits_pending == 0
    assert s.credits_posted == 25447
    assert fees.credits_pending == 0
    assert fees.credits_posted == 153
    assert b.debits_pending == 0
    assert b.available == 0
    kinds = list(order.events.values_list("kind", flat=True))
    assert kinds == ["created", "paid", "shipped", "confirmed"]
    audit_clean()


def test_fee_rounds_down_so_share_plus_fee_is_the_amount(buyer, seller, settings) -> None:
    # Given a 0.6% platform fee
    settings.ANXIN_PLATFORM_FEE_BPS = 60
    # When a buyer orders goods priced at 199 fen
    order = place_order(buyer, make_listing(seller, price_fen=199))
    # Then the fee rounds down to 1 fen and the seller's share is the rest
    # 199 x 0.6% = 1.194 fen: the seller pays 1 fen, never a fraction more than the rate.
    assert order.fee_fen == 1
    assert order.seller_share_fen == 198


def test_the_fee_rate_is_fixed_when_the_order_is_made(
    clock, buyer, seller, listing, settings
) -> None:
    # Given an order placed at the 0.6% fee, after which the rate rises to 5%
    order = place_order(buyer, listing)
    settings.ANXIN_PLATFORM_FEE_BPS = 500
    # When the order is paid, shipped and confirmed
    pay(order)
    ship(order)
    services.order_confirm(actor=buyer, number=order.number)
    # Then the platform earns the fee of the rate the order was made at
    assert acct("platform:fees").credits_posted == 76  # 12800 x 0.6%, not 5%
    audit_clean()


def test_auto_confirm_releases_escrow_ten_days_after_shipment(
    clock, buyer, seller, listing
) -> None:
    # Given a paid and shipped order
    order = place_order(buyer, listing)
    pay(order)
    ship(order)
    order.refresh_from_db()
    # When the clock stops one second before its auto-confirm deadline and due tasks run
    # The tenth day after shipment ends at 24:00 Beijing time (Civil Code Arts. 201, 203).
    clock.move_to(order.auto_confirm_at - dt.timedelta(seconds=1))
    deliver_all()
    # Then the order is still shipped
    order.refresh_from_db()
    assert order.status == OrderStatus.SHIPPED
    # When that second passes and due tasks run
    clock.shift(dt.timedelta(seconds=1))
    deliver_all()
    # Then the system confirms the order and pays the seller her share
    order.refresh_from_db()
    assert order.status == OrderStatus.COMPLETED
    assert order.confirmed_by == "system"
    assert acct(f"seller:{seller.pk}").credits_posted == order.seller_share_fen
    audit_clean()


def test_an_open_refund_request_pauses_auto_confirm_and_extends_it(
    clock, buyer, seller, listing
) -> None:
    # Given a shipped order and its auto-confirm deadline
    order = place_order(buyer, listing)
    pay(order)
    ship(order)
    original = Order.objects.get(pk=order.pk).auto_confirm_at
    # When the buyer asks for a refund three days later and eight more days pass
    clock.shift(dt.timedelta(days=3))
    services.order_refund_request(actor=buyer, number=order.number, reason="茶叶受潮")
    clock.shift(dt.timedelta(days=8))  # past the original deadline
    # Then the deadline run confirms nothing and the order stays shipped
    assert deadlines_run() == {
        "expired": 0,
        "auto_confirmed": 0,
        "auto_approved": 0,
        "lapsed": 0,
        "refunded": 0,
        "dispute_defaults": 0,
        "dispute_remedies_paid": 0,
        "sellers_lapsed": 0,
        "api_tokens_purged": 0,
        "tasks_reclaimed": 0,
        "rejected_notifications_purged": 0,
        "reconciliations_queued": 0,
        "audits_queued": 0,
        "blacklistings_expired": 0,
        "complaints_overdue": 0,
        "mediations_ended": 0,
        "referrals_overdue": 0,
        "corrections_defaulted": 0,
        "penalty_publications_overdue": 0,
        "data_requests_overdue": 0,
        "early_warnings_raised": 0,
        "blacklistings_opened": 0,
        "scores_refreshed": 1,  # the seller's order had events: its score follows them
    }
    deliver_all()
    assert Order.objects.get(pk=order.pk).status == OrderStatus.SHIPPED
    # When the seller refuses the request
    services.order_refund_request_decide(
        actor=seller, number=order.number, approve=False, reason="茶叶出厂检验合格"
    )
    # Then the deadline moves by the eight days the request was open
    order.refresh_from_db()
    assert order.auto_confirm_at == original + dt.timedelta(days=8)
    # When the clock reaches one minute before the new deadline
    clock.move_to(order.auto_confirm_at - dt.timedelta(minutes=1))
    deliver_all()
    # Then the order is still shipped
    assert Order.objects.get(pk=order.pk).status == OrderStatus.SHIPPED
    # When that minute passes
    clock.shift(dt.timedelta(minutes=1))
    deliver_all()
    # Then the order is confirmed
    assert Order.objects.get(pk=order.pk).status == OrderStatus.COMPLETED
    audit_clean()


def test_buyer_cannot_confirm_while_own_refund_request_is_open(buyer, seller, listing) -> None:
    # Given a shipped order whose buyer has asked for a refund
    order = place_order(buyer, listing)
    pay(order)
    ship(order)
    services.order_refund_request(actor=buyer, number=order.number, reason="包装破损")
    # When she confirms receipt
    # Then she is refused while her request is open
    with pytest.raises(InvalidTransition):
        services.order_confirm(actor=buyer, number=order.number)
    # When she withdraws the request and confirms again
    services.order_refund_request_withdraw(actor=buyer, number=order.number)
    services.order_confirm(actor=buyer, number=order.number)
    # Then the order is completed
    assert Order.objects.get(pk=order.pk).status == OrderStatus.COMPLETED


def test_an_approved_refund_request_refunds_from_escrow(buyer, seller, listing) -> None:
    # Given a shipped order whose buyer asks for a refund
    order = place_order(buyer, listing)
    pay(order)
    ship(order)
    services.order_refund_request(actor=buyer, number=order.number, reason="与描述不符")
    # When the seller approves it and the refund runs
    services.order_refund_request_decide(
        actor=seller, number=order.number, approve=True, reason="同意"
    )
    deliver_all()
    # Then the whole price goes back from escrow and nobody keeps any of it
    order.refresh_from_db()
    assert order.status == OrderStatus.REFUNDED
    refund = Refund.objects.get(order=order)
    assert refund.status == "succeeded"
    assert refund.amount_fen == 12800
    assert acct(f"seller:{seller.pk}").credits_pending == 0
    assert acct(f"buyer:{buyer.pk}").available == 0
    assert acct("provider:sandbox").debits_posted - acct("provider:sandbox").credits_posted == 0
    listing.refresh_from_db()
    assert listing.stock == 9  # shipped goods do not return to stock by themselves
    audit_clean()


def test_cancel_before_payment_closes_and_restocks(buyer, listing) -> None:
    # Given an unpaid order for three items
    order = place_order(buyer, listing, quantity=3)
    # When the buyer cancels it
    services.order_cancel(actor=buyer, number=order.number, reason="买错了")
    # Then the order is cancelled, the three items are back in stock and nothing is refunded
    order.refresh_from_db()
    listing.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    assert listing.stock == 10
    assert not Refund.objects.exists()
    audit_clean()


def test_cancel_after_payment_refunds_everything(buyer, seller, listing) -> None:
    # Given a paid order
    order = place_order(buyer, listing)
    pay(order)
    # When the buyer cancels it and the refund runs
    services.order_cancel(actor=buyer, number=order.number, reason="不想要了")
    deliver_all()
    # Then the refund succeeds and neither the buyer, the seller nor the platform keeps money
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    assert Refund.objects.get(order=order).status == "succeeded"
    assert acct(f"buyer:{buyer.pk}").available == 0
    assert acct(f"seller:{seller.pk}").credits_posted == 0
    assert acct("platform:fees").credits_posted == 0
    assert list(order.events.values_list("kind", flat=True)) == [
        "created",
        "paid",
        "cancelled",
        "refund_succeeded",
    ]
    audit_clean()


def test_no_cancel_after_shipment_and_no_going_backwards(buyer, seller, listing) -> None:
    # Given a shipped order
    order = place_order(buyer, listing)
    pay(order)
    ship(order)
    # When the buyer cancels it
    # Then she is refused
    with pytest.raises(InvalidTransition):
        services.order_cancel(actor=buyer, number=order.number, reason="x")
    # When the buyer confirms receipt
    services.order_confirm(actor=buyer, number=order.number)
    # Then shipping, refunding or confirming the completed order again is refused
    for call in (
        lambda: ship(order),
        lambda: services.order_refund(actor=seller, number=order.number, reason="x"),
        lambda: services.order_confirm(actor=buyer, number=order.number),
    ):
        with pytest.raises(InvalidTransition):
            call()
    assert Order.objects.get(pk=order.pk).status == OrderStatus.COMPLETED
    audit_clean()


def test_a_seller_cannot_confirm_receipt_for_the_buyer(buyer, seller, listing) -> None:
    # Given a shipped order
    order = place_order(buyer, listing)
    pay(order)
    ship(order)
    # When the seller confirms receipt
    # Then she is forbidden and the order stays shipped
    with pytest.raises(Forbidden):
        services.order_confirm(actor=seller, number=order.number)
    assert Order.objects.get(pk=order.pk).status == OrderStatus.SHIPPED


def test_unpaid_orders_expire_and_release_stock(clock, buyer, listing, settings) -> None:
    # Given an unpaid order for two items
    order = place_order(buyer, listing, quantity=2)
    # When the payment time runs out and due tasks run
    clock.shift(dt.timedelta(minutes=settings.ANXIN_PAYMENT_TIMEOUT_MINUTES))
    deliver_all()
    # Then the order is cancelled as not paid in time and both items are back in stock
    order.refresh_from_db()
    listing.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    assert order.close_reason == "not paid in time"
    assert listing.stock == 10


def test_a_payment_that_lands_after_cancellation_goes_straight_back(buyer, seller, listing) -> None:
    from anxin.payments.providers.sandbox import SandboxProvider

    # Given an order whose buyer paid at the cashier
    order = place_order(buyer, listing)
    payment = services.order_payment_start(actor=buyer, number=order.number)
    # The buyer pays at the cashier; before the notification lands, the order is cancelled.
    SandboxProvider().buyer_pays(payment.provider_payment_id)
    # When the order is cancelled before the payment's notification is delivered
    services.order_cancel(actor=buyer, number=order.number, reason="重复下单")
    deliver_all()
    # Then the payment stands, the order stays cancelled and the money is refunded in full
    order.refresh_from_db()
    payment.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    assert payment.status == PaymentStatus.SUCCEEDED
    refund = Refund.objects.get(order=order)
    assert refund.amount_fen == 12800
    assert refund.status == "succeeded"
    assert "late_payment_returned" in order.events.values_list("kind", flat=True)
    assert acct(f"buyer:{buyer.pk}").available == 0
    audit_clean()


def test_a_failed_payment_leaves_the_order_payable(buyer, listing) -> None:
    # Given an unpaid order
    order = place_order(buyer, listing)
    # When the buyer's first payment fails
    first = pay(order, succeed=False)
    # Then the payment is failed and the order still awaits payment
    first.refresh_from_db()
    assert order.status == OrderStatus.AWAITING_PAYMENT
    assert first.status == PaymentStatus.FAILED
    # When she pays again
    second = pay(order)
    # Then a new payment pays the order
    assert second.pk != first.pk
    assert order.status == OrderStatus.PAID
    audit_clean()


def test_duplicate_notifications_change_nothing(buyer, listing, settings) -> None:
    # Given a provider that delivers every notification twice
    settings.ANXIN_SANDBOX_DUPLICATE_RATE = 1.0  # every notification is delivered twice
    # When a buyer pays an order
    order = place_order(buyer, listing)
    pay(order)
    # Then the one event arrives twice, is applied once and credits the buyer once
    rows = SandboxNotification.objects.filter(event_type="payment.succeeded")
    assert rows.count() == 2
    assert len({r.event_id for r in rows}) == 1
    note = PaymentNotification.objects.get(event_type="payment.succeeded")
    assert note.status == NotificationStatus.APPLIED
    assert note.times_received == 2
    assert list(order.events.values_list("kind", flat=True)) == ["created", "paid"]
    assert acct(f"buyer:{buyer.pk}").credits_posted == 12800
    audit_clean()


def test_a_failure_reported_after_success_is_ignored(buyer, listing) -> None:
    from anxin.payments.providers.sandbox import SandboxProvider, sign
    from anxin.payments.services import notification_receive

    # Given a paid order and a signed "payment failed" notice for the same payment
    order = place_order(buyer, listing)
    payment = pay(order)
    row = SandboxNotification.objects.get(event_type="payment.succeeded")
    late = SandboxNotification(
        event_id="evt_late_failure",
        event_type="payment.failed",
        resource={**row.resource, "failure_reason": "timeout"},
        created_at=row.created_at,
        deliver_after=row.deliver_after,
    )
    body = SandboxProvider().body_for(late)
    # When the failure notice arrives
    # Then it is ignored
    assert notification_receive(provider_name="sandbox", body=body, headers=sign(body)) == "ignored"
    # Then the payment still succeeded and the order is still paid
    payment.refresh_from_db()
    order.refresh_from_db()
    assert payment.status == PaymentStatus.SUCCEEDED
    assert order.status == OrderStatus.PAID
    audit_clean()


def test_a_refund_the_bank_rejects_puts_the_money_back_with_the_buyer_funds(buyer, seller) -> None:
    # Given a paid order of 100.13 yuan
    # Amounts ending in 13 fen make the sandbox's refunds fail, like a closed card.
    order = place_order(buyer, make_listing(seller, price_fen=10013))
    pay(order)
    # When the seller cancels it and the refund runs
    services.order_cancel(actor=seller, number=order.number, reason="缺货")
    deliver_all()
    # Then the refund fails and the money is held for the buyer
    refund = Refund.objects.get(order=order)
    assert refund.status == "failed"
    assert refund.failure_reason == "card account closed"
    b = acct(f"buyer:{buyer.pk}")
    assert b.available == 10013  # held for the buyer, visible to the operator
    assert "refund_failed" in order.events.values_list("kind", flat=True)
    audit_clean()


def test_an_order_is_for_exactly_the_snapshot_the_buyer_saw(buyer, seller, listing) -> None:
    from anxin.catalog.services import ListingContent, listing_update

    # Given a buyer who saw a listing before its seller raised the price
    seen = listing.current_snapshot_id
    listing_update(
        actor=seller,
        listing_id=listing.pk,
        content=ListingContent(
            title="明前西湖龙井 250克", description="手工炒制", price_fen=15800, shipping_days=2
        ),
    )
    # When she orders the snapshot she saw
    with pytest.raises(Conflict) as e:
        services.order_create(
            buyer=buyer,
            listing_code=listing.code,
            snapshot_id=seen,
            quantity=1,
            recipient_name="张伟",
            recipient_phone="13900001111",
            shipping_address="杭州",
            idempotency_key="k1",
        )
    # Then she is told the listing changed and no order is made
    assert e.value.code == "listing_changed"
    assert not Order.objects.exists()
    # When she orders the current snapshot
    order = place_order(buyer, listing)
    # Then the order is for snapshot 2 at the new price
    assert order.snapshot.version == 2
    assert order.unit_price_fen == 15800


def test_the_last_item_cannot_be_sold_twice(buyer, other_buyer, seller) -> None:
    # Given a listing whose only item a buyer has ordered
    last = make_listing(seller, stock=1)
    place_order(buyer, last)
    # When another buyer orders it
    with pytest.raises(Conflict) as e:
        place_order(other_buyer, last)
    # Then she is told it is out of stock
    assert e.value.code == "out_of_stock"


def test_placing_an_order_is_idempotent(buyer, listing) -> None:
    # Given a buyer
    # When she places the same order twice with the same key
    a = place_order(buyer, listing, key="same")
    b = place_order(buyer, listing, key="same")
    # Then there is one order and one item left stock
    assert a.pk == b.pk
    assert Order.objects.count() == 1
    listing.refresh_from_db()
    assert listing.stock == 9
    # When she reuses the key for a different quantity
    # Then the key is refused as used for another order
    with pytest.raises(IdempotencyConflict):
        place_order(buyer, listing, quantity=2, key="same")


def test_one_buyer_cannot_hoard_a_listing_in_unpaid_orders(
    clock, buyer, other_buyer, seller, settings
) -> None:
    """Unpaid orders hold stock for ANXIN_PAYMENT_TIMEOUT_MINUTES: without a cap one free
    account empties a listing, again every half hour."""
    from anxin.catalog.models import Listing
    from anxin.core.errors import RateLimited

    # Given caps of 3 unpaid units per listing and 3 unpaid orders per buyer, and a buyer
    # holding 2 unpaid units of a listing of 50
    settings.ANXIN_UNPAID_UNITS_PER_LISTING = 3
    settings.ANXIN_UNPAID_ORDERS_PER_BUYER = 3
    listing = make_listing(seller, stock=50)
    place_order(buyer, listing, quantity=2)
    # When she orders 2 more
    with pytest.raises(RateLimited) as e:
        place_order(buyer, listing, quantity=2)
    # Then she is refused for holding too many unpaid units
    assert e.value.code == "too_many_unpaid_units"
    assert e.value.field == "quantity"
    # Refused whole: the stock it would have taken is still there.
    assert Listing.objects.get(pk=listing.pk).stock == 48
    # Then she may still order up to the cap, and another buyer is not limited by her
    place_order(buyer, listing, quantity=1)
    # Another buyer is not limited by this one.
    place_order(other_buyer, listing, quantity=3)
    # When she pays one order, then orders 2 more units and another listing
    # Paying frees the buyer's count; an order of another listing counts towards the total.
    paid = Order.objects.filter(buyer=buyer).first()
    pay(paid)
    place_order(buyer, listing, quantity=2)
    place_order(buyer, make_listing(seller, title="另一款茶"))
    # When she orders a third listing
    with pytest.raises(RateLimited) as e:
        place_order(buyer, make_listing(seller, title="第三款茶"))
    # Then she is refused for holding too many unpaid orders
    assert e.value.code == "too_many_unpaid_orders"
    assert e.value.status == 429
