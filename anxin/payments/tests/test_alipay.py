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
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import json
import zipfile
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit
from zoneinfo import ZoneInfo

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from anxin.payments.providers.alipay import GATEWAY, AlipayConfig, AlipayProvider
from anxin.payments.providers.base import NotificationRejected, PayoutAccount
from anxin.payments.providers.sandbox import ProviderError
from anxin.payments.tests.pem import private_pem, public_pem
from anxin.payments.tests.test_wechatpay import GO_EXPECTED_SIGNATURE, GO_TEST_KEY

pytestmark = pytest.mark.django_db

APPID = "2021000123456789"
NOTIFY = "https://anxin.example/api/v1/payments/notify/alipay"
RETURN = "https://anxin.example/orders/"
CST = ZoneInfo("Asia/Shanghai")


def rsa2(key: rsa.RSAPrivateKey, content: str) -> str:
    return base64.b64encode(
        key.sign(content.encode(), padding.PKCS1v15(), hashes.SHA256())
    ).decode()


def rsa2_verifies(key: rsa.RSAPrivateKey, content: str, signature: str) -> bool:
    try:
        key.public_key().verify(
            base64.b64decode(signature), content.encode(), padding.PKCS1v15(), hashes.SHA256()
        )
    except Exception:
        return False
    return True


@dataclass
class Keys:
    app: rsa.RSAPrivateKey
    alipay: rsa.RSAPrivateKey


@pytest.fixture(scope="module")
def keys() -> Keys:
    return Keys(
        app=rsa.generate_private_key(public_exponent=65537, key_size=2048),
        alipay=rsa.generate_private_key(public_exponent=65537, key_size=2048),
    )


@pytest.fixture
def ali(keys: Keys) -> AlipayProvider:
    return AlipayProvider(
        AlipayConfig(
            appid=APPID,
            app_private_key=private_pem(keys.app),
            alipay_public_key=public_pem(keys.alipay),
            notify_url=NOTIFY,
            return_url=RETURN,
        )
    )


class FakeAnswer(io.BytesIO):
    """What urlopen returns: readable, and usable in a with block."""


@dataclass
class FakeGateway:
    """Stands in for urlopen inside the alipay SDK: records each URL, answers from a queue,
    signing each answer with the Alipay key as Alipay does."""

    alipay: rsa.RSAPrivateKey
    answers: list[Any] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)

    def answer(self, method: str, inner: dict[str, Any], *, signed: bool = True) -> None:
        content = json.dumps(inner, ensure_ascii=False, separators=(",", ":"))
        key = method.replace(".", "_") + "_response"
        raw = f'{{"{key}":{content}'
        if signed:
            raw += f',"sign":"{rsa2(self.alipay, content)}"'
        self.answers.append((raw + "}").encode())

    def file(self, data: bytes) -> None:
        self.answers.append(data)

    def __call__(self, url: str, timeout: float | None = None) -> FakeAnswer:
        self.urls.append(url)
        return FakeAnswer(self.answers.pop(0))

    def request(self, i: int = -1) -> dict[str, str]:
        return dict(parse_qsl(urlsplit(self.urls[i]).query, keep_blank_values=True))


@pytest.fixture
def gateway(monkeypatch: pytest.MonkeyPatch, keys: Keys) -> FakeGateway:
    import alipay

    fake = FakeGateway(keys.alipay)
    monkeypatch.setattr(alipay, "urlopen", fake)
    return fake


def app_signature_verifies(params: dict[str, str], app: rsa.RSAPrivateKey) -> bool:
    """Alipay's check of our request: RSA2 over every parameter but sign, sorted by name."""
    content = "&".join(f"{k}={v}" for k, v in sorted(params.items()) if k != "sign")
    return rsa2_verifies(app, content, params["sign"])


def notification(keys: Keys, **params: str) -> bytes:
    """A notification as Alipay posts it."""
    base = {
        "notify_time": dt.datetime.now(CST).strftime("%Y-%m-%d %H:%M:%S"),
        "notify_type": "trade_status_sync",
        "notify_id": "ac05099524730693a8b330c5ecf72da9786",
        "app_id": APPID,
        "charset": "utf-8",
        "version": "1.0",
        "sign_type": "RSA2",
        "trade_no": "2026120422001404070500001234",
        "out_trade_no": "AX20261204ABCD1234_1",
        "buyer_logon_id": "buy***@example.com",
        "trade_status": "TRADE_SUCCESS",
        "total_amount": "12.34",
        "receipt_amount": "12.34",
        "subject": "明前龙井 250g",
        "body": "AX20261204ABCD1234",
        "gmt_create": "2026-12-04 10:00:00",
        "gmt_payment": "2026-12-04 10:00:03",
        "fund_bill_list": '[{"amount":"12.34","fundChannel":"ALIPAYACCOUNT"}]',
    }
    base.update(params)
    content = "&".join(
        f"{k}={v}" for k, v in sorted(base.items()) if k not in ("sign", "sign_type") and v != ""
    )
    base["sign"] = rsa2(keys.alipay, content)
    return urlencode(base).encode()


# --- published vectors ---------------------------------------------------------------------
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


def test_a_payout_notification_is_mapped(ali: AlipayProvider, keys: Keys) -> None:
    # Given Alipay's message that a transfer was returned by the payee's side
    biz = {
        "out_biz_no": "PO20261204000001",
        "order_id": "20261204110070000006210012345678",
        "status": "REFUND",
        "trans_amount": "1000.00",
    }
    body = notification(
        keys,
        notify_id="2026120400222000000000000001",
        msg_method="alipay.fund.trans.order.changed",
        biz_content=json.dumps(biz),
    )
    # When it is parsed
    n = ali.parse_notification(body, {})
    # Then our payout came back
    assert (n.event_type, n.payout_key, n.amount_fen) == (
        "payout.returned",
        "PO20261204000001",
        100_000,
    )


# --- payouts ---------------------------------------------------------------------------------
def test_a_payout_transfers_to_the_sellers_alipay_account(
    ali: AlipayProvider, gateway: FakeGateway, keys: Keys
) -> None:
    # Given Alipay accepting a transfer
    gateway.answer(
        "alipay.fund.trans.uni.transfer",
        {
            "code": "10000",
            "msg": "Success",
            "out_biz_no": "PO20261204000001",
            "order_id": "20261204110070000006210012345678",
            "pay_fund_order_id": "20261204110070001506210012345678",
            "status": "SUCCESS",
            "trans_date": "2026-12-04 10:00:00",
        },
    )
    account = PayoutAccount(kind="alipay", holder_name="张三", number="seller@example.com")
    # When 1,000.00 yuan is paid out
    out = ali.payout(
        payout_key="PO20261204000001", amount_fen=100_000, account=account, description="货款结算"
    )
    # Then alipay.fund.trans.uni.transfer got the payee, the amount in yuan and our key
    r = gateway.request()
    assert r["method"] == "alipay.fund.trans.uni.transfer"
    assert json.loads(r["biz_content"]) == {
        "out_biz_no": "PO20261204000001",
        "trans_amount": "1000.00",
        "product_code": "TRANS_ACCOUNT_NO_PWD",
        "biz_scene": "DIRECT_TRANSFER",
        "order_title": "货款结算",
        "payee_info": {
            "identity": "seller@example.com",
            "identity_type": "ALIPAY_LOGON_ID",
            "name": "张三",
        },
    }
    assert app_signature_verifies(r, keys.app)
    assert (out.status, out.provider_payout_id) == (
        "succeeded",
        "20261204110070000006210012345678",
    )
    # When it is queried after the bank returned it
    gateway.answer(
        "alipay.fund.trans.common.query",
        {"code": "10000", "status": "REFUND", "trans_amount": "1000.00", "order_id": "2026"},
    )
    back = ali.query_payout("PO20261204000001")
    # Then it is returned
    assert gateway.request()["method"] == "alipay.fund.trans.common.query"
    assert (back.status, back.amount_fen) == ("returned", 100_000)


def test_a_payout_elsewhere_than_alipay_is_refused(
    ali: AlipayProvider, gateway: FakeGateway
) -> None:
    # Given a WeChat wallet
    wallet = PayoutAccount(kind="wechat", holder_name="张三", number="o-MYE42l80oelYMDE34nYD456Xoy")
    # When a payout to it is asked of Alipay
    # Then it is refused before anything is sent
    with pytest.raises(ProviderError) as e:
        ali.payout(payout_key="PO1234567", amount_fen=100, account=wallet, description="货款")
    assert e.value.code == "unsupported_account"
    assert gateway.urls == []


# Alipay's published shape of a transfer to a personal bank card (alipay-sdk-java-all's
# AlipayFundTransUniTransferModel, Participant and BankcardExtInfo): product TRANS_BANKCARD_NO_PWD,
# scene DIRECT_TRANSFER, the payee as BANKCARD_ACCOUNT with the name on the card, and the card's
# bankcard_ext_info (account_type "2", 对私; inst_name, the bank). Its answer is the one the
# reference gives for the call (order_id, pay_fund_order_id, status, trans_date), with status
# DEALING, as a card transfer answers while the bank handles it.
CARD = PayoutAccount(
    kind="bank_card", holder_name="张三", number="6222020200112233445", bank="中国工商银行"
)


def test_a_payout_transfers_to_the_sellers_bank_card(
    ali: AlipayProvider, gateway: FakeGateway, keys: Keys
) -> None:
    # Given Alipay accepting a transfer to a card, the bank still to pay it
    gateway.answer(
        "alipay.fund.trans.uni.transfer",
        {
            "code": "10000",
            "msg": "Success",
            "out_biz_no": "PO20261204000002",
            "order_id": "20261204110070000006210012345679",
            "pay_fund_order_id": "20261204110070001506210012345679",
            "status": "DEALING",
            "trans_date": "2026-12-04 10:00:00",
        },
    )
    # When 500.00 yuan is paid out to the seller's card
    out = ali.payout(
        payout_key="PO20261204000002", amount_fen=50_000, account=CARD, description="货款结算"
    )
    # Then alipay.fund.trans.uni.transfer got the card as Alipay's model names it, signed
    r = gateway.request()
    assert r["method"] == "alipay.fund.trans.uni.transfer"
    assert json.loads(r["biz_content"]) == {
        "out_biz_no": "PO20261204000002",
        "trans_amount": "500.00",
        "product_code": "TRANS_BANKCARD_NO_PWD",
        "biz_scene": "DIRECT_TRANSFER",
        "order_title": "货款结算",
        "payee_info": {
            "identity": "6222020200112233445",
            "identity_type": "BANKCARD_ACCOUNT",
            "name": "张三",
            "bankcard_ext_info": {"account_type": "2", "inst_name": "中国工商银行"},
        },
    }
    assert app_signature_verifies(r, keys.app)
    # And the payout is on its way, under Alipay's transfer order id
    assert (out.status, out.provider_payout_id) == (
        "processing",
        "20261204110070000006210012345679",
    )


def test_a_card_payout_is_queried_as_a_card_transfer(
    ali: AlipayProvider, gateway: FakeGateway
) -> None:
    # Given a card transfer Alipay knows only under the card product: asked as a transfer to
    # an Alipay account it answers that there is no such order
    gateway.answer(
        "alipay.fund.trans.common.query",
        {
            "code": "40004",
            "msg": "Business Failed",
            "sub_code": "ORDER_NOT_EXIST",
            "sub_msg": "转账订单不存在",
        },
    )
    gateway.answer(
        "alipay.fund.trans.common.query",
        {
            "code": "10000",
            "msg": "Success",
            "order_id": "20261204110070000006210012345679",
            "out_biz_no": "PO20261204000002",
            "status": "SUCCESS",
            "trans_amount": "500.00",
            "pay_date": "2026-12-05 10:00:00",
        },
    )
    # When the payout is queried by our key
    got = ali.query_payout("PO20261204000002")
    # Then the second question named the card product, and the payout is paid
    first, second = (
        json.loads(gateway.request(0)["biz_content"]),
        json.loads(gateway.request(1)["biz_content"]),
    )
    assert first["product_code"] == "TRANS_ACCOUNT_NO_PWD"
    assert second == {
        "out_biz_no": "PO20261204000002",
        "product_code": "TRANS_BANKCARD_NO_PWD",
        "biz_scene": "DIRECT_TRANSFER",
    }
    assert (got.status, got.amount_fen) == ("succeeded", 50_000)


def test_a_card_without_its_name_or_bank_is_refused_before_sending(
    ali: AlipayProvider, gateway: FakeGateway
) -> None:
    # Given cards missing the name on the card, or the bank
    for card in (
        PayoutAccount(kind="bank_card", holder_name="", number=CARD.number, bank=CARD.bank),
        PayoutAccount(kind="bank_card", holder_name="张三", number=CARD.number, bank=""),
    ):
        # When a payout to it is asked of Alipay
        # Then it is refused as an invalid account (the payout fails, nothing retried), unsent
        with pytest.raises(ProviderError) as e:
            ali.payout(payout_key="PO1234567", amount_fen=100, account=card, description="货款")
        assert e.value.code == "invalid_account"
    assert gateway.urls == []


# --- the daily bill --------------------------------------------------------------------------
DETAILS = """#支付宝业务明细查询
#账号：[20881234567890120156]
#起始日期：[2026年12月04日 00:00:00]   终止日期：[2026年12月05日 00:00:00]
#-----------------------------------------业务明细列表----------------------------------------
支付宝交易号,商户订单号,业务类型,商品名称,创建时间,完成时间,门店编号,门店名称,操作员,终端号,对方账户,订单金额（元）,商家实收（元）,支付宝红包（元）,集分宝（元）,支付宝优惠（元）,商家优惠（元）,券核销金额（元）,券名称,商家红包消费金额（元）,卡消费金额（元）,退款批次号/请求号,服务费（元）,分润（元）,备注
2026120422001404070500001234\t,AX20261204ABCD1234_1\t,交易\t,明前龙井 250g\t,2026-12-04 10:00:00,2026-12-04 10:00:03,\t,\t,\t,\t,buy***@example.com\t,12.34,12.34,0.00,0.00,0.00,0.00,0.00,\t,0.00,0.00,\t,-0.07,0.00,AX20261204ABCD1234\t
2026120422001404070500001234\t,AX20261204ABCD1234_1\t,退款\t,明前龙井 250g\t,2026-12-04 12:00:00,2026-12-04 12:00:00,\t,\t,\t,\t,buy***@example.com\t,-5.00,-5.00,0.00,0.00,0.00,0.00,0.00,\t,0.00,0.00,AX20261204ABCD1234:refund\t,0.03,0.00,\t
#-----------------------------------------业务明细列表结束------------------------------------
#交易合计：1笔，商家实收：12.34元，商家优惠：0.00元
#退款合计：1笔，商家实收：-5.00元，商家优惠：0.00元
#导出时间：[2026年12月05日 09:00:00]
"""


def configure(settings: Any, directory: Any, keys: Keys, notify_url: str = NOTIFY) -> None:
    """Alipay configured from key files in `directory`, as an operator does (README)."""
    (directory / "app_private_key.pem").write_text(private_pem(keys.app))
    (directory / "alipay_public_key.pem").write_text(public_pem(keys.alipay))
    settings.ANXIN_ALIPAY_APPID = APPID
    settings.ANXIN_ALIPAY_APP_PRIVATE_KEY_PATH = str(directory / "app_private_key.pem")
    settings.ANXIN_ALIPAY_PUBLIC_KEY_PATH = str(directory / "alipay_public_key.pem")
    settings.ANXIN_ALIPAY_NOTIFY_URL = notify_url


class _GbkName(zipfile.ZipInfo):
    """A member named in GBK bytes without the UTF-8 flag, as Alipay's archives are (Python's
    zipfile would write a non-ASCII name as flagged UTF-8)."""

    def _encodeFilenameFlags(self) -> tuple[bytes, int]:
        return self.filename.encode("gbk"), self.flag_bits & ~0x800


def gbk_zip(files: dict[str, str]) -> bytes:
    """A zip of GBK CSV files with GBK names, as Alipay's bill archives are."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, text in files.items():
            z.writestr(_GbkName(name), text.encode("gbk"))
    return buf.getvalue()


def _bill_zip() -> bytes:
    return gbk_zip(
        {
            "20881234567890120156_20261204_业务明细.csv": DETAILS,
            "20881234567890120156_20261204_业务明细(汇总).csv": "#汇总\n门店编号,交易订单总笔数\n",
        }
    )


def test_the_trade_bill_is_fetched_and_read(ali: AlipayProvider, gateway: FakeGateway) -> None:
    # Given Alipay's bill URL for 4 December, and the zip behind it
    url = "https://dwbillcenter.alipay.com/downloadBillFile.resource?bizType=trade&userId=20881234567890120156&fileType=csv.zip&bizDates=20261204"
    gateway.answer(
        "alipay.data.dataservice.bill.downloadurl.query",
        {"code": "10000", "msg": "Success", "bill_download_url": url},
    )
    gateway.file(_bill_zip())
    # When the day's bill is downloaded
    data = ali.download_bill(dt.date(2026, 12, 4))
    # Then the URL was asked for the day's trade bill, then fetched
    assert json.loads(gateway.request(0)["biz_content"]) == {
        "bill_type": "trade",
        "bill_date": "2026-12-04",
    }
    assert gateway.urls[1] == url
    # When it is read
    payment, refund = ali.parse_bill(data)
    # Then its payment and its refund are the lines reconciliation matches (totals skipped)
    assert (payment.kind, payment.provider_id, payment.merchant_ref, payment.amount_fen) == (
        "payment",
        "AX20261204ABCD1234_1",
        "AX20261204ABCD1234",
        1234,
    )
    assert payment.occurred_at == dt.datetime(2026, 12, 4, 10, 0, 3, tzinfo=CST)
    assert (refund.kind, refund.provider_id, refund.amount_fen, refund.provider_payment_id) == (
        "refund",
        "AX20261204ABCD1234:refund",
        500,
        "AX20261204ABCD1234_1",
    )


ACCOUNT_DETAILS = """#支付宝账务明细查询
#账号：[20881234567890120156]
#起始日期：[2026年12月04日 00:00:00]   终止日期：[2026年12月05日 00:00:00]
#-----------------------------------------账务明细列表----------------------------------------
账务流水号,业务流水号,商户订单号,商品名称,发生时间,对方账号,收入金额（+元）,支出金额（-元）,账户余额（元）,交易渠道,业务类型,备注
20261204000000000001\t,2026120422001412341234567890\t,AX20261204ABCD1234_1\t,明前龙井\t,2026-12-04 10:00:03,buyer@example.com,12.34,0.00,12.34,WAP,在线支付,
20261204000000000002\t,20261204110070000006210012345678\t,AXPO0123456789ABCDEF0123\t,Anxin withdrawal\t,2026-12-04 15:20:00,seller@example.com,0.00,-80.00,-67.66,OPENAPI,转账,
#-----------------------------------------账务明细列表结束------------------------------------
#收入合计：12.34元，支出合计：-80.00元
"""


def test_the_account_bill_gives_the_payouts(ali: AlipayProvider, gateway: FakeGateway) -> None:
    # Given Alipay's account bill (账务明细) for 4 December: a payment in, a transfer out
    data = gbk_zip(
        {
            "20881234567890120156_20261204_账务明细.csv": ACCOUNT_DETAILS,
            "20881234567890120156_20261204_账务明细(汇总).csv": "#汇总\n业务类型,收入\n",
        }
    )
    url = "https://dwbillcenter.alipay.com/downloadBillFile.resource?bizType=signcustomer&bizDates=20261204"
    gateway.answer(
        "alipay.data.dataservice.bill.downloadurl.query",
        {"code": "10000", "msg": "Success", "bill_download_url": url},
    )
    gateway.file(data)
    # When the day's payout bill is downloaded and read
    lines = ali.parse_bill(ali.download_payout_bill(dt.date(2026, 12, 4)))
    # Then the account bill was asked for, and the transfer is the one payout line
    assert json.loads(gateway.request(0)["biz_content"]) == {
        "bill_type": "signcustomer",
        "bill_date": "2026-12-04",
    }
    assert [(x.kind, x.merchant_ref, x.amount_fen, x.status) for x in lines] == [
        ("payout", "AXPO0123456789ABCDEF0123", 8000, "succeeded")
    ]
    assert lines[0].occurred_at == dt.datetime(2026, 12, 4, 15, 20, tzinfo=CST)


def test_a_day_without_a_bill_is_an_empty_bill(ali: AlipayProvider, gateway: FakeGateway) -> None:
    # Given Alipay saying there is no bill for the day
    gateway.answer(
        "alipay.data.dataservice.bill.downloadurl.query",
        {"code": "40004", "msg": "Business Failed", "sub_code": "isp.bill_not_exist"},
    )
    # When the day's bill is downloaded and read
    data = ali.download_bill(dt.date(2026, 12, 3))
    # Then it is empty, and so are its lines
    assert data == b""
    assert ali.parse_bill(data) == []


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


def _cert(
    subject: str, key: rsa.RSAPrivateKey, issuer: str, issuer_key: rsa.RSAPrivateKey, serial: int
) -> str:
    from cryptography import x509
    from cryptography.x509.oid import NameOID

    def name(cn: str) -> x509.Name:
        return x509.Name(
            [
                x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Ant Financial"),
                x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "Certification Authority"),
                x509.NameAttribute(NameOID.COMMON_NAME, cn),
            ]
        )

    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name(subject))
        .issuer_name(name(issuer))
        .public_key(key.public_key())
        .serial_number(serial)
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365))
        .sign(issuer_key, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def test_certificate_mode_names_the_certificates_and_verifies_with_alipays(
    keys: Keys, gateway: FakeGateway
) -> None:
    import hashlib

    # Given an app in certificate mode: a root, and the app's and Alipay's certificates under it
    root_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    root_cn, class2 = (
        "Ant Financial Certification Authority R1",
        "Ant Financial Certification Authority Class 2 R1",
    )
    root = _cert(root_cn, root_key, root_cn, root_key, 0x3E3A3F4B)
    app_cert = _cert(APPID, keys.app, class2, root_key, 0x1A2B3C4D5E)
    alipay_cert = _cert(
        "支付宝(中国)网络技术有限公司-2088", keys.alipay, class2, root_key, 0x2B3C4D5E6F
    )
    ali = AlipayProvider(
        AlipayConfig(
            appid=APPID,
            app_private_key=private_pem(keys.app),
            alipay_public_key="",
            notify_url=NOTIFY,
            app_cert=app_cert,
            alipay_cert=alipay_cert,
            alipay_root_cert=root,
        )
    )
    # When a payout is sent (Alipay requires certificate mode for transfers)
    gateway.answer(
        "alipay.fund.trans.uni.transfer",
        {"code": "10000", "msg": "Success", "order_id": "2026", "status": "DEALING"},
    )
    account = PayoutAccount(kind="alipay", holder_name="张三", number="2088123412341234")
    out = ali.payout(
        payout_key="PO20261204000003", amount_fen=100, account=account, description="货款"
    )
    # Then the request names both certificates by Alipay's SN rule (MD5 of issuer and serial)
    r = gateway.request()

    def sn(issuer_cn: str, serial: int) -> str:
        issuer = f"CN={issuer_cn},OU=Certification Authority,O=Ant Financial,C=CN"
        return hashlib.md5(f"{issuer}{serial}".encode()).hexdigest()  # noqa: S324

    assert r["app_cert_sn"] == sn(class2, 0x1A2B3C4D5E)
    assert r["alipay_root_cert_sn"] == sn(root_cn, 0x3E3A3F4B)
    assert app_signature_verifies(r, keys.app)
    assert json.loads(r["biz_content"])["payee_info"]["identity_type"] == "ALIPAY_USER_ID"
    # And Alipay's answer verified with the key in Alipay's certificate
    assert out.status == "processing"


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
