"""Erasing a buyer's personal data (PIPL Art. 47) without breaking the evidence log.

An order's records are transaction records: the platform keeps them at least three years
after the transaction is finished (E-commerce Law Art. 31), and only then erases them. Erasure
replaces the stored evidence records and chat messages by tombstones, deletes chat attachments
and blanks the order's recipient details; the log keeps its entries (commitments only), so the
log and every voucher already issued stay valid. An order still inside its retention period
is kept and its erasure scheduled for the day the period ends.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from anxin.accounts.models import User
from anxin.evidence import services as evidence
from anxin.evidence.models import Attachment, Record
from anxin.orders.events import order_chain
from anxin.orders.models import Order, OrderMessage, OrderStatus

FINISHED = {OrderStatus.COMPLETED, OrderStatus.CANCELLED, OrderStatus.REFUNDED}


@dataclass
class Erasure:
    erased: list[str] = field(default_factory=list)
    kept: list[tuple[str, dt.datetime]] = field(default_factory=list)
    erased_records: int = 0


def retained_until(order: Order) -> dt.datetime | None:
    """When the order's records may be erased: three years (a setting, never less) after its
    last record, or None while the order is not finished."""
    if order.status not in FINISHED:
        return None
    last = Record.objects.filter(chain=order_chain(order)).aggregate(m=Max("at"))["m"]
    last = last or order.created_at
    years = settings.ANXIN_EVIDENCE_RETENTION_YEARS
    try:
        return last.replace(year=last.year + years)
    except ValueError:  # 29 February
        return last.replace(year=last.year + years, month=3, day=1)


def erase_buyer(user: User, now: dt.datetime | None = None) -> Erasure:
    now = now or timezone.now()
    out = Erasure()
    for order in Order.objects.filter(buyer=user).order_by("pk"):
        until = retained_until(order)
        if until is not None and until <= now:
            out.erased_records += erase_order(order.pk, now=now)
            out.erased.append(order.number)
        else:
            until = until or now + dt.timedelta(days=365 * settings.ANXIN_EVIDENCE_RETENTION_YEARS)
            out.kept.append((order.number, until))
            from anxin.orders.tasks import order_erase_task

            order_erase_task.using(run_after=until).enqueue(order.pk)
    return out


@transaction.atomic
def erase_order(order_id: int, *, now: dt.datetime | None = None) -> int:
    """Erase one order's personal data if its retention period is over; returns how many
    evidence records were erased (0 if it must still be kept)."""
    now = now or timezone.now()
    order = Order.objects.select_for_update().get(pk=order_id)
    until = retained_until(order)
    if until is None or until > now:
        return 0
    n = evidence.erase(chains=[order_chain(order)], now=now)
    ids = [
        a
        for a in OrderMessage.objects.filter(order=order).values_list("attachment", flat=True)
        if a
    ]
    OrderMessage.objects.filter(order=order).update(text="")
    for a in Attachment.objects.filter(pk__in=ids, erased_at=None):
        a.erased_at = now
        a.save(update_fields=["erased_at"])
        # Files are stored by their SHA-256: keep one another kept attachment still uses.
        shared = Attachment.objects.filter(sha256=a.sha256, erased_at=None).exists()
        if not shared and a.file:
            a.file.delete(save=False)
    Order.objects.filter(pk=order.pk).update(
        recipient_name="", recipient_phone="", shipping_address="", buyer_note=""
    )
    return n
