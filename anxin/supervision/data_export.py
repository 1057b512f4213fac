"""The platform's answer to a regulator's data request (OTSM Art. 34): the data about a
seller's trade in the request's period, one CSV a kind, bundled as a ZIP with a manifest.

    orders.csv      the seller's orders created in the period
    payments.csv    the payments and refunds of its orders made in the period, and the
                    ledger's escrow movements of its orders in the period
    shipments.csv   its orders shipped in the period, and each parcel's tracking events
    aftersales.csv  the after-sales requests about its orders made in the period
    manifest.json   the request, the period, what each file holds, and each file's SHA-256

Each CSV is UTF-8 with a byte-order mark (Excel reads Chinese text only with one), its first
row the columns' names. The names are fixed, not translated: the file is sealed by its digest
on the evidence log when it is made, whoever reads it later.

No more personal data than the request needs (PIPL Art. 6): a buyer is named by its account
number only, in the orders file; no recipient's name, phone or address, no buyer's free text
(its note, its after-sales reason), no carrier's raw message. The other apps are read through
their models and public selectors, never changed."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import shutil
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO, Any

from anxin.aftersales.models import AfterSale
from anxin.carriers.models import TrackingEvent
from anxin.evidence.services import iso
from anxin.law.days import BEIJING
from anxin.ledger.models import Transfer
from anxin.orders.models import Order
from anxin.payments.models import Payment, Refund
from anxin.supervision.models_regulator import DataRequest

ORDER_COLUMNS = ["number", "created_at", "paid_at", "status", "quantity", "amount_fen", "buyer"]
PAYMENT_COLUMNS = [
    "kind",
    "reference",
    "order",
    "provider",
    "code",
    "amount_fen",
    "status",
    "created_at",
    "completed_at",
]
SHIPMENT_COLUMNS = ["order", "carrier", "tracking_number", "event", "status", "at"]
AFTERSALE_COLUMNS = [
    "id",
    "order",
    "kind",
    "status",
    "quantity",
    "law_backed",
    "refund_fen",
    "refunded_fen",
    "requested_at",
    "respond_by",
    "responded_at",
    "responded_by",
    "refusal_reason",
    "return_carrier",
    "return_tracking",
    "return_shipped_at",
    "return_received_at",
    "refunded_at",
    "reship_carrier",
    "reship_tracking",
    "escalated_at",
    "closed_at",
]
# What each file holds, for the manifest (the period applies to this time of each row).
SCOPES = {
    "orders.csv": "orders of the seller created in the period",
    "payments.csv": "payments and refunds of the seller's orders created in the period, and "
    "the ledger's escrow movements of its orders in the period",
    "shipments.csv": "orders of the seller shipped in the period, each with its tracking "
    "events since it was shipped",
    "aftersales.csv": "after-sales requests about the seller's orders made in the period",
}
BOM = "\ufeff"


def _when(value: dt.datetime | None) -> str:
    return iso(value) if value else ""


@dataclass(frozen=True)
class Period:
    start: dt.datetime
    end: dt.datetime

    @classmethod
    def of(cls, r: DataRequest) -> Period:
        """The request's Beijing days, from the first day's start to the day after the last."""
        return cls(
            dt.datetime.combine(r.period_from, dt.time(), BEIJING),
            dt.datetime.combine(r.period_to + dt.timedelta(days=1), dt.time(), BEIJING),
        )

    def q(self, field: str) -> dict[str, dt.datetime]:
        return {f"{field}__gte": self.start, f"{field}__lt": self.end}


# Up to this much of a file is kept in memory; beyond it, in a temporary file on disk: a
# seller with years of orders is answered in bounded memory.
SPOOL_BYTES = 8 * 1024 * 1024
CHUNK = 1024 * 1024


@dataclass
class Part:
    """One CSV file, written to a spooled temporary file as its rows come."""

    file: IO[bytes]
    sha256: str
    bytes: int
    rows: int


def _csv(columns: list[str], rows: Iterable[list[Any]]) -> Part:
    raw = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)
    text = io.TextIOWrapper(raw, encoding="utf-8", newline="", write_through=True)
    text.write(BOM)
    w = csv.writer(text)
    w.writerow(columns)
    n = 0
    for row in rows:
        w.writerow(row)
        n += 1
    text.flush()
    text.detach()
    digest, size = hashlib.sha256(), 0
    raw.seek(0)
    while chunk := raw.read(CHUNK):
        digest.update(chunk)
        size += len(chunk)
    raw.seek(0)
    return Part(file=raw, sha256=digest.hexdigest(), bytes=size, rows=n)


def _orders(seller_id: int, p: Period) -> Iterator[list[Any]]:
    for o in (
        Order.objects.filter(seller_id=seller_id, **p.q("created_at"))
        .order_by("created_at", "pk")
        .iterator()
    ):
        yield [
            o.number,
            iso(o.created_at),
            _when(o.paid_at),
            o.status,
            o.quantity,
            o.amount_fen,
            o.buyer_id,
        ]


def _payments(seller_id: int, p: Period) -> Iterator[list[Any]]:
    for pay in (
        Payment.objects.filter(order__seller_id=seller_id, **p.q("created_at"))
        .select_related("order")
        .order_by("created_at", "pk")
        .iterator()
    ):
        yield [
            "payment",
            pay.provider_payment_id,
            pay.order.number,
            pay.provider,
            "",
            pay.amount_fen,
            pay.status,
            iso(pay.created_at),
            _when(pay.completed_at),
        ]
    for ref in (
        Refund.objects.filter(order__seller_id=seller_id, **p.q("created_at"))
        .select_related("order", "payment")
        .order_by("created_at", "pk")
        .iterator()
    ):
        yield [
            "refund",
            ref.provider_refund_id,
            ref.order.number,
            ref.payment.provider,
            "",
            ref.amount_fen,
            ref.status,
            iso(ref.created_at),
            _when(ref.completed_at),
        ]
    numbers = Order.objects.filter(seller_id=seller_id).values("number")
    for t in (
        Transfer.objects.filter(ref__in=numbers, **p.q("created_at")).order_by("seq").iterator()
    ):
        yield ["escrow", str(t.id), t.ref, "", t.code, t.amount, t.kind, iso(t.created_at), ""]


def _shipments(seller_id: int, p: Period) -> Iterator[list[Any]]:
    shipped = list(
        Order.objects.filter(seller_id=seller_id, **p.q("shipped_at"))
        .exclude(tracking_number="")
        .order_by("shipped_at", "pk")
        .only("number", "carrier", "tracking_number", "shipped_at")
    )
    events: dict[str, list[TrackingEvent]] = {}
    numbers = sorted({o.tracking_number for o in shipped})
    for i in range(0, len(numbers), 500):
        for e in (
            TrackingEvent.objects.filter(tracking_number__in=numbers[i : i + 500])
            .only("tracking_number", "status", "occurred_at")
            .order_by("occurred_at", "pk")
        ):
            events.setdefault(e.tracking_number, []).append(e)
    for o in shipped:
        assert o.shipped_at is not None
        yield [o.number, o.carrier, o.tracking_number, "shipped", "", iso(o.shipped_at)]
        # A tracking number a carrier reused for an older parcel: only this parcel's journey.
        for e in events.get(o.tracking_number, []):
            if e.occurred_at >= o.shipped_at:
                at = iso(e.occurred_at)
                yield [o.number, o.carrier, o.tracking_number, "tracking", e.status, at]


def _aftersales(seller_id: int, p: Period) -> Iterator[list[Any]]:
    for a in (
        AfterSale.objects.filter(seller_id=seller_id, **p.q("requested_at"))
        .select_related("order")
        .order_by("requested_at", "pk")
        .iterator()
    ):
        yield [
            a.pk,
            a.order.number,
            a.kind,
            a.status,
            a.quantity,
            int(a.law_backed),
            a.refund_fen,
            a.refunded_fen,
            iso(a.requested_at),
            iso(a.respond_by),
            _when(a.responded_at),
            a.responded_by,
            a.refusal_reason,
            a.return_carrier,
            a.return_tracking,
            _when(a.return_shipped_at),
            _when(a.return_received_at),
            _when(a.refunded_at),
            a.reship_carrier,
            a.reship_tracking,
            _when(a.escalated_at),
            _when(a.closed_at),
        ]


@dataclass(frozen=True)
class Export:
    file: IO[bytes]  # the ZIP, a spooled temporary file at its start: the caller closes it
    sha256: str  # the ZIP's
    rows: int  # all files' rows, without their header rows
    files: list[dict[str, Any]]  # name, sha256, bytes, rows: as in the manifest


def build(r: DataRequest, made_at: dt.datetime) -> Export:
    """The ZIP answering `r`, made at `made_at` (each entry's time, so the same data at the
    same time gives the same bytes). Each file and the ZIP are spooled to disk past
    SPOOL_BYTES, never held whole in memory."""
    p = Period.of(r)
    parts = {
        "orders.csv": _csv(ORDER_COLUMNS, _orders(r.seller_id, p)),
        "payments.csv": _csv(PAYMENT_COLUMNS, _payments(r.seller_id, p)),
        "shipments.csv": _csv(SHIPMENT_COLUMNS, _shipments(r.seller_id, p)),
        "aftersales.csv": _csv(AFTERSALE_COLUMNS, _aftersales(r.seller_id, p)),
    }
    files = [
        {
            "name": name,
            "sha256": part.sha256,
            "bytes": part.bytes,
            "rows": part.rows,
            "holds": SCOPES[name],
        }
        for name, part in parts.items()
    ]
    manifest = {
        "request": r.number,
        "organisation": r.organisation_id,
        "seller": r.seller_id,
        "purpose": r.purpose,
        "period": [r.period_from.isoformat(), r.period_to.isoformat()],
        "timezone": "Asia/Shanghai",
        "made_at": iso(made_at),
        "encoding": "UTF-8 with a byte-order mark",
        "personal_data": "buyers by account number only",
        "files": files,
    }
    t = made_at.astimezone(BEIJING)
    stamp = (t.year, t.month, t.day, t.hour, t.minute, t.second)

    def entry(name: str) -> zipfile.ZipInfo:
        info = zipfile.ZipInfo(name, date_time=stamp)
        info.compress_type = zipfile.ZIP_DEFLATED
        return info

    out = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, part in parts.items():
            with part.file, z.open(entry(name), "w") as dest:
                shutil.copyfileobj(part.file, dest, CHUNK)
        z.writestr(
            entry("manifest.json"),
            json.dumps(manifest, ensure_ascii=False, indent=2).encode() + b"\n",
        )
    digest = hashlib.sha256()
    out.seek(0)
    while chunk := out.read(CHUNK):
        digest.update(chunk)
    out.seek(0)
    return Export(
        file=out,
        sha256=digest.hexdigest(),
        rows=sum(part.rows for part in parts.values()),
        files=[{k: f[k] for k in ("name", "sha256", "bytes", "rows")} for f in files],
    )
