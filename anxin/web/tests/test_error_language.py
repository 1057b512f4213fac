"""Refusals on pages read in the page's language: Chinese pages never show a service's English
detail, an internal field name or a raw status, and say what to do next."""

from __future__ import annotations

import pytest
from django.test import Client

from anxin.accounts.models import Role
from anxin.conftest import make_user, pay, place_order, shipped
from anxin.orders import services as order_svc

pytestmark = pytest.mark.django_db


def zh_client(user=None) -> Client:
    c = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    if user is not None:
        c.force_login(user)
    return c


def test_a_wrong_id_check_digit_is_told_in_chinese_and_the_number_is_kept() -> None:
    # Given an unverified seller on a Chinese page
    seller = make_user("zhshop", Role.SELLER, verified=False)
    c = zh_client(seller)
    # When she verifies with a resident ID whose check digit is wrong
    r = c.post(
        "/seller/verification",
        {
            "kind": "individual",
            "name": "李四",
            "number": "110101199003071234",
            "address": "北京",
            "contact": "13900001111",
        },
    )
    page = r.content.decode()
    # Then she is told in Chinese what is wrong and what to do, without the field's name
    assert r.status_code == 422
    assert "身份证号码的最后一位（校验码）不对，请核对后重新填写。" in page
    assert "check digit" not in page
    assert "number:" not in page
    # And the number she typed is still in the form, to correct
    assert 'value="110101199003071234"' in page


def test_an_unknown_checkout_link_is_told_in_chinese() -> None:
    # Given a buyer on a Chinese page
    buyer = make_user("zhbuyer", Role.BUYER)
    # When she opens a checkout link that leads to no listing
    r = zh_client(buyer).get("/c/nosuchcode")
    page = r.content.decode()
    # Then she gets a 404 in Chinese that tells her to check the link with the seller
    assert r.status_code == 404
    assert "这个购买链接找不到对应的商品，请向卖家确认链接。" in page
    assert "no such listing" not in page
    assert "checkout link:" not in page


def test_listing_before_verification_is_refused_in_chinese_with_the_law() -> None:
    # Given an unverified seller on a Chinese page
    seller = make_user("zhnew", Role.SELLER, verified=False)
    # When she tries to list goods
    r = zh_client(seller).post(
        "/seller/listings/new",
        {
            "title": "安溪铁观音",
            "description": "兰花香",
            "category": "general",
            "price_yuan": "198.5",
            "stock": "20",
            "shipping_days": "3",
            "return_policy": "no_reason_7_days",
        },
    )
    page = r.content.decode()
    # Then she is told in Chinese to verify first, citing the law in Chinese
    assert "请先完成身份认证，再发布商品（《电子商务法》第二十七条）。" in page
    assert "verify your identity" not in page
    assert "E-Commerce Law" not in page


def test_paying_a_paid_payment_at_the_cashier_shows_no_raw_status(buyer, listing) -> None:
    # Given a buyer whose payment has already succeeded at the sandbox cashier
    order = place_order(buyer, listing)
    payment = order_svc.order_payment_start(actor=buyer, number=order.number)
    url = f"/sandbox/pay/{payment.provider_payment_id}"
    c = zh_client(buyer)
    assert c.post(url, {"action": "pay"}).status_code == 302
    # When she opens the cashier again, and pays again
    shown = c.get(url)
    again = c.post(url, {"action": "pay"})
    # Then both take her back to her order, which says the payment is being confirmed or done,
    # and never shows the provider's status name
    for r in (shown, again):
        assert r.status_code == 302
        assert r["Location"] == f"/orders/{order.number}?paid=1"
    page = c.get(again["Location"]).content.decode()
    assert "succeeded" not in page
    assert "付款到安心托管" not in page  # no pay button again
    assert "payment is" not in page


def test_a_declined_payment_reason_is_translated_in_the_timeline(buyer, listing) -> None:
    # Given a buyer whose payment the sandbox declined for lack of balance
    order = place_order(buyer, listing)
    pay(order, succeed=False)
    # When she opens her order on a Chinese page
    page = zh_client(buyer).get(f"/orders/{order.number}").content.decode()
    # Then the timeline gives the reason in Chinese
    assert "支付被拒绝：余额不足。" in page
    assert "insufficient balance" not in page


def test_an_english_page_words_the_field_name() -> None:
    # Given an unverified seller on an English page
    seller = make_user("enshop", Role.SELLER, verified=False)
    c = Client(HTTP_ACCEPT_LANGUAGE="en")
    c.force_login(seller)
    # When she verifies with a resident ID whose check digit is wrong
    page = c.post(
        "/seller/verification",
        {
            "kind": "individual",
            "name": "Li Si",
            "number": "110101199003071234",
            "address": "Beijing",
            "contact": "13900001111",
        },
    ).content.decode()
    # Then the page names the field in words, not by its internal name, and says what to do
    assert (
        "The last character of the ID number (the check digit) is wrong. "
        "Check it and enter it again." in page
    )
    assert "number: the check digit" not in page


def en_client(user) -> Client:
    c = Client(HTTP_ACCEPT_LANGUAGE="en")
    c.force_login(user)
    return c


def test_a_seller_buying_is_told_in_english_to_sign_in_as_a_buyer(seller, listing) -> None:
    # Given a seller on an English page, at the checkout of a listing
    listing.refresh_from_db()
    # When she tries to place an order there herself
    r = en_client(seller).post(
        f"/c/{listing.code}",
        {
            "snapshot_id": str(listing.current_snapshot_id),
            "quantity": "1",
            "recipient_name": "Li Si",
            "recipient_phone": "13900001111",
            "shipping_address": "Hangzhou, Wensan Road 100",
            "idempotency_key": "k" * 32,
        },
    )
    page = r.content.decode()
    # Then the page refuses in plain English and tells her what to do next
    assert r.status_code == 403
    assert "Only buyers can place orders. Sign in with a buyer account." in page
    assert "only buyers can place orders<" not in page


def test_a_second_after_sales_request_is_told_in_english_with_what_to_do(
    buyer, seller, listing, api
) -> None:
    # Given a buyer on an English page whose shipped order has an after-sales request open
    order = shipped(buyer, seller, listing)
    c = en_client(buyer)
    ask = {"kind": "no_reason_return", "reason": "Changed my mind", "item_condition": "intact"}
    first = c.post(f"/orders/{order.number}/aftersale-request", ask, follow=True)
    assert "Your request is sent to the seller." in first.content.decode()
    # When she asks again on the page, and a program asks again through the API
    again = c.post(f"/orders/{order.number}/aftersale-request", ask, follow=True)
    by_api = api(buyer).post(
        f"/orders/{order.number}/after-sales", ask, **{"Accept-Language": "en"}
    )
    page = again.content.decode()
    # Then the page says a request is in progress and to wait, without the API's terse words
    assert (
        f"Order {order.number} already has an after-sales request in progress. "
        "Wait until it is settled before asking again." in page
    )
    assert "is already open" not in page
    # And the API keeps its English detail
    assert by_api.status_code == 409
    assert by_api.json()["detail"] == (
        f"order {order.number}: an after-sales request is already open"
    )
