"""The Alipay adapter (RSA2), with no network.

The gateway is stubbed at the SDK's transport boundary (alipay.urlopen): each test reads the
exact request the adapter sends (the gateway URL's parameters and biz_content) and verifies its
RSA2 signature with the app's public key; answers are signed with an "Alipay" key generated
here, the way Alipay signs its answers (over the JSON of the `<method>_response` object).
Notifications are built as Alipay posts them: form parameters signed RSA2 over the others
sorted, sign and sign_type and empty values left out.

Published vectors: RSA2 is SHA256withRSA, so the SDK's signer is checked against the
SHA256withRSA vector of Tencent's wechatpay-go (utils/sign_test.go: its test key, the message
"source" and the signature). The string to sign follows the rule and example of Alipay's
open-platform documentation (parameters sorted by name, k=v joined by '&', sign left out).

Keys, builders and stand-ins: helpers.py; fixtures: conftest.py. The daily bills: test_bills.py;
payouts (transfers to a seller's Alipay account or bank card): test_payouts.py.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from anxin.payments.providers.alipay import GATEWAY, AlipayProvider
from anxin.payments.providers.base import NotificationRejected
from anxin.payments.providers.sandbox import ProviderError
from anxin.payments.tests.alipay.helpers import (
    APPID,
    CST,
    NOTIFY,
    RETURN,
    FakeGateway,
    Keys,
    app_signature_verifies,
    configure,
    notification,
    rsa2_verifies,
)
from anxin.payments.tests.pem import GO_EXPECTED_SIGNATURE, GO_TEST_KEY

pytestmark = pytest.mark.django_db


# --- published vectors -----------------------------------------------------------------------
def test_the_sdks_rsa2_matches_the_published_sha256withrsa_vector() -> None:
    from alipay import AliPay

    # Given the SDK loaded with wechatpay-go's test key (RSA2 is SHA256withRSA)
    client = AliPay(
        appid=APPID,
        app_private_key_string=GO_TEST_KEY,
        alipay_public_key_string=GO_TEST_KEY,
        sign_type="RSA2",
    )
    # When it signs "source"
    # Then the signature is the published one
    assert client._sign("source") == GO_EXPECTED_SIGNATURE


def test_requests_are_signed_over_the_sorted_parameters(ali: AlipayProvider, keys: Keys) -> None:
    # Given the parameters of the documentation's example request (sorted: app_id,
    # biz_content, charset, method, sign_type, timestamp, version)
    data = {
        "app_id": "2014072300007148",
        "method": "alipay.mobile.public.menu.add",
        "charset": "GBK",
        "sign_type": "RSA2",
        "timestamp": "2014-07-24 03:07:50",
        "biz_content": '{"button":[{"actionParam":"ZFB_HFCZ","actionType":"out","name":"话费充值"}]}',
        "version": "1.0",
    }
    # When the SDK signs them
    signed = dict(parse_qsl(ali.client.sign_data(dict(data))))
    # Then the signature covers exactly Alipay's string to sign
    content = (
        "app_id=2014072300007148&biz_content="
        '{"button":[{"actionParam":"ZFB_HFCZ","actionType":"out","name":"话费充值"}]}'
        "&charset=GBK&method=alipay.mobile.public.menu.add&sign_type=RSA2"
        "&timestamp=2014-07-24 03:07:50&version=1.0"
    )
    assert rsa2_verifies(keys.app, content, signed["sign"])


# --- orders ----------------------------------------------------------------------------------
def test_a_wap_payment_is_a_signed_cashier_url(ali: AlipayProvider, keys: Keys) -> None:
    # Given order AX20261204ABCD1234's first payment attempt
    # When its wap payment is created
    created = ali.create_payment(
        merchant_ref="AX20261204ABCD1234",
        amount_fen=1234,
        description="明前龙井 250g",
        idempotency_key="AX20261204ABCD1234:1",
        kind="wap",
    )
    # Then the buyer is sent to the gateway with alipay.trade.wap.pay, signed by our app key
    url = urlsplit(created.pay_url)
    assert f"{url.scheme}://{url.netloc}{url.path}" == GATEWAY
    params = dict(parse_qsl(url.query))
    assert params["method"] == "alipay.trade.wap.pay"
    assert (params["app_id"], params["sign_type"], params["charset"]) == (APPID, "RSA2", "utf-8")
    assert (params["notify_url"], params["return_url"]) == (NOTIFY, RETURN)
    assert app_signature_verifies(params, keys.app)
    assert json.loads(params["biz_content"]) == {
        "subject": "明前龙井 250g",
        "out_trade_no": "AX20261204ABCD1234_1",
        "total_amount": "12.34",
        "product_code": "QUICK_WAP_WAY",
        "body": "AX20261204ABCD1234",
        "timeout_express": "30m",
    }
    # And the request's time is Beijing time, whatever the server's zone
    sent_at = dt.datetime.strptime(params["timestamp"], "%Y-%m-%d %H:%M:%S").replace(tzinfo=CST)
    assert abs((sent_at - dt.datetime.now(CST)).total_seconds()) < 60
    # And the payment is known by its out_trade_no
    assert created.provider_payment_id == "AX20261204ABCD1234_1"


def test_a_page_payment_uses_the_computer_cashier(ali: AlipayProvider, keys: Keys) -> None:
    # Given a buyer at a computer
    # When a page payment is created
    created = ali.create_payment(
        merchant_ref="AX1", amount_fen=100, description="茶", idempotency_key="AX1:1", kind="page"
    )
    # Then it is alipay.trade.page.pay with the instant-trade product, signed
    params = dict(parse_qsl(urlsplit(created.pay_url).query))
    assert params["method"] == "alipay.trade.page.pay"
    assert json.loads(params["biz_content"])["product_code"] == "FAST_INSTANT_TRADE_PAY"
    assert app_signature_verifies(params, keys.app)


def test_query_close_and_refund_send_alipays_requests(
    ali: AlipayProvider, gateway: FakeGateway, keys: Keys
) -> None:
    # Given a trade the buyer has not opened yet
    gateway.answer(
        "alipay.trade.query",
        {
            "code": "40004",
            "msg": "Business Failed",
            "sub_code": "ACQ.TRADE_NOT_EXIST",
            "sub_msg": "交易不存在",
        },
    )
    # When it is queried
    state = ali.query_payment("AX20261204ABCD1234_1")
    # Then the signed query named the trade, and the payment is still created
    q = gateway.request()
    assert q["method"] == "alipay.trade.query"
    assert json.loads(q["biz_content"]) == {"out_trade_no": "AX20261204ABCD1234_1"}
    assert app_signature_verifies(q, keys.app)
    assert state.status == "created"
    # Given a paid trade
    paid = {
        "code": "10000",
        "msg": "Success",
        "trade_no": "2026120422001404070500001234",
        "out_trade_no": "AX20261204ABCD1234_1",
        "trade_status": "TRADE_SUCCESS",
        "total_amount": "12.34",
    }
    # When it is closed (Alipay refuses: it is paid) then queried
    gateway.answer(
        "alipay.trade.close",
        {"code": "40004", "msg": "Business Failed", "sub_code": "ACQ.TRADE_STATUS_ERROR"},
    )
    gateway.answer("alipay.trade.query", paid)
    closed = ali.close_payment("AX20261204ABCD1234_1")
    # Then the close was asked, and the answer is the paid trade
    assert gateway.request(-2)["method"] == "alipay.trade.close"
    assert (closed.status, closed.amount_fen) == ("succeeded", 1234)
    # When 5 yuan of it is refunded
    gateway.answer(
        "alipay.trade.refund",
        {"code": "10000", "msg": "Success", "fund_change": "Y", "refund_fee": "5.00"},
    )
    refund = ali.refund(
        provider_payment_id="AX20261204ABCD1234_1",
        amount_fen=500,
        idempotency_key="AX20261204ABCD1234:refund",
    )
    # Then the refund request carries our key as out_request_no, and it is done at once
    r = gateway.request()
    assert r["method"] == "alipay.trade.refund"
    assert json.loads(r["biz_content"]) == {
        "out_trade_no": "AX20261204ABCD1234_1",
        "refund_amount": "5.00",
        "out_request_no": "AX20261204ABCD1234:refund",
    }
    assert app_signature_verifies(r, keys.app)
    assert (refund.provider_refund_id, refund.status) == ("AX20261204ABCD1234:refund", "succeeded")


def test_a_repeated_refund_asks_what_became_of_it(
    ali: AlipayProvider, gateway: FakeGateway
) -> None:
    # Given Alipay answering a repeated refund request with no funds changed now
    gateway.answer("alipay.trade.refund", {"code": "10000", "msg": "Success", "fund_change": "N"})
    gateway.answer(
        "alipay.trade.fastpay.refund.query",
        {"code": "10000", "msg": "Success", "refund_status": "REFUND_SUCCESS"},
    )
    # When the refund is asked again
    refund = ali.refund(provider_payment_id="AX1_1", amount_fen=500, idempotency_key="AX1:refund")
    # Then the refund query says it succeeded earlier
    assert json.loads(gateway.request()["biz_content"]) == {
        "out_trade_no": "AX1_1",
        "out_request_no": "AX1:refund",
    }
    assert refund.status == "succeeded"


def test_an_answer_not_signed_by_alipay_is_refused(
    ali: AlipayProvider, gateway: FakeGateway
) -> None:
    # Given an answer signed by another key
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    gateway.alipay = other
    gateway.answer("alipay.trade.query", {"code": "10000", "trade_status": "TRADE_SUCCESS"})
    # When the trade is queried
    # Then the answer is not believed
    with pytest.raises(ProviderError) as e:
        ali.query_payment("AX1_1")
    assert e.value.code == "bad_response_signature"


# --- notifications ---------------------------------------------------------------------------
def test_a_payment_notification_is_verified_and_mapped(ali: AlipayProvider, keys: Keys) -> None:
    # Given Alipay's notification of a paid trade
    body = notification(keys)
    # When it is parsed
    n = ali.parse_notification(body, {"Content-Type": "application/x-www-form-urlencoded"})
    # Then it is the payment of out_trade_no AX..._1 succeeding for 12.34 yuan
    assert (n.id, n.event_type) == ("ac05099524730693a8b330c5ecf72da9786", "payment.succeeded")
    assert (n.provider_payment_id, n.amount_fen) == ("AX20261204ABCD1234_1", 1234)
    assert n.occurred_at == dt.datetime(2026, 12, 4, 10, 0, 3, tzinfo=CST)


def test_a_refund_notification_names_our_refund_key(ali: AlipayProvider, keys: Keys) -> None:
    # Given Alipay's notification of a refund (out_biz_no is our out_request_no)
    body = notification(
        keys,
        notify_id="bc05099524730693a8b330c5ecf72da9787",
        out_biz_no="AX20261204ABCD1234:refund",
        refund_fee="5.00",
        gmt_refund="2026-12-04 12:00:00.123",
        trade_status="TRADE_SUCCESS",
    )
    # When it is parsed (gmt_refund carries milliseconds)
    n = ali.parse_notification(body, {})
    # Then it is our refund succeeding, when Alipay refunded it
    assert n.occurred_at == dt.datetime(2026, 12, 4, 12, 0, tzinfo=CST)
    assert (n.event_type, n.refund_key, n.provider_refund_id) == (
        "refund.succeeded",
        "AX20261204ABCD1234:refund",
        "AX20261204ABCD1234:refund",
    )


def test_a_forged_notification_is_refused_as_the_sandbox_refuses_it(
    ali: AlipayProvider, keys: Keys
) -> None:
    # Given a notification whose amount was changed after signing, one signed by another key,
    # one signed for another app, one signed RSA (SHA-1), and one without its signature
    other = Keys(
        app=keys.app, alipay=rsa.generate_private_key(public_exponent=65537, key_size=2048)
    )
    tampered = notification(keys).replace(b"total_amount=12.34", b"total_amount=0.01")
    cases = {
        "bad_signature": [
            tampered,
            notification(other),
            notification(keys, app_id="2021000999999999"),
            notification(keys, sign_type="RSA"),
        ],
        "missing_signature": [
            urlencode({"notify_id": "x", "trade_status": "TRADE_SUCCESS"}).encode()
        ],
    }
    # When each is parsed
    # Then each is refused with the sandbox's code
    for code, bodies in cases.items():
        for body in bodies:
            with pytest.raises(NotificationRejected) as e:
                ali.parse_notification(body, {})
            assert e.value.code == code


def test_a_replayed_notification_is_refused_but_alipays_retry_is_not(
    ali: AlipayProvider, keys: Keys
) -> None:
    # Given a notification accepted once
    first_sent = dt.datetime.now(CST).replace(microsecond=0)
    body = notification(keys, notify_time=f"{first_sent:%Y-%m-%d %H:%M:%S}")
    ali.parse_notification(body, {})
    # When the same signed message is presented again
    # Then it is refused as a replay
    with pytest.raises(NotificationRejected) as e:
        ali.parse_notification(body, {})
    assert e.value.code == "replayed_nonce"
    # When Alipay retries it, sent and signed anew at a later time
    retry_sent = first_sent + dt.timedelta(minutes=4)
    retry = notification(keys, notify_time=f"{retry_sent:%Y-%m-%d %H:%M:%S}")
    # Then the retry is taken (de-duplicated later by its notify_id)
    assert ali.parse_notification(retry, {}).id == "ac05099524730693a8b330c5ecf72da9786"


def test_a_notification_older_than_alipays_retries_is_refused_as_stale(
    ali: AlipayProvider, keys: Keys
) -> None:
    # Given a genuine notification sent three days ago (Alipay retries for about 25 hours)
    sent = (dt.datetime.now(CST) - dt.timedelta(days=3)).strftime("%Y-%m-%d %H:%M:%S")
    body = notification(keys, notify_time=sent)
    # When it is presented now
    # Then it is refused as the sandbox refuses a stale one
    with pytest.raises(NotificationRejected) as e:
        ali.parse_notification(body, {})
    assert e.value.code == "stale_signature"


# --- through Anxin ---------------------------------------------------------------------------
def test_a_buyer_starting_an_alipay_payment_gets_the_whole_cashier_url(
    settings: Any, tmp_path: Any, keys: Keys, buyer: Any, listing: Any
) -> None:
    from anxin.conftest import place_order
    from anxin.orders import services
    from anxin.payments.models import Payment
    from anxin.payments.providers import get_provider

    # Given Anxin configured for Alipay from key files, as an operator does (README)
    configure(settings, tmp_path, keys)
    settings.ANXIN_PAYMENT_PROVIDER = "alipay"
    get_provider.cache_clear()
    try:
        order = place_order(buyer, listing)
        # When the buyer starts paying
        payment = services.order_payment_start(actor=buyer, number=order.number)
    finally:
        get_provider.cache_clear()
    # Then the signed cashier URL (about a kilobyte) is stored whole, and still verifies
    stored = Payment.objects.get(pk=payment.pk)
    assert stored.provider == "alipay"
    assert len(stored.pay_url) > 300
    assert stored.pay_url == payment.pay_url
    params = dict(parse_qsl(urlsplit(stored.pay_url).query))
    assert app_signature_verifies(params, keys.app)
    assert json.loads(params["biz_content"])["out_trade_no"] == f"{order.number}_1"


def test_alipays_notification_is_answered_with_the_word_it_waits_for(
    settings: Any, tmp_path: Any, keys: Keys
) -> None:
    from django.test import Client

    from anxin.payments.providers import get_provider

    # Given Anxin configured for Alipay from key files
    configure(settings, tmp_path, keys)
    get_provider.cache_clear()
    try:
        # When Alipay posts a genuine notification (for a payment Anxin does not know), and a
        # forged one
        url = "/api/v1/payments/notify/alipay"
        form = "application/x-www-form-urlencoded"
        good = Client().post(url, notification(keys), content_type=form)
        forged = Client().post(url, notification(keys) + b"&total_amount=99", content_type=form)
    finally:
        get_provider.cache_clear()
    # Then the genuine one is answered with the plain word "success", which alone stops
    # Alipay's retries; the forged one is refused
    assert good.status_code == 200, good.content
    assert good.content == b"success"
    assert good["Content-Type"].startswith("text/plain")
    assert forged.status_code == 401


def test_alipay_sends_the_buyer_back_to_her_order_and_no_one_else_to_it(
    settings: Any, tmp_path: Any, keys: Keys, buyer: Any, other_buyer: Any, listing: Any
) -> None:
    from django.test import Client

    from anxin.conftest import place_order
    from anxin.orders import services
    from anxin.orders.models import Order, OrderStatus
    from anxin.payments.providers import get_provider

    # Given Anxin configured for Alipay with no return URL of the operator's own, and a
    # payment started for a buyer's order
    configure(settings, tmp_path, keys)
    settings.ANXIN_PAYMENT_PROVIDER = "alipay"
    settings.ANXIN_ALIPAY_RETURN_URL = ""
    settings.ANXIN_SITE_URL = "https://anxin.example"
    get_provider.cache_clear()
    try:
        order = place_order(buyer, listing)
        payment = services.order_payment_start(actor=buyer, number=order.number)
    finally:
        get_provider.cache_clear()
    # Then the cashier URL sends the buyer back to Anxin's return page
    params = dict(parse_qsl(urlsplit(payment.pay_url).query))
    assert params["return_url"] == "https://anxin.example/pay/return/alipay"
    back = f"/pay/return/alipay?out_trade_no={payment.provider_payment_id}&trade_no=2026"
    # When Alipay sends the buyer back there
    c = Client()
    c.force_login(buyer)
    r = c.get(back)
    # Then she lands on her order, which says the payment is being confirmed; the parameters
    # did not make it paid (only the notification does)
    assert r["Location"] == f"/orders/{order.number}?paid=1"
    assert Order.objects.get(pk=order.pk).status == OrderStatus.AWAITING_PAYMENT
    # When another buyer follows the same link, or one naming no payment
    other = Client()
    other.force_login(other_buyer)
    # Then both land on their own orders list, learning nothing of the order
    assert other.get(back)["Location"] == "/orders/"
    assert other.get("/pay/return/alipay?out_trade_no=nothing")["Location"] == "/orders/"


def test_a_refund_alipay_makes_at_once_is_recorded_without_waiting_for_a_notification(
    settings: Any, tmp_path: Any, keys: Keys, gateway: FakeGateway, buyer: Any, listing: Any
) -> None:
    from django.test import Client

    from anxin.conftest import deliver_all, place_order
    from anxin.orders import services
    from anxin.orders.models import OrderStatus
    from anxin.payments.models import PaymentNotification, Refund, RefundStatus
    from anxin.payments.providers import get_provider
    from anxin.payments.providers.alipay import yuan

    # Given an order paid with Alipay (its notification received)
    configure(settings, tmp_path, keys)
    settings.ANXIN_PAYMENT_PROVIDER = "alipay"
    get_provider.cache_clear()
    try:
        order = place_order(buyer, listing)
        services.order_payment_start(actor=buyer, number=order.number)
        paid = Client().post(
            "/api/v1/payments/notify/alipay",
            notification(
                keys,
                out_trade_no=f"{order.number}_1",
                total_amount=yuan(order.amount_fen),
                receipt_amount=yuan(order.amount_fen),
                body=order.number,
            ),
            content_type="application/x-www-form-urlencoded",
        )
        assert paid.content == b"success"
        order.refresh_from_db()
        assert order.status == OrderStatus.PAID
        # When the buyer cancels it and Alipay answers the refund request with the money moved
        # (fund_change Y): Alipay notifies no refund that leaves the trade open
        gateway.answer(
            "alipay.trade.refund",
            {
                "code": "10000",
                "msg": "Success",
                "trade_no": "2026120422001404070500001234",
                "out_trade_no": f"{order.number}_1",
                "fund_change": "Y",
                "refund_fee": yuan(order.amount_fen),
            },
        )
        services.order_cancel(actor=buyer, number=order.number, reason="买错了")
        deliver_all()
    finally:
        get_provider.cache_clear()
    # Then the refund is recorded as made, from Alipay's answer, and the order refunded
    refund = Refund.objects.get(order=order)
    assert refund.status == RefundStatus.SUCCEEDED
    order.refresh_from_db()
    assert order.status in (OrderStatus.CANCELLED, OrderStatus.REFUNDED)
    assert (
        PaymentNotification.objects.filter(notification_id__startswith="answer:refund:").count()
        == 1
    )
    # And the refund request went to Alipay once
    assert [
        json.loads(gateway.request(i)["biz_content"])["out_request_no"]
        for i in range(len(gateway.urls))
    ] == [refund.key]
