"""A buyer returns some of an order's items: refunded for those, the seller paid for the rest,
and the last items returned close the order as refunded. Money is never created or lost."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from anxin.aftersales import services
from anxin.aftersales.models import AfterSale, Status
from anxin.aftersales.tests.test_aftersales import balance, books_balance
from anxin.carriers.sandbox import SandboxCarrier
from anxin.conftest import PASSWORD, deliver_all, pay, place_order
from anxin.core.errors import InvalidTransition, ValidationFailed
from anxin.orders import services as orders
from anxin.orders.models import Order, OrderStatus

pytestmark = pytest.mark.django_db


def _three_shipped(buyer, seller, listing) -> Order:
    order = place_order(buyer, listing, quantity=3)
    pay(order)
    orders.order_ship(
        actor=seller, number=order.number, carrier="顺丰速运", tracking_number="SF3000000001"
    )
    assert SandboxCarrier().deliver_now("SF3000000001").startswith("applied")
    order.refresh_from_db()
    return order


def _return(buyer, seller, order: Order, quantity: int | None, tracking: str) -> AfterSale:
    a = services.aftersale_request(
        actor=buyer,
        number=order.number,
        kind="no_reason_return",
        reason="多买了",
        quantity=quantity,
    )
    services.aftersale_answer(actor=seller, number=order.number, approve=True)
    services.aftersale_ship_back(
        actor=buyer, number=order.number, carrier="中通", tracking_number=tracking
    )
    services.aftersale_confirm_received(actor=seller, number=order.number)
    a.refresh_from_db()
    return a


def test_returning_one_of_three_items_refunds_one_and_pays_the_seller_for_two(
    clock, buyer, seller, listing
) -> None:
    # Given an order of three items, shipped and delivered, its money in escrow
    order = _three_shipped(buyer, seller, listing)
    unit = order.amount_fen // 3
    # When the buyer asks to return one of them
    clock.shift(dt.timedelta(days=2))
    a = services.aftersale_request(
        actor=buyer, number=order.number, kind="no_reason_return", reason="多买了", quantity=1
    )
    # Then the request is about one item, and the law backs a refund of one item's price
    assert a.quantity == 1
    assert a.law_backed
    assert a.refund_fen == unit
    # When the seller approves, the buyer sends it back and the seller confirms receipt
    services.aftersale_answer(actor=seller, number=order.number, approve=True)
    services.aftersale_ship_back(
        actor=buyer, number=order.number, carrier="中通", tracking_number="ZT3000000001"
    )
    services.aftersale_confirm_received(actor=seller, number=order.number)
    # Then the buyer is refunded one item's price
    a.refresh_from_db()
    order.refresh_from_db()
    assert a.status == Status.REFUNDED
    assert a.refunded_fen == unit
    # And the order is complete: the two kept items' share went to the seller
    assert order.status == OrderStatus.COMPLETED
    fee_back = order.fee_fen * unit // order.amount_fen
    assert balance(f"seller:{seller.pk}") == order.seller_share_fen - (unit - fee_back)
    # And no hold is left open, and the books balance once the refunds have run
    assert not order.holds.filter(closed_at__isnull=True).exists()
    deliver_all()
    books_balance()


def test_the_rest_can_be_returned_later_and_the_last_closes_the_order_as_refunded(
    clock, buyer, seller, listing
) -> None:
    # Given an order of three items of which one was returned and refunded
    order = _three_shipped(buyer, seller, listing)
    unit = order.amount_fen // 3
    first = _return(buyer, seller, order, 1, "ZT3000000002")
    # When the buyer returns the other two, not saying how many (all that are left)
    second = _return(buyer, seller, order, None, "ZT3000000003")
    # Then the second request was about the two left, refunded on top of the first
    assert second.quantity == 2
    assert second.refunded_fen == order.amount_fen - unit
    assert first.refunded_fen + second.refunded_fen == order.amount_fen
    # And every item is back: the order is refunded, and nothing more can be returned
    order.refresh_from_db()
    assert order.status == OrderStatus.REFUNDED
    with pytest.raises(InvalidTransition):
        services.aftersale_request(
            actor=buyer, number=order.number, kind="no_reason_return", reason="再退"
        )
    # And the books balance: the buyer got back exactly what it paid
    deliver_all()
    books_balance()


def test_a_quantity_out_of_range_is_refused_naming_it_and_changes_nothing(
    buyer, seller, listing
) -> None:
    # Given an order of three items, shipped
    order = _three_shipped(buyer, seller, listing)
    # When the buyer asks to return 0, 4, -1 or "two" of them
    for bad in (0, 4, -1, "two", 1.5):
        # Then the request is refused naming the quantity, and none is stored
        with pytest.raises(ValidationFailed, match="quantity") as e:
            services.aftersale_request(
                actor=buyer,
                number=order.number,
                kind="no_reason_return",
                reason="多买了",
                quantity=bad,
            )
        assert e.value.field == "quantity"
    assert not AfterSale.objects.filter(order=order).exists()


def test_the_return_form_asks_how_many_when_the_order_has_several(
    client: Client, buyer, seller, listing
) -> None:
    # Given an order of three items, shipped, and the buyer signed in
    order = _three_shipped(buyer, seller, listing)
    client.login(username=buyer.username, password=PASSWORD)
    # When she opens the order page
    page = client.get(reverse("web:order", args=[order.number])).content.decode()
    # Then the return form offers 3, 2 or 1 items, all of them first
    assert 'data-testid="aftersale-quantity"' in page
    assert page.index('value="3"') < page.index('value="2"') < page.index('value="1"')
    # When she asks, through the form, to return one
    client.post(
        reverse("web:aftersale_action", args=[order.number, "aftersale-request"]),
        {"kind": "no_reason_return", "reason": "多买了", "quantity": "1"},
    )
    # Then the request is about one item, and the page says so
    assert AfterSale.objects.get(order=order).quantity == 1
    page = client.get(reverse("web:order", args=[order.number])).content.decode()
    assert "共 3 件，退 1 件" in page


def test_a_partial_return_in_escrow_collects_a_sellers_debt_from_the_kept_items_share(
    clock, buyer, seller, listing
) -> None:
    from anxin.conftest import make_listing, make_user, shipped
    from anxin.disputes.tests.test_owed_once import returned_for_a_refund
    from anxin.remedies.models import SellerDebt

    # Given a seller who owes a debt: a return for a defect on an order she was already paid
    # for, with shipping back that her balance did not cover
    cheap = make_listing(seller, price_fen=10000)
    first = shipped(buyer, seller, cheap, tracking="SF1000000042")
    orders.order_confirm(actor=buyer, number=first.number)
    returned_for_a_refund(buyer, seller, first, "漏水", "ZT2000000042")
    debt = SellerDebt.objects.get()
    assert debt.settled_at is None
    # And another buyer's order of three items, its money still in escrow
    other = make_user("buyer3", "buyer")
    order = _three_shipped(other, seller, listing)
    # When that buyer returns one item: the refund settles escrow, the seller is paid for two
    _return(other, seller, order, 1, "ZT3000000042")
    order.refresh_from_db()
    assert order.status == OrderStatus.COMPLETED
    deliver_all()
    # Then the seller's debt is collected from what she was just paid, as after any release
    debt.refresh_from_db()
    assert debt.repaid_fen == debt.amount_fen
    assert debt.settled_at is not None


def test_a_partial_return_the_law_does_not_back_refunds_only_the_items_sent_back(
    buyer, seller
) -> None:
    from anxin.catalog.models import ListingSnapshot
    from anxin.conftest import make_listing

    # Given an order of three custom-made items at 50 yuan, which the law excludes from
    # no-reason returns, shipped and delivered
    listing = make_listing(seller, price_fen=5000)
    ListingSnapshot.objects.filter(listing=listing).update(
        category="custom_made", return_policy="no_reason_excluded"
    )
    order = _three_shipped(buyer, seller, listing)
    assert order.amount_fen == 15000
    # When the buyer asks to return one of them anyway, and the seller agrees and takes it back
    a = _return(buyer, seller, order, 1, "ZT3000000004")
    # Then the request was not backed by the law, and is refunded one item's price, not the
    # whole order's
    assert not a.law_backed
    assert a.status == Status.REFUNDED
    assert a.refunded_fen == 5000
    # And the order is complete with the two kept items paid to the seller, and the books balance
    order.refresh_from_db()
    assert order.status == OrderStatus.COMPLETED
    deliver_all()
    books_balance()
