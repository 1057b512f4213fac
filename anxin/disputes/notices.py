"""What each notice says, in the reader's language, and its e-mail."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy

from anxin.disputes.models import Notification

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
}


def text(n: Notification) -> str:
    template = TEXTS.get(n.kind)
    case = n.dispute.number if n.dispute_id else ""  # type: ignore[union-attr]
    due = ""
    if n.params.get("due_at"):
        due = timezone.localtime(
            timezone.datetime.fromisoformat(n.params["due_at"])  # type: ignore[attr-defined]
        ).strftime("%Y-%m-%d %H:%M")
    return str(template).format(case=case, due=due) if template else n.kind


def url(n: Notification) -> str:
    if n.kind.startswith("reverify"):
        return "/seller/verification"
    if n.kind.startswith("blacklist"):
        return "/blacklist/"
    return f"/disputes/{n.dispute.number}/" if n.dispute_id else "/"  # type: ignore[union-attr]


def send_email(*, notification_id: int) -> str:
    n = Notification.objects.select_related("user", "dispute").filter(pk=notification_id).first()
    if n is None:
        return "gone"
    if n.emailed_at is not None:
        return "already sent"
    if not n.user.email:
        return "no address"
    with translation.override(n.user.preferred_language or "zh-hans"):
        body = f"{text(n)}\n\n{settings.ANXIN_SITE_URL}{url(n)}\n"
        subject = f"[Anxin] {text(n)}"[:120]
    send_mail(subject, body, settings.ANXIN_EMAIL_FROM, [n.user.email])
    Notification.objects.filter(pk=n.pk).update(emailed_at=timezone.now())
    return "sent"


def unread(user: Any) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()
