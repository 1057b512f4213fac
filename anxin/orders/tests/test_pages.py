"""The order's pages, as a person on a phone uses them: the checkout, paying, the order page
and its actions."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from anxin.conftest import deliver_all, pay, place_order
from anxin.orders.models import Order, OrderStatus

pytestmark = pytest.mark.django_db


def logged_in(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_the_checkout_page_shows_what_is_advertised_to_anyone(listing) -> None:
    # Given a listing
    # When someone not logged in opens its checkout page
    page = Client().get(f"/c/{listing.code}").content.decode()
    # Then it shows the title and price and asks her to log in to buy
    assert "明前西湖龙井 250克" in page
    assert "¥128.00" in page
    assert "登录或注册后即可购买" in page
    # When she fetches the page's QR code
    qr = Client().get(f"/c/{listing.code}/qr.svg")
    # Then it is a standalone SVG image
    assert qr["Content-Type"] == "image/svg+xml"
    assert qr.content.startswith(b"<svg")
    # A file of its own: without its namespace a browser draws no image at all.
    assert qr.content.startswith(b'<svg xmlns="http://www.w3.org/2000/svg"')


def test_an_unknown_checkout_link_is_a_404_page() -> None:
    # Given no listing with the code "nope"
    # When someone opens its checkout link
    # Then the page is not found
    assert Client().get("/c/nope").status_code == 404


def _checkout_form(page: str) -> dict[str, str]:
    return dict(re.findall(r'name="(snapshot_id|idempotency_key)" value="([^"]+)"', page))


def test_buyer_checks_out_pays_and_confirms_through_pages(buyer, seller, listing) -> None:
    from anxin.payments.models import SandboxPayment

    # Given a logged-in buyer on a listing's checkout page
    c = logged_in(buyer)
    form = _checkout_form(c.get(f"/c/{listing.code}").content.decode())
    # When she orders two
    r = c.post(
        f"/c/{listing.code}",
        {
            **form,
            "quantity": "2",
            "recipient_name": "张伟",
            "recipient_phone": "13900001111",
            "shipping_address": "杭州市西湖区",
        },
    )
    # Then she is sent to the new order's page
    order = Order.objects.get()
    assert r["Location"] == f"/orders/{order.number}"
    # When she posts the same form again
    # A double tap on "place order" posts the same form again: still one order.
    c.post(
        f"/c/{listing.code}",
        {
            **form,
            "quantity": "2",
            "recipient_name": "张伟",
            "recipient_phone": "13900001111",
            "shipping_address": "杭州市西湖区",
        },
    )
    # Then there is still one order
    assert Order.objects.count() == 1

    # When she asks to pay
    r = c.post(f"/orders/{order.number}/pay")
    # Then she is sent to the sandbox cashier, which shows the amount
    sp = SandboxPayment.objects.get()
    assert r["Location"] == f"/sandbox/pay/{sp.pk}"
    assert "¥256.00" in c.get(r["Location"]).content.decode()
    # When she pays there, is sent back to the order, and the notification arrives
    assert c.post(r["Location"], {"action": "pay"})["Location"] == f"/orders/{order.number}"
    deliver_all()
    # Then the order page says the money is held in escrow, not yet paid to the seller
    page = c.get(f"/orders/{order.number}").content.decode()
    assert "已付款，资金托管中" in page
    assert "尚未付给卖家" in page

    # When the seller finds the order on her page and ships it, and the buyer confirms
    s = logged_in(seller)
    assert order.number in s.get("/seller/").content.decode()
    s.post(
        f"/orders/{order.number}/ship", {"carrier": "顺丰速运", "tracking_number": "SF1234567890"}
    )
    c.post(f"/orders/{order.number}/confirm")
    # Then the order is completed and the seller's page shows her share after the fee
    order.refresh_from_db()
    assert order.status == OrderStatus.COMPLETED
    seller_page = s.get(f"/orders/{order.number}").content.decode()
    assert "¥254.47" in seller_page  # 25600 - 153 fee


def test_an_action_refused_by_the_rules_shows_a_message_and_changes_nothing(
    buyer, seller, listing
) -> None:
    # Given a paid order
    order = place_order(buyer, listing)
    pay(order)
    # When the seller presses "confirm receipt" on its page
    c = logged_in(seller)
    r = c.post(f"/orders/{order.number}/confirm", follow=True)
    # Then the page says in Chinese that she cannot do this, and the order is still paid
    assert "您不能对订单" in r.content.decode()
    assert "only buyer" not in r.content.decode()
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID


def test_someone_elses_order_page_is_404(buyer, other_buyer, listing) -> None:
    # Given a buyer's unpaid order
    order = place_order(buyer, listing)
    # When another buyer opens its page or cancels it
    # Then she finds no such page, and the order still awaits payment
    assert logged_in(other_buyer).get(f"/orders/{order.number}").status_code == 404
    r = logged_in(other_buyer).post(f"/orders/{order.number}/cancel", {"reason": "x"})
    assert r.status_code == 404
    order.refresh_from_db()
    assert order.status == OrderStatus.AWAITING_PAYMENT


def test_the_order_page_shows_auto_confirm_and_its_pause(buyer, seller, listing) -> None:
    from anxin.orders import services

    # Given a shipped order
    order = place_order(buyer, listing)
    pay(order)
    services.order_ship(
        actor=seller, number=order.number, carrier="顺丰速运", tracking_number="SF1234567890"
    )
    # When its buyer opens its page
    # Then the page says when the system will confirm receipt
    c = logged_in(buyer)
    assert "系统将于" in c.get(f"/orders/{order.number}").content.decode()
    # When she asks for a refund
    c.post(f"/orders/{order.number}/refund-request", {"reason": "茶叶受潮"})
    # Then the page says auto-confirmation is paused
    assert "自动确认收货已暂停" in c.get(f"/orders/{order.number}").content.decode()
