"""Pages, as a person on a phone uses them: forms in, pages out, in Chinese and English."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from anxin.conftest import PASSWORD, deliver_all, make_user, pay, place_order
from anxin.orders.models import Order, OrderStatus

pytestmark = pytest.mark.django_db


def logged_in(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_landing_is_chinese_by_default_and_english_on_request() -> None:
    zh = Client().get("/")
    assert "在聊天里买东西，也能安心" in zh.content.decode()
    en = Client(headers={"accept-language": "en"}).get("/")
    assert "Buy from anyone in your chats" in en.content.decode()


def test_the_language_switch_sticks() -> None:
    c = Client()
    c.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "Sign up to buy" in c.get("/").content.decode()


def test_signup_logs_in_and_sends_each_role_home() -> None:
    c = Client()
    r = c.post(
        "/signup/",
        {"role": "seller", "username": "chen", "password": PASSWORD, "shop_name": "陈记茶行"},
    )
    assert r.status_code == 302 and r["Location"] == "/"
    assert c.get("/")["Location"] == "/seller/"
    assert "陈记茶行" in c.get("/seller/").content.decode()


def test_signup_errors_are_shown_not_500() -> None:
    r = Client().post("/signup/", {"role": "buyer", "username": "x", "password": "p"})
    assert r.status_code == 400 and "username" in r.content.decode()


def test_login_and_logout() -> None:
    make_user("zhang", "buyer")
    c = Client()
    bad = c.post("/login/", {"username": "zhang", "password": "nope"})
    assert bad.status_code == 400 and "用户名或密码错误" in bad.content.decode()
    assert c.post("/login/", {"username": "zhang", "password": PASSWORD})["Location"] == "/"
    assert c.get("/")["Location"] == "/orders/"
    c.post("/logout/")
    assert "注册买家" in c.get("/").content.decode()


@pytest.mark.parametrize("role", ["mediator", "adjudicator", "regulator", "operator"])
def test_every_staff_role_has_a_home(role) -> None:
    user = make_user(f"u-{role}", role)
    c = logged_in(user)
    assert c.get("/")["Location"] == "/desk/"
    page = c.get("/desk/")
    assert page.status_code == 200
    if role == "operator":
        assert "账本所有校验均通过" in page.content.decode()


def test_a_buyer_cannot_open_seller_pages(buyer) -> None:
    assert logged_in(buyer).get("/seller/").status_code == 403


def test_the_checkout_page_shows_what_is_advertised_to_anyone(listing) -> None:
    page = Client().get(f"/c/{listing.code}").content.decode()
    assert "明前西湖龙井 250克" in page and "¥128.00" in page
    assert "登录或注册后即可购买" in page
    qr = Client().get(f"/c/{listing.code}/qr.svg")
    assert qr["Content-Type"] == "image/svg+xml" and qr.content.startswith(b"<svg")
    # A file of its own: without its namespace a browser draws no image at all.
    assert qr.content.startswith(b'<svg xmlns="http://www.w3.org/2000/svg"')


def test_an_unknown_checkout_link_is_a_404_page() -> None:
    assert Client().get("/c/nope").status_code == 404


def _checkout_form(page: str) -> dict[str, str]:
    return dict(re.findall(r'name="(snapshot_id|idempotency_key)" value="([^"]+)"', page))


def test_buyer_checks_out_pays_and_confirms_through_pages(buyer, seller, listing) -> None:
    from anxin.payments.models import SandboxPayment

    c = logged_in(buyer)
    form = _checkout_form(c.get(f"/c/{listing.code}").content.decode())
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
    order = Order.objects.get()
    assert r["Location"] == f"/orders/{order.number}"
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
    assert Order.objects.count() == 1

    r = c.post(f"/orders/{order.number}/pay")
    sp = SandboxPayment.objects.get()
    assert r["Location"] == f"/sandbox/pay/{sp.pk}"
    assert "¥256.00" in c.get(r["Location"]).content.decode()
    assert c.post(r["Location"], {"action": "pay"})["Location"] == f"/orders/{order.number}"
    deliver_all()
    page = c.get(f"/orders/{order.number}").content.decode()
    assert "已付款，资金托管中" in page and "尚未付给卖家" in page

    s = logged_in(seller)
    assert order.number in s.get("/seller/").content.decode()
    s.post(
        f"/orders/{order.number}/ship", {"carrier": "顺丰速运", "tracking_number": "SF1234567890"}
    )
    c.post(f"/orders/{order.number}/confirm")
    order.refresh_from_db()
    assert order.status == OrderStatus.COMPLETED
    seller_page = s.get(f"/orders/{order.number}").content.decode()
    assert "¥254.47" in seller_page  # 25600 - 153 fee


def test_an_action_refused_by_the_rules_shows_a_message_and_changes_nothing(
    buyer, seller, listing
) -> None:
    order = place_order(buyer, listing)
    pay(order)
    c = logged_in(seller)
    r = c.post(f"/orders/{order.number}/confirm", follow=True)
    assert "only buyer" in r.content.decode()
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID


def test_someone_elses_order_page_is_404(buyer, other_buyer, listing) -> None:
    order = place_order(buyer, listing)
    assert logged_in(other_buyer).get(f"/orders/{order.number}").status_code == 404
    r = logged_in(other_buyer).post(f"/orders/{order.number}/cancel", {"reason": "x"})
    assert r.status_code == 404
    order.refresh_from_db()
    assert order.status == OrderStatus.AWAITING_PAYMENT


def test_seller_creates_and_edits_a_listing_keeping_old_versions(seller) -> None:
    from anxin.catalog.models import Listing
    from anxin.conftest import verify_seller

    verify_seller(seller, licences=("food_business",))  # tea is food: licensed
    c = logged_in(seller)
    r = c.post(
        "/seller/listings/new",
        {
            "title": "安溪铁观音",
            "description": "兰花香",
            "category": "food",
            "price_yuan": "198.5",
            "stock": "20",
            "shipping_days": "3",
            "return_policy": "no_reason_7_days",
        },
    )
    listing = Listing.objects.get()
    assert r["Location"] == f"/seller/listings/{listing.pk}"
    assert listing.current_snapshot.price_fen == 19850
    detail = c.get(r["Location"]).content.decode()
    assert f"/c/{listing.code}" in detail
    c.post(
        f"/seller/listings/{listing.pk}/edit",
        {
            "title": "安溪铁观音 清香型",
            "description": "兰花香",
            "category": "food",
            "price_yuan": "208",
            "stock": "20",
            "shipping_days": "3",
            "return_policy": "no_reason_7_days",
            "is_active": "on",
        },
    )
    listing.refresh_from_db()
    assert (listing.current_snapshot.version, listing.snapshots.count()) == (2, 2)
    bad = c.post(
        "/seller/listings/new",
        {
            "title": "x",
            "price_yuan": "12.345",
            "stock": "1",
            "shipping_days": "1",
            "return_policy": "no_reason_7_days",
            "category": "general",
        },
    )
    assert bad.status_code == 400 and "price" in bad.content.decode()


def test_the_order_page_shows_auto_confirm_and_its_pause(buyer, seller, listing) -> None:
    from anxin.orders import services

    order = place_order(buyer, listing)
    pay(order)
    services.order_ship(
        actor=seller, number=order.number, carrier="顺丰速运", tracking_number="SF1234567890"
    )
    c = logged_in(buyer)
    assert "系统将于" in c.get(f"/orders/{order.number}").content.decode()
    c.post(f"/orders/{order.number}/refund-request", {"reason": "茶叶受潮"})
    assert "自动确认收货已暂停" in c.get(f"/orders/{order.number}").content.decode()
