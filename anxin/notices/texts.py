"""What each notice says, in the reader's language, and where it links. `{case}` and
`{number}` are the number of the notice's subject (a case's number for the dispute desk's
notices, an order's for the order's); `{due}` its `due_at` parameter, in Beijing time; any
other placeholder one of its text parameters (a parcel's `{carrier}` and `{tracking}`)."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy

from anxin.notices.models import Notification

TEXTS = {
    "filed": gettext_lazy(
        "Case {case}: a buyer has filed a complaint against you. Answer it in time."
    ),
    "answered": gettext_lazy("Case {case}: the seller has answered."),
    "mediation": gettext_lazy("Case {case} has gone to mediation."),
    "proposed": gettext_lazy(
        "Case {case}: the mediator proposes a settlement. Accept or refuse it."
    ),
    "accepted": gettext_lazy(
        "Case {case}: the other party has accepted the proposal; yours is awaited."
    ),
    "adjudication": gettext_lazy("Case {case} has gone to adjudication. Submit your evidence."),
    "evidence": gettext_lazy("Case {case}: new evidence is on the file."),
    "evidence_closed": gettext_lazy("Case {case}: the evidence is closed; a decision follows."),
    "decided": gettext_lazy("Case {case} has been decided. You may appeal once."),
    "appealed": gettext_lazy("Case {case} has been appealed; a panel has been drawn."),
    "paid": gettext_lazy("Case {case} is closed; the remedy has been paid."),
    "admitted": gettext_lazy(
        "Case {case}: the complaint has been admitted; the desk will decide it on the file."
    ),
    "not_admitted": gettext_lazy(
        "Case {case} was not admitted: the file does not show the sale. The buyer may still "
        "complain to the market regulator (12315), ask the consumer association to mediate, "
        "or sue."
    ),
    "refunded_closed": gettext_lazy(
        "Case {case} is closed: the buyer has been refunded in full, which is what was claimed."
    ),
    "refunded_open": gettext_lazy(
        "Case {case}: the buyer has been refunded; the case goes on for the rest of the claim, "
        "and what it awards is paid less the refund."
    ),
    "withdrawn": gettext_lazy("Case {case} was withdrawn by the buyer."),
    "transferred": gettext_lazy("Case {case} has been transferred to the market regulator."),
    "assigned": gettext_lazy("Case {case} has been assigned to you."),
    "reminder": gettext_lazy("Case {case}: a deadline is near ({due})."),
    "blacklist_notice": gettext_lazy(
        "Notice: Anxin intends to blacklist you. See the grounds and appeal within the deadline."
    ),
    "blacklist_decided": gettext_lazy("The decision on your blacklisting has been made."),
    "reverify": gettext_lazy("Re-verify your identity by {due} to keep selling."),
    "reverify_lapsed": gettext_lazy(
        "Your re-verification is overdue: you cannot take new orders until you verify again."
    ),
    # An order's events, to the party who must act on them or know (never the one who acted).
    "order_paid": gettext_lazy("New order {number} to ship: the buyer has paid. Ship it by {due}."),
    "order_shipped": gettext_lazy(
        "Order {number} has been shipped: {carrier}, tracking number {tracking}."
    ),
    "order_message": gettext_lazy("Order {number}: a new message in the order's chat."),
    "aftersale_requested": gettext_lazy(
        "Order {number}: the buyer has opened an after-sales request. Answer it by {due}: "
        "if you do not, it is approved."
    ),
    "aftersale_approved": gettext_lazy("Order {number}: your after-sales request was approved."),
    "aftersale_refused": gettext_lazy(
        "Order {number}: your after-sales request was refused. You may take it to a dispute."
    ),
    "aftersale_approved_silence": gettext_lazy(
        "Order {number}: the seller did not answer in time, so your after-sales request is "
        "approved."
    ),
    "review_posted": gettext_lazy("Order {number}: the buyer has posted a review."),
    # A seller's withdrawal that did not reach its account: the money is back in its balance.
    # (The provider's reason, in its own words, is kept in the notice's parameters.)
    "payout_failed": gettext_lazy(
        "Your withdrawal of {amount} failed. The money is back in your balance."
    ),
    "payout_returned": gettext_lazy(
        "The bank returned your withdrawal of {amount}. The money is back in your balance."
    ),
}

# Where a notice links: by the kind of its subject, else by its own kind's prefix. Paths, not
# URL names: this app sits below the apps whose pages these are.
SUBJECT_URLS = {"dispute": "/disputes/{number}/", "order": "/orders/{number}"}
KIND_URLS = {
    "reverify": "/seller/verification",
    "blacklist": "/blacklist/",
    "payout": "/seller/payouts",
}


class _Words(dict[str, str]):
    """A text's parameters; one a notice lacks is left blank rather than failing the page."""

    def __missing__(self, key: str) -> str:
        return ""


def notice_text(n: Notification) -> str:
    template = TEXTS.get(n.kind)
    due = ""
    if n.params.get("due_at"):
        due = timezone.localtime(
            timezone.datetime.fromisoformat(n.params["due_at"])  # type: ignore[attr-defined]
        ).strftime("%Y-%m-%d %H:%M")
    if not template:
        return n.kind
    words = {k: v for k, v in n.params.items() if isinstance(v, str) and k.isidentifier()}
    number = n.subject_number
    return str(template).format_map(_Words(words, case=number, number=number, due=due))


def notice_url(n: Notification) -> str:
    for prefix, path in KIND_URLS.items():
        if n.kind.startswith(prefix):
            return path
    pattern = SUBJECT_URLS.get(n.subject_kind)
    return pattern.format(number=n.subject_number) if pattern else "/"
