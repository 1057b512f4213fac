"""Payments: starting a payment, receiving the provider's notifications, refunds.

What a notification means for an order is decided in orders.services; this module makes sure
only authentic notifications get there, and each only once.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
import json
from collections.abc import Callable, Mapping
from typing import Any, ParamSpec

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Subquery
from django.utils import timezone

from anxin.core import faults, hooks
from anxin.core.sql import (
    fetch_instance,
    insert_instance,
    insert_row_unless_duplicate,
    update_where,
)
from anxin.core.tasks_backend import enqueued_together
from anxin.payments.models import (
    NotificationStatus,
    Payment,
    PaymentNotification,
    PaymentStatus,
    ProviderCall,
    ProviderCallKind,
    Refund,
    RefundStatus,
)
from anxin.payments.providers import get_provider
from anxin.payments.providers.base import BillLine, Notification, NotificationRejected

_P = ParamSpec("_P")

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
    """The open payment of `order`, recorded with the call that will create it at the provider
    if there is none: the provider is not called here (see payment_start_committed).

    Called under the order's lock, so two taps on "pay" record one payment. `made` (how many
    payments the order has had) and `open_id` (its open one, if any) are read with that lock
    (PAYMENTS_OF_ORDER_O).
    """
    if open_id is not None:
        return Payment.objects.get(pk=open_id)
    now = timezone.now()
    payment = Payment(
        order=order,
        provider=get_provider().name,
        provider_payment_id="",
        amount_fen=order.amount_fen,
        currency=order.currency,
        pay_url="",
        created_at=now,
    )
    insert_instance(payment)
    call = ProviderCall(
        **_call_fields(
            ProviderCallKind.PAYMENT_START,
            payment,
            key=f"{order.number}:{made + 1}",
            description=description[:200],
            now=now,
        )
    )
    insert_instance(call)
    # Kept for payment_start_committed, which makes this call once the transaction commits
    # without reading it back (a payment found open has none: its call is read).
    payment.start_call = call  # type: ignore[attr-defined]
    return payment


def payment_start_committed(
    start: Callable[_P, Payment],
) -> Callable[_P, Payment]:
    """Run `start` (a service that locks an order and returns its payment from payment_start)
    in its own transaction, then, with the transaction committed and the order's lock released,
    ask the provider to create the payment and return it with what the cashier needs (its
    provider id and pay URL).

    Why this shape: the buyer must get the pay URL in the same request, but the provider is a
    network round trip that may be slow or hang; under the order's lock it would stall every
    other request on the order (the seller's, a cancellation, the provider's own notification)
    for as long. So the intent (the payment and its PAYMENT_START call) commits first; the
    provider is called outside any transaction; its answer is stored by a second short
    transaction (provider_call_deliver). A crash in between loses nothing: the call stays
    undelivered, and the buyer's next tap (which finds the open payment) delivers it, or
    `anxin deadlines` queues it for a task (provider_calls_requeue), with the same idempotency
    key, so the provider creates one payment. If the provider fails, the error reaches the
    buyer as before, and the call is retried the same way.

    A decorator rather than a second service, so that callers keep calling the order's own
    service and every caller gets the pay URL without knowing about the outbox."""

    @functools.wraps(start)
    def committed(*args: _P.args, **kwargs: _P.kwargs) -> Payment:
        with transaction.atomic():
            payment = start(*args, **kwargs)
        if payment.provider_payment_id:
            return payment
        faults.point("payment_start.after_commit")
        call = getattr(payment, "start_call", None) or ProviderCall.objects.select_related(
            "payment__order"
        ).get(kind=ProviderCallKind.PAYMENT_START, payment=payment)
        # Whoever records the answer (this request or another deliverer of the same call), the
        # provider gave both the same one: its idempotency key is the call's.
        payment.provider_payment_id, payment.pay_url = _call_deliver(call)
        return payment

    return committed


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


def _apply_recorded(provider_name: str, n: Notification, body: bytes) -> str:
    """Apply a notification just recorded as applied, and mark its row with what really
    happened if it was not: 'applied' or 'ignored'."""
    status, reason = _apply(provider_name, n, body)
    if status != NotificationStatus.APPLIED:
        update_where(
            PaymentNotification,
            {"provider": provider_name, "notification_id": n.id},
            status=status,
            reason=reason[:200],
        )
    return "applied" if status == NotificationStatus.APPLIED else "ignored"


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
        result = _apply_recorded(provider_name, n, body)
        faults.point("notification.before_commit")
        return result


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
    if n.event_type in ("payout.succeeded", "payout.failed", "payout.returned"):
        # The app that owns the payout (payouts, above us) applies it, in this transaction.
        return _answered(
            hooks.ask(
                hooks.PAYOUT_COMPLETED,
                payout_key=n.payout_key,
                event=n.event_type.split(".", 1)[1],
                provider_payout_id=n.provider_payout_id,
                amount_fen=n.amount_fen,
                reason=n.failure_reason,
                notification=said,
            )
        )
    return NotificationStatus.IGNORED, f"event type {n.event_type} is not handled"


def _answered(outcome: tuple[str, str] | None) -> tuple[str, str]:
    return outcome or (NotificationStatus.IGNORED, "no app handles it")


def refund_create(*, order, payment: Payment, amount_fen: int, reason: str, key: str) -> Refund:
    """Record a refund and queue its submission to the provider, inside the caller's
    transaction: the outbox row and its delivery task commit with the refund, so a crash cannot
    lose it, and the provider is only called once the caller's lock is released."""
    now = timezone.now()
    refund = Refund.objects.create(
        order=order,
        payment=payment,
        key=key,
        amount_fen=amount_fen,
        reason=reason[:200],
        created_at=now,
    )
    _call_queue(ProviderCallKind.REFUND, payment, key=key, refund=refund, now=now)
    return refund


def payment_close_queue(*, payment: Payment) -> None:
    """Queue telling the provider that a payment we closed can no longer be paid, inside the
    caller's transaction (the one that closed it under the order's lock)."""
    _call_queue(
        ProviderCallKind.PAYMENT_CLOSE, payment, key=f"close:{payment.pk}", now=timezone.now()
    )


# After a failed delivery, the wait before the next one, in seconds; the last repeats. Calls
# are idempotent, so retrying is always safe; the schedule only spares a provider that is down.
CALL_RETRY_SECONDS = (30, 60, 300, 900, 3600, 21600)
# How long the sweeper leaves a new call to the request or task that delivers it after commit.
CALL_GRACE_SECONDS = 120


def _call_fields(
    kind: str,
    payment: Payment,
    *,
    key: str,
    now: dt.datetime,
    refund: Refund | None = None,
    description: str = "",
) -> dict[str, Any]:
    return {
        "kind": kind,
        "payment": payment,
        "refund": refund,
        "idempotency_key": key,
        "description": description,
        "attempts": 0,
        "deliver_after": now + dt.timedelta(seconds=CALL_GRACE_SECONDS),
        "delivered_at": None,
        "last_error": "",
        "created_at": now,
    }


def _call_queue(
    kind: str, payment: Payment, *, key: str, now: dt.datetime, refund: Refund | None = None
) -> None:
    """Write an outbox row and its delivery task in the caller's transaction. The task backend
    is the database, so the task row commits (or rolls back) with the call: no on_commit hook
    is needed and there is no moment where one exists without the other."""
    from anxin.payments.tasks import provider_call_deliver as deliver_task

    call = ProviderCall.objects.create(
        **_call_fields(kind, payment, key=key, now=now, refund=refund)
    )
    deliver_task.enqueue(call.pk)


def provider_call_deliver(*, call_id: int) -> str:
    """Make one outbox call to the provider, outside any transaction, and record its answer in
    a short one. Idempotent: a delivered call is not made again, and a call made twice (two
    deliverers at once, or a crash after the provider answered) carries the same idempotency
    key, so the provider does the work once and the second record finds it already there.
    On failure the call is rescheduled (CALL_RETRY_SECONDS) and the error raised."""
    call = ProviderCall.objects.select_related("payment__order", "refund").get(pk=call_id)
    if call.delivered_at is not None:
        return "already_delivered"
    _call_deliver(call)
    return "delivered"


def _call_deliver(call: ProviderCall) -> tuple[str, str]:
    """provider_call_deliver for a loaded call; returns the provider's answer (its id, the
    pay URL)."""
    try:
        provider_id, pay_url, done = _call_make(call)
        answer = (provider_id, pay_url)
    except Exception as e:
        delay = CALL_RETRY_SECONDS[min(call.attempts, len(CALL_RETRY_SECONDS) - 1)]
        ProviderCall.objects.filter(pk=call.pk, delivered_at__isnull=True).update(
            attempts=F("attempts") + 1,
            last_error=f"{type(e).__name__}: {e}"[:300],
            deliver_after=timezone.now() + dt.timedelta(seconds=delay),
        )
        raise
    faults.point(f"{call.kind}.answered")
    if call.kind == ProviderCallKind.PAYMENT_START and connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute(
                _PAYMENT_ANSWERED, [answer[0], answer[1], call.payment_id, timezone.now(), call.pk]
            )
        return answer
    with transaction.atomic():
        # Only an empty id is filled in: a second deliverer, or the refund's own notification
        # (order_refund_completed), may have recorded the same answer first.
        if call.kind == ProviderCallKind.PAYMENT_START:
            Payment.objects.filter(pk=call.payment_id, provider_payment_id="").update(
                provider_payment_id=answer[0], pay_url=answer[1]
            )
        elif call.refund is not None:
            Refund.objects.filter(pk=call.refund.pk, provider_refund_id="").update(
                provider_refund_id=answer[0]
            )
        ProviderCall.objects.filter(pk=call.pk, delivered_at__isnull=True).update(
            attempts=F("attempts") + 1, delivered_at=timezone.now(), last_error=""
        )
    if done and call.refund is not None:
        _refund_made(call, provider_id)
    return answer


def _refund_made(call: ProviderCall, provider_refund_id: str) -> None:
    """The provider's answer says the refund is made already (Alipay refunds at once, and
    notifies a refund only when it closes the whole trade): applied as its notification would
    be, through the same path (recorded as `answer:refund:<key>`, applied once; the real
    notification or the bill's line, if either comes, changes nothing more)."""
    refund, payment = call.refund, call.payment
    assert refund is not None
    notification_from_bill(
        provider_name=payment.provider,
        line=BillLine(
            kind="refund",
            provider_id=provider_refund_id,
            merchant_ref=refund.key,
            amount_fen=refund.amount_fen,
            status=RefundStatus.SUCCEEDED,
            occurred_at=timezone.now(),
            provider_payment_id=payment.provider_payment_id,
        ),
        source="answer",
    )


# The provider's answer to PAYMENT_START recorded on PostgreSQL in one autocommit statement
# (a data-modifying CTE is one transaction) instead of BEGIN, two UPDATEs and COMMIT: three
# round trips fewer on every payment, 54 -> 51 per checkout lifecycle. The same conditions as
# _call_deliver's two UPDATEs: an id already recorded, or a call already delivered, stays.
_PAYMENT_ANSWERED = (
    f"WITH answered AS (UPDATE {Payment._meta.db_table} SET "  # noqa: S608
    f"{Payment._meta.get_field('provider_payment_id').column} = %s, "
    f"{Payment._meta.get_field('pay_url').column} = %s "
    f"WHERE id = %s AND {Payment._meta.get_field('provider_payment_id').column} = '') "
    f"UPDATE {ProviderCall._meta.db_table} SET "
    f"{ProviderCall._meta.get_field('attempts').column} = "
    f"{ProviderCall._meta.get_field('attempts').column} + 1, "
    f"{ProviderCall._meta.get_field('delivered_at').column} = %s, "
    f"{ProviderCall._meta.get_field('last_error').column} = '' "
    f"WHERE id = %s AND {ProviderCall._meta.get_field('delivered_at').column} IS NULL"
)


def _call_make(call: ProviderCall) -> tuple[str, str, bool]:
    """The network call itself: the provider's answer, as (its id, the pay URL, whether it
    says the work is already done: a refund made at once)."""
    payment = call.payment
    provider = get_provider(payment.provider)
    if call.kind == ProviderCallKind.PAYMENT_START:
        created = provider.create_payment(
            merchant_ref=payment.order.number,
            amount_fen=payment.amount_fen,
            description=call.description,
            idempotency_key=call.idempotency_key,
        )
        return created.provider_payment_id, created.pay_url, False
    if not payment.provider_payment_id:
        # Closing a payment whose creation is still undelivered: create it first (the same
        # idempotency key: the payment the buyer may already hold), so that the close reaches
        # the provider's payment and not a void.
        start = ProviderCall.objects.get(kind=ProviderCallKind.PAYMENT_START, payment=payment)
        provider_call_deliver(call_id=start.pk)
        payment.refresh_from_db(fields=["provider_payment_id", "pay_url"])
    if call.kind == ProviderCallKind.REFUND:
        assert call.refund is not None
        if call.refund.provider_refund_id:
            return call.refund.provider_refund_id, "", False
        refunded = provider.refund(
            provider_payment_id=payment.provider_payment_id,
            amount_fen=call.refund.amount_fen,
            idempotency_key=call.idempotency_key,
        )
        return refunded.provider_refund_id, "", refunded.status == RefundStatus.SUCCEEDED
    closed = provider.close_payment(payment.provider_payment_id)
    return closed.provider_payment_id, "", False


def provider_calls_requeue(*, now: dt.datetime | None = None, limit: int = 1000) -> int:
    """Queue again the outbox calls that are due and still undelivered (`anxin deadlines`):
    those whose process died between the commit and the call or between the provider's answer
    and its record, those whose task was lost, and those whose last attempt failed. The sweep
    only queues them: a provider that hangs must not stall the deadlines run either. Each call
    is then left alone for CALL_GRACE_SECONDS, for its task to run. Returns how many were
    queued."""
    from anxin.payments.tasks import provider_call_deliver as deliver_task

    now = now or timezone.now()
    due = ProviderCall.objects.filter(delivered_at__isnull=True, deliver_after__lte=now)
    ids = list(due.order_by("pk").values_list("pk", flat=True)[:limit])
    if not ids:
        return 0
    with transaction.atomic(), enqueued_together():
        ProviderCall.objects.filter(pk__in=ids).update(
            deliver_after=now + dt.timedelta(seconds=CALL_GRACE_SECONDS)
        )
        for pk in ids:
            deliver_task.enqueue(pk)
    return len(ids)


def _bill_notification_id(kind: str, ref: str, source: str = "bill") -> str:
    """The id a bill line's notification is recorded under: `<source>:<kind>:<ref>`, the
    reference hashed when the whole would not fit the column (a refund's key may have 80
    characters)."""
    nid = f"{source}:{kind}:{ref}"
    limit = PaymentNotification._meta.get_field("notification_id").max_length or 64
    if len(nid) <= limit:
        return nid
    return f"{source}:{kind}:sha256:{hashlib.sha256(ref.encode()).hexdigest()[:40]}"


def notification_from_bill(*, provider_name: str, line: BillLine, source: str = "bill") -> str:
    """Apply a payment, refund or payout the provider's daily bill shows and whose
    notification never reached us (reconciliation), through the path a notification takes:
    recorded as a notification with an id of its own (`bill:<kind>:<id>`), de-duplicated by
    the same unique index, applied by the same hooks. So applying the same line twice, or a
    line whose real notification arrives afterwards, changes nothing more (the order ignores a
    payment or a refund already recorded; a payout, an outcome it already has). Returns
    'applied', 'ignored' or 'duplicate'. `source` names where the line comes from: the bill,
    or the provider's answer to a request ('answer')."""
    if line.kind == "payment":
        n = Notification(
            id=_bill_notification_id("payment", line.provider_id, source),
            event_type=f"payment.{line.status}",
            occurred_at=line.occurred_at,
            provider_payment_id=line.provider_id,
            amount_fen=line.amount_fen,
        )
    elif line.kind == "refund":
        n = Notification(
            id=_bill_notification_id("refund", line.provider_id or line.merchant_ref, source),
            event_type=f"refund.{line.status}",
            occurred_at=line.occurred_at,
            provider_payment_id=line.provider_payment_id,
            amount_fen=line.amount_fen,
            provider_refund_id=line.provider_id,
            refund_key=line.merchant_ref,
        )
    elif line.kind == "payout":
        # A payout paid out and one sent back are two lines, and two notifications.
        n = Notification(
            id=_bill_notification_id(f"payout-{line.status}", line.merchant_ref, source),
            event_type=f"payout.{line.status}",
            occurred_at=line.occurred_at,
            provider_payment_id="",
            amount_fen=line.amount_fen,
            provider_payout_id=line.provider_id,
            payout_key=line.merchant_ref,
            failure_reason="sent back by the bank" if line.status == "returned" else "",
        )
    else:
        raise ValueError(f"a {line.kind} line is not a provider's notification")
    body = json.dumps(
        {"source": source, **dataclasses.asdict(line), "occurred_at": line.occurred_at.isoformat()},
        sort_keys=True,
    ).encode()
    with transaction.atomic():
        if not insert_row_unless_duplicate(
            PaymentNotification,
            provider=provider_name,
            notification_id=n.id,
            event_type=n.event_type,
            status=NotificationStatus.APPLIED,
            reason="",
            body=body.decode(),
            times_received=1,
            received_at=timezone.now(),
        ):
            return "duplicate"
        return _apply_recorded(provider_name, n, body)
