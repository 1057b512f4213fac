"""The contract every payment provider adapter fulfils (WeChat Pay, Alipay, UnionPay, the sandbox).

Providers talk to us in two directions: we call them (create, query, close, refund, pay out to a
seller, fetch the day's bill), and they notify us asynchronously with signed messages that may
arrive twice, late or out of order. `parse_notification` must verify the signature before
anything else reads the body.

Payouts (money to a seller's bank card or wallet) are asynchronous like refunds: the provider
accepts the request (`processing`), then tells us it succeeded or failed; a payout that
succeeded can still come back later (`returned`: the bank refused the account), and the money
is then ours again. `payout_key` is our idempotency key and reference: asking twice with the
same key never pays twice.

The daily bill is the provider's own record of the day: `download_bill` returns it in the
provider's format (WeChat Pay's CSV, Alipay's zipped CSV), `parse_bill` reads it into BillLines
for reconciliation. The sandbox writes its bills in the same formats.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Protocol


class NotificationRejected(Exception):
    """The notification is not authentic or not well-formed; `code` says which."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class ProviderError(Exception):
    """The provider refused a request (like an HTTP 4xx from a real one)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def fen(yuan: str) -> int:
    """'12.34' (yuan, as bills write amounts) -> 1234 fen, exactly."""
    try:
        value = Decimal(yuan.strip()) * 100
    except InvalidOperation:
        raise ValueError(f"not an amount: {yuan!r}") from None
    if value != value.to_integral_value():
        raise ValueError(f"not a whole number of fen: {yuan!r}")
    return int(value)


@dataclass(frozen=True)
class ProviderPayment:
    provider_payment_id: str
    pay_url: str


@dataclass(frozen=True)
class ProviderPaymentState:
    provider_payment_id: str
    status: str  # created | succeeded | failed | closed
    amount_fen: int
    failure_reason: str = ""


@dataclass(frozen=True)
class ProviderRefund:
    provider_refund_id: str
    status: str  # processing | succeeded | failed


@dataclass(frozen=True)
class PayoutAccount:
    """Where a payout goes: a bank card (name on the card, its number, the bank), or a WeChat
    Pay or Alipay wallet (the holder's real name, and the openid or Alipay login id)."""

    kind: str  # bank_card | wechat | alipay
    holder_name: str
    number: str  # card number, openid or Alipay login id
    bank: str = ""


@dataclass(frozen=True)
class ProviderPayout:
    payout_key: str
    provider_payout_id: str  # empty until the provider has given one
    status: str  # processing | succeeded | failed | returned
    amount_fen: int
    failure_reason: str = ""


@dataclass(frozen=True)
class BillLine:
    """One line of a provider's daily bill, as reconciliation reads it."""

    kind: str  # payment | refund | payout
    provider_id: str  # the provider's id of the payment, refund or payout
    merchant_ref: str  # ours: the payment's merchant_ref, the refund's or the payout's key
    amount_fen: int
    status: str  # succeeded | failed | returned (a payment, refund or payout that happened)
    occurred_at: dt.datetime
    provider_payment_id: str = ""  # a refund's payment


@dataclass(frozen=True)
class Notification:
    id: str
    # payment.succeeded | payment.failed | refund.succeeded | refund.failed |
    # payout.succeeded | payout.failed | payout.returned
    event_type: str
    occurred_at: dt.datetime
    provider_payment_id: str
    amount_fen: int
    provider_refund_id: str = ""
    refund_key: str = ""
    failure_reason: str = ""
    provider_payout_id: str = ""
    payout_key: str = ""


class PaymentProvider(Protocol):
    name: str
    # The body and content type the provider wants as the answer to a notification it sent,
    # when it is not the API's JSON ({"code": "SUCCESS", ...}): Alipay reads "success".
    notification_ack: tuple[bytes, str] | None

    def create_payment(
        self, *, merchant_ref: str, amount_fen: int, description: str, idempotency_key: str
    ) -> ProviderPayment: ...

    def query_payment(self, provider_payment_id: str) -> ProviderPaymentState: ...

    def close_payment(self, provider_payment_id: str) -> ProviderPaymentState: ...

    def refund(
        self, *, provider_payment_id: str, amount_fen: int, idempotency_key: str
    ) -> ProviderRefund: ...

    def payout(
        self, *, payout_key: str, amount_fen: int, account: PayoutAccount, description: str
    ) -> ProviderPayout: ...

    def query_payout(self, payout_key: str) -> ProviderPayout: ...

    def parse_notification(self, body: bytes, headers: Mapping[str, str]) -> Notification: ...

    def download_bill(self, day: dt.date) -> bytes:
        """The trade bill of `day` (a Beijing-time calendar day), in the provider's format."""
        ...

    def download_payout_bill(self, day: dt.date) -> bytes:
        """The bill of `day` with the payouts (paid out and sent back): the provider's bill of
        the merchant account's money, in its format (b'' for a day without one)."""
        ...

    def parse_bill(self, data: bytes) -> list[BillLine]:
        """The payment, refund and payout lines of a bill `download_bill` or
        `download_payout_bill` returned."""
        ...
