"""An order's life through the services, with exact money at every step."""

from __future__ import annotations

import datetime as dt

import pytest

from anxin.conftest import deliver_all, make_listing, pay, place_order
from anxin.core.errors import Conflict, Forbidden, IdempotencyConflict, InvalidTransition
from anxin.disputes.audit import returns_audit
from anxin.law.days import end_of_day
from anxin.ledger.audit import ledger_audit
from anxin.ledger.models import Account
from anxin.ops.deadlines import deadlines_run
from anxin.orders import services
from anxin.orders.audit import orders_audit
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
    assert ledger_audit() == []
    assert orders_audit() == []
    assert returns_audit() == []


def ship(order):
    return services.order_ship(
        actor=order.seller, number=order.number, carrier="顺丰速运", tracking_number="SF1234567890"
    )


def test_the_whole_escrow_path_pays_the_seller_only_after_confirmation(
    clock, buyer, seller, listing
) -> None:
    order = place_order(buyer, listing, quantity=2)
    assert (order.amount_fen, order.fee_fen, order.seller_share_fen) == (25600, 153, 25447)
    listing.refresh_from_db()
    assert listing.stock == 8

    pay(order)
    assert order.status == OrderStatus.PAID
    b, s, fees = acct(f"buyer:{buyer.pk}"), acct(f"seller:{seller.pk}"), acct("platform:fees")
    assert (b.credits_posted, b.debits_pending, b.available) == (25600, 25600, 0)
    assert (s.credits_pending, s.credits_posted) == (25447, 0)
    assert (fees.credits_pending, fees.credits_posted) == (153, 0)

    clock.shift(dt.timedelta(hours=5))
    ship(order)
    order.refresh_from_db()
    assert order.status == OrderStatus.SHIPPED
    # Shipped on 1 May: ten days counted from the 2nd end at 24:00 of 11 May, Beijing time
    # (Civil Code Arts. 201 and 203).
    assert order.auto_confirm_at == end_of_day(dt.date(2026, 5, 11))
    assert acct(f"seller:{seller.pk}").credits_posted == 0  # still in escrow

    services.order_confirm(actor=buyer, number=order.number)
    order.refresh_from_db()
    assert (order.status, order.confirmed_by) == (OrderStatus.COMPLETED, "buyer")
    s, fees, b = acct(f"seller:{seller.pk}"), acct("platform:fees"), acct(f"buyer:{buyer.pk}")
    assert (s.credits_pending, s.credits_posted) == (0, 25447)
    assert (fees.credits_pending, fees.credits_posted) == (0, 153)
    assert (b.debits_pending, b.available) == (0, 0)
    kinds = list(order.events.values_list("kind", flat=True))
    assert kinds == ["created", "paid", "shipped", "confirmed"]
    audit_clean()


def test_fee_rounds_down_so_share_plus_fee_is_the_amount(buyer, seller, settings) -> None:
    settings.ANXIN_PLATFORM_FEE_BPS = 60
    order = place_order(buyer, make_listing(seller, price_fen=199))
    # 199 x 0.6% = 1.194 fen: the seller pays 1 fen, never a fraction more than the rate.
    assert (order.fee_fen, order.seller_share_fen) == (1, 198)


def test_the_fee_rate_is_fixed_when_the_order_is_made(
    clock, buyer, seller, listing, settings
) -> None:
    order = place_order(buyer, listing)
    settings.ANXIN_PLATFORM_FEE_BPS = 500
    pay(order)
    ship(order)
    services.order_confirm(actor=buyer, number=order.number)
    assert acct("platform:fees").credits_posted == 76  # 12800 x 0.6%, not 5%
    audit_clean()


def test_auto_confirm_releases_escrow_ten_days_after_shipment(
    clock, buyer, seller, listing
) -> None:
    order = place_order(buyer, listing)
    pay(order)
    ship(order)
    order.refresh_from_db()
    # The tenth day after shipment ends at 24:00 Beijing time (Civil Code Arts. 201, 203).
    clock.move_to(order.auto_confirm_at - dt.timedelta(seconds=1))
    deliver_all()
    order.refresh_from_db()
    assert order.status == OrderStatus.SHIPPED
    clock.shift(dt.timedelta(seconds=1))
    deliver_all()
    order.refresh_from_db()
    assert (order.status, order.confirmed_by) == (OrderStatus.COMPLETED, "system")
    assert acct(f"seller:{seller.pk}").credits_posted == order.seller_share_fen
    audit_clean()


def test_an_open_refund_request_pauses_auto_confirm_and_extends_it(
    clock, buyer, seller, listing
) -> None:
    order = place_order(buyer, listing)
    pay(order)
    ship(order)
    original = Order.objects.get(pk=order.pk).auto_confirm_at
    clock.shift(dt.timedelta(days=3))
    services.order_refund_request(actor=buyer, number=order.number, reason="茶叶受潮")
    clock.shift(dt.timedelta(days=8))  # past the original deadline
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
        "blacklistings_expired": 0,
        "blacklistings_opened": 0,
        "scores_refreshed": 1,  # the seller's order had events: its score follows them
    }
    deliver_all()
    assert Order.objects.get(pk=order.pk).status == OrderStatus.SHIPPED
    services.order_refund_request_decide(
        actor=seller, number=order.number, approve=False, reason="茶叶出厂检验合格"
    )
    order.refresh_from_db()
    assert order.auto_confirm_at == original + dt.timedelta(days=8)
    clock.move_to(order.auto_confirm_at - dt.timedelta(minutes=1))
    deliver_all()
    assert Order.objects.get(pk=order.pk).status == OrderStatus.SHIPPED
    clock.shift(dt.timedelta(minutes=1))
    deliver_all()
    assert Order.objects.get(pk=order.pk).status == OrderStatus.COMPLETED
    audit_clean()


def test_buyer_cannot_confirm_while_own_refund_request_is_open(buyer, seller, listing) -> None:
    order = place_order(buyer, listing)
    pay(order)
    ship(order)
    services.order_refund_request(actor=buyer, number=order.number, reason="包装破损")
    with pytest.raises(InvalidTransition):
        services.order_confirm(actor=buyer, number=order.number)
    services.order_refund_request_withdraw(actor=buyer, number=order.number)
    services.order_confirm(actor=buyer, number=order.number)
    assert Order.objects.get(pk=order.pk).status == OrderStatus.COMPLETED


def test_an_approved_refund_request_refunds_from_escrow(buyer, seller, listing) -> None:
    order = place_order(buyer, listing)
    pay(order)
    ship(order)
    services.order_refund_request(actor=buyer, number=order.number, reason="与描述不符")
    services.order_refund_request_decide(
        actor=seller, number=order.number, approve=True, reason="同意"
    )
    deliver_all()
    order.refresh_from_db()
    assert order.status == OrderStatus.REFUNDED
    refund = Refund.objects.get(order=order)
    assert (refund.status, refund.amount_fen) == ("succeeded", 12800)
    assert acct(f"seller:{seller.pk}").credits_pending == 0
    assert acct(f"buyer:{buyer.pk}").available == 0
    assert acct("provider:sandbox").debits_posted - acct("provider:sandbox").credits_posted == 0
    listing.refresh_from_db()
    assert listing.stock == 9  # shipped goods do not return to stock by themselves
    audit_clean()


def test_cancel_before_payment_closes_and_restocks(buyer, listing) -> None:
    order = place_order(buyer, listing, quantity=3)
    services.order_cancel(actor=buyer, number=order.number, reason="买错了")
    order.refresh_from_db()
    listing.refresh_from_db()
    assert (order.status, listing.stock) == (OrderStatus.CANCELLED, 10)
    assert not Refund.objects.exists()
    audit_clean()


def test_cancel_after_payment_refunds_everything(buyer, seller, listing) -> None:
    order = place_order(buyer, listing)
    pay(order)
    services.order_cancel(actor=buyer, number=order.number, reason="不想要了")
    deliver_all()
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
    order = place_order(buyer, listing)
    pay(order)
    ship(order)
    with pytest.raises(InvalidTransition):
        services.order_cancel(actor=buyer, number=order.number, reason="x")
    services.order_confirm(actor=buyer, number=order.number)
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
    order = place_order(buyer, listing)
    pay(order)
    ship(order)
    with pytest.raises(Forbidden):
        services.order_confirm(actor=seller, number=order.number)
    assert Order.objects.get(pk=order.pk).status == OrderStatus.SHIPPED


def test_unpaid_orders_expire_and_release_stock(clock, buyer, listing, settings) -> None:
    order = place_order(buyer, listing, quantity=2)
    clock.shift(dt.timedelta(minutes=settings.ANXIN_PAYMENT_TIMEOUT_MINUTES))
    deliver_all()
    order.refresh_from_db()
    listing.refresh_from_db()
    assert (order.status, order.close_reason, listing.stock) == (
        OrderStatus.CANCELLED,
        "not paid in time",
        10,
    )


def test_a_payment_that_lands_after_cancellation_goes_straight_back(buyer, seller, listing) -> None:
    from anxin.payments.providers.sandbox import SandboxProvider

    order = place_order(buyer, listing)
    payment = services.order_payment_start(actor=buyer, number=order.number)
    # The buyer pays at the cashier; before the notification lands, the order is cancelled.
    SandboxProvider().buyer_pays(payment.provider_payment_id)
    services.order_cancel(actor=buyer, number=order.number, reason="重复下单")
    deliver_all()
    order.refresh_from_db()
    payment.refresh_from_db()
    assert (order.status, payment.status) == (OrderStatus.CANCELLED, PaymentStatus.SUCCEEDED)
    refund = Refund.objects.get(order=order)
    assert (refund.amount_fen, refund.status) == (12800, "succeeded")
    assert "late_payment_returned" in order.events.values_list("kind", flat=True)
    assert acct(f"buyer:{buyer.pk}").available == 0
    audit_clean()


def test_a_failed_payment_leaves_the_order_payable(buyer, listing) -> None:
    order = place_order(buyer, listing)
    first = pay(order, succeed=False)
    first.refresh_from_db()
    assert (order.status, first.status) == (OrderStatus.AWAITING_PAYMENT, PaymentStatus.FAILED)
    second = pay(order)
    assert second.pk != first.pk
    assert order.status == OrderStatus.PAID
    audit_clean()


def test_duplicate_notifications_change_nothing(buyer, listing, settings) -> None:
    settings.ANXIN_SANDBOX_DUPLICATE_RATE = 1.0  # every notification is delivered twice
    order = place_order(buyer, listing)
    pay(order)
    rows = SandboxNotification.objects.filter(event_type="payment.succeeded")
    assert rows.count() == 2
    assert len({r.event_id for r in rows}) == 1
    note = PaymentNotification.objects.get(event_type="payment.succeeded")
    assert (note.status, note.times_received) == (NotificationStatus.APPLIED, 2)
    assert list(order.events.values_list("kind", flat=True)) == ["created", "paid"]
    assert acct(f"buyer:{buyer.pk}").credits_posted == 12800
    audit_clean()


def test_a_failure_reported_after_success_is_ignored(buyer, listing) -> None:
    from anxin.payments.providers.sandbox import SandboxProvider, sign
    from anxin.payments.services import notification_receive

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
    assert notification_receive(provider_name="sandbox", body=body, headers=sign(body)) == "ignored"
    payment.refresh_from_db()
    order.refresh_from_db()
    assert (payment.status, order.status) == (PaymentStatus.SUCCEEDED, OrderStatus.PAID)
    audit_clean()


def test_a_refund_the_bank_rejects_puts_the_money_back_with_the_buyer_funds(buyer, seller) -> None:
    # Amounts ending in 13 fen make the sandbox's refunds fail, like a closed card.
    order = place_order(buyer, make_listing(seller, price_fen=10013))
    pay(order)
    services.order_cancel(actor=seller, number=order.number, reason="缺货")
    deliver_all()
    refund = Refund.objects.get(order=order)
    assert (refund.status, refund.failure_reason) == ("failed", "card account closed")
    b = acct(f"buyer:{buyer.pk}")
    assert b.available == 10013  # held for the buyer, visible to the operator
    assert "refund_failed" in order.events.values_list("kind", flat=True)
    audit_clean()


def test_an_order_is_for_exactly_the_snapshot_the_buyer_saw(buyer, seller, listing) -> None:
    from anxin.catalog.services import ListingContent, listing_update

    seen = listing.current_snapshot_id
    listing_update(
        actor=seller,
        listing_id=listing.pk,
        content=ListingContent(
            title="明前西湖龙井 250克", description="手工炒制", price_fen=15800, shipping_days=2
        ),
    )
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
    assert e.value.code == "listing_changed"
    assert not Order.objects.exists()
    order = place_order(buyer, listing)
    assert (order.snapshot.version, order.unit_price_fen) == (2, 15800)


def test_the_last_item_cannot_be_sold_twice(buyer, other_buyer, seller) -> None:
    last = make_listing(seller, stock=1)
    place_order(buyer, last)
    with pytest.raises(Conflict) as e:
        place_order(other_buyer, last)
    assert e.value.code == "out_of_stock"


def test_placing_an_order_is_idempotent(buyer, listing) -> None:
    a = place_order(buyer, listing, key="same")
    b = place_order(buyer, listing, key="same")
    assert a.pk == b.pk
    assert Order.objects.count() == 1
    listing.refresh_from_db()
    assert listing.stock == 9
    with pytest.raises(IdempotencyConflict):
        place_order(buyer, listing, quantity=2, key="same")


def test_one_buyer_cannot_hoard_a_listing_in_unpaid_orders(
    clock, buyer, other_buyer, seller, settings
) -> None:
    """Unpaid orders hold stock for ANXIN_PAYMENT_TIMEOUT_MINUTES: without a cap one free
    account empties a listing, again every half hour."""
    from anxin.catalog.models import Listing
    from anxin.core.errors import RateLimited

    settings.ANXIN_UNPAID_UNITS_PER_LISTING = 3
    settings.ANXIN_UNPAID_ORDERS_PER_BUYER = 3
    listing = make_listing(seller, stock=50)
    place_order(buyer, listing, quantity=2)
    with pytest.raises(RateLimited) as e:
        place_order(buyer, listing, quantity=2)
    assert e.value.code == "too_many_unpaid_units"
    assert e.value.field == "quantity"
    # Refused whole: the stock it would have taken is still there.
    assert Listing.objects.get(pk=listing.pk).stock == 48
    place_order(buyer, listing, quantity=1)
    # Another buyer is not limited by this one.
    place_order(other_buyer, listing, quantity=3)
    # Paying frees the buyer's count; an order of another listing counts towards the total.
    paid = Order.objects.filter(buyer=buyer).first()
    pay(paid)
    place_order(buyer, listing, quantity=2)
    place_order(buyer, make_listing(seller, title="另一款茶"))
    with pytest.raises(RateLimited) as e:
        place_order(buyer, make_listing(seller, title="第三款茶"))
    assert e.value.code == "too_many_unpaid_orders"
    assert e.value.status == 429
