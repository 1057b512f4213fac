"""A notice's e-mail."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone, translation

from anxin.notices.models import Notification
from anxin.notices.texts import notice_text, notice_url


def notice_email(*, notification_id: int) -> str:
    """Send one notice's e-mail, once, in the reader's language."""
    n = Notification.objects.select_related("user").filter(pk=notification_id).first()
    if n is None:
        return "gone"
    if n.emailed_at is not None:
        return "already sent"
    if not n.user.email:
        return "no address"
    with translation.override(n.user.preferred_language or "zh-hans"):
        body = f"{notice_text(n)}\n\n{settings.ANXIN_SITE_URL}{notice_url(n)}\n"
        subject = f"[Anxin] {notice_text(n)}"[:120]
    send_mail(subject, body, settings.ANXIN_EMAIL_FROM, [n.user.email])
    Notification.objects.filter(pk=n.pk).update(emailed_at=timezone.now())
    return "sent"
