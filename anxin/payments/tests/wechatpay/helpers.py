"""What the WeChat Pay adapter's tests share: the keys, the adapter's configuration, the
stand-in for the `requests` module at the SDK's transport boundary (wechatpayv3.core.requests),
notifications built the way WeChat Pay builds them, and Anxin configured for WeChat Pay from key
files. The fixtures built from them are in conftest.py.
"""

from __future__ import annotations

import base64
import json
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from anxin.payments.providers.wechatpay import WeChatPayConfig
from anxin.payments.tests.pem import private_pem, public_pem

GATEWAY = "https://api.mch.weixin.qq.com"
MCHID = "1900000109"
APPID = "wxd678efh567hg6787"
SERIAL = "5157F09EFDC096DE15EBE81A47057A7232F1B8E1"
PUB_KEY_ID = "PUB_KEY_ID_0119000001092024050100000000"
NOTIFY = "https://anxin.example/api/v1/payments/notify/wechatpay"


@dataclass
class Keys:
    merchant: rsa.RSAPrivateKey
    platform: rsa.RSAPrivateKey
    apiv3: str


def wechatpay_config(keys: Keys, **kw: Any) -> WeChatPayConfig:
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


def configure(settings: Any, tmp_path: Any, keys: Keys) -> None:
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
