"""The password reset mail, sent by a worker (tasks.password_reset_mail_task, queued by
services.password_reset_request): the link in it is made when it is sent."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from anxin.accounts.models import User


def password_reset_link(user: User) -> str:
    # The token is made when the mail is sent, never stored: it is an HMAC of the password
    # hash, the last sign-in and the time, so it dies with its first use and with age.
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return settings.ANXIN_SITE_URL + reverse("web:password_reset_link", args=[uid, token])


def password_reset_mail(*, user_id: int) -> str:
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.email:
        return "no address"
    with translation.override(user.preferred_language or "zh-hans"):
        subject = "[Anxin] " + _("Reset your password")
        body = _(
            "Someone asked to reset the password of your Anxin account %(username)s. If it "
            "was you, open this link within %(minutes)s minutes to choose a new password:"
        ) % {"username": user.username, "minutes": settings.ANXIN_PASSWORD_RESET_MINUTES}
        body += "\n\n" + password_reset_link(user) + "\n\n"
        body += _("If it was not you, ignore this mail: your password stays as it is.") + "\n"
    send_mail(subject, body, settings.ANXIN_EMAIL_FROM, [user.email])
    return "sent"
