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
"""

from __future__ import annotations

import base64
import datetime as dt
import gzip
import hashlib
import json
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from wechatpayv3.utils import aes_decrypt, load_private_key, rsa_sign

from anxin.payments.providers.base import NotificationRejected, PayoutAccount
from anxin.payments.providers.sandbox import ProviderError
from anxin.payments.providers.wechatpay import WeChatPayConfig, WeChatPayProvider
from anxin.payments.tests.pem import private_pem, public_pem

pytestmark = pytest.mark.django_db

GATEWAY = "https://api.mch.weixin.qq.com"
MCHID = "1900000109"
APPID = "wxd678efh567hg6787"
SERIAL = "5157F09EFDC096DE15EBE81A47057A7232F1B8E1"
PUB_KEY_ID = "PUB_KEY_ID_0119000001092024050100000000"
NOTIFY = "https://anxin.example/api/v1/payments/notify/wechatpay"

# wechatpay-go utils/sign_test.go: the test key (its PEM armour reads "TESTING KEY" there so
# that scanners do not flag it), the message "source" and its SHA256withRSA signature.
GO_TEST_KEY = """-----BEGIN PRIVATE KEY-----
MIIEvgIBADANBgkqhkiG9w0BAQEFAASCBKgwggSkAgEAAoIBAQDZUJN33V+dSfvd
fL0Mu+39XrZNXFFMQSy1V15FpncHeV47SmV0TzTqZc7hHB0ddqAdDi8Z5k3TKqb7
6sOwYr5TcAfuR6PIPaleyE0/0KrljBum2Isa2Nyq7Dgc3ElBQ6YN4l/a+DpvKaz1
FSKmKrhLNskqokWVSlu4g8OlKlbPXQ9ibII14MZRQrrkTmHYHzfi7GXXM0thAKuR
0HNvyhTHBh4/lrYM3GaMvmWwkwvsMavnOex6+eioZHBOb1/EIZ/LzC6zuHArPpyW
3daGaZ1rtQB1vVzTyERAVVFsXXgBHvfFud3w3ShsJYk8JvMwK2RpJ5/gV0QSARcm
LDRUAlPzAgMBAAECggEBAMc7rDeUaXiWv6bMGbZ3BTXpg1FhdddnWUnYE8HfX/km
OFI7XtBHXcgYFpcjYz4D5787pcsk7ezPidAj58zqenuclmjKnUmT3pfbI5eCA2v4
C9HnbYDrmUPK1ZcADtka4D6ScDccpNYNa1g2TFHzkIrEa6H+q7S3O2fqxY/DRVtN
0JIXalBb8daaqL5QVzSmM2BMVnHy+YITJWIkP2a3pKs9C0W65JGDsnG0wVrHinHF
+cnhFZIbaPEI//DAFMc9NkrWOKVRTEgcCUxCFaHOZVNxDWZD7A2ZfJB2rK6eg//y
gEiFDR2h6mTaDowMB4YF2n2dsIO4/dCG8vPHI20jn4ECgYEA/ZGu6lEMlO0XZnam
AZGtiNgLcCfM/C2ZERZE7QTRPZH1WdK92Al9ndldsswFw4baJrJLCmghjF/iG4zi
hhBvLnOLksnZUfjdumxoHDWXo2QBWbI5QsWIE7AuTiWgWj1I7X4fCXSQf6i+M/y2
6TogQ7d0ANpZFyOkTNMn/tiJvLECgYEA22XqlamG/yfAGWery5KNH2DGlTIyd6xJ
WtJ9j3jU99lZ0bCQ5xhiBbU9ImxCi3zgTsoqLWgA/p00HhNFNoUcTl9ofc0G3zwT
D1y0ZzcnVKxGJdZ6ohW52V0hJStAigtjYAsUgjm7//FH7PiQDBDP1Wa6xSRkDQU/
aSbQxvEE8+MCgYEA3bb8krW7opyM0XL9RHH0oqsFlVO30Oit5lrqebS0oHl3Zsr2
ZGgoBlWBsEzk3UqUhTFwm/DhJLTSJ/TQPRkxnhQ5/mewNhS9C7yua7wQkzVmWN+V
YeUGTvDGDF6qDz12/vJAgSwDDRym8x4NcXD5tTw7mmNRcwIfL22SkysThIECgYAV
BgccoEoXWS/HP2/u6fQr9ZIR6eV8Ij5FPbZacTG3LlS1Cz5XZra95UgebFFUHHtC
EY1JHJY7z8SWvTH8r3Su7eWNaIAoFBGffzqqSVazfm6aYZsOvRY6BfqPHT3p/H1h
Tq6AbBffxrcltgvXnCTORjHPglU0CjSxVs7awW3AEQKBgB5WtaC8VLROM7rkfVIq
+RXqE5vtJfa3e3N7W3RqxKp4zHFAPfr82FK5CX2bppEaxY7SEZVvVInKDc5gKdG/
jWNRBmvvftZhY59PILHO2X5vO4FXh7suEjy6VIh0gsnK36mmRboYIBGsNuDHjXLe
BDa+8mDLkWu5nHEhOxy2JJZl
-----END PRIVATE KEY-----"""
GO_EXPECTED_SIGNATURE = (
    "BKyAfU4iMCuvXMXS0Wzam3V/cnxZ+JaqigPM5OhljS2iOT95OO6Fsuml2JkFANJU9K6q9bLlDhPXuoV"
    "z+pp4hAm6pHU4ld815U4jsKu1RkyaII+1CYBUYC8TK0XtJ8FwUXXz8vZHh58rrAVN1XwNyvD1vfpxrMT4SL536GLwvpUHlCqIMzoZUguLl"
    "i/K8V29QiOhuH6IEqLNJn8e9b3nwNcQ7be3CzYGpDAKBfDGPCqCv8Rw5zndhlffk2FEA70G4hvMwe51qMN/RAJbknXG23bSlObuTCN7Ndj"
    "1aJGH6/L+hdwfLpUtJm4QYVazzW7DFD27EpSQEqA8bX9+8m1rLg=="
)


@dataclass
class Keys:
    merchant: rsa.RSAPrivateKey
    platform: rsa.RSAPrivateKey
    apiv3: str


@pytest.fixture(scope="module")
def keys() -> Keys:
    return Keys(
        merchant=rsa.generate_private_key(public_exponent=65537, key_size=2048),
        platform=rsa.generate_private_key(public_exponent=65537, key_size=2048),
        apiv3=secrets.token_hex(16),  # 32 characters, as WeChat's APIv3 keys
    )


def _config(keys: Keys, **kw: Any) -> WeChatPayConfig:
    values: dict[str, Any] = {
        "mchid": MCHID,
        "appid": APPID,
        "cert_serial_no": SERIAL,
        "private_key_pem": private_pem(keys.merchant),
        "apiv3_key": keys.apiv3,
        "notify_url": NOTIFY,
        "public_key_pem": public_pem(keys.platform),
        "public_key_id": PUB_KEY_ID,
    }
    values.update(kw)
    return WeChatPayConfig(**values)


def platform_sign(key: rsa.RSAPrivateKey, ts: str, nonce: str, body: str) -> str:
    message = f"{ts}\n{nonce}\n{body}\n".encode()
    return base64.b64encode(key.sign(message, padding.PKCS1v15(), hashes.SHA256())).decode()


def signed_headers(
    key: rsa.RSAPrivateKey, body: str, *, ts: int | None = None, nonce: str | None = None
) -> dict[str, str]:
    stamp = str(ts if ts is not None else int(time.time()))
    nonce = nonce or secrets.token_hex(16).upper()
    return {
        "Wechatpay-Timestamp": stamp,
        "Wechatpay-Nonce": nonce,
        "Wechatpay-Signature": platform_sign(key, stamp, nonce, body),
        "Wechatpay-Serial": PUB_KEY_ID,
        "Wechatpay-Signature-Type": "WECHATPAY2-SHA256-RSA2048",
    }


@dataclass
class FakeResponse:
    status_code: int
    headers: dict[str, str]
    text: str
    content: bytes = b""


@dataclass
class Sent:
    method: str
    url: str
    headers: dict[str, str]
    json: Any


@dataclass
class FakeRequests:
    """Stands in for the `requests` module inside wechatpayv3.core: records what is sent and
    answers from a queue, each answer signed with the platform key as WeChat Pay signs."""

    platform: rsa.RSAPrivateKey
    answers: list[tuple[int, Any]] = field(default_factory=list)
    sent: list[Sent] = field(default_factory=list)

    def answer(self, status: int, body: Any) -> None:
        self.answers.append((status, body))

    def _respond(self, method: str, url: str, headers: dict, json_body: Any) -> FakeResponse:
        self.sent.append(Sent(method, url, dict(headers), json_body))
        status, body = self.answers.pop(0)
        if isinstance(body, bytes):
            return FakeResponse(status, {"Content-Type": "application/octet-stream"}, "", body)
        text = "" if body is None else json.dumps(body, ensure_ascii=False)
        h = {"Content-Type": "application/json", **signed_headers(self.platform, text)}
        return FakeResponse(status, h, text, text.encode())

    def get(self, url: str, headers: dict, **kw: Any) -> FakeResponse:
        return self._respond("GET", url, headers, None)

    def post(self, url: str, json: Any = None, headers: dict | None = None, **kw: Any) -> Any:
        return self._respond("POST", url, headers or {}, json)


@pytest.fixture
def http(monkeypatch: pytest.MonkeyPatch, keys: Keys) -> FakeRequests:
    import wechatpayv3.core

    fake = FakeRequests(keys.platform)
    monkeypatch.setattr(wechatpayv3.core, "requests", fake)
    return fake


@pytest.fixture
def wx(keys: Keys) -> WeChatPayProvider:
    return WeChatPayProvider(_config(keys))


def authorization_verifies(sent: Sent, merchant: rsa.RSAPrivateKey) -> bool:
    """Check the WECHATPAY2-SHA256-RSA2048 header as WeChat Pay would: with the merchant's
    public key, over method, path, timestamp, nonce and body."""
    scheme, _, params = sent.headers["Authorization"].partition(" ")
    assert scheme == "WECHATPAY2-SHA256-RSA2048"
    fields = dict(p.split("=", 1) for p in params.split(","))
    fields = {k: v.strip('"') for k, v in fields.items()}
    assert fields["mchid"] == MCHID
    assert fields["serial_no"] == SERIAL
    path = sent.url[len(GATEWAY) :]
    body = json.dumps(sent.json) if sent.json else ""
    message = f"{sent.method}\n{path}\n{fields['timestamp']}\n{fields['nonce_str']}\n{body}\n"
    try:
        merchant.public_key().verify(
            base64.b64decode(fields["signature"]),
            message.encode(),
            padding.PKCS1v15(),
            hashes.SHA256(),
        )
    except Exception:
        return False
    return True


def notification(
    keys: Keys,
    event_type: str,
    resource: dict[str, Any],
    *,
    ts: int | None = None,
    nonce: str | None = None,
    apiv3: str | None = None,
    signer: rsa.RSAPrivateKey | None = None,
) -> tuple[bytes, dict[str, str]]:
    """A notification as WeChat Pay sends one: the resource encrypted with the APIv3 key,
    the body signed with the platform key."""
    gcm_nonce = secrets.token_hex(6)  # 12 characters
    associated = "transaction"
    ciphertext = AESGCM((apiv3 or keys.apiv3).encode()).encrypt(
        gcm_nonce.encode(), json.dumps(resource).encode(), associated.encode()
    )
    body = json.dumps(
        {
            "id": "EV-2018022511223320873",
            "create_time": "2026-12-04T10:00:05+08:00",
            "resource_type": "encrypt-resource",
            "event_type": event_type,
            "summary": "支付成功",
            "resource": {
                "original_type": "transaction",
                "algorithm": "AEAD_AES_256_GCM",
                "ciphertext": base64.b64encode(ciphertext).decode(),
                "associated_data": associated,
                "nonce": gcm_nonce,
            },
        },
        ensure_ascii=False,
    )
    return body.encode(), signed_headers(signer or keys.platform, body, ts=ts, nonce=nonce)


PAID = {
    "mchid": MCHID,
    "appid": APPID,
    "out_trade_no": "AX20261204ABCD1234_1",
    "transaction_id": "4200000001202612041234567890",
    "trade_type": "NATIVE",
    "trade_state": "SUCCESS",
    "trade_state_desc": "支付成功",
    "bank_type": "OTHERS",
    "attach": "AX20261204ABCD1234",
    "success_time": "2026-12-04T10:00:03+08:00",
    "payer": {"openid": "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"},
    "amount": {"total": 1234, "payer_total": 1234, "currency": "CNY", "payer_currency": "CNY"},
}


# --- published vectors ---------------------------------------------------------------------
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
    for provider in (wx, WeChatPayProvider(_config(keys))):
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


def _configure(settings: Any, tmp_path: Any, keys: Keys) -> None:
    """WeChat Pay configured from key files, as an operator does (README)."""
    (tmp_path / "apiclient_key.pem").write_text(private_pem(keys.merchant))
    (tmp_path / "pub_key.pem").write_text(public_pem(keys.platform))
    (tmp_path / "apiv3.key").write_text(keys.apiv3 + "\n")
    settings.ANXIN_WECHATPAY_MCHID = MCHID
    settings.ANXIN_WECHATPAY_APPID = APPID
    settings.ANXIN_WECHATPAY_CERT_SERIAL_NO = SERIAL
    settings.ANXIN_WECHATPAY_PRIVATE_KEY_PATH = str(tmp_path / "apiclient_key.pem")
    settings.ANXIN_WECHATPAY_PUBLIC_KEY_PATH = str(tmp_path / "pub_key.pem")
    settings.ANXIN_WECHATPAY_PUBLIC_KEY_ID = PUB_KEY_ID
    settings.ANXIN_WECHATPAY_APIV3_KEY_PATH = str(tmp_path / "apiv3.key")
    settings.ANXIN_WECHATPAY_NOTIFY_URL = NOTIFY


@pytest.fixture
def configured(settings: Any, tmp_path: Any, keys: Keys) -> Any:
    from anxin.payments.providers import get_provider

    _configure(settings, tmp_path, keys)
    get_provider.cache_clear()
    yield settings
    get_provider.cache_clear()


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


# --- payouts ---------------------------------------------------------------------------------
def test_a_payout_transfers_to_the_sellers_wallet(
    wx: WeChatPayProvider, http: FakeRequests, keys: Keys
) -> None:
    # Given WeChat accepting a transfer (the seller still has to confirm it)
    http.answer(
        200,
        {
            "out_bill_no": "PO20261204000001",
            "transfer_bill_no": "1330000071100999991182020050700019480001",
            "create_time": "2026-12-04T10:00:00+08:00",
            "state": "WAIT_USER_CONFIRM",
            "package_info": "affffddafdfafddffda==",
        },
    )
    account = PayoutAccount(kind="wechat", holder_name="", number="o-MYE42l80oelYMDE34nYD456Xoy")
    # When 1,000.00 yuan is paid out to the seller's openid
    out = wx.payout(
        payout_key="PO20261204000001", amount_fen=100_000, account=account, description="货款结算"
    )
    # Then the transfer-bills API got the amount in fen, the scene and our key
    (sent,) = http.sent
    assert (sent.method, sent.url) == (
        "POST",
        f"{GATEWAY}/v3/fund-app/mch-transfer/transfer-bills",
    )
    assert sent.json["out_bill_no"] == "PO20261204000001"
    assert sent.json["transfer_amount"] == 100_000
    assert sent.json["openid"] == "o-MYE42l80oelYMDE34nYD456Xoy"
    assert sent.json["transfer_scene_id"] == "1005"
    assert sent.json["appid"] == APPID
    assert authorization_verifies(sent, keys.merchant)
    # And the payout is processing under WeChat's bill number
    assert (out.status, out.provider_payout_id) == (
        "processing",
        "1330000071100999991182020050700019480001",
    )
    # When it is queried after it failed
    http.answer(
        200,
        {
            "out_bill_no": "PO20261204000001",
            "transfer_bill_no": "1330000071100999991182020050700019480001",
            "state": "FAIL",
            "transfer_amount": 100_000,
            "fail_reason": "PAYEE_ACCOUNT_ABNORMAL",
        },
    )
    failed = wx.query_payout("PO20261204000001")
    # Then it failed, with WeChat's reason
    assert http.sent[-1].url == (
        f"{GATEWAY}/v3/fund-app/mch-transfer/transfer-bills/out-bill-no/PO20261204000001"
    )
    assert (failed.status, failed.failure_reason, failed.amount_fen) == (
        "failed",
        "PAYEE_ACCOUNT_ABNORMAL",
        100_000,
    )


def test_a_payout_to_a_bank_card_is_refused(wx: WeChatPayProvider, http: FakeRequests) -> None:
    # Given a bank card
    card = PayoutAccount(
        kind="bank_card", holder_name="张三", number="6222020000000000000", bank="ICBC"
    )
    # When a payout to it is asked of WeChat Pay
    # Then it is refused before anything is sent (WeChat pays wallets only)
    with pytest.raises(ProviderError) as e:
        wx.payout(payout_key="PO1234567", amount_fen=100, account=card, description="货款")
    assert e.value.code == "unsupported_account"
    assert http.sent == []


# --- the daily bill --------------------------------------------------------------------------
BILL = (
    "交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,"
    "交易状态,付款银行,货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,"
    "充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,"
    "费率备注\r\n"
    "`2026-12-04 10:00:03,`wxd678efh567hg6787,`1900000109,`0,`,`4200000001202612041234567890,"
    "`AX20261204ABCD1234_1,`oUpF8uMuAJO_M2pxb1Q9zNjWeS6o,`NATIVE,`SUCCESS,`OTHERS,`CNY,`12.34,"
    "`0.00,`0,`0,`0.00,`0.00,`,`,`明前龙井 250g,`AX20261204ABCD1234,`0.07000,`0.60%,`12.34,"
    "`0.00,`\r\n"
    "`2026-12-04 12:00:00,`wxd678efh567hg6787,`1900000109,`0,`,`4200000001202612041234567890,"
    "`AX20261204ABCD1234_1,`oUpF8uMuAJO_M2pxb1Q9zNjWeS6o,`NATIVE,`REFUND,`OTHERS,`CNY,`0.00,"
    "`0.00,`50000000382019052709732678859,`AX20261204ABCD1234|refund,`5.00,`0.00,`ORIGINAL,"
    "`SUCCESS,`明前龙井 250g,`AX20261204ABCD1234,`-0.03000,`0.60%,`0.00,`5.00,`\r\n"
    "总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,"
    "申请退款总金额\r\n"
    "`2,`12.34,`5.00,`0.00,`0.04000,`12.34,`5.00\r\n"
)


def serve_bill(http: FakeRequests, raw: bytes, token: str) -> None:
    """WeChat's two answers for a bill: its download URL with the bill's SHA1, then the
    gzipped file."""
    http.answer(
        200,
        {
            "hash_type": "SHA1",
            "hash_value": hashlib.sha1(raw).hexdigest(),  # noqa: S324
            "download_url": f"{GATEWAY}/v3/billdownload/file?token={token}",
        },
    )
    http.answer(200, gzip.compress(raw))


def test_the_trade_bill_is_downloaded_checked_and_read(
    wx: WeChatPayProvider, http: FakeRequests, keys: Keys
) -> None:
    # Given WeChat's bill for 4 December: its download URL and digest, then the gzip file
    raw = BILL.encode()
    serve_bill(http, raw, "6XIv5TUPto7pByrTQKhd6kwvyKLG2uY2wMMR8cNXqaA_Cv_isgaUtBzp4QtiozLO")
    # When the day's bill is downloaded
    data = wx.download_bill(dt.date(2026, 12, 4))
    # Then the bill was asked for that day, fetched from its URL, and checked
    assert http.sent[0].url == (
        f"{GATEWAY}/v3/bill/tradebill?bill_date=2026-12-04&bill_type=ALL&tar_type=GZIP"
    )
    assert http.sent[1].url.startswith(f"{GATEWAY}/v3/billdownload/file?token=")
    assert authorization_verifies(http.sent[1], keys.merchant)
    assert data == raw
    # When it is read
    payment, refund = wx.parse_bill(data)
    # Then the payment and the refund are the lines reconciliation matches
    cst = dt.timezone(dt.timedelta(hours=8))
    assert (payment.kind, payment.provider_id, payment.merchant_ref, payment.amount_fen) == (
        "payment",
        "AX20261204ABCD1234_1",
        "AX20261204ABCD1234",
        1234,
    )
    assert payment.occurred_at == dt.datetime(2026, 12, 4, 10, 0, 3, tzinfo=cst)
    assert (refund.kind, refund.provider_id, refund.merchant_ref, refund.amount_fen) == (
        "refund",
        "50000000382019052709732678859",
        "AX20261204ABCD1234:refund",
        500,
    )
    assert refund.provider_payment_id == "AX20261204ABCD1234_1"


def test_a_bill_that_does_not_match_its_digest_is_refused(
    wx: WeChatPayProvider, http: FakeRequests
) -> None:
    # Given a bill whose content differs from the digest WeChat announced
    http.answer(
        200,
        {
            "hash_type": "SHA1",
            "hash_value": "0" * 40,
            "download_url": f"{GATEWAY}/v3/billdownload/file?token=x",
        },
    )
    http.answer(200, gzip.compress(BILL.encode()))
    # When it is downloaded
    # Then it is refused
    with pytest.raises(ProviderError) as e:
        wx.download_bill(dt.date(2026, 12, 4))
    assert e.value.code == "bill_digest_mismatch"


FUND_BILL = (
    "记账时间,微信支付业务单号,资金流水单号,业务名称,业务类型,收支类型,收支金额(元),账户结余(元),"
    "资金变更提交申请人,备注,业务凭证号\r\n"
    "`2026-12-04 10:00:03,`4200000001202612041234567890,`4200000001202612041234567890,"
    "`交易,`交易,`收入,`12.34,`12.34,`system,`,`AX20261204ABCD1234_1\r\n"
    "`2026-12-04 15:20:00,`1330000114850082306132000012345678,`1900000109202612040000000001,"
    "`商家转账,`商家转账,`支出,`80.00,`-67.66,`1900000109,`,`AXPO0123456789ABCDEF0123\r\n"
    "`2026-12-04 18:00:00,`1330000114850082306132000012345678,`1900000109202612040000000002,"
    "`商家转账,`商家转账退回,`收入,`80.00,`12.34,`system,`,`AXPO0123456789ABCDEF0123\r\n"
    "资金流水总笔数,收入笔数,收入金额,支出笔数,支出金额\r\n"
    "`3,`2,`92.34,`1,`80.00\r\n"
)


def test_the_fund_bill_gives_the_payouts_paid_and_sent_back(
    wx: WeChatPayProvider, http: FakeRequests
) -> None:
    # Given WeChat's fund-flow bill of the basic account for 4 December: a payment, a
    # transfer to a seller, and the transfer sent back
    raw = FUND_BILL.encode()
    serve_bill(http, raw, "fund")
    # When the day's payout bill is downloaded and read
    data = wx.download_payout_bill(dt.date(2026, 12, 4))
    lines = wx.parse_bill(data)
    # Then the basic account's fund-flow bill was asked for, and its transfers are the lines
    assert http.sent[0].url == (
        f"{GATEWAY}/v3/bill/fundflowbill?bill_date=2026-12-04&account_type=BASIC&tar_type=GZIP"
    )
    cst = dt.timezone(dt.timedelta(hours=8))
    assert [(x.kind, x.merchant_ref, x.amount_fen, x.status, x.occurred_at) for x in lines] == [
        (
            "payout",
            "AXPO0123456789ABCDEF0123",
            8000,
            "succeeded",
            dt.datetime(2026, 12, 4, 15, 20, tzinfo=cst),
        ),
        (
            "payout",
            "AXPO0123456789ABCDEF0123",
            8000,
            "returned",
            dt.datetime(2026, 12, 4, 18, 0, tzinfo=cst),
        ),
    ]
    assert lines[0].provider_id == "1330000114850082306132000012345678"


def test_a_day_without_a_bill_is_an_empty_bill(wx: WeChatPayProvider, http: FakeRequests) -> None:
    # Given WeChat saying there is no bill for the day
    http.answer(400, {"code": "NO_STATEMENT_EXIST", "message": "账单文件不存在"})
    # When the day's bill is downloaded and read
    data = wx.download_bill(dt.date(2026, 12, 3))
    # Then it is empty, and so are its lines
    assert data == b""
    assert wx.parse_bill(data) == []


def test_the_payees_name_is_sent_encrypted_for_the_platform_key(
    wx: WeChatPayProvider, http: FakeRequests, keys: Keys
) -> None:
    # Given a payout naming the seller's real name (WeChat checks it against the wallet)
    http.answer(200, {"out_bill_no": "PO20261204000002", "state": "ACCEPTED"})
    account = PayoutAccount(
        kind="wechat", holder_name="张三", number="o-MYE42l80oelYMDE34nYD456Xoy"
    )
    # When it is paid out
    wx.payout(payout_key="PO20261204000002", amount_fen=5000, account=account, description="货款")
    # Then the name travels only encrypted (RSA-OAEP) for the platform key named in the header
    (sent,) = http.sent
    assert "张三" not in json.dumps(sent.json, ensure_ascii=False)
    assert sent.headers["Wechatpay-Serial"] == PUB_KEY_ID
    name = keys.platform.decrypt(
        base64.b64decode(sent.json["user_name"]),
        padding.OAEP(mgf=padding.MGF1(hashes.SHA1()), algorithm=hashes.SHA1(), label=None),  # noqa: S303
    )
    assert name.decode() == "张三"


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
        _config(keys, public_key_pem="", public_key_id="", cert_dir=str(tmp_path))
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


def test_a_transfer_notification_is_mapped_to_our_payout(wx: WeChatPayProvider, keys: Keys) -> None:
    # Given WeChat's notifications that one transfer succeeded and another was cancelled
    done = {
        "out_bill_no": "PO20261204000001",
        "transfer_bill_no": "1330000071100999991182020050700019480001",
        "state": "SUCCESS",
        "mch_id": MCHID,
        "transfer_amount": 100_000,
        "openid": "o-MYE42l80oelYMDE34nYD456Xoy",
        "create_time": "2026-12-04T10:00:00+08:00",
        "update_time": "2026-12-04T10:05:00+08:00",
    }
    ok_body, ok_headers = notification(keys, "MCHTRANSFER.BILL.FINISHED", done)
    cancelled = {**done, "out_bill_no": "PO20261204000002", "state": "CANCELLED"}
    no_body, no_headers = notification(keys, "MCHTRANSFER.BILL.FINISHED", cancelled)
    # When they are parsed
    ok = wx.parse_notification(ok_body, ok_headers)
    no = wx.parse_notification(no_body, no_headers)
    # Then each names our payout key and its outcome
    assert (ok.event_type, ok.payout_key, ok.amount_fen) == (
        "payout.succeeded",
        "PO20261204000001",
        100_000,
    )
    assert ok.provider_payout_id == "1330000071100999991182020050700019480001"
    assert ok.occurred_at == dt.datetime.fromisoformat("2026-12-04T10:05:00+08:00")
    assert (no.event_type, no.payout_key, no.failure_reason) == (
        "payout.failed",
        "PO20261204000002",
        "CANCELLED",
    )


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
