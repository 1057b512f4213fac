"""The WeChat Pay (API v3) adapter, with no network.

The HTTP layer is stubbed at the SDK's transport boundary (wechatpayv3.core.requests): each test
sees the exact request the adapter sends (URL, method, JSON body) and checks its Authorization
header with the merchant's public key; answers are signed with a platform key generated here,
as WeChat Pay signs them. Notifications are built the way WeChat Pay builds them: the resource
encrypted with an APIv3 key (AES-256-GCM), the message signed with the platform key.

Published vectors (wechatpay-apiv3/wechatpay-go, Tencent's official Go SDK, Apache-2.0):
utils/sign_test.go (SHA256withRSA of "source" with its test key) and utils/aes_test.go (an
AEAD_AES_256_GCM ciphertext, nonce, associated data and key decrypting to "Hello World").
Request and answer bodies follow the examples of WeChat Pay's API v3 reference (native order:
code_url "weixin://wxpay/bizpayurl?pr=p4lpSuKzz"; H5 and JSAPI orders; the payment and refund
notifications' decrypted resources).

Keys, builders and stand-ins: helpers.py; fixtures: conftest.py. The daily bills: test_bills.py;
payouts (transfers to a seller's wallet): test_payouts.py.
"""

from __future__ import annotations

import base64
import datetime as dt
import secrets
import time
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from wechatpayv3.utils import aes_decrypt, load_private_key, rsa_sign

from anxin.payments.providers.base import NotificationRejected
from anxin.payments.providers.sandbox import ProviderError
from anxin.payments.providers.wechatpay import WeChatPayProvider
from anxin.payments.tests.pem import GO_EXPECTED_SIGNATURE, GO_TEST_KEY
from anxin.payments.tests.wechatpay.helpers import (
    APPID,
    GATEWAY,
    MCHID,
    NOTIFY,
    PAID,
    FakeRequests,
    Keys,
    authorization_verifies,
    notification,
    wechatpay_config,
)

pytestmark = pytest.mark.django_db


# --- published vectors -----------------------------------------------------------------------
def test_request_signing_matches_the_official_sdk_vector() -> None:
    # Given wechatpay-go's test key and the message "source"
    key = load_private_key(GO_TEST_KEY)
    # When the SDK signs it as it signs every request's Authorization
    signature = rsa_sign(key, "source")
    # Then the signature is the one Tencent's own SDK expects
    assert signature == GO_EXPECTED_SIGNATURE


def test_resource_decryption_matches_the_official_sdk_vector() -> None:
    # Given wechatpay-go's AES-GCM vector (key, nonce, associated data, ciphertext)
    # When it is decrypted the way the adapter decrypts a notification's resource
    plain = aes_decrypt(
        nonce="wCq51qZv4Yfg",
        ciphertext="FsdXzxryWfKwvLJKf8LG/ToRPTRh8RN9wROC",
        associated_data="Dl56FrqWQJF1t9LtC3vEUsniZKvbqdR8",
        apiv3_key="testAPIv3Key0000",
    )
    # Then it reads "Hello World"; with another key it does not decrypt
    assert plain == "Hello World"
    assert (
        aes_decrypt(
            nonce="wCq51qZv4Yfg",
            ciphertext="FsdXzxryWfKwvLJKf8LG/ToRPTRh8RN9wROC",
            associated_data="Dl56FrqWQJF1t9LtC3vEUsniZKvbqdR8",
            apiv3_key="testAPIv3Key1111",
        )
        is None
    )


# --- orders ----------------------------------------------------------------------------------
def test_a_native_order_sends_the_signed_request_and_answers_the_code_url(
    wx: WeChatPayProvider, http: FakeRequests, keys: Keys
) -> None:
    # Given WeChat Pay answering a native order with its code_url
    http.answer(200, {"code_url": "weixin://wxpay/bizpayurl?pr=p4lpSuKzz"})
    # When a payment is created for order AX20261204ABCD1234, its first attempt
    created = wx.create_payment(
        merchant_ref="AX20261204ABCD1234",
        amount_fen=1234,
        description="明前龙井 250g",
        idempotency_key="AX20261204ABCD1234:1",
        kind="native",
    )
    # Then one POST went to the native endpoint with WeChat's body, ':' written '_'
    (sent,) = http.sent
    assert (sent.method, sent.url) == ("POST", f"{GATEWAY}/v3/pay/transactions/native")
    assert sent.json == {
        "notify_url": NOTIFY,
        "description": "明前龙井 250g",
        "out_trade_no": "AX20261204ABCD1234_1",
        "amount": {"total": 1234, "currency": "CNY"},
        "attach": "AX20261204ABCD1234",
        "appid": APPID,
        "mchid": MCHID,
    }
    # And its Authorization header verifies with the merchant's public key
    assert authorization_verifies(sent, keys.merchant)
    # And the buyer is shown the code_url; the payment is known by its out_trade_no
    assert created.pay_url == "weixin://wxpay/bizpayurl?pr=p4lpSuKzz"
    assert created.provider_payment_id == "AX20261204ABCD1234_1"


def test_an_h5_order_sends_the_scene_and_answers_the_h5_url(
    wx: WeChatPayProvider, http: FakeRequests, keys: Keys
) -> None:
    # Given WeChat Pay answering an H5 order
    h5 = "https://wx.tenpay.com/cgi-bin/mmpayweb-bin/checkmweb?prepay_id=wx2916263004719461949c84457c735b0000&package=2150917749"
    http.answer(200, {"h5_url": h5})
    # When a payment is created for a phone browser
    created = wx.create_payment(
        merchant_ref="AX1",
        amount_fen=100,
        description="茶",
        idempotency_key="AX0001:1",
        kind="h5",
        client_ip="14.23.150.211",
    )
    # Then the H5 endpoint got the buyer's IP as the scene, and the buyer is sent to h5_url
    (sent,) = http.sent
    assert sent.url == f"{GATEWAY}/v3/pay/transactions/h5"
    assert sent.json["scene_info"] == {
        "payer_client_ip": "14.23.150.211",
        "h5_info": {"type": "Wap"},
    }
    assert authorization_verifies(sent, keys.merchant)
    assert created.pay_url == h5


def test_a_jsapi_order_needs_the_openid_and_gives_signed_bridge_parameters(
    wx: WeChatPayProvider, http: FakeRequests, keys: Keys
) -> None:
    # Given a JSAPI order without the buyer's openid
    # When it is created
    # Then it is refused before anything is sent
    with pytest.raises(ProviderError) as e:
        wx.create_payment(
            merchant_ref="AX1",
            amount_fen=100,
            description="茶",
            idempotency_key="AX0001:1",
            kind="jsapi",
        )
    assert e.value.code == "payer_required"
    assert http.sent == []
    # Given WeChat answering a prepay_id
    http.answer(200, {"prepay_id": "wx201410272009395522657a690389285100"})
    # When the order is created with the openid
    created = wx.create_payment(
        merchant_ref="AX1",
        amount_fen=100,
        description="茶",
        idempotency_key="AX0001:1",
        kind="jsapi",
        openid="oUpF8uMuAJO_M2pxb1Q9zNjWeS6o",
    )
    # Then the payer went with it, and the pay URL carries the prepay_id
    assert http.sent[0].url == f"{GATEWAY}/v3/pay/transactions/jsapi"
    assert http.sent[0].json["payer"] == {"openid": "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"}
    assert created.pay_url == "wechatpay-jsapi:prepay_id=wx201410272009395522657a690389285100"
    # And the bridge parameters are signed with the merchant key over WeChat's four lines
    p = wx.jsapi_params("wx201410272009395522657a690389285100")
    message = f"{APPID}\n{p['timeStamp']}\n{p['nonceStr']}\n{p['package']}\n".encode()
    keys.merchant.public_key().verify(
        base64.b64decode(p["paySign"]), message, padding.PKCS1v15(), hashes.SHA256()
    )
    assert p["package"] == "prepay_id=wx201410272009395522657a690389285100"


def test_query_close_and_refund_send_wechats_requests(
    wx: WeChatPayProvider, http: FakeRequests, keys: Keys
) -> None:
    # Given an order WeChat reports unpaid
    http.answer(200, {**PAID, "trade_state": "NOTPAY", "trade_state_desc": "未支付"})
    # When it is queried
    state = wx.query_payment("AX20261204ABCD1234_1")
    # Then by out_trade_no and merchant id, and it is still created
    assert http.sent[-1].url == (
        f"{GATEWAY}/v3/pay/transactions/out-trade-no/AX20261204ABCD1234_1?mchid={MCHID}"
    )
    assert (state.status, state.amount_fen) == ("created", 1234)
    # When it is closed (WeChat answers 204, then the query says CLOSED)
    http.answer(204, None)
    http.answer(200, {**PAID, "trade_state": "CLOSED"})
    closed = wx.close_payment("AX20261204ABCD1234_1")
    # Then the close went as WeChat documents it, signed, and the payment is closed
    close = http.sent[-2]
    assert (close.method, close.url) == (
        "POST",
        f"{GATEWAY}/v3/pay/transactions/out-trade-no/AX20261204ABCD1234_1/close",
    )
    assert close.json == {"mchid": MCHID}
    assert authorization_verifies(close, keys.merchant)
    assert closed.status == "closed"
    # When a paid order is refunded in part
    http.answer(200, PAID)
    http.answer(
        200,
        {
            "refund_id": "50000000382019052709732678859",
            "out_refund_no": "AX20261204ABCD1234|refund",
            "status": "PROCESSING",
            "amount": {"refund": 500, "total": 1234, "currency": "CNY"},
        },
    )
    refunded = wx.refund(
        provider_payment_id="AX20261204ABCD1234_1",
        amount_fen=500,
        idempotency_key="AX20261204ABCD1234:refund",
    )
    # Then the refund names the order's total, as WeChat requires, and is processing
    r = http.sent[-1]
    assert (r.method, r.url) == ("POST", f"{GATEWAY}/v3/refund/domestic/refunds")
    assert r.json == {
        "notify_url": NOTIFY,
        "out_refund_no": "AX20261204ABCD1234|refund",
        "amount": {"refund": 500, "total": 1234, "currency": "CNY"},
        "out_trade_no": "AX20261204ABCD1234_1",
    }
    assert authorization_verifies(r, keys.merchant)
    assert (refunded.provider_refund_id, refunded.status) == (
        "50000000382019052709732678859",
        "processing",
    )


def test_an_error_answer_and_a_forged_answer_are_refused(
    wx: WeChatPayProvider, http: FakeRequests, keys: Keys
) -> None:
    # Given WeChat refusing a parameter
    http.answer(400, {"code": "PARAM_ERROR", "message": "out_trade_no 长度不符合要求"})
    # When an order is placed
    # Then the provider's code is raised
    with pytest.raises(ProviderError) as e:
        wx.create_payment(
            merchant_ref="AX1", amount_fen=1, description="茶", idempotency_key="AX0001:1"
        )
    assert e.value.code == "PARAM_ERROR"
    # Given an answer signed by another key than the platform's
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    http.platform = other
    http.answer(200, {"code_url": "weixin://wxpay/bizpayurl?pr=forged"})
    # When an order is placed
    # Then the answer is not believed
    with pytest.raises(ProviderError) as e:
        wx.create_payment(
            merchant_ref="AX1", amount_fen=1, description="茶", idempotency_key="AX0001:1"
        )
    assert e.value.code == "bad_response_signature"


def test_a_key_wechat_cannot_take_as_an_order_number_is_refused_before_sending(
    wx: WeChatPayProvider, http: FakeRequests
) -> None:
    # Given keys WeChat's out_trade_no rule refuses (6-32 letters, digits, _-*): too short,
    # and with a '|' (allowed in a refund number, not in an order number)
    for key in ("AX1:1", "AX20261204ABCD1234|1"):
        # When a payment is created under it
        # Then it is refused here, with nothing sent
        with pytest.raises(ProviderError) as e:
            wx.create_payment(
                merchant_ref="AX1", amount_fen=1, description="茶", idempotency_key=key
            )
        assert e.value.code == "invalid_reference"
    assert http.sent == []


# --- notifications ---------------------------------------------------------------------------
def test_a_payment_notification_is_verified_decrypted_and_mapped(
    wx: WeChatPayProvider, keys: Keys
) -> None:
    # Given a payment notification as WeChat Pay sends it
    body, headers = notification(keys, "TRANSACTION.SUCCESS", PAID)
    # When it is parsed
    n = wx.parse_notification(body, headers)
    # Then it is the payment of out_trade_no AX..._1 succeeding for its total
    assert n.id == "EV-2018022511223320873"
    assert n.event_type == "payment.succeeded"
    assert n.provider_payment_id == "AX20261204ABCD1234_1"
    assert n.amount_fen == 1234
    assert n.occurred_at == dt.datetime.fromisoformat("2026-12-04T10:00:03+08:00")


def test_a_refund_notification_is_mapped_to_our_refund_key(
    wx: WeChatPayProvider, keys: Keys
) -> None:
    # Given a refund notification (REFUND.SUCCESS) and a refund that failed (REFUND.ABNORMAL)
    refund = {
        "mchid": MCHID,
        "out_trade_no": "AX20261204ABCD1234_1",
        "transaction_id": "4200000001202612041234567890",
        "out_refund_no": "AX20261204ABCD1234|refund",
        "refund_id": "50000000382019052709732678859",
        "refund_status": "SUCCESS",
        "success_time": "2026-12-04T12:00:00+08:00",
        "user_received_account": "招商银行信用卡0403",
        "amount": {"total": 1234, "refund": 500, "payer_total": 1234, "payer_refund": 500},
    }
    ok_body, ok_headers = notification(keys, "REFUND.SUCCESS", refund)
    bad_body, bad_headers = notification(
        keys, "REFUND.ABNORMAL", {**refund, "refund_status": "ABNORMAL"}
    )
    # When they are parsed
    ok = wx.parse_notification(ok_body, ok_headers)
    bad = wx.parse_notification(bad_body, bad_headers)
    # Then each names our refund key (':' again) and WeChat's refund id
    assert (ok.event_type, ok.refund_key, ok.amount_fen) == (
        "refund.succeeded",
        "AX20261204ABCD1234:refund",
        500,
    )
    assert ok.provider_refund_id == "50000000382019052709732678859"
    assert (bad.event_type, bad.failure_reason) == ("refund.failed", "ABNORMAL")


def test_a_forged_notification_is_refused_as_the_sandbox_refuses_it(
    wx: WeChatPayProvider, keys: Keys
) -> None:
    # Given a notification signed by another key, and one whose body was altered after signing
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    forged, forged_headers = notification(keys, "TRANSACTION.SUCCESS", PAID, signer=other)
    body, headers = notification(keys, "TRANSACTION.SUCCESS", PAID)
    altered = body.replace(b"EV-2018", b"EV-2019")
    # When they are parsed
    # Then both are refused with the sandbox's code for a bad signature
    for b, h in ((forged, forged_headers), (altered, headers)):
        with pytest.raises(NotificationRejected) as e:
            wx.parse_notification(b, h)
        assert e.value.code == "bad_signature"
    # And a notification without its signature headers is refused as the sandbox refuses it
    with pytest.raises(NotificationRejected) as e:
        wx.parse_notification(body, {"Content-Type": "application/json"})
    assert e.value.code == "missing_signature"


def test_an_old_notification_is_refused_as_stale(wx: WeChatPayProvider, keys: Keys) -> None:
    # Given a genuine notification signed six minutes ago
    body, headers = notification(keys, "TRANSACTION.SUCCESS", PAID, ts=int(time.time()) - 360)
    # When it is parsed
    # Then it is refused as the sandbox refuses a stale one
    with pytest.raises(NotificationRejected) as e:
        wx.parse_notification(body, headers)
    assert e.value.code == "stale_signature"


def test_a_replayed_nonce_is_refused(wx: WeChatPayProvider, keys: Keys) -> None:
    # Given a genuine notification already accepted once
    body, headers = notification(keys, "TRANSACTION.SUCCESS", PAID)
    wx.parse_notification(body, headers)
    # When the very same signed message is presented again (and by a second process)
    # Then it is refused as a replay
    for provider in (wx, WeChatPayProvider(wechatpay_config(keys))):
        with pytest.raises(NotificationRejected) as e:
            provider.parse_notification(body, headers)
        assert e.value.code == "replayed_nonce"


def test_a_resource_encrypted_with_another_key_is_refused(
    wx: WeChatPayProvider, keys: Keys
) -> None:
    # Given a well-signed notification whose resource is not encrypted with our APIv3 key
    body, headers = notification(keys, "TRANSACTION.SUCCESS", PAID, apiv3=secrets.token_hex(16))
    # When it is parsed
    # Then it is refused as malformed
    with pytest.raises(NotificationRejected) as e:
        wx.parse_notification(body, headers)
    assert e.value.code == "malformed"


def _certificate(key: rsa.RSAPrivateKey, serial: int, *, days: int) -> bytes:
    from cryptography import x509
    from cryptography.x509.oid import NameOID

    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Tenpay.com Root CA")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(serial)
        .not_valid_before(now - dt.timedelta(days=2 * abs(days)))
        .not_valid_after(now + dt.timedelta(days=days))
        .sign(key, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.PEM)


def test_platform_certificates_in_a_directory_verify_notifications(
    keys: Keys, tmp_path: Any
) -> None:
    # Given a merchant still on platform certificates: one valid, one expired (another key)
    expired_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    valid_serial, expired_serial = 0x21BC5C0E19CF953DA421E5275B1AB7741FBF465C, 0x5157F09E
    (tmp_path / "wechatpay_valid.pem").write_bytes(
        _certificate(keys.platform, valid_serial, days=30)
    )
    (tmp_path / "wechatpay_old.pem").write_bytes(_certificate(expired_key, expired_serial, days=-1))
    wx = WeChatPayProvider(
        wechatpay_config(keys, public_key_pem="", public_key_id="", cert_dir=str(tmp_path))
    )
    # When a notification signed with the valid certificate's key arrives, naming its serial
    body, headers = notification(keys, "TRANSACTION.SUCCESS", PAID)
    headers["Wechatpay-Serial"] = f"{valid_serial:X}"
    # Then it is taken
    assert wx.parse_notification(body, headers).event_type == "payment.succeeded"
    # When one signed with the expired certificate's key arrives
    body, headers = notification(keys, "TRANSACTION.SUCCESS", PAID, signer=expired_key)
    headers["Wechatpay-Serial"] = f"{expired_serial:X}"
    # Then it is refused: an expired certificate verifies nothing
    with pytest.raises(NotificationRejected) as e:
        wx.parse_notification(body, headers)
    assert e.value.code == "bad_signature"


# --- through Anxin ---------------------------------------------------------------------------
def test_notification_receive_records_a_replay_as_refused(configured: Any, keys: Keys) -> None:
    from anxin.payments.models import NotificationStatus, PaymentNotification
    from anxin.payments.services import notification_receive

    # Given WeChat Pay configured from key files, and a genuine notification
    body, headers = notification(keys, "TRANSACTION.SUCCESS", PAID)
    # When the notification arrives, then again
    first = notification_receive(provider_name="wechatpay", body=body, headers=headers)
    with pytest.raises(NotificationRejected):
        notification_receive(provider_name="wechatpay", body=body, headers=headers)
    # Then the first is taken (ignored here: no such payment) and the replay recorded refused
    assert first == "ignored"
    refused = PaymentNotification.objects.get(
        provider="wechatpay", status=NotificationStatus.REJECTED
    )
    assert refused.reason.startswith("replayed_nonce")


def test_a_buyer_pays_an_order_through_wechat_pay(
    configured: Any, http: FakeRequests, keys: Keys, buyer: Any, listing: Any
) -> None:
    from anxin.conftest import place_order
    from anxin.orders import services
    from anxin.orders.models import Order, OrderStatus
    from anxin.payments.services import notification_receive

    # Given Anxin configured for WeChat Pay (native), and an order awaiting payment
    configured.ANXIN_PAYMENT_PROVIDER = "wechatpay"
    order = place_order(buyer, listing)
    http.answer(200, {"code_url": "weixin://wxpay/bizpayurl?pr=p4lpSuKzz"})
    # When the buyer starts paying
    payment = services.order_payment_start(actor=buyer, number=order.number)
    # Then WeChat was asked for the order's amount under its first attempt's key
    assert http.sent[0].json["out_trade_no"] == f"{order.number}_1"
    assert http.sent[0].json["amount"] == {"total": order.amount_fen, "currency": "CNY"}
    assert payment.pay_url == "weixin://wxpay/bizpayurl?pr=p4lpSuKzz"
    # When WeChat Pay notifies that she paid
    resource = {
        **PAID,
        "out_trade_no": payment.provider_payment_id,
        "attach": order.number,
        "amount": {**PAID["amount"], "total": order.amount_fen},
    }
    body, headers = notification(keys, "TRANSACTION.SUCCESS", resource)
    result = notification_receive(provider_name="wechatpay", body=body, headers=headers)
    # Then the notification is applied and the order is paid
    assert result == "applied"
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PAID


def test_the_pay_button_shows_wechats_code_to_scan_and_only_to_the_buyer(
    configured: Any, http: FakeRequests, buyer: Any, other_buyer: Any, listing: Any
) -> None:
    from django.test import Client

    from anxin.conftest import place_order

    # Given Anxin configured for WeChat Pay (native), and an order awaiting payment
    configured.ANXIN_PAYMENT_PROVIDER = "wechatpay"
    order = place_order(buyer, listing)
    http.answer(200, {"code_url": "weixin://wxpay/bizpayurl?pr=p4lpSuKzz"})
    c = Client()
    c.force_login(buyer)
    # When the buyer taps the pay button on the order page
    r = c.post(f"/orders/{order.number}/pay")
    # Then she is taken to a page of Anxin's own (a browser cannot open weixin://), which shows
    # the code as a QR code image to scan with WeChat (or to save), and the amount
    assert r.status_code == 302
    assert r["Location"].startswith("/pay/")
    page = c.get(r["Location"])
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="wallet-qr" src="data:image/png;base64,' in html
    assert "¥128.00" in html
    assert "扫一扫" in html
    # And another buyer holding the link finds nothing
    other = Client()
    other.force_login(other_buyer)
    assert other.get(r["Location"]).status_code == 404


def test_the_cashier_page_moves_on_once_the_payment_is_notified(
    configured: Any, http: FakeRequests, keys: Keys, buyer: Any, listing: Any
) -> None:
    from django.test import Client

    from anxin.conftest import place_order
    from anxin.payments.models import Payment
    from anxin.payments.services import notification_receive

    # Given a buyer on WeChat Pay's cashier page for her order
    configured.ANXIN_PAYMENT_PROVIDER = "wechatpay"
    order = place_order(buyer, listing)
    http.answer(200, {"code_url": "weixin://wxpay/bizpayurl?pr=p4lpSuKzz"})
    c = Client()
    c.force_login(buyer)
    cashier = c.post(f"/orders/{order.number}/pay")["Location"]
    assert 'hx-trigger="every 2s"' in c.get(cashier).content.decode()
    # When the page asks again (its poll) before she has paid
    waiting = c.get(cashier, headers={"HX-Request": "true"})
    # Then there is nothing to change and nowhere to go
    assert waiting.status_code == 204
    assert "HX-Redirect" not in waiting
    # When WeChat Pay's notification of her payment has landed, and the page asks again
    payment = Payment.objects.get(order=order)
    resource = {
        **PAID,
        "out_trade_no": payment.provider_payment_id,
        "attach": order.number,
        "amount": {**PAID["amount"], "total": order.amount_fen},
    }
    body, headers = notification(keys, "TRANSACTION.SUCCESS", resource)
    assert notification_receive(provider_name="wechatpay", body=body, headers=headers) == (
        "applied"
    )
    paid = c.get(cashier, headers={"HX-Request": "true"})
    # Then the page is sent on to her order, which shows the payment
    assert paid.status_code == 204
    assert paid["HX-Redirect"] == f"/orders/{order.number}?paid=1"
    # And opened again (the back button), the cashier sends her to the order too
    assert c.get(cashier)["Location"] == f"/orders/{order.number}?paid=1"
