"""Reconciliation: a day's bill from the payment provider matched against Anxin's records.

Every payment and refund line of the day's bill is matched with Anxin's record of it (a payment
by the provider's id, a refund by its key, the merchant reference it was asked with):

- it agrees (amount and outcome): matched;
- the bill says it succeeded and Anxin is still waiting for the provider's word (the
  notification was lost): it is applied from the bill, through the path a notification takes
  (payments.services.notification_from_bill), so the order is paid or the refund recorded and
  a second run, or the real notification arriving late, changes nothing more;
- anything else (the amounts differ, the outcomes differ, a line Anxin has no record of): an
  alert for the operator with both sides' values; no money moves.

Then the other way: a payment or refund Anxin recorded as succeeded that day that is on neither
this day's bill nor the day before's (the provider's time precedes ours: a payment made at
23:59:59 is notified after midnight) raises an alert too.

Payouts (kind "payout", from the provider's bill of the account's money: `download_payout_bill`)
are matched by whoever pays out: it registers a matcher for its kind (`MATCHERS["payout"] = ...`,
from its AppConfig.ready), usually `match` with a `Book` of its own, which receives the day's
payout lines and those of the day before and returns what it matched, applied and found wrong.
A kind with no matcher raises an alert for each line.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from anxin.accounts.models import Role, User
from anxin.core.errors import InvalidTransition, NotFound, msg
from anxin.core.text import clean_text
from anxin.law.days import BEIJING
from anxin.payments.models import Payment, PaymentStatus, Refund, RefundStatus
from anxin.payments.providers import get_provider
from anxin.payments.providers.base import BillLine, PaymentProvider
from anxin.payments.services import notification_from_bill
from anxin.reconcile.models import (
    AlertKind,
    AlertStatus,
    Problem,
    ReconciliationAlert,
    ReconciliationRun,
    RunStatus,
)

# A run that started this long ago and never finished died with its process: it may be claimed.
STALE_RUN = dt.timedelta(hours=1)
_CHUNK = 5000
_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AlertDraft:
    kind: str
    problem: str
    provider_id: str = ""
    merchant_ref: str = ""
    bill_amount_fen: int | None = None
    bill_status: str = ""
    anxin_amount_fen: int | None = None
    anxin_status: str = ""


@dataclass
class Tally:
    matched: int = 0
    applied: int = 0
    alerts: list[AlertDraft] = field(default_factory=list)


@dataclass(frozen=True)
class DayLines:
    """What a matcher is given: one kind's lines of the day's bill and of the day before's,
    and the day's bounds in Beijing time (the records Anxin completed then)."""

    provider_name: str
    day: dt.date
    start: dt.datetime
    end: dt.datetime
    lines: list[BillLine]
    earlier: list[BillLine]


Matcher = Callable[[DayLines], Tally]


def _unknown(line: BillLine, problem: str = Problem.UNKNOWN_LINE) -> AlertDraft:
    return AlertDraft(
        kind=line.kind,
        problem=problem,
        provider_id=line.provider_id,
        merchant_ref=line.merchant_ref,
        bill_amount_fen=line.amount_fen,
        bill_status=line.status,
    )


def chunks(items: list[str]) -> Iterable[list[str]]:
    for i in range(0, len(items), _CHUNK):
        yield items[i : i + _CHUNK]


@dataclass(frozen=True)
class Record:
    """Anxin's record of what a line is about, as matching reads it."""

    pk: int
    ref: str  # shown beside the line in an alert: the order number, the refund's or payout's key
    amount_fen: int
    status: str


@dataclass(frozen=True)
class Book:
    """How one kind of line is matched with Anxin's records (see `match`)."""

    kind: str
    # The line's key, and Anxin's records of a day's lines by that key.
    key: Callable[[BillLine], str]
    find: Callable[[DayLines], dict[str, Record]]
    # (the bill's status, Anxin's status): they agree; the bill says what Anxin still waits
    # to hear (its notification was lost: apply the line).
    agrees: Callable[[str, str], bool]
    missed: Callable[[str, str], bool]
    # The record's status now (after applying a line).
    status_of: Callable[[int], str]
    # Anxin's records completed that day that are on neither bill.
    unbilled: Callable[[DayLines], list[AlertDraft]]


def match(book: Book, d: DayLines) -> Tally:
    """Match one kind of the day's lines with Anxin's records: each line agrees (matched), or
    tells what a lost notification would have (applied from the bill, through the path a
    notification takes), or differs (an alert with both sides); then every record Anxin
    completed that day and the bills do not have is an alert too."""
    t = Tally()
    known = book.find(d)
    for line in d.lines:
        found = known.get(book.key(line))
        if found is None:
            t.alerts.append(_unknown(line))
            continue
        draft = AlertDraft(
            kind=book.kind,
            problem=Problem.AMOUNT_DIFFERS,
            provider_id=line.provider_id,
            merchant_ref=found.ref,
            bill_amount_fen=line.amount_fen,
            bill_status=line.status,
            anxin_amount_fen=found.amount_fen,
            anxin_status=found.status,
        )
        if line.amount_fen != found.amount_fen:
            t.alerts.append(draft)
        elif book.agrees(line.status, found.status):
            t.matched += 1
        elif book.missed(line.status, found.status):
            notification_from_bill(
                provider_name=d.provider_name,
                line=line if line.merchant_ref else _with_ref(line, found.ref),
            )
            if book.agrees(line.status, book.status_of(found.pk)):
                t.applied += 1
            else:
                t.alerts.append(replace(draft, problem=Problem.STATUS_DIFFERS))
        else:
            t.alerts.append(replace(draft, problem=Problem.STATUS_DIFFERS))
    t.alerts += book.unbilled(d)
    return t


def _with_ref(line: BillLine, ref: str) -> BillLine:
    return replace(line, merchant_ref=ref)


def _missing(kind: str, provider_id: str, ref: str, amount: int, status: str) -> AlertDraft:
    return AlertDraft(
        kind=kind,
        problem=Problem.MISSING_FROM_BILL,
        provider_id=provider_id,
        merchant_ref=ref,
        anxin_amount_fen=amount,
        anxin_status=status,
    )


# --- payments: by the provider's payment id --------------------------------------------------


def _payments_find(d: DayLines) -> dict[str, Record]:
    found: dict[str, Record] = {}
    for chunk in chunks([line.provider_id for line in d.lines]):
        for pk, pid, amount, status, number in Payment.objects.filter(
            provider=d.provider_name, provider_payment_id__in=chunk
        ).values_list("pk", "provider_payment_id", "amount_fen", "status", "order__number"):
            found[pid] = Record(pk, number, amount, status)
    return found


def _payments_unbilled(d: DayLines) -> list[AlertDraft]:
    on_bill = {line.provider_id for line in d.lines + d.earlier}
    return [
        _missing(AlertKind.PAYMENT, pid, number, amount, PaymentStatus.SUCCEEDED)
        for pid, amount, number in Payment.objects.filter(
            provider=d.provider_name,
            status=PaymentStatus.SUCCEEDED,
            completed_at__gte=d.start,
            completed_at__lt=d.end,
        ).values_list("provider_payment_id", "amount_fen", "order__number")
        if pid not in on_bill
    ]


PAYMENTS = Book(
    kind=AlertKind.PAYMENT,
    key=lambda line: line.provider_id,
    find=_payments_find,
    agrees=lambda bill, ours: bill == ours,
    # The buyer paid; the notification never reached us (or came after the payment closed).
    missed=lambda bill, ours: (
        bill == PaymentStatus.SUCCEEDED and ours in (PaymentStatus.CREATED, PaymentStatus.CLOSED)
    ),
    status_of=lambda pk: Payment.objects.filter(pk=pk).values_list("status", flat=True).get(),
    unbilled=_payments_unbilled,
)


# --- refunds: by the refund's key, or the provider's refund id for a line without one -------


def _refund_key(line: BillLine) -> str:
    return line.merchant_ref or f"id:{line.provider_id}"


def _refunds_find(d: DayLines) -> dict[str, Record]:
    found: dict[str, Record] = {}
    keys = [line.merchant_ref for line in d.lines if line.merchant_ref]
    ids = [line.provider_id for line in d.lines if line.provider_id and not line.merchant_ref]
    rows = Refund.objects.values_list("pk", "key", "amount_fen", "status", "provider_refund_id")
    for chunk in chunks(keys):
        for pk, key, amount, status, _rid in rows.filter(key__in=chunk):
            found[key] = Record(pk, key, amount, status)
    for chunk in chunks(ids):
        for pk, key, amount, status, rid in rows.filter(provider_refund_id__in=chunk):
            found[f"id:{rid}"] = Record(pk, key, amount, status)
    return found


def _refunds_unbilled(d: DayLines) -> list[AlertDraft]:
    on_bill = {line.merchant_ref for line in d.lines + d.earlier if line.merchant_ref}
    on_bill_ids = {line.provider_id for line in d.lines + d.earlier if line.provider_id}
    return [
        _missing(AlertKind.REFUND, rid, key, amount, RefundStatus.SUCCEEDED)
        for key, rid, amount in Refund.objects.filter(
            payment__provider=d.provider_name,
            status=RefundStatus.SUCCEEDED,
            completed_at__gte=d.start,
            completed_at__lt=d.end,
        ).values_list("key", "provider_refund_id", "amount_fen")
        if key not in on_bill and not (rid and rid in on_bill_ids)
    ]


REFUNDS = Book(
    kind=AlertKind.REFUND,
    key=_refund_key,
    find=_refunds_find,
    # Processing: the bill is a snapshot taken before the bank answered; the refund's own
    # notification, or a later day's query, settles it.
    agrees=lambda bill, ours: bill == ours or bill == "processing",
    missed=lambda bill, ours: bill == RefundStatus.SUCCEEDED and ours == RefundStatus.PENDING,
    status_of=lambda pk: Refund.objects.filter(pk=pk).values_list("status", flat=True).get(),
    unbilled=_refunds_unbilled,
)


# The matchers by line kind. Payouts register theirs here (see the module's docstring).
MATCHERS: dict[str, Matcher] = {
    AlertKind.PAYMENT.value: lambda d: match(PAYMENTS, d),
    AlertKind.REFUND.value: lambda d: match(REFUNDS, d),
}


def day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(day, dt.time(), tzinfo=BEIJING)
    return start, start + dt.timedelta(days=1)


def beijing_today(now: dt.datetime | None = None) -> dt.date:
    return (now or timezone.now()).astimezone(BEIJING).date()


def _day_lines(provider: PaymentProvider, day: dt.date) -> list[BillLine]:
    """Every line of the day's bills: the trade bill's payments and refunds, the fund bill's
    payouts."""
    return provider.parse_bill(provider.download_bill(day)) + provider.parse_bill(
        provider.download_payout_bill(day)
    )


def reconcile_day(
    day: dt.date, *, provider_name: str | None = None, now: dt.datetime | None = None
) -> ReconciliationRun:
    """Reconcile `day` with the provider: pull its bill, match every line, apply what the
    notifications missed, raise an alert for every other difference. Safe to run again (only
    what is still unsettled is applied or alerted; an alert raised before is found, not
    raised twice). If another process is running the same day, returns its run untouched."""
    provider = get_provider(provider_name)
    now = now or timezone.now()
    run, _ = ReconciliationRun.objects.get_or_create(
        provider=provider.name, day=day, defaults={"queued_at": now}
    )
    claimed = (
        ReconciliationRun.objects.filter(pk=run.pk)
        .filter(~Q(status=RunStatus.RUNNING) | Q(started_at__lt=now - STALE_RUN))
        .update(status=RunStatus.RUNNING, started_at=now, runs=F("runs") + 1, error="")
    )
    if not claimed:
        run.refresh_from_db()
        return run
    try:
        lines = _day_lines(provider, day)
        earlier = _day_lines(provider, day - dt.timedelta(days=1))
        start, end = day_bounds(day)
        total = Tally()
        kinds = {line.kind for line in lines} | set(MATCHERS)
        for kind in sorted(kinds):
            mine = [line for line in lines if line.kind == kind]
            matcher = MATCHERS.get(kind)
            if matcher is None:
                t = Tally(alerts=[_unknown(line) for line in mine])
            else:
                t = matcher(
                    DayLines(
                        provider_name=provider.name,
                        day=day,
                        start=start,
                        end=end,
                        lines=mine,
                        earlier=[line for line in earlier if line.kind == kind],
                    )
                )
            total.matched += t.matched
            total.applied += t.applied
            total.alerts += t.alerts
        _alerts_record(provider.name, day, total.alerts, now=timezone.now())
    except Exception as e:
        ReconciliationRun.objects.filter(pk=run.pk).update(
            status=RunStatus.FAILED, error=f"{type(e).__name__}: {e}"[:300]
        )
        raise
    ReconciliationRun.objects.filter(pk=run.pk).update(
        status=RunStatus.DONE,
        lines_read=len(lines),
        matched=total.matched,
        applied=total.applied,
        alerts=len(total.alerts),
        finished_at=timezone.now(),
    )
    run.refresh_from_db()
    _log.info(
        "reconciled %s %s: %d lines, %d matched, %d applied, %d alerts",
        provider.name,
        day,
        run.lines_read,
        run.matched,
        run.applied,
        run.alerts,
    )
    return run


def _alerts_record(
    provider_name: str, day: dt.date, drafts: list[AlertDraft], *, now: dt.datetime
) -> None:
    """Raise each alert once: one found from an earlier run is seen again (and, while open,
    shows the values of this run)."""
    for draft in drafts:
        key = {
            "provider": provider_name,
            "day": day,
            "kind": draft.kind,
            "problem": draft.problem,
            "provider_id": draft.provider_id,
            "merchant_ref": draft.merchant_ref,
        }
        values = {
            "bill_amount_fen": draft.bill_amount_fen,
            "bill_status": draft.bill_status,
            "anxin_amount_fen": draft.anxin_amount_fen,
            "anxin_status": draft.anxin_status,
        }
        found = ReconciliationAlert.objects.filter(**key)
        if found.filter(status=AlertStatus.OPEN).update(**values, last_seen_at=now):
            continue
        if found.update(last_seen_at=now):
            continue
        try:
            with transaction.atomic():
                ReconciliationAlert.objects.create(
                    **key, **values, created_at=now, last_seen_at=now
                )
        except IntegrityError:
            pass  # raised by a run beside this one


# --- the operator's alerts ---------------------------------------------------------------------


def may_reconcile(user: User) -> bool:
    """Whether `user` sees and resolves reconciliation alerts: the platform operator only."""
    return user.is_authenticated and user.role == Role.OPERATOR


def alerts_list(*, status: str = AlertStatus.OPEN, limit: int = 200) -> list[ReconciliationAlert]:
    return list(
        ReconciliationAlert.objects.filter(status=status)
        .select_related("resolved_by")
        .order_by("-day", "id")[:limit]
    )


def alerts_open_count() -> int:
    return ReconciliationAlert.objects.filter(status=AlertStatus.OPEN).count()


def runs_recent(*, limit: int = 14) -> list[ReconciliationRun]:
    return list(ReconciliationRun.objects.order_by("-day", "provider")[:limit])


@transaction.atomic
def alert_resolve(*, actor: User, alert_id: int, note: str) -> ReconciliationAlert:
    """The operator settles an alert (with the provider, by a correction elsewhere) and says
    how. Nothing here moves money."""
    if not may_reconcile(actor):
        raise NotFound(msg("no reconciliation alert {id}", id=alert_id))
    note = clean_text(note, "note", 500, multiline=True)
    alert = ReconciliationAlert.objects.select_for_update().filter(pk=alert_id).first()
    if alert is None:
        raise NotFound(msg("no reconciliation alert {id}", id=alert_id))
    if alert.status != AlertStatus.OPEN:
        raise InvalidTransition(msg("reconciliation alert {id} is already resolved", id=alert_id))
    alert.status = AlertStatus.RESOLVED
    alert.note = note
    alert.resolved_by = actor
    alert.resolved_at = timezone.now()
    alert.save(update_fields=["status", "note", "resolved_by", "resolved_at"])
    return alert
