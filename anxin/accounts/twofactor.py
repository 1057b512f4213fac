"""The second factor of operators and regulators (settings.ANXIN_2FA_ROLES), with django-otp:
a TOTP authenticator app (enrolled by a QR code), and ten single-use backup codes.

Backup codes are shown once and kept only as a keyed digest (HMAC-SHA-256 with a key in
ANXIN_KEYS_DIR, not in the database, cut to 80 bits): a copy of the database alone gives no
code that signs in, and a code of 40 random bits cannot be found from its digest without the
key. django-otp's static device compares what it is given with what it stores, so Anxin hands
it the digest of the code typed.

The password alone never makes such a session: the sign-in page keeps the account as pending
(in the session, not signed in) until the code is given, and a staff member with no app yet
enrols one there before reaching any page. A session of such a role that has no verified
device (made before this rule, or by any other path) counts as no session at all
(SecondFactorMiddleware), so no desk page and no API call is reached without both factors.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Callable
from typing import Any

import segno
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils.functional import SimpleLazyObject
from django_otp import devices_for_user
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from anxin.accounts.models import User
from anxin.core.keyfile import secret_key

BACKUP_CODES = 10
APP_NAME = "authenticator"
BACKUP_NAME = "backup"


def required(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.role in settings.ANXIN_2FA_ROLES


def enrolled(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def verify(user: User, token: str) -> Device | None:
    """The device `token` is a current code (or an unused backup code) of, else None. Each
    device throttles wrong codes itself (django-otp: each failure doubles the wait)."""
    token = re.sub(r"[\s-]", "", str(token or "")).lower()
    if not token or len(token) > 16:
        return None
    for device in devices_for_user(user, confirmed=True):
        if device.verify_token(backup_digest(token) if isinstance(device, StaticDevice) else token):
            return device
    return None


def backup_digest(code: str) -> str:
    """What is stored of a backup code: 16 base32 characters (80 bits) of its HMAC."""
    mac = hmac.new(secret_key("backup-code.key"), code.encode(), hashlib.sha256).digest()
    return base64.b32encode(mac[:10]).decode().lower()


@transaction.atomic
def enrol_start(user: User) -> TOTPDevice:
    """The app being enrolled: the same one until it is confirmed (a reload shows the same QR
    code), a new one only if none is pending."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False, name=APP_NAME).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=APP_NAME, confirmed=False)
    return device


def enrol_confirm(user: User, token: str) -> tuple[TOTPDevice, list[str]] | None:
    """Confirms the pending app with its first code; returns it and new backup codes. The app
    replaces any other the account had. None if the code is wrong."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False, name=APP_NAME).first()
    token = re.sub(r"\s", "", str(token or ""))
    if device is None or not device.verify_token(token):
        return None
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = backup_codes_renew(user)
    return device, codes


@transaction.atomic
def backup_codes_renew(user: User) -> list[str]:
    """Ten new backup codes, each good once; the old ones stop working."""
    device, _ = StaticDevice.objects.get_or_create(
        user=user, name=BACKUP_NAME, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODES)]
    StaticToken.objects.bulk_create(
        [StaticToken(device=device, token=backup_digest(c)) for c in codes]
    )
    return codes


def backup_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def qr_data_uri(device: TOTPDevice) -> str:
    """The enrolment QR code (otpauth:// URI) as an SVG data: URI, for an <img>."""
    return segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=2)


def secret_text(device: TOTPDevice) -> str:
    """The TOTP secret in base32, in groups of four, for typing into an app by hand."""
    import base64

    raw = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(raw[i : i + 4] for i in range(0, len(raw), 4))


class SecondFactorMiddleware:
    """After django-otp's OTPMiddleware: the session of a role that needs a second factor but
    was not verified with one is treated as signed out."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # Lazy, as Django's own request.user: a request that never looks at its user (a
        # bearer-token API call, a static file) costs no query here either.
        user = request.user
        request.user = SimpleLazyObject(lambda: _gate(user))  # type: ignore[assignment]
        return self.get_response(request)


def _gate(user: Any) -> Any:
    if required(user) and not user.is_verified():
        return AnonymousUser()
    return user
