"""How an order's records read to a person: the timeline's event kinds (labelled by
OrderEventKind) and the evidence log's records, in the reader's language. The voucher's PDF
and the evidence bundle's summary need them in Python; the web shell's template library shows
them on pages."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from anxin.orders.events import OrderEventKind


def event_label(kind: str) -> str:
    """An order event's kind in the reader's language: the label of its OrderEventKind."""
    return str(OrderEventKind(kind).label) if kind in OrderEventKind.values else kind


def record_label(kind: str) -> str:
    """An evidence record's kind ("order.shipped", "chat.message") in the reader's language."""
    if kind == "chat.message":
        return _("Chat message")
    return event_label(kind.removeprefix("order."))


def record_time(at: str) -> str:
    """A record's UTC timestamp, shown in local time."""
    try:
        return f"{timezone.localtime(dt.datetime.fromisoformat(at)):%Y-%m-%d %H:%M:%S}"
    except (TypeError, ValueError):
        return str(at)
