"""WeChat Pay (API v3) behind the provider contract, built on the `wechatpayv3` SDK.

Why this SDK: WeChat Pay publishes no official Python SDK for API v3 (its own are Java, Go, PHP
and Node). `wechatpayv3` (minibear2021/wechatpayv3, MIT, maintained since 2021, 2.0.4 released
for the 2025 transfer API) covers every call we need (JSAPI/H5/native orders, query, close,
refund, trade bills, 商家转账 transfer bills) in a few hundred lines on `cryptography` and
`requests`, which we already have: it signs each request (the WECHATPAY2-SHA256-RSA2048
Authorization header), verifies each answer's signature with the platform key, and carries the
AES-256-GCM and RSA-OAEP helpers. What it does not do we do here: it checks neither a
notification's timestamp nor its nonce, and on a signature from an unknown serial it downloads
certificates over the network, so notifications are verified here with its `rsa_verify` and
`aes_decrypt` against the platform keys we loaded from files, never from the network.

Identifiers: our payment's idempotency key is WeChat's `out_trade_no` (':' written '_', which
WeChat allows), so asking twice creates one order; it is also the `provider_payment_id` we are
given back, as WeChat's own transaction id exists only once the buyer paid, and our merchant
ref (the order number) travels as `attach` into notifications and bills. A refund's key is its
`out_refund_no` (':' written '|', read back); a payout's key is its `out_bill_no` (letters and
digits only).

Keys and certificates are files (settings: ANXIN_WECHATPAY_*; README "Payment providers").
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import json
import re
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from wechatpayv3 import WeChatPay, WeChatPayType
from wechatpayv3.utils import aes_decrypt, rsa_verify

from anxin.law.days import BEIJING
from anxin.payments.providers import bills
from anxin.payments.providers.base import (
    BillLine,
    Notification,
    NotificationRejected,
    PayoutAccount,
    ProviderError,
    ProviderPayment,
    ProviderPaymentState,
    ProviderPayout,
    ProviderRefund,
    fen,
)
from anxin.payments.providers.configured import need, read
from anxin.payments.providers.replay import nonce_once

SIGNATURE_TYPE = "WECHATPAY2-SHA256-RSA2048"
PAY_KINDS = {"native": WeChatPayType.NATIVE, "h5": WeChatPayType.H5, "jsapi": WeChatPayType.JSAPI}
# WeChat's trade states as the contract's payment states.
_TRADE_STATE = {
    "SUCCESS": "succeeded",
    "REFUND": "succeeded",  # paid, then (partly) refunded: the payment itself succeeded
    "NOTPAY": "created",
    "USERPAYING": "created",
    "CLOSED": "closed",
    "REVOKED": "closed",
    "PAYERROR": "failed",
}
_REFUND_STATE = {
    "SUCCESS": "succeeded",
    "PROCESSING": "processing",
    "CLOSED": "failed",
    "ABNORMAL": "failed",
}
# 商家转账 states: SUCCESS and FAIL/CANCELLED are final, the rest still moving.
_TRANSFER_STATE = {"SUCCESS": "succeeded", "FAIL": "failed", "CANCELLED": "failed"}
# WeChat's rules: out_trade_no 6-32 of letters, digits and _-*; out_refund_no up to 64 of
# letters, digits and _-|*@.
_TRADE_NO = re.compile(r"^[0-9A-Za-z_\-*]{6,32}$")
_OUT_NO = re.compile(r"^[0-9A-Za-z_\-|*@]{1,64}$")
_BILL_NO = re.compile(r"^[0-9A-Za-z]{5,32}$")


@dataclass(frozen=True)
class WeChatPayConfig:
    mchid: str
    appid: str
    cert_serial_no: str
    private_key_pem: str
    apiv3_key: str
    notify_url: str
    # The platform's key: WeChat Pay's public key and its id, or platform certificates.
    public_key_pem: str = ""
    public_key_id: str = ""
    cert_dir: str = ""
    pay_kind: str = "native"
    transfer_scene_id: str = "1005"
    tolerance_seconds: int = 300

    @classmethod
    def from_settings(cls) -> WeChatPayConfig:
        public_key_pem = (
            read("ANXIN_WECHATPAY_PUBLIC_KEY_PATH")
            if (settings.ANXIN_WECHATPAY_PUBLIC_KEY_PATH)
            else ""
        )
        if not public_key_pem and not settings.ANXIN_WECHATPAY_CERT_DIR:
            raise ImproperlyConfigured(
                "WeChat Pay needs its platform key: ANXIN_WECHATPAY_PUBLIC_KEY_PATH and "
                "ANXIN_WECHATPAY_PUBLIC_KEY_ID, or ANXIN_WECHATPAY_CERT_DIR"
            )
        config = cls(
            mchid=need("ANXIN_WECHATPAY_MCHID"),
            appid=need("ANXIN_WECHATPAY_APPID"),
            cert_serial_no=need("ANXIN_WECHATPAY_CERT_SERIAL_NO"),
            private_key_pem=read("ANXIN_WECHATPAY_PRIVATE_KEY_PATH"),
            apiv3_key=read("ANXIN_WECHATPAY_APIV3_KEY_PATH").strip(),
            notify_url=need("ANXIN_WECHATPAY_NOTIFY_URL"),
            public_key_pem=public_key_pem,
            public_key_id=need("ANXIN_WECHATPAY_PUBLIC_KEY_ID") if public_key_pem else "",
            cert_dir=settings.ANXIN_WECHATPAY_CERT_DIR,
            pay_kind=settings.ANXIN_WECHATPAY_PAY_KIND,
            transfer_scene_id=settings.ANXIN_WECHATPAY_TRANSFER_SCENE_ID,
            tolerance_seconds=settings.ANXIN_PAYMENT_SIGNATURE_TOLERANCE_SECONDS,
        )
        config.check()
        return config

    def check(self) -> None:
        if len(self.apiv3_key.encode()) != 32:
            raise ImproperlyConfigured("the WeChat Pay APIv3 key must be 32 characters")
        if self.pay_kind not in PAY_KINDS:
            raise ImproperlyConfigured(f"WeChat Pay kind {self.pay_kind!r}: native, h5 or jsapi")


def trade_no(key: str) -> str:
    """Our payment's key as WeChat's out_trade_no (':' is not allowed there, '_' is). Never
    read back: the payment is known by it."""
    ref = key.replace(":", "_")
    if not _TRADE_NO.match(ref):
        raise ProviderError("invalid_reference", f"{key!r} cannot be a WeChat Pay order number")
    return ref


def out_no(key: str) -> str:
    """Our refund's key as WeChat's out_refund_no, read back by our_key (':' is not allowed
    there, '|' is)."""
    ref = key.replace(":", "|")
    if not _OUT_NO.match(ref):
        raise ProviderError("invalid_reference", f"{key!r} cannot be a WeChat Pay reference")
    return ref


def our_key(ref: str) -> str:
    return ref.replace("|", ":")


def _lower_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """Header names as WeChat's, lower case, whether given as sent or as Django's META."""
    out = {}
    for k, v in headers.items():
        name = k.lower()
        if name.startswith("http_"):
            name = name[5:].replace("_", "-")
        out[name] = v
    return out


class WeChatPayProvider:
    name = "wechatpay"
    # WeChat Pay reads the default JSON answer ({"code": "SUCCESS"}) and the status code.
    notification_ack: tuple[bytes, str] | None = None

    def __init__(self, config: WeChatPayConfig | None = None) -> None:
        self._config = config
        self._client: WeChatPay | None = None
        self._keys: dict[str, RSAPublicKey] | None = None

    @property
    def config(self) -> WeChatPayConfig:
        if self._config is None:
            self._config = WeChatPayConfig.from_settings()
        self._config.check()
        return self._config

    @property
    def client(self) -> WeChatPay:
        if self._client is None:
            c = self.config
            self._client = WeChatPay(
                wechatpay_type=PAY_KINDS[c.pay_kind],
                mchid=c.mchid,
                private_key=c.private_key_pem,
                cert_serial_no=c.cert_serial_no,
                appid=c.appid,
                apiv3_key=c.apiv3_key,
                notify_url=c.notify_url,
                cert_dir=c.cert_dir or None,
                public_key=c.public_key_pem or None,
                public_key_id=c.public_key_id or None,
                timeout=(5, 20),
            )
        return self._client

    def platform_keys(self) -> dict[str, RSAPublicKey]:
        """The platform's verifying keys by serial_key: the public key file and the
        certificates in the directory that are valid now. Read from files only."""
        if self._keys is None:
            c = self.config
            keys: dict[str, RSAPublicKey] = {}
            if c.public_key_pem:
                key = load_pem_public_key(c.public_key_pem.encode())
                assert isinstance(key, RSAPublicKey)
                keys[serial_key(c.public_key_id)] = key
            if c.cert_dir and Path(c.cert_dir).is_dir():
                now = dt.datetime.now(dt.UTC)
                for pem in sorted(Path(c.cert_dir).glob("*.pem")):
                    cert = x509.load_pem_x509_certificate(pem.read_bytes())
                    if cert.not_valid_before_utc <= now <= cert.not_valid_after_utc:
                        public = cert.public_key()
                        if isinstance(public, RSAPublicKey):
                            keys[f"{cert.serial_number:X}"] = public
            self._keys = keys
        return self._keys

    # --- calls -------------------------------------------------------------------------------
    def _answer(self, result: tuple[int, Any], *, allow: tuple[int, ...] = ()) -> dict[str, Any]:
        code, text = result
        if 200 <= code < 300 or code in allow:
            if isinstance(text, bytes):
                text = text.decode()
            return json.loads(text) if text else {}
        try:
            err = json.loads(text)
            raise ProviderError(str(err.get("code", code)), str(err.get("message", text)))
        except (ValueError, AttributeError):
            raise ProviderError(str(code), str(text)[:300]) from None

    def _request(self, fn: Any, *args: Any, allow: tuple[int, ...] = (), **kwargs: Any) -> dict:
        try:
            result = fn(*args, **kwargs)
        except ProviderError:
            raise
        except Exception as e:
            if "verify the signature" in str(e):
                raise ProviderError("bad_response_signature", str(e)) from e
            raise
        return self._answer(result, allow=allow)

    def create_payment(
        self,
        *,
        merchant_ref: str,
        amount_fen: int,
        description: str,
        idempotency_key: str,
        kind: str | None = None,
        openid: str = "",
        client_ip: str = "",
    ) -> ProviderPayment:
        """Place WeChat's order. `kind` (else the setting): native answers a code_url to show
        as a QR code, h5 an h5_url to open in the phone's browser, jsapi a prepay_id for the
        page inside WeChat (`jsapi_params` signs what its WeixinJSBridge call needs; the buyer's
        `openid` is required). No time_expire: a retried call must send the same parameters
        for WeChat to answer the same order; we close unpaid orders ourselves."""
        kind = kind or self.config.pay_kind
        if kind not in PAY_KINDS:
            raise ProviderError("invalid_kind", f"WeChat Pay kind {kind!r}")
        if amount_fen <= 0:
            raise ProviderError("invalid_amount", "amount must be positive")
        out_trade_no = trade_no(idempotency_key)
        payer = None
        scene_info = None
        if kind == "jsapi":
            if not openid:
                raise ProviderError("payer_required", "JSAPI pay needs the buyer's openid")
            payer = {"openid": openid}
        if kind == "h5":
            scene_info = {"payer_client_ip": client_ip or "127.0.0.1", "h5_info": {"type": "Wap"}}
        answer = self._request(
            self.client.pay,
            description=(description or merchant_ref)[:127],
            out_trade_no=out_trade_no,
            amount={"total": amount_fen, "currency": "CNY"},
            attach=merchant_ref,
            payer=payer,
            scene_info=scene_info,
            pay_type=PAY_KINDS[kind],
        )
        if kind == "native":
            url = answer["code_url"]
        elif kind == "h5":
            url = answer["h5_url"]
        else:
            url = f"wechatpay-jsapi:prepay_id={answer['prepay_id']}"
        return ProviderPayment(out_trade_no, str(url))

    def jsapi_params(self, prepay_id: str) -> dict[str, str]:
        """What the page inside WeChat passes to WeixinJSBridge.invoke('getBrandWCPayRequest'):
        signed with the merchant key over appId, timeStamp, nonceStr and package."""
        c = self.config
        ts = str(int(time.time()))
        nonce = secrets.token_hex(16)
        package = f"prepay_id={prepay_id}"
        return {
            "appId": c.appid,
            "timeStamp": ts,
            "nonceStr": nonce,
            "package": package,
            "signType": "RSA",
            "paySign": self.client.sign([c.appid, ts, nonce, package]),
        }

    def query_payment(self, provider_payment_id: str) -> ProviderPaymentState:
        t = self._request(self.client.query, out_trade_no=provider_payment_id)
        state = str(t.get("trade_state", ""))
        return ProviderPaymentState(
            provider_payment_id,
            _TRADE_STATE.get(state, "created"),
            int(t.get("amount", {}).get("total", 0)),
            str(t.get("trade_state_desc", "")) if state == "PAYERROR" else "",
        )

    def close_payment(self, provider_payment_id: str) -> ProviderPaymentState:
        try:
            self._request(self.client.close, out_trade_no=provider_payment_id)
        except ProviderError as e:
            # A paid order cannot be closed; the query below says so.
            if e.code != "ORDER_CLOSED" and e.code != "ORDERPAID":
                raise
        return self.query_payment(provider_payment_id)

    def refund(
        self, *, provider_payment_id: str, amount_fen: int, idempotency_key: str
    ) -> ProviderRefund:
        # WeChat wants the order's total with every refund: ask the order first.
        total = self.query_payment(provider_payment_id).amount_fen
        r = self._request(
            self.client.refund,
            out_refund_no=out_no(idempotency_key),
            amount={"refund": amount_fen, "total": total, "currency": "CNY"},
            out_trade_no=provider_payment_id,
        )
        return ProviderRefund(
            str(r["refund_id"]), _REFUND_STATE.get(str(r.get("status")), "processing")
        )

    # --- payouts (商家转账到零钱) --------------------------------------------------------------
    def payout(
        self, *, payout_key: str, amount_fen: int, account: PayoutAccount, description: str
    ) -> ProviderPayout:
        """Transfer to a WeChat wallet (the seller's openid under our app id). WeChat Pay's
        transfer pays wallets only; a bank card goes through another provider."""
        if account.kind != "wechat":
            raise ProviderError("unsupported_account", "WeChat Pay pays out to WeChat wallets only")
        if not _BILL_NO.match(payout_key):
            raise ProviderError("invalid_reference", f"{payout_key!r}: 5-32 letters and digits")
        c = self.config
        answer = self._request(
            self.client.mch_transfer_bills,
            out_bill_no=payout_key,
            transfer_scene_id=c.transfer_scene_id,
            openid=account.number,
            transfer_amount=amount_fen,
            transfer_remark=description[:32],
            # The SDK encrypts the name with the platform key (required from 2,000 yuan).
            user_name=account.holder_name or None,
            transfer_scene_report_infos=[
                {"info_type": "岗位类型", "info_content": "商家"},
                {"info_type": "报酬说明", "info_content": description[:32]},
            ],
        )
        return self._payout(payout_key, amount_fen, answer)

    def query_payout(self, payout_key: str) -> ProviderPayout:
        answer = self._request(self.client.mch_transfer_bills_query, out_bill_no=payout_key)
        return self._payout(payout_key, int(answer.get("transfer_amount", 0)), answer)

    @staticmethod
    def _payout(payout_key: str, amount_fen: int, answer: dict[str, Any]) -> ProviderPayout:
        state = str(answer.get("state", ""))
        return ProviderPayout(
            payout_key,
            str(answer.get("transfer_bill_no", "")),
            _TRANSFER_STATE.get(state, "processing"),
            amount_fen,
            str(answer.get("fail_reason", "")) if state in ("FAIL", "CANCELLED") else "",
        )

    # --- the daily trade bill ----------------------------------------------------------------
    def download_bill(self, day: dt.date) -> bytes:
        """The day's trade bill (all payments and refunds) as WeChat writes it: CSV, every
        field prefixed with a backtick. b'' when WeChat has no bill (a day without trade)."""
        return self._bill(self.client.trade_bill, bill_date=day.isoformat())

    def download_payout_bill(self, day: dt.date) -> bytes:
        """The basic account's fund-flow bill of the day (资金账单): its 商家转账 lines are our
        payouts, and the transfers sent back. b'' when WeChat has none for the day."""
        return self._bill(
            self.client.fundflow_bill, bill_date=day.isoformat(), account_type="BASIC"
        )

    def _bill(self, ask: Any, **params: Any) -> bytes:
        """A bill: ask for its download URL and digest, fetch it, check the digest."""
        try:
            answer = self._request(ask, **params)
        except ProviderError as e:
            if e.code == "NO_STATEMENT_EXIST":
                return b""
            raise
        code, content = self.client.download_bill(answer["download_url"])
        if not 200 <= code < 300:
            raise ProviderError(str(code), "bill download failed")
        data = content if isinstance(content, bytes) else str(content).encode()
        if data[:2] == b"\x1f\x8b":
            data = gzip.decompress(data)
        # The digest is of the bill itself, uncompressed (hash_type SHA1).
        if answer.get("hash_type", "SHA1") == "SHA1" and answer.get("hash_value"):
            if hashlib.sha1(data).hexdigest() != str(answer["hash_value"]).lower():  # noqa: S324
                raise ProviderError("bill_digest_mismatch", "the bill's SHA1 differs")
        return data

    def parse_bill(self, data: bytes) -> list[BillLine]:
        """WeChat's trade bill (bills.wechat_rows reads its layout): a payment is a SUCCESS
        row, a refund a REFUND row; our payment id is its 商户订单号 (out_trade_no), the key we
        gave a refund its 商户退款单号. A fund-flow bill (its first column 记账时间) gives the
        payout lines (bills.wechat_fund_bill_parse)."""
        if not data:
            return []
        if bills.is_wechat_fund_bill(data):
            return bills.wechat_fund_bill_parse(data)
        lines: list[BillLine] = []
        for r in bills.wechat_rows(data, first="交易时间", summary="总交易单数", what="trade bill"):
            occurred = dt.datetime.strptime(r["交易时间"], "%Y-%m-%d %H:%M:%S").replace(
                tzinfo=BEIJING
            )
            if r["交易状态"] == "REFUND":
                lines.append(
                    BillLine(
                        kind="refund",
                        provider_id=r["微信退款单号"],
                        merchant_ref=our_key(r["商户退款单号"]),
                        amount_fen=fen(r["退款金额"]),
                        status="succeeded" if r["退款状态"] in ("SUCCESS", "") else "failed",
                        occurred_at=occurred,
                        provider_payment_id=r["商户订单号"],
                    )
                )
            elif r["交易状态"] == "SUCCESS":
                lines.append(
                    BillLine(
                        kind="payment",
                        provider_id=r["商户订单号"],
                        merchant_ref=r["商户数据包"] or r["商户订单号"],
                        amount_fen=fen(r["应结订单金额"]),
                        status="succeeded",
                        occurred_at=occurred,
                    )
                )
        return lines

    # --- notifications -----------------------------------------------------------------------
    def parse_notification(self, body: bytes, headers: Mapping[str, str]) -> Notification:
        h = _lower_headers(headers)
        names = (
            "wechatpay-timestamp",
            "wechatpay-nonce",
            "wechatpay-signature",
            "wechatpay-serial",
        )
        missing = [n for n in names if not h.get(n)]
        if missing:
            raise NotificationRejected("missing_signature", f"missing header {missing[0]}")
        if h.get("wechatpay-signature-type", SIGNATURE_TYPE) != SIGNATURE_TYPE:
            raise NotificationRejected("bad_signature", "unknown signature type")
        try:
            serial = serial_key(h["wechatpay-serial"])
            ts = int(h["wechatpay-timestamp"])
            text = body.decode("utf-8")
        except ValueError:
            raise NotificationRejected("bad_signature", "malformed signature headers") from None
        key = self.platform_keys().get(serial)
        if key is None:
            raise NotificationRejected("bad_signature", "signed by an unknown platform key")
        if not rsa_verify(str(ts), h["wechatpay-nonce"], text, h["wechatpay-signature"], key):
            raise NotificationRejected("bad_signature", "signature does not verify")
        skew = abs(timezone.now().timestamp() - ts)
        if skew > self.config.tolerance_seconds:
            raise NotificationRejected("stale_signature", f"signed {int(skew)} s away from now")
        nonce_once(self.name, h["wechatpay-nonce"])
        try:
            doc = json.loads(text)
            res = doc["resource"]
            if res.get("algorithm") != "AEAD_AES_256_GCM":
                raise ValueError(f"resource algorithm {res.get('algorithm')}")
            plain = aes_decrypt(
                nonce=res["nonce"],
                ciphertext=res["ciphertext"],
                associated_data=res.get("associated_data") or "",
                apiv3_key=self.config.apiv3_key,
            )
            if plain is None:
                raise ValueError("the resource does not decrypt with our APIv3 key")
            return _notification(doc, json.loads(plain))
        except (ValueError, KeyError, TypeError, AttributeError) as e:
            raise NotificationRejected("malformed", f"body is not a notification: {e}") from None


def serial_key(serial: str) -> str:
    """A platform key's name as the Wechatpay-Serial header gives it: a public key id as it is
    ('PUB_KEY_ID_' and digits), a certificate's serial as upper-case hex without leading zeros."""
    serial = serial.strip()
    if serial.upper().startswith("PUB_KEY_ID_"):
        return serial
    return f"{int(serial, 16):X}"


def _when(value: str | None, fallback: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value or fallback)


def _notification(doc: dict[str, Any], r: dict[str, Any]) -> Notification:
    """WeChat's event and its decrypted resource as the contract's Notification."""
    event = str(doc["event_type"])
    created = str(doc["create_time"])
    nid = str(doc["id"])
    if event.startswith("TRANSACTION."):
        state = str(r.get("trade_state", ""))
        return Notification(
            id=nid,
            event_type="payment.succeeded" if state == "SUCCESS" else "payment.failed",
            occurred_at=_when(r.get("success_time"), created),
            provider_payment_id=str(r["out_trade_no"]),
            amount_fen=int(r["amount"]["total"]),
            failure_reason="" if state == "SUCCESS" else str(r.get("trade_state_desc", state)),
        )
    if event.startswith("REFUND."):
        ok = event == "REFUND.SUCCESS"
        return Notification(
            id=nid,
            event_type="refund.succeeded" if ok else "refund.failed",
            occurred_at=_when(r.get("success_time"), created),
            provider_payment_id=str(r["out_trade_no"]),
            amount_fen=int(r["amount"]["refund"]),
            provider_refund_id=str(r["refund_id"]),
            refund_key=our_key(str(r["out_refund_no"])),
            failure_reason="" if ok else str(r.get("refund_status", event)),
        )
    if event.startswith("MCHTRANSFER."):
        state = str(r.get("state", ""))
        return Notification(
            id=nid,
            event_type="payout.succeeded" if state == "SUCCESS" else "payout.failed",
            occurred_at=_when(r.get("update_time"), created),
            provider_payment_id="",
            amount_fen=int(r.get("transfer_amount", 0)),
            failure_reason="" if state == "SUCCESS" else str(r.get("fail_reason", state)),
            provider_payout_id=str(r.get("transfer_bill_no", "")),
            payout_key=str(r["out_bill_no"]),
        )
    # Anything else (a complaint, a coupon) passes through as WeChat names it: ignored.
    return Notification(
        id=nid,
        event_type=f"wechatpay.{event.lower()}",
        occurred_at=_when(None, created),
        provider_payment_id=str(r.get("out_trade_no", "")),
        amount_fen=0,
    )
