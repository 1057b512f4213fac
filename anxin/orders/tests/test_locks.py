"""The order kernel's locks: who may lock an order, what the lock reads beside it, and the
order of another app's row."""

from __future__ import annotations

import dataclasses

import pytest
from django.db import transaction
from django.utils import timezone

from anxin.aftersales import services as aftersales
from anxin.aftersales.models import AfterSale
from anxin.conftest import pay, place_order
from anxin.core.errors import NotFound
from anxin.orders import locks
from anxin.orders import services as orders
from anxin.orders.holds import hold_is_open
from anxin.orders.locks import order_lock, order_lock_for, order_lock_of, orders_lock
from anxin.remedies.models import SellerDebt

pytestmark = pytest.mark.django_db


def test_the_order_lock_reads_whether_the_seller_is_in_debt() -> None:
    # Given the apps, ready
    # When the order lock's registered reads are listed
    reads = locks.order_lock_reads()
    # Then the seller's unsettled debts are read beside every lock
    assert sorted(reads) == [locks.SELLER_IN_DEBT]
    assert reads[locks.SELLER_IN_DEBT].query.model is SellerDebt


def test_an_order_lock_read_that_the_kernel_does_not_name_is_refused() -> None:
    # Given no read by this name
    # When an app registers one
    with pytest.raises(ValueError, match="no order lock read"):
        locks.order_lock_read_register("seller_is_nice", None)
    # Then it is not read
    assert "seller_is_nice" not in locks.order_lock_reads()


def test_a_lock_result_cannot_be_changed() -> None:
    # Given a lock result
    locked = locks.LockedOrder(order=None, open_hold=False, seller_in_debt=False)  # type: ignore[arg-type]
    # When a service tries to change what the lock read
    with pytest.raises(dataclasses.FrozenInstanceError):
        locked.open_hold = True  # type: ignore[misc]
    # Then it still says what the lock read
    assert locked.open_hold is False


def test_a_buyer_cannot_lock_another_buyers_order(buyer, other_buyer, listing) -> None:
    # Given another buyer's order
    order = place_order(buyer, listing)
    # When this buyer locks it by number
    with transaction.atomic(), pytest.raises(NotFound) as refused:
        order_lock_for(other_buyer, order.number)
    # Then it is not found, as a missing order is
    assert str(refused.value) == f"order {order.number}: not found"


def test_the_lock_reads_an_open_hold(buyer, seller, listing) -> None:
    # Given a shipped order whose buyer asked for a refund
    order = place_order(buyer, listing)
    pay(order)
    orders.order_ship(
        actor=seller, number=order.number, carrier="顺丰", tracking_number="SF4000001"
    )
    orders.order_refund_request(actor=buyer, number=order.number, reason="坏了")
    # When the order is locked
    with transaction.atomic():
        locked = order_lock(order.pk)
    # Then the lock says a hold is open
    assert hold_is_open(locked) is True
    assert locked.order.number == order.number


def test_the_lock_reads_a_sellers_unsettled_debt(buyer, seller, listing) -> None:
    # Given an order whose seller owes a debt on another order
    order = place_order(buyer, listing)
    SellerDebt.objects.create(seller=seller, buyer=buyer, amount_fen=100, created_at=timezone.now())
    # When the order is locked
    with transaction.atomic():
        locked = order_lock(order.pk)
    # Then the lock says the seller is in debt
    assert locked.seller_in_debt is True


def test_the_lock_of_an_after_sales_request_is_its_orders(buyer, seller, listing) -> None:
    # Given an after-sales request on a shipped order
    order = place_order(buyer, listing)
    pay(order)
    orders.order_ship(
        actor=seller, number=order.number, carrier="顺丰", tracking_number="SF4000002"
    )
    request = aftersales.aftersale_request(
        actor=buyer, number=order.number, kind="repair", reason="坏了"
    )
    # When the request's order is locked through the request
    with transaction.atomic():
        locked = order_lock_of(AfterSale, pk=request.pk)
    # Then it is the request's order
    assert locked is not None
    assert locked.order.pk == order.pk


def test_the_lock_of_no_row_is_none(db) -> None:
    # Given no after-sales request 404
    # When its order is locked
    with transaction.atomic():
        locked = order_lock_of(AfterSale, pk=404)
    # Then there is none
    assert locked is None


def test_many_orders_are_locked_in_ascending_order(buyer, listing) -> None:
    # Given three orders
    ids = [place_order(buyer, listing).pk for _ in range(3)]
    # When they are locked in any order
    with transaction.atomic():
        locked = orders_lock(reversed(ids))
    # Then each is locked, in ascending id
    assert list(locked) == sorted(ids)
