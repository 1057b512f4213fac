"""The contract every payment provider adapter fulfils (WeChat Pay, Alipay, UnionPay, the sandbox).

Providers talk to us in two directions: we call them (create, query, close, refund), and they
notify us asynchronously with signed messages that may arrive twice, late or out of order.
`parse_notification` must verify the signature before anything else reads the body.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol


class NotificationRejected(Exception):
    """The notification is not authentic or not well-formed; `code` says which."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


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
class Notification:
    id: str
    event_type: str  # payment.succeeded | payment.failed | refund.succeeded | refund.failed
    occurred_at: dt.datetime
    provider_payment_id: str
    amount_fen: int
    provider_refund_id: str = ""
    refund_key: str = ""
    failure_reason: str = ""


class PaymentProvider(Protocol):
    name: str

    def create_payment(
        self, *, merchant_ref: str, amount_fen: int, description: str, idempotency_key: str
    ) -> ProviderPayment: ...

    def query_payment(self, provider_payment_id: str) -> ProviderPaymentState: ...

    def close_payment(self, provider_payment_id: str) -> ProviderPaymentState: ...

    def refund(
        self, *, provider_payment_id: str, amount_fen: int, idempotency_key: str
    ) -> ProviderRefund: ...

    def parse_notification(self, body: bytes, headers: Mapping[str, str]) -> Notification: ...
