"""What the Alipay adapter's tests share: the keys, the stand-in for the gateway at the SDK's
transport boundary (alipay.urlopen), notifications built as Alipay posts them, Anxin configured
for Alipay from key files, and Alipay's bill archives (GBK CSV files in a zip with GBK member
names). The fixtures built from them are in conftest.py.
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

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from anxin.payments.tests.pem import private_pem, public_pem

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
