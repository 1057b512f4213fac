"""An order's voucher (the machine-readable .tlog-proof, a printable page and a PDF) and its
evidence bundle (a ZIP for a dispute: records, attachments, voucher, checkpoint, key, summary).

Who may have them: the order's buyer and seller, and the platform operator (the parties, and
the platform that must produce records in a dispute, ECL Art. 31, 62). Issue 5's mediators get
them for the cases assigned to them, through the same `can_see` rule.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from typing import Any

import segno
from django.conf import settings
from django.utils import timezone

from anxin.accounts.models import User
from anxin.evidence import bundles, keys, merkle, spans, store
from anxin.evidence.models import Attachment, Record
from anxin.orders.events import order_chain
from anxin.orders.models import Order
from anxin.orders.selectors import order_for


@dataclass(frozen=True)
class OrderVoucher:
    order: Order
    text: str  # the .tlog-proof
    records: list[dict[str, Any]]  # every record it proves, oldest first
    index: int  # the log entry of the latest one
    leaf: bytes
    size: int  # the checkpoint's tree size
    checkpoint: str
    # The latest record's salt: it opens that record, so the page the QR code leads to can say
    # which order it is about. Whoever holds the voucher may read what it proves.
    opening: bytes

    @property
    def check_url(self) -> str:
        """What the QR code holds: the public page that shows the entry is in the log and, opened
        with the record's salt, which order it is of."""
        base = settings.ANXIN_SITE_URL.rstrip("/")
        url = f"{base}/log/verify/{self.index}?leaf={self.leaf.hex()}"
        return f"{url}&open={self.opening.hex()}" if self.opening else url

    def qr_svg(self) -> str:
        return segno.make(self.check_url, error="m").svg_inline(scale=3, border=2)

    def qr_png(self) -> bytes:
        buf = io.BytesIO()
        segno.make(self.check_url, error="m").save(buf, kind="png", scale=6, border=2)
        return buf.getvalue()


def order_voucher(actor: User, number: str) -> OrderVoucher:
    order = order_for(actor, number)
    cv = store.voucher_for_chain(order_chain(order))
    last = cv.covered[-1]
    return OrderVoucher(
        order=order,
        text=cv.text,
        records=[json.loads(r.body) for r in cv.covered],
        index=cv.index,
        leaf=merkle.leaf_hash(bytes(last.entry)),
        size=cv.head.size,
        checkpoint=cv.head.note,
        opening=bytes(last.salt or b""),
    )


# --- PDF -------------------------------------------------------------------------------------


def voucher_pdf(v: OrderVoucher, *, title: str, lines: list[tuple[str, str]]) -> bytes:
    """A one-page printable voucher. Chinese text uses the PDF standard CID font STSong-Light,
    which every PDF reader supplies: nothing to download or embed, so it works offline."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, invariant=True)
    c.setTitle(title)
    width, height = A4
    y = height - 60
    c.setFont("STSong-Light", 18)
    c.drawString(50, y, title)
    y -= 30
    c.setFont("STSong-Light", 10)
    for label, value in lines:
        for i, chunk in enumerate(_wrap(value, 60)):
            c.drawString(50, y, label if i == 0 else "")
            c.drawString(190, y, chunk)
            y -= 15
            if y < 200:
                c.showPage()
                c.setFont("STSong-Light", 10)
                y = height - 60
    c.drawImage(ImageReader(io.BytesIO(v.qr_png())), width - 200, 40, 150, 150)
    c.setFont("Courier", 7)
    yy = 180
    for line in v.checkpoint.splitlines():
        for chunk in _wrap(line, 70):
            c.drawString(50, yy, chunk)
            yy -= 9
    c.showPage()
    c.save()
    return buf.getvalue()


def _wrap(text: str, n: int) -> list[str]:
    text = str(text)
    return [text[i : i + n] for i in range(0, len(text), n)] or [""]


# --- evidence bundle ---------------------------------------------------------------------------


def evidence_bundle(v: OrderVoucher, *, summary_html: str) -> bytes:
    """The ZIP a party or a mediator takes to a dispute. Its manifest lists every file with
    its SHA-256; the records verify against the voucher, the voucher against the key."""
    order = v.order
    files: dict[str, bytes] = {}
    files["summary.html"] = summary_html.encode()
    files["voucher.tlog-proof"] = v.text.encode()
    files["checkpoint.txt"] = v.checkpoint.encode()
    files["log-key.vkey"] = (keys.log_verifier().vkey() + "\n").encode()
    records = list(Record.objects.filter(chain=order_chain(order)).order_by("id"))
    indices = spans.index_of(r.pk for r in records)
    for n, r in enumerate((r for r in records if r.pk in indices), 1):
        files[f"records/{n:04d}-{r.kind}.json"] = json.dumps(
            {
                "log_index": indices[r.pk],
                "record": json.loads(r.body),
                "salt": bytes(r.salt).hex() if r.salt is not None else None,
                "entry": bytes(r.entry).decode(),
            },
            ensure_ascii=False,
            indent=2,
            sort_keys=True,
        ).encode()
    shas = {
        rec["attachment"]["sha256"]
        for rec in v.records
        if rec.get("kind") == "chat.message" and rec.get("attachment")
    }
    for att in Attachment.objects.filter(sha256__in=shas, erased_at=None):
        name = bundles.member("attachments", att.sha256, att.content_type)
        if name not in files and att.file:
            with att.file.open("rb") as f:
                files[name] = f.read()
    manifest = {
        "order": order.number,
        "made_at": timezone.now().isoformat(),
        "log_origin": keys.log_verifier().name,
        "checkpoint_size": v.size,
        "verify": "anxin verify voucher.tlog-proof --key log-key.vkey",
    }
    return bundles.pack(order.number, files, manifest)
