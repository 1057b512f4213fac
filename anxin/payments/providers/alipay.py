"""Alipay (open platform, RSA2) behind the provider contract, built on `python-alipay-sdk`.

Why this SDK: `python-alipay-sdk` (fzlee/alipay, MIT, maintained since 2016, 3.4.0) is a single
module on pycryptodomex that does what the gateway needs and nothing more: it builds and RSA2-
signs (SHA256withRSA over the sorted parameters) the gateway's requests and pay URLs, verifies
the signature of every synchronous answer against Alipay's public key, and verifies notification
parameters. Alipay's official `alipay-sdk-python` is much heavier (hundreds of generated model
modules, pulling pycryptodome, rsa and more for the same few calls) and its releases lag; the
SDK we chose is also what most Python shops in production use. What it lacks we do here: the
calls it has no helper for (transfer query, bill URL) go through its generic `server_api`, the
bill itself is fetched through the same `urlopen`, and notifications get a replay check.

Identifiers: our payment's idempotency key is Alipay's `out_trade_no` (':' written '_', letters,
digits and underscores only), which is also the `provider_payment_id` (Alipay's trade_no exists
once the buyer opened the cashier). A refund's key is its `out_request_no`, and Alipay gives no
other refund id, so it is the provider_refund_id too. A payout's key is its `out_biz_no`.

Two key modes, as Alipay's open platform offers them: public-key mode (the app's private key and
Alipay's public key) and certificate mode (公钥证书模式: the app's private key and three
certificates), which Alipay requires for transfers (alipay.fund.trans.uni.transfer). The SDK's
DCAliPay does the latter (it names the certificates by their SN in every request); note that it
reads the certificates through pyOpenSSL's deprecated X509 API (pinned: pyOpenSSL 26.4.0).

Keys and certificates are files (settings: ANXIN_ALIPAY_*; README "Payment providers").
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import json
import re
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qsl

import alipay as alipay_sdk
from alipay import AliPay, DCAliPay
from alipay.exceptions import AliPayException, AliPayValidationError
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from django.utils import timezone

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
from anxin.payments.providers.replay import KEEP as REPLAY_KEEP
from anxin.payments.providers.replay import nonce_once

GATEWAY = "https://openapi.alipay.com/gateway.do"
SANDBOX_GATEWAY = "https://openapi-sandbox.dl.alipaydev.com/gateway.do"
PAY_KINDS = ("wap", "page")
_OUT_NO = re.compile(r"^[0-9A-Za-z_]{1,64}$")
# A payout key is sent as it is: letters and digits, as WeChat Pay's transfers require too.
_PAYOUT_NO = re.compile(r"^[0-9A-Za-z]{5,32}$")
_TRADE_STATUS = {
    "WAIT_BUYER_PAY": "created",
    "TRADE_SUCCESS": "succeeded",
    "TRADE_FINISHED": "succeeded",
    "TRADE_CLOSED": "closed",
}
# alipay.fund.trans.uni.transfer's products: to an Alipay account, to a bank card.
_ACCOUNT = "TRANS_ACCOUNT_NO_PWD"
_BANKCARD = "TRANS_BANKCARD_NO_PWD"
_TRANSFER_STATUS = {
    "SUCCESS": "succeeded",
    "FAIL": "failed",
    "CLOSED": "failed",
    "REFUND": "returned",
}


@dataclass(frozen=True)
class AlipayConfig:
    appid: str
    app_private_key: str  # PEM (or the bare base64 Alipay's key tool prints)
    alipay_public_key: str  # empty in certificate mode: Alipay's certificate carries it
    notify_url: str
    return_url: str = ""
    pay_kind: str = "wap"
    sandbox_gateway: bool = False
    timeout_minutes: int = 30
    # Certificate mode (公钥证书模式, which transfers require): the app's public key
    # certificate, Alipay's public key certificate and Alipay's root certificate, as PEM.
    app_cert: str = ""
    alipay_cert: str = ""
    alipay_root_cert: str = ""

    @property
    def certificate_mode(self) -> bool:
        return bool(self.app_cert)

    @classmethod
    def from_settings(cls) -> AlipayConfig:
        certs = (
            settings.ANXIN_ALIPAY_APP_CERT_PATH,
            settings.ANXIN_ALIPAY_CERT_PATH,
            settings.ANXIN_ALIPAY_ROOT_CERT_PATH,
        )
        if any(certs) and not all(certs):
            raise ImproperlyConfigured(
                "Alipay's certificate mode needs ANXIN_ALIPAY_APP_CERT_PATH, "
                "ANXIN_ALIPAY_CERT_PATH and ANXIN_ALIPAY_ROOT_CERT_PATH"
            )
        cert_mode = all(certs)
        config = cls(
            appid=need("ANXIN_ALIPAY_APPID"),
            app_private_key=read("ANXIN_ALIPAY_APP_PRIVATE_KEY_PATH"),
            alipay_public_key="" if cert_mode else read("ANXIN_ALIPAY_PUBLIC_KEY_PATH"),
            app_cert=read("ANXIN_ALIPAY_APP_CERT_PATH") if cert_mode else "",
            alipay_cert=read("ANXIN_ALIPAY_CERT_PATH") if cert_mode else "",
            alipay_root_cert=read("ANXIN_ALIPAY_ROOT_CERT_PATH") if cert_mode else "",
            notify_url=need("ANXIN_ALIPAY_NOTIFY_URL"),
            # Back to Anxin's return page (to the order) unless the operator names another.
            return_url=settings.ANXIN_ALIPAY_RETURN_URL
            or settings.ANXIN_SITE_URL.rstrip("/")
            + reverse("payments:provider_return", args=["alipay"]),
            pay_kind=settings.ANXIN_ALIPAY_PAY_KIND,
            sandbox_gateway=settings.ANXIN_ALIPAY_SANDBOX_GATEWAY,
            timeout_minutes=settings.ANXIN_PAYMENT_TIMEOUT_MINUTES,
        )
        if config.pay_kind not in PAY_KINDS:
            raise ImproperlyConfigured(f"Alipay kind {config.pay_kind!r}: wap or page")
        return config

    @property
    def gateway(self) -> str:
        return SANDBOX_GATEWAY if self.sandbox_gateway else GATEWAY


def _key(text: str) -> str | bytes:
    """A key file's content for the SDK: PEM as it is, the bare base64 Alipay's tool prints as
    DER bytes (pycryptodome reads both, PKCS#1 or PKCS#8)."""
    if "-----BEGIN" in text:
        return text
    return base64.b64decode("".join(text.split()))


def out_no(key: str) -> str:
    ref = key.replace(":", "_")
    if not _OUT_NO.match(ref):
        raise ProviderError("invalid_reference", f"{key!r} cannot be an Alipay reference")
    return ref


def yuan(amount_fen: int) -> str:
    return f"{Decimal(amount_fen) / 100:.2f}"


def _cst(value: str) -> dt.datetime:
    """Alipay's Beijing times, '2026-12-04 12:00:00' (gmt_refund adds milliseconds)."""
    whole = value.strip().split(".")[0]
    return dt.datetime.strptime(whole, "%Y-%m-%d %H:%M:%S").replace(tzinfo=BEIJING)


class _BeijingTime:
    """The SDK's clients, their request timestamp in Beijing time: the SDK writes the server's
    local time, which Alipay reads as Beijing's (eight hours off on a server kept in UTC)."""

    def build_body(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        data: dict[str, Any] = super().build_body(*args, **kwargs)  # type: ignore[misc]
        data["timestamp"] = dt.datetime.now(BEIJING).strftime("%Y-%m-%d %H:%M:%S")
        return data


class _AliPay(_BeijingTime, AliPay):
    """Public-key mode."""


class _DCAliPay(_BeijingTime, DCAliPay):
    """Certificate mode: every request also names the app's and Alipay's root certificates
    (app_cert_sn, alipay_root_cert_sn), and Alipay's key is read from its certificate."""


class AlipayProvider:
    name = "alipay"
    # Alipay stops retrying a notification only when the answer's body is exactly "success".
    notification_ack: tuple[bytes, str] | None = (b"success", "text/plain")

    def __init__(self, config: AlipayConfig | None = None) -> None:
        self._config = config
        self._client: AliPay | None = None

    @property
    def config(self) -> AlipayConfig:
        if self._config is None:
            self._config = AlipayConfig.from_settings()
        return self._config

    @property
    def client(self) -> AliPay:
        if self._client is None:
            c = self.config
            if c.certificate_mode:
                self._client = _DCAliPay(
                    appid=c.appid,
                    app_notify_url=c.notify_url,
                    app_private_key_string=_key(c.app_private_key),
                    app_public_key_cert_string=c.app_cert,
                    alipay_public_key_cert_string=c.alipay_cert,
                    alipay_root_cert_string=c.alipay_root_cert,
                    sign_type="RSA2",
                    debug=c.sandbox_gateway,
                )
                return self._client
            self._client = _AliPay(
                appid=c.appid,
                app_notify_url=c.notify_url,
                app_private_key_string=_key(c.app_private_key),
                alipay_public_key_string=_key(c.alipay_public_key),
                sign_type="RSA2",
                debug=c.sandbox_gateway,
            )
        return self._client

    # --- calls -------------------------------------------------------------------------------
    def _call(self, method: str, biz: dict[str, Any]) -> dict[str, Any]:
        """One gateway call through the SDK (signed request, answer's signature verified);
        Alipay's business failure (code other than 10000) as ProviderError(sub_code)."""
        try:
            answer = self.client.server_api(method, biz)
        except AliPayValidationError:
            raise ProviderError(
                "bad_response_signature", f"{method}: answer not signed by Alipay"
            ) from None
        except AliPayException as e:
            # An unsigned error answer: the SDK keeps Alipay's raw JSON in its message.
            raw = str(e).split("message:", 1)[-1]
            try:
                doc = json.loads(raw)
                err = next(v for v in doc.values() if isinstance(v, dict))
            except (ValueError, StopIteration):
                raise ProviderError("gateway_error", raw[:300]) from None
            raise ProviderError(
                str(err.get("sub_code") or err.get("code")),
                str(err.get("sub_msg") or err.get("msg")),
            ) from None
        if str(answer.get("code")) != "10000":
            raise ProviderError(
                str(answer.get("sub_code") or answer.get("code")),
                str(answer.get("sub_msg") or answer.get("msg", "")),
            )
        return answer

    def create_payment(
        self,
        *,
        merchant_ref: str,
        amount_fen: int,
        description: str,
        idempotency_key: str,
        kind: str | None = None,
    ) -> ProviderPayment:
        """The signed cashier URL: wap (a phone browser) or page (a computer), by `kind` or the
        setting. Nothing is sent: Alipay creates the trade when the buyer opens the URL, which
        expires with our payment timeout. `body` carries our merchant ref into the bill."""
        c = self.config
        kind = kind or c.pay_kind
        if kind not in PAY_KINDS:
            raise ProviderError("invalid_kind", f"Alipay kind {kind!r}")
        if amount_fen <= 0:
            raise ProviderError("invalid_amount", "amount must be positive")
        trade_no = out_no(idempotency_key)
        common = {
            "subject": (description or merchant_ref)[:256],
            "out_trade_no": trade_no,
            "total_amount": yuan(amount_fen),
            "return_url": c.return_url or None,
            "notify_url": c.notify_url,
            "body": merchant_ref,
            "timeout_express": f"{c.timeout_minutes}m",
        }
        if kind == "wap":
            # Alipay's current product code for wap pay (the SDK's default is the older name).
            signed = self.client.api_alipay_trade_wap_pay(**common, product_code="QUICK_WAP_WAY")
        else:
            signed = self.client.api_alipay_trade_page_pay(**common)
        return ProviderPayment(trade_no, f"{c.gateway}?{signed}")

    def query_payment(self, provider_payment_id: str) -> ProviderPaymentState:
        try:
            t = self._call("alipay.trade.query", {"out_trade_no": provider_payment_id})
        except ProviderError as e:
            if e.code == "ACQ.TRADE_NOT_EXIST":  # the buyer never opened the cashier
                return ProviderPaymentState(provider_payment_id, "created", 0)
            raise
        status = _TRADE_STATUS.get(str(t.get("trade_status")), "created")
        return ProviderPaymentState(
            provider_payment_id, status, fen(str(t.get("total_amount", "0")))
        )

    def close_payment(self, provider_payment_id: str) -> ProviderPaymentState:
        try:
            self._call("alipay.trade.close", {"out_trade_no": provider_payment_id})
        except ProviderError as e:
            if e.code == "ACQ.TRADE_NOT_EXIST":
                # No trade yet: the URL expires by itself and can no longer be paid once it has.
                return ProviderPaymentState(provider_payment_id, "closed", 0)
            if e.code != "ACQ.TRADE_STATUS_ERROR":  # paid: the query says so
                raise
        return self.query_payment(provider_payment_id)

    def refund(
        self, *, provider_payment_id: str, amount_fen: int, idempotency_key: str
    ) -> ProviderRefund:
        """Alipay refunds at once: fund_change 'Y' is a refund made now. A repeated request
        answers 'N' (nothing changed now), so the refund query says what became of it."""
        r = self._call(
            "alipay.trade.refund",
            {
                "out_trade_no": provider_payment_id,
                "refund_amount": yuan(amount_fen),
                "out_request_no": idempotency_key,
            },
        )
        if r.get("fund_change") == "Y":
            return ProviderRefund(idempotency_key, "succeeded")
        q = self._call(
            "alipay.trade.fastpay.refund.query",
            {"out_trade_no": provider_payment_id, "out_request_no": idempotency_key},
        )
        done = q.get("refund_status") == "REFUND_SUCCESS"
        return ProviderRefund(idempotency_key, "succeeded" if done else "processing")

    # --- payouts (alipay.fund.trans.uni.transfer) ---------------------------------------------
    def payout(
        self, *, payout_key: str, amount_fen: int, account: PayoutAccount, description: str
    ) -> ProviderPayout:
        """Transfer to an Alipay account (its login id, or its 2088 user id), checked against
        the holder's real name by Alipay; or to a personal bank card (单笔无密转账到银行卡).

        The bank card request follows Alipay's published model of the call
        (alipay/alipay-sdk-java-all: AlipayFundTransUniTransferModel, Participant and
        BankcardExtInfo; its v3 docs/AlipayFundTransCommonApi.md for the query): product_code
        TRANS_BANKCARD_NO_PWD with biz_scene DIRECT_TRANSFER, payee_info with identity_type
        BANKCARD_ACCOUNT, the card number as identity and the name on the card (required), and
        bankcard_ext_info with account_type "2" (对私, a personal account; "1", 对公, would need
        the branch or its bank_code, which we never pay) and inst_name, the bank's name. A card
        transfer answers status DEALING while the bank handles it, SUCCESS once paid; a paid
        one may come back later as REFUND (退票), read here as returned."""
        if account.kind not in ("alipay", "bank_card"):
            raise ProviderError(
                "unsupported_account", "Alipay payouts go to Alipay accounts and bank cards"
            )
        if not _PAYOUT_NO.match(payout_key):
            raise ProviderError("invalid_reference", f"{payout_key!r}: 5-32 letters and digits")
        if account.kind == "bank_card":
            if not account.holder_name or not account.bank:
                # Refused, not retried: the payout fails and its money is back in the balance.
                raise ProviderError(
                    "invalid_account", "a card transfer needs the name on the card and its bank"
                )
            product = _BANKCARD
            payee: dict[str, Any] = {
                "identity": account.number,
                "identity_type": "BANKCARD_ACCOUNT",
                "name": account.holder_name,
                "bankcard_ext_info": {"account_type": "2", "inst_name": account.bank},
            }
        else:
            product = _ACCOUNT
            user_id = account.number.startswith("2088") and account.number.isdigit()
            payee = {
                "identity": account.number,
                "identity_type": "ALIPAY_USER_ID" if user_id else "ALIPAY_LOGON_ID",
            }
            if account.holder_name:
                payee["name"] = account.holder_name
        r = self._call(
            "alipay.fund.trans.uni.transfer",
            {
                "out_biz_no": payout_key,
                "trans_amount": yuan(amount_fen),
                "product_code": product,
                "biz_scene": "DIRECT_TRANSFER",
                "order_title": description[:64],
                "payee_info": payee,
            },
        )
        return self._payout(payout_key, amount_fen, r)

    def query_payout(self, payout_key: str) -> ProviderPayout:
        """The transfer's state by our key. Alipay finds a transfer by its key only together
        with its product, which the key alone does not say: a transfer to an Alipay account is
        asked first, and a key Alipay knows no such transfer by is asked again as a transfer
        to a bank card."""
        try:
            r = self._query_transfer(payout_key, _ACCOUNT)
        except ProviderError as e:
            if e.code != "ORDER_NOT_EXIST":
                raise
            r = self._query_transfer(payout_key, _BANKCARD)
        return self._payout(payout_key, fen(str(r.get("trans_amount", "0"))), r)

    def _query_transfer(self, payout_key: str, product: str) -> dict[str, Any]:
        return self._call(
            "alipay.fund.trans.common.query",
            {"out_biz_no": payout_key, "product_code": product, "biz_scene": "DIRECT_TRANSFER"},
        )

    @staticmethod
    def _payout(payout_key: str, amount_fen: int, r: dict[str, Any]) -> ProviderPayout:
        status = _TRANSFER_STATUS.get(str(r.get("status")), "processing")
        return ProviderPayout(
            payout_key,
            str(r.get("order_id", "")),
            status,
            amount_fen,
            str(r.get("fail_reason") or r.get("error_code") or "") if status == "failed" else "",
        )

    # --- the daily bill ----------------------------------------------------------------------
    def download_bill(self, day: dt.date) -> bytes:
        """The day's trade bill as Alipay gives it: a zip of GBK CSV files (the details and
        their totals). b'' when Alipay has no bill for the day."""
        return self._bill("trade", day)

    def download_payout_bill(self, day: dt.date) -> bytes:
        """The day's account bill (signcustomer, 账务明细): its 转账 lines are our payouts and
        the transfers sent back. b'' when Alipay has none for the day."""
        return self._bill("signcustomer", day)

    def _bill(self, bill_type: str, day: dt.date) -> bytes:
        try:
            r = self._call(
                "alipay.data.dataservice.bill.downloadurl.query",
                {"bill_type": bill_type, "bill_date": day.isoformat()},
            )
        except ProviderError as e:
            if e.code == "isp.bill_not_exist":
                return b""
            raise
        url = str(r["bill_download_url"])
        if not url.startswith("https://"):
            raise ProviderError("bad_bill_url", url[:200])
        # Through the SDK's own transport (alipay.urlopen), the one the gateway calls use.
        with alipay_sdk.urlopen(url, timeout=60) as f:
            data: bytes = f.read()
        return data

    def parse_bill(self, data: bytes) -> list[BillLine]:
        """The zip's details file (not its 汇总, the totals): '#' lines around a header row
        (支付宝交易号, 商户订单号, 业务类型, ...) and one row a payment (交易) or refund (退款),
        fields padded with spaces and tabs, amounts in yuan."""
        if not data:
            return []
        lines: list[BillLine] = []
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            for info in z.infolist():
                name = bills.zip_member_name(info)
                if not name.endswith(".csv") or "汇总" in name:
                    continue
                text = z.read(info).decode("gbk")
                if name.endswith("账务明细.csv"):
                    lines.extend(bills.alipay_fund_rows(text))
                else:
                    lines.extend(_bill_lines(text))
        return lines

    # --- notifications -----------------------------------------------------------------------
    def parse_notification(self, body: bytes, headers: Mapping[str, str]) -> Notification:
        """Alipay's asynchronous notification: form parameters signed RSA2 over the others,
        sorted, empty ones left out (as Alipay's own SDKs check them). Refused: a missing or bad
        signature, another app's notification, one sent longer ago than Alipay retries, or the
        same signed message again."""
        text = body.decode("latin-1")
        charset = dict(parse_qsl(text, encoding="latin-1")).get("charset", "utf-8")
        try:
            params = dict(
                parse_qsl(text, keep_blank_values=True, encoding=charset, errors="strict")
            )
        except (LookupError, UnicodeDecodeError):
            raise NotificationRejected("malformed", "parameters not in their charset") from None
        if not params.get("sign") or not params.get("notify_id"):
            raise NotificationRejected("missing_signature", "missing sign or notify_id")
        if params.get("sign_type") != "RSA2":
            raise NotificationRejected("bad_signature", f"sign type {params.get('sign_type')}")
        signed = {k: v for k, v in params.items() if k not in ("sign", "sign_type") and v != ""}
        try:
            ok = self.client.verify(signed, params["sign"])
        except (ValueError, TypeError):
            ok = False
        if not ok:
            raise NotificationRejected("bad_signature", "signature does not verify")
        if params.get("app_id") != self.config.appid:
            raise NotificationRejected("bad_signature", "signed for another app")
        # Alipay repeats a notification it got no 'success' for, for about 25 hours, under the
        # same notify_id, each time sent (and signed) anew: the same id at the same notify_time
        # is a replay. Older than the replay store remembers, it is refused by its age.
        try:
            notified = _cst(params["notify_time"])
        except (KeyError, ValueError):
            raise NotificationRejected("malformed", "no notify_time") from None
        if timezone.now() - notified > REPLAY_KEEP:
            raise NotificationRejected("stale_signature", f"notified at {params['notify_time']}")
        nonce_once(self.name, f"{params['notify_id']}@{params['notify_time']}")
        try:
            return _notification(params)
        except (ValueError, KeyError, TypeError) as e:
            raise NotificationRejected("malformed", f"not a notification: {e}") from None


def _bill_lines(text: str) -> list[BillLine]:
    """A trade bill's detail file (bills.alipay_rows reads its layout): a payment is a 交易
    row, a refund a 退款 row; our payment id is its 商户订单号 (out_trade_no), the key we gave a
    refund its 退款批次号/请求号 (Alipay gives a refund no id of its own)."""
    out: list[BillLine] = []
    for r in bills.alipay_rows(text, first="支付宝交易号", what="trade bill"):
        amount = abs(fen(r.starting("订单金额")))
        when = _cst(r["完成时间"] or r["创建时间"])
        if r["业务类型"] == "交易":
            out.append(
                BillLine(
                    kind="payment",
                    provider_id=r["商户订单号"],
                    merchant_ref=r["备注"] or r["商户订单号"],
                    amount_fen=amount,
                    status="succeeded",
                    occurred_at=when,
                )
            )
        elif r["业务类型"] == "退款":
            request_no = r.starting("退款批次号")
            out.append(
                BillLine(
                    kind="refund",
                    provider_id=request_no,
                    merchant_ref=request_no,
                    amount_fen=amount,
                    status="succeeded",
                    occurred_at=when,
                    provider_payment_id=r["商户订单号"],
                )
            )
    return out


def _notification(p: dict[str, str]) -> Notification:
    nid = p["notify_id"]
    notified = _cst(p["notify_time"])
    if p.get("msg_method") == "alipay.fund.trans.order.changed":
        biz = json.loads(p["biz_content"])
        status = _TRANSFER_STATUS.get(str(biz.get("status")), "processing")
        return Notification(
            id=nid,
            event_type=f"payout.{status}",
            occurred_at=notified,
            provider_payment_id="",
            amount_fen=fen(str(biz.get("trans_amount", "0"))),
            failure_reason=str(biz.get("fail_reason", "")) if status == "failed" else "",
            provider_payout_id=str(biz.get("order_id", "")),
            payout_key=str(biz["out_biz_no"]),
        )
    if p.get("out_biz_no") and p.get("refund_fee"):
        # A refund: refund_fee is the trade's refunded total so far, not this refund's alone.
        return Notification(
            id=nid,
            event_type="refund.succeeded",
            occurred_at=_cst(p["gmt_refund"]) if p.get("gmt_refund") else notified,
            provider_payment_id=p["out_trade_no"],
            amount_fen=fen(p["refund_fee"]),
            provider_refund_id=p["out_biz_no"],
            refund_key=p["out_biz_no"],
        )
    status = p.get("trade_status", "")
    if status in ("TRADE_SUCCESS", "TRADE_FINISHED"):
        return Notification(
            id=nid,
            event_type="payment.succeeded",
            occurred_at=_cst(p["gmt_payment"]) if p.get("gmt_payment") else notified,
            provider_payment_id=p["out_trade_no"],
            amount_fen=fen(p["total_amount"]),
        )
    if status == "TRADE_CLOSED":
        return Notification(
            id=nid,
            event_type="payment.failed",
            occurred_at=_cst(p["gmt_close"]) if p.get("gmt_close") else notified,
            provider_payment_id=p["out_trade_no"],
            amount_fen=fen(p["total_amount"]),
            failure_reason="TRADE_CLOSED",
        )
    return Notification(
        id=nid,
        event_type=f"alipay.{status.lower() or 'unknown'}",
        occurred_at=notified,
        provider_payment_id=p.get("out_trade_no", ""),
        amount_fen=0,
    )
