"""The order's voucher and evidence bundle as downloads, served alike by the order's pages
and its API (each only finds the voucher for its reader and hands it here)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from anxin.orders import chat, vouchers
from anxin.orders.labels import record_label, record_time


def voucher_lines(v: vouchers.OrderVoucher) -> list[tuple[str, str]]:
    """The voucher's facts as (label, value) lines, in the reader's language: the PDF's body
    and the evidence bundle's summary."""
    o = v.order
    shop = getattr(getattr(o.seller, "seller_profile", None), "shop_name", "") or str(o.seller)
    return [
        (_("Order"), o.number),
        (_("Item"), o.snapshot.title),
        (_("Seller"), shop),
        (_("Amount"), f"¥{o.amount_fen / 100:.2f} ({o.quantity} × ¥{o.unit_price_fen / 100:.2f})"),
        (_("Placed at"), f"{timezone.localtime(o.created_at):%Y-%m-%d %H:%M}"),
        (_("Records proven"), str(len(v.records))),
        (_("Log entry"), str(v.index)),
        (_("Checkpoint size"), str(v.size)),
        *((record_label(r["kind"]), record_time(r["at"])) for r in v.records),
    ]


def voucher_pdf_response(v: vouchers.OrderVoucher) -> HttpResponse:
    """The voucher as a PDF to print or send, shown in the browser."""
    pdf = vouchers.voucher_pdf(
        v, title=_("Anxin shopping voucher") + f" {v.order.number}", lines=voucher_lines(v)
    )
    resp = HttpResponse(pdf, content_type="application/pdf")
    resp["Content-Disposition"] = f'inline; filename="anxin-voucher-{v.order.number}.pdf"'
    return resp


def voucher_proof_response(v: vouchers.OrderVoucher) -> HttpResponse:
    """The machine-readable voucher as a download; the page and the API both serve it so."""
    resp = HttpResponse(v.text, content_type="text/plain; charset=utf-8")
    resp["Content-Disposition"] = f'attachment; filename="{v.order.number}.tlog-proof"'
    return resp


def bundle_response(request: HttpRequest, v: vouchers.OrderVoucher) -> HttpResponse:
    """The evidence bundle as a download; the page and the API both serve it this way."""
    summary = render_to_string(
        "orders/evidence_summary.html",
        {
            "v": v,
            "order": v.order,
            "lines": voucher_lines(v),
            "messages_list": chat.messages_of(v.order),
        },
        request=request,
    )
    data = vouchers.evidence_bundle(v, summary_html=summary)
    resp = HttpResponse(data, content_type="application/zip")
    resp["Content-Disposition"] = f'attachment; filename="anxin-evidence-{v.order.number}.zip"'
    return resp
