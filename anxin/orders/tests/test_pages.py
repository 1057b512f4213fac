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
    paid = c.post(r["Location"], {"action": "pay"})["Location"]
    assert paid == f"/orders/{order.number}?paid=1"
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


def _shipped(buyer, seller, listing) -> Order:
    from anxin.orders import services

    order = place_order(buyer, listing)
    pay(order)
    services.order_ship(
        actor=seller, number=order.number, carrier="顺丰速运", tracking_number="SF1234567890"
    )
    return order


def test_a_complaint_pauses_auto_confirm_and_the_page_says_why(buyer, seller, listing) -> None:
    from anxin.disputes import services as disputes

    # Given a shipped order
    order = _shipped(buyer, seller, listing)
    # When the buyer files a complaint about it and opens its page, in Chinese and in English
    disputes.dispute_file(
        actor=buyer,
        number=order.number,
        category="quality_defect",
        claim="茶叶受潮",
        claimed_fen=5000,
    )
    c = logged_in(buyer)
    zh = c.get(f"/orders/{order.number}").content.decode()
    en = c.get(f"/orders/{order.number}", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    # Then the page says confirmation is paused because of the complaint, and gives no date
    assert "投诉处理期间，自动确认收货已暂停" in zh
    assert "系统将于" not in zh
    assert "paused while a complaint is open" in en
    assert "confirmed automatically on" not in en


def test_an_after_sales_request_pauses_auto_confirm_and_the_page_says_why(
    buyer, seller, listing
) -> None:
    from anxin.aftersales import services as aftersales

    # Given a shipped order
    order = _shipped(buyer, seller, listing)
    # When the buyer asks for a repair and opens the order's page
    aftersales.aftersale_request(actor=buyer, number=order.number, kind="repair", reason="坏了")
    zh = logged_in(buyer).get(f"/orders/{order.number}").content.decode()
    # Then the page says confirmation is paused because of the after-sales request, with no date
    assert "售后申请处理期间，自动确认收货已暂停" in zh
    assert "系统将于" not in zh


def _checkout(c: Client, listing, phone: str, **headers: str):
    form = _checkout_form(c.get(f"/c/{listing.code}").content.decode())
    return c.post(
        f"/c/{listing.code}",
        {
            **form,
            "quantity": "1",
            "recipient_name": "张伟",
            "recipient_phone": phone,
            "shipping_address": "杭州市西湖区",
        },
        **headers,
    )


@pytest.mark.parametrize("phone", ["123456", "12345678901", "+1 415 555 0100", "139000011112"])
def test_checkout_refuses_a_phone_no_courier_can_call(buyer, listing, phone) -> None:
    # Given a logged-in buyer on a checkout page
    c = logged_in(buyer)
    # When she gives a phone number that is neither a mainland mobile nor a landline
    zh = _checkout(c, listing, phone).content.decode()
    en = _checkout(c, listing, phone, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    # Then no order is made, and the page says what to type, in her language
    assert not Order.objects.exists()
    assert "请填写 11 位手机号码" in zh
    assert "a courier cannot call this number. Enter an 11-digit mobile number" in en


@pytest.mark.parametrize(
    ("phone", "stored"),
    [
        ("13900001111", "13900001111"),
        ("139 0000-1111", "13900001111"),
        ("+86 139 0000 1111", "+8613900001111"),
        ("0571-88886666", "057188886666"),
        ("010 1234 5678", "01012345678"),
    ],
)
def test_checkout_takes_a_mobile_or_a_landline(buyer, listing, phone, stored) -> None:
    # Given a logged-in buyer on a checkout page
    c = logged_in(buyer)
    # When she gives a mainland mobile or a landline, with or without spaces and dashes
    r = _checkout(c, listing, phone)
    # Then the order is made with the number, spaces and dashes taken out
    order = Order.objects.get()
    assert r["Location"] == f"/orders/{order.number}"
    assert order.recipient_phone == stored


def test_the_checkout_phone_field_says_what_it_takes(buyer, listing) -> None:
    # Given a logged-in buyer
    # When she opens a checkout page
    page = logged_in(buyer).get(f"/c/{listing.code}").content.decode()
    # Then the phone input opens the phone keypad and checks a mobile or landline pattern
    field = re.search(r'<input name="recipient_phone"[^>]*>', page)
    assert field is not None
    assert 'inputmode="tel"' in field.group(0)
    assert 'pattern="(\\+?86[ \\-]?)?1[3-9]' in field.group(0)


def test_just_after_paying_the_order_says_confirming_and_offers_no_second_payment(
    buyer, listing
) -> None:
    # Given a buyer's unpaid order and its cashier
    order = place_order(buyer, listing)
    c = logged_in(buyer)
    cashier = c.post(f"/orders/{order.number}/pay")["Location"]
    # When she pays there, before the provider's notification is applied
    back = c.post(cashier, {"action": "pay"})["Location"]
    page = c.get(back).content.decode()
    status = c.get(f"/orders/{order.number}/status?paid=1").content.decode()
    # Then the page and its polled status say the payment is being confirmed, without the
    # pay button or "awaiting payment", and the poll keeps saying so
    assert "已收到付款，正在确认" in page
    assert "待付款" not in page
    assert f"/orders/{order.number}/pay" not in page
    assert "已收到付款，正在确认" in status
    assert "?paid=1" in status
    # When she opens the cashier again (the back button)
    again = c.get(cashier)
    # Then she is sent to her order, not shown the payment's raw status
    assert again.status_code == 302
    assert again["Location"] == f"/orders/{order.number}?paid=1"
    # When the notification lands
    deliver_all()
    # Then the page says the money is held in escrow
    assert "已付款，资金托管中" in c.get(back).content.decode()


def test_confirming_receipt_asks_first_and_says_it_is_done(buyer, seller, listing) -> None:
    # Given a shipped order, and its buyer on its page
    order = _shipped(buyer, seller, listing)
    c = logged_in(buyer)
    page = c.get(f"/orders/{order.number}").content.decode()
    # Then the confirm form asks before it releases the money, naming the amount
    form = re.search(r'<form[^>]*/confirm"[^>]*>', page)
    assert form is not None
    assert 'data-confirm="确认收货并把 ¥128.00 付给卖家？付款后无法撤回。"' in form.group(0)
    # When she confirms receipt
    done = c.post(f"/orders/{order.number}/confirm", follow=True).content.decode()
    # Then the page she lands on says it is done, as a success message
    assert '<p class="flash success" role="status">已确认收货，货款已付给卖家。</p>' in done
    # When she then reviews the order with her browser in English
    en = logged_in(buyer).post(
        f"/orders/{order.number}/review",
        {"as_described": "5", "shipping": "5", "service": "5", "text": "好茶"},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    # Then the review's own success message shows, in English
    assert "Your review is submitted." in en.content.decode()


def test_every_order_action_ends_with_a_success_message(buyer, seller, listing) -> None:
    # Given a shipped order
    order = _shipped(buyer, seller, listing)
    b, s = logged_in(buyer), logged_in(seller)
    # When the buyer asks for a refund, then withdraws it, then asks again and the seller declines
    steps = [
        (b, "refund-request", {"reason": "茶叶受潮"}, "退款申请已发给卖家"),
        (b, "refund-withdraw", {}, "已撤回退款申请"),
        (b, "refund-request", {"reason": "茶叶受潮"}, "退款申请已发给卖家"),
        (s, "refund-decline", {"reason": "已发顺丰"}, "已拒绝退款申请"),
        (b, "aftersale-request", {"kind": "repair", "reason": "坏了"}, "申请已发给卖家"),
    ]
    for client, action, data, message in steps:
        r = client.post(f"/orders/{order.number}/{action}", data, follow=True)
        # Then each ends on the order page with its own success message
        assert f'<p class="flash success" role="status">{message}' in r.content.decode(), action


def test_the_order_number_carries_the_local_date(buyer, listing) -> None:
    import datetime as dt

    import time_machine

    # Given the clock at 20:00 UTC on 1 May 2026, which is 04:00 on 2 May in Beijing
    at = dt.datetime(2026, 5, 1, 20, 0, tzinfo=dt.UTC)
    with time_machine.travel(at, tick=False):
        # When the buyer places an order
        order = place_order(buyer, listing)
    # Then its number carries the Beijing date, as the times on its page do
    assert order.number.startswith("AX20260502"), order.number


def test_a_shipped_order_tells_the_ways_back_apart_and_folds_the_return_form(
    buyer, seller, listing
) -> None:
    # Given a shipped order
    order = _shipped(buyer, seller, listing)
    # When the buyer opens it
    page = logged_in(buyer).get(f"/orders/{order.number}").content.decode()
    # Then it says which way back fits which problem: a refund request, a return or a complaint
    ways = page.split('data-testid="ways-back"', 1)[1].split("</div>", 1)[0]
    assert "没收到货" in ways
    assert "退货与售后" in ways
    assert "投诉" in ways
    # And the return form is folded, so no law text shows before she asks
    tag = re.search(r'<details[^>]*data-testid="aftersale-request"[^>]*>', page)
    assert tag is not None
    assert "open" not in tag.group(0)


def _asks(page: str, action: str) -> str:
    """The question the form posting to `action` asks before it is sent ("" if none)."""
    form = re.search(rf'<form[^>]*/{action}"[^>]*>', page)
    assert form is not None, action
    asked = re.search(r'data-confirm="([^"]*)"', form.group(0))
    return asked.group(1) if asked else ""


def test_every_order_form_that_moves_money_or_gives_up_a_right_asks_first(
    buyer, seller, listing
) -> None:
    from anxin.aftersales import services as aftersales

    # Given a paid order, the buyer's request for a refund on it, and both parties' pages
    order = place_order(buyer, listing)
    pay(order)
    b, s = logged_in(buyer), logged_in(seller)
    paid = b.get(f"/orders/{order.number}").content.decode()
    # Then cancelling it asks first, naming the refund
    assert _asks(paid, "cancel") == "取消这笔订单？买家将全额退回 ¥128.00。此操作无法撤销。"
    # When it is shipped and the buyer asks for a refund
    from anxin.orders import services

    services.order_ship(
        actor=seller, number=order.number, carrier="顺丰速运", tracking_number="SF1234567890"
    )
    b.post(f"/orders/{order.number}/refund-request", {"reason": "没收到"})
    # Then withdrawing it asks first, and the seller's approval asks naming the amount
    assert "撤回退款申请？" in _asks(
        b.get(f"/orders/{order.number}").content.decode(), "refund-withdraw"
    )
    asked = _asks(s.get(f"/orders/{order.number}").content.decode(), "refund-approve")
    assert asked == "向买家全额退款 ¥128.00？订单将关闭，且无法撤销。"
    # When the buyer withdraws it and asks for a return instead
    b.post(f"/orders/{order.number}/refund-withdraw")
    aftersales.aftersale_request(
        actor=buyer, number=order.number, kind="quality_return", reason="漏气"
    )
    # Then withdrawing the return asks first, and so does the seller's approval, naming it
    assert "撤回这个申请？" in _asks(
        b.get(f"/orders/{order.number}").content.decode(), "aftersale-withdraw"
    )
    assert "同意这个申请（质量问题退货）？" in _asks(
        s.get(f"/orders/{order.number}").content.decode(), "aftersale-approve"
    )
    # When the seller approves and the buyer sends the goods back
    aftersales.aftersale_answer(actor=seller, number=order.number, approve=True)
    aftersales.aftersale_ship_back(
        actor=buyer, number=order.number, carrier="中通", tracking_number="ZT1234567890"
    )
    # Then confirming the goods are back asks first, naming the refund
    asked = _asks(s.get(f"/orders/{order.number}").content.decode(), "aftersale-received")
    assert asked.startswith("确认已收到退回的商品？将立即向买家退款 ¥128.00")
