"""How an order's records read to a person: the timeline's event kinds and the evidence
log's records, in the reader's language. The voucher's PDF and the evidence bundle's summary
need them in Python; the web shell's template library shows them on pages."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


def _labels() -> dict[str, object]:
    return {
        "created": gettext_lazy("Order placed"),
        "paid": gettext_lazy("Payment received, held in escrow"),
        "payment_failed": gettext_lazy("Payment failed"),
        "shipped": gettext_lazy("Shipped"),
        "confirmed": gettext_lazy("Receipt confirmed, seller paid"),
        "cancelled": gettext_lazy("Cancelled"),
        "refunded": gettext_lazy("Refunded from escrow"),
        "refund_succeeded": gettext_lazy("Refund paid out"),
        "refund_failed": gettext_lazy("Refund failed at the payment provider"),
        "late_payment_returned": gettext_lazy("Late payment returned"),
        "refund_request_opened": gettext_lazy("Refund requested"),
        "refund_request_closed": gettext_lazy("Refund request closed"),
        "dispute_opened": gettext_lazy("Dispute opened"),
        "dispute_closed": gettext_lazy("Dispute closed"),
        "delivered": gettext_lazy("Delivered: signed for by the buyer"),
        "after_sale_requested": gettext_lazy("After-sales request made"),
        "after_sale_approved": gettext_lazy("After-sales request approved"),
        "after_sale_refused": gettext_lazy("After-sales request refused"),
        "after_sale_withdrawn": gettext_lazy("After-sales request withdrawn"),
        "after_sale_lapsed": gettext_lazy("After-sales request lapsed"),
        "after_sale_return_shipped": gettext_lazy("Goods sent back"),
        "after_sale_return_received": gettext_lazy("Returned goods received"),
        "after_sale_refunded": gettext_lazy("After-sales refund paid"),
        "after_sale_reshipped": gettext_lazy("Repaired or replacement item sent"),
        "after_sale_escalated": gettext_lazy("Taken to a dispute"),
        "after_sale_opened": gettext_lazy("After-sales request opened"),
        "after_sale_closed": gettext_lazy("After-sales request closed"),
        "seller_debt_recorded": gettext_lazy("Refund shortfall recorded as the seller's debt"),
        "seller_debt_repaid": gettext_lazy("Seller's debt repaid to the buyer"),
        "buyer_credited": gettext_lazy("Credited to the buyer's funds with Anxin"),
        "reviewed": gettext_lazy("Reviewed by the buyer"),
        "review_followup": gettext_lazy("Follow-up review"),
        "review_reply": gettext_lazy("The seller replied to the review"),
        "review_hidden": gettext_lazy("Review hidden by the operator"),
        "dispute_filed": gettext_lazy("Complaint filed"),
    }


def event_label(kind: str) -> str:
    return str(_labels().get(kind, kind))


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
