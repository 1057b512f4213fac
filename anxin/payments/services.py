"""Payments: starting a payment, receiving the provider's notifications, refunds.

What a notification means for an order is decided in orders.services; this module makes sure
only authentic notifications get there, and each only once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping

from django.conf import settings
from django.db import transaction
from django.db.models import F, Subquery
from django.utils import timezone

from anxin.core import faults, hooks
from anxin.core.sql import (
    fetch_instance,
    insert_instance,
    insert_row_unless_duplicate,
    update_where,
)
from anxin.payments.models import (
    NotificationStatus,
    Payment,
    PaymentNotification,
    PaymentStatus,
    Refund,
    RefundStatus,
)
from anxin.payments.providers import get_provider
from anxin.payments.providers.base import Notification, NotificationRejected

# What payment_start needs to know of an order's payments, as columns for a query of the
# order row `o` (the order's lock reads them).
PAYMENTS_OF_ORDER_O = (
    f"(SELECT COUNT(*) FROM {Payment._meta.db_table} p WHERE p.order_id = o.id) "  # noqa: S608
    f"AS payments_made, (SELECT MAX(p.id) FROM {Payment._meta.db_table} p "
    f"WHERE p.order_id = o.id AND p.status = '{PaymentStatus.CREATED.value}') AS open_payment"
)
# The payment, and how many other payments of its order are still open: while this one is
# open no other can be started (payment_start returns the open one), so the count holds.
_PAYMENT_BY_PROVIDER_ID = (
    f"SELECT p.*, (SELECT COUNT(*) FROM {Payment._meta.db_table} q "  # noqa: S608
    "WHERE q.order_id = p.order_id AND q.status = 'created' AND q.id <> p.id) AS others_open "
    f"FROM {Payment._meta.db_table} p WHERE p.provider = %s AND p.provider_payment_id = %s"
)


def payment_start(*, order, description: str, made: int, open_id: int | None) -> Payment:
    """The open payment of `order`, created at the provider if there is none.

    Called under the order's lock, so two taps on "pay" create one payment. `made` (how many
    payments the order has had) and `open_id` (its open one, if any) are read with that lock
    (PAYMENTS_OF_ORDER_O).
    """
    if open_id is not None:
        return Payment.objects.get(pk=open_id)
    provider = get_provider()
    attempt = made + 1
    created = provider.create_payment(
        merchant_ref=order.number,
        amount_fen=order.amount_fen,
        description=description,
        idempotency_key=f"{order.number}:{attempt}",
    )
    payment = Payment(
        order=order,
        provider=provider.name,
        provider_payment_id=created.provider_payment_id,
        amount_fen=order.amount_fen,
        currency=order.currency,
        pay_url=created.pay_url,
        created_at=timezone.now(),
    )
    insert_instance(payment)
    return payment


def payment_transition(payment: Payment, to: str, *, reason: str = "") -> bool:
    """Move a payment to `to` if its state machine allows it. The caller holds the order's
    lock, under which every change to the order's payments happens; the conditional UPDATE
    re-checks the state the caller saw, and a stale copy is refreshed once."""
    from anxin.payments.models import PAYMENT_TRANSITIONS

    for _ in range(2):
        if to not in PAYMENT_TRANSITIONS[payment.status]:
            return False
        changed = update_where(
            Payment,
            {"id": payment.pk, "status": payment.status},
            status=to,
            failure_reason=reason[:200],
            completed_at=timezone.now(),
        )
        if changed == 1:
            payment.status = to
            payment.failure_reason = reason[:200]
            return True
        payment.refresh_from_db(fields=["status"])
    return False


def notification_receive(*, provider_name: str, body: bytes, headers: Mapping[str, str]) -> str:
    """Verify, de-duplicate and apply one provider notification. Returns what happened:
    'applied', 'ignored' or 'duplicate'. Raises NotificationRejected for an unauthentic one,
    after recording it."""
    provider = get_provider(provider_name)
    now = timezone.now()
    try:
        n = provider.parse_notification(body, headers)
    except NotificationRejected as e:
        PaymentNotification.objects.create(
            provider=provider_name,
            status=NotificationStatus.REJECTED,
            reason=f"{e.code}: {e.message}"[:200],
            body=body[:20_000].decode(errors="replace"),
            received_at=now,
        )
        rejected_trim(provider_name)
        raise
    with transaction.atomic():
        seen = PaymentNotification.objects.filter(provider=provider_name, notification_id=n.id)
        # The unique index is the de-duplication: a first delivery (the common case) costs one
        # statement; a duplicate, including one delivered at the same moment by another worker
        # (which waits on the index until the first commits), inserts nothing and is counted.
        if not insert_row_unless_duplicate(
            PaymentNotification,
            provider=provider_name,
            notification_id=n.id,
            event_type=n.event_type,
            status=NotificationStatus.APPLIED,
            reason="",
            body=body.decode(errors="replace"),
            times_received=1,
            received_at=now,
        ):
            seen.exclude(status=NotificationStatus.REJECTED).update(
                times_received=F("times_received") + 1
            )
            return "duplicate"
        status, reason = _apply(provider_name, n, body)
        if status != NotificationStatus.APPLIED:
            update_where(
                PaymentNotification,
                {"provider": provider_name, "notification_id": n.id},
                status=status,
                reason=reason[:200],
            )
        faults.point("notification.before_commit")
        return "applied" if status == NotificationStatus.APPLIED else "ignored"


def rejected_trim(provider_name: str) -> int:
    """Drop all but the latest ANXIN_PAYMENT_REJECTED_KEEP refused notifications of a
    provider. Run on every refusal: anybody can post notifications, and a flood of forged
    ones must not grow the table (nor the disk) between two runs of `anxin deadlines`."""
    keep = settings.ANXIN_PAYMENT_REJECTED_KEEP
    rejected = PaymentNotification.objects.filter(
        provider=provider_name, status=NotificationStatus.REJECTED
    )
    oldest_kept = rejected.order_by("-id").values("id")[keep - 1 : keep]
    deleted, _ = rejected.filter(id__lt=Subquery(oldest_kept)).delete()
    return deleted


def rejected_purge(*, now: dt.datetime | None = None) -> int:
    """Drop refused notifications older than ANXIN_PAYMENT_REJECTED_DAYS (`anxin deadlines`)."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=settings.ANXIN_PAYMENT_REJECTED_DAYS)
    deleted, _ = PaymentNotification.objects.filter(
        status=NotificationStatus.REJECTED, received_at__lt=cutoff
    ).delete()
    return deleted


def _apply(provider_name: str, n: Notification, body: bytes) -> tuple[str, str]:
    # What the provider said, as evidence: the notification itself stays in PaymentNotification.
    said = {
        "provider": provider_name,
        "id": n.id,
        "event": n.event_type,
        "amount_fen": n.amount_fen,
        "body_sha256": hashlib.sha256(body).hexdigest(),
    }

    if n.event_type in ("payment.succeeded", "payment.failed"):
        payment = fetch_instance(
            Payment, _PAYMENT_BY_PROVIDER_ID, [provider_name, n.provider_payment_id]
        )
        if payment is None:
            return NotificationStatus.IGNORED, "unknown payment"
        if n.amount_fen != payment.amount_fen:
            return NotificationStatus.IGNORED, (
                f"amount {n.amount_fen} differs from the payment's {payment.amount_fen}"
            )
        # The order applies it, in this transaction.
        if n.event_type == "payment.succeeded":
            return _answered(hooks.ask(hooks.PAYMENT_SUCCEEDED, payment=payment, notification=said))
        return _answered(
            hooks.ask(
                hooks.PAYMENT_FAILED, payment=payment, reason=n.failure_reason, notification=said
            )
        )
    if n.event_type in ("refund.succeeded", "refund.failed"):
        refund = Refund.objects.filter(key=n.refund_key).first()
        if refund is None:
            return NotificationStatus.IGNORED, "unknown refund"
        return _answered(
            hooks.ask(
                hooks.REFUND_COMPLETED,
                refund_id=refund.pk,
                succeeded=n.event_type == "refund.succeeded",
                provider_refund_id=n.provider_refund_id,
                reason=n.failure_reason,
                notification=said,
            )
        )
    return NotificationStatus.IGNORED, f"event type {n.event_type} is not handled"


def _answered(outcome: tuple[str, str] | None) -> tuple[str, str]:
    return outcome or (NotificationStatus.IGNORED, "no app handles it")


def refund_create(*, order, payment: Payment, amount_fen: int, reason: str, key: str) -> Refund:
    """Record a refund and queue its submission to the provider, inside the caller's
    transaction: the queue row commits with the refund, so a crash cannot lose it."""
    from anxin.payments.tasks import refund_submit as submit_task

    refund = Refund.objects.create(
        order=order,
        payment=payment,
        key=key,
        amount_fen=amount_fen,
        reason=reason[:200],
        created_at=timezone.now(),
    )
    submit_task.enqueue(refund.pk)
    return refund


def refund_submit(*, refund_id: int) -> str:
    """Ask the provider to pay a recorded refund. Idempotent: the refund's key is the provider's
    idempotency key, so a retried submission never refunds twice."""
    refund = Refund.objects.select_related("payment").get(pk=refund_id)
    if refund.status != RefundStatus.PENDING or refund.provider_refund_id:
        return "already_submitted"
    provider = get_provider(refund.payment.provider)
    result = provider.refund(
        provider_payment_id=refund.payment.provider_payment_id,
        amount_fen=refund.amount_fen,
        idempotency_key=refund.key,
    )
    Refund.objects.filter(pk=refund.pk, provider_refund_id="").update(
        provider_refund_id=result.provider_refund_id
    )
    return "submitted"


def payment_close_submit(*, payment_id: int) -> str:
    payment = Payment.objects.get(pk=payment_id)
    state = get_provider(payment.provider).close_payment(payment.provider_payment_id)
    return state.status
