"""Signing up and in with a mainland mobile number and a one-time code sent by SMS.

A code is six digits from `secrets`, kept only as an HMAC (key: `phone-code.key` in
ANXIN_KEYS_DIR, made on first use). It works once, for ANXIN_SMS_CODE_MINUTES, and
ANXIN_SMS_CODE_TRIES wrong guesses burn it; asking for a new one burns the one before. Sending
is limited per number (one a minute, ANXIN_SMS_PER_NUMBER_HOUR an hour, ..._DAY a day) and per
client address (ANXIN_SMS_PER_ADDRESS_HOUR, ..._DAY), counted from the codes sent, so every
worker sees the same count and a refusal costs a read.

Nothing tells whether a number has an account before its code is entered: the answer to
"send me a code" is the same, and limited the same, either way. The right code then signs in
the account with that number, or makes a new buyer account for it (sign-up). Staff never sign
in by code: their password and second factor stay the way in (accounts.twofactor).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import math
import re
import secrets
import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from anxin.accounts.models import SELF_SERVICE_ROLES, PhoneCode, RateWindow, Role, User
from anxin.accounts.throttle import TooManyAttempts
from anxin.core.errors import Conflict, DomainError, Forbidden, ValidationFailed, msg
from anxin.core.keyfile import secret_key
from anxin.sms.providers import SmsNotSent, get_provider

log = logging.getLogger(__name__)

MOBILE = re.compile(r"1[3-9][0-9]{9}")
CODE_DIGITS = 6
# At most one code a minute to one number.
RESEND_SECONDS = 60
_SEPARATORS = re.compile(r"[\s\-().]")


class SmsUnavailable(DomainError):
    status = 503
    code = "sms_unavailable"
    title = "SMS unavailable"


def _digest(number: str, code: str) -> str:
    return hmac.new(
        secret_key("phone-code.key"), f"{number}:{code}".encode(), hashlib.sha256
    ).hexdigest()


def normalise_number(raw: str) -> str:
    """The 11 digits of a mainland mobile number, from what a person types: full-width digits,
    spaces, dashes, brackets, and a leading +86, 0086 or 86 are all taken as meant."""
    value = unicodedata.normalize("NFKC", str(raw or "")).replace("\x00", "")
    value = _SEPARATORS.sub("", value)
    for prefix in ("+86", "0086", "86"):
        if value.startswith(prefix) and len(value) == 11 + len(prefix):
            value = value[len(prefix) :]
            break
    if not MOBILE.fullmatch(value):
        raise ValidationFailed(
            "phone: not a mainland China mobile number (11 digits starting with 1, e.g. "
            "139 0000 1111)",
            code="phone_invalid",
            field="phone",
        )
    return value


@dataclass(frozen=True)
class CodeSent:
    number: str
    expires_in: int  # seconds
    resend_after: int  # seconds


def _wait(times: list[dt.datetime], limit: int, window: dt.timedelta, now: dt.datetime) -> int:
    """Seconds until fewer than `limit` of `times` (newest first) fall within `window`."""
    if len(times) < limit:
        return 0
    return max(1, math.ceil((times[limit - 1] + window - now).total_seconds()))


def _recent(rows: QuerySet[PhoneCode], since: dt.datetime, limit: int) -> list[dt.datetime]:
    return list(
        rows.filter(created_at__gt=since)
        .order_by("-created_at")
        .values_list("created_at", flat=True)[:limit]
    )


def _limits_wait(number: str, address: str, now: dt.datetime) -> tuple[int, str]:
    hour, day = dt.timedelta(hours=1), dt.timedelta(days=1)
    by_number = PhoneCode.objects.filter(number=number)
    by_address = PhoneCode.objects.filter(address=address)
    checks = [
        (by_number, dt.timedelta(seconds=RESEND_SECONDS), 1, "number"),
        (by_number, hour, settings.ANXIN_SMS_PER_NUMBER_HOUR, "number"),
        (by_number, day, settings.ANXIN_SMS_PER_NUMBER_DAY, "number"),
        (by_address, hour, settings.ANXIN_SMS_PER_ADDRESS_HOUR, "address"),
        (by_address, day, settings.ANXIN_SMS_PER_ADDRESS_DAY, "address"),
    ]
    longest, scope = 0, ""
    for rows, window, limit, what in checks:
        wait = _wait(_recent(rows, now - window, limit), limit, window, now)
        if wait > longest:
            longest, scope = wait, what
    return longest, scope


def _lock_number(number: str) -> None:
    """Serialises code requests for one number (two at once cannot both pass the limits): a
    row lock on a fixed RateWindow row of the number, made on first use."""
    epoch = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
    RateWindow.objects.get_or_create(scope="sms-lock", key=number, start=epoch)
    RateWindow.objects.select_for_update().filter(scope="sms-lock", key=number, start=epoch).first()


def code_send(*, phone: str, address: str) -> CodeSent:
    """Sends a new sign-in code to `phone`, if the limits allow, and burns any code sent to it
    before. The same answer whether or not an account has this number."""
    number = normalise_number(phone)
    address = (address or "0.0.0.0")[:64]  # noqa: S104 (an address to count against)
    minutes = settings.ANXIN_SMS_CODE_MINUTES
    with transaction.atomic():
        _lock_number(number)
        now = timezone.now()
        wait, scope = _limits_wait(number, address, now)
        if wait and scope == "number":
            raise TooManyAttempts(
                msg(
                    "phone: too many codes sent to this number; ask again in {seconds} seconds",
                    seconds=wait,
                ),
                retry_after=wait,
                code="too_many_codes",
            )
        if wait:
            raise TooManyAttempts(
                msg(
                    "phone: too many codes asked for from this address; ask again in "
                    "{seconds} seconds",
                    seconds=wait,
                ),
                retry_after=wait,
                code="too_many_codes",
            )
        code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
        PhoneCode.objects.filter(number=number, spent_at__isnull=True).update(spent_at=now)
        row = PhoneCode.objects.create(
            number=number,
            digest=_digest(number, code),
            address=address,
            created_at=now,
            expires_at=now + dt.timedelta(minutes=minutes),
        )
    try:
        get_provider().send_code(number=number, code=code, minutes=minutes)
    except SmsNotSent as e:
        log.warning("sign-in code not sent (%s)", e.code)
        # Burnt, but still counted: a failing provider is not hammered.
        PhoneCode.objects.filter(pk=row.pk).update(spent_at=timezone.now())
        raise SmsUnavailable(
            "phone: the text message could not be sent; try again in a few minutes",
            field="phone",
        ) from None
    return CodeSent(number=number, expires_in=minutes * 60, resend_after=RESEND_SECONDS)


def code_check(*, phone: str, code: str) -> str:
    """Spends the live code of `phone` if `code` is it; returns the number. A wrong guess
    counts against the code (ANXIN_SMS_CODE_TRIES burn it); wrong, used, expired and never
    sent read the same."""
    number = normalise_number(phone)
    code = re.sub(r"\s", "", unicodedata.normalize("NFKC", str(code or "")))
    wrong = ValidationFailed(
        "code: wrong or expired; ask for a new code", code="code_wrong", field="code"
    )
    now = timezone.now()
    with transaction.atomic():
        row = (
            PhoneCode.objects.select_for_update()
            .filter(number=number, spent_at__isnull=True, expires_at__gt=now)
            .order_by("-created_at")
            .first()
        )
        if row is None:
            raise wrong
        if hmac.compare_digest(row.digest, _digest(number, code)):
            row.spent_at = now
            row.save(update_fields=["spent_at"])
            return number
        row.tries += 1
        if row.tries >= settings.ANXIN_SMS_CODE_TRIES:
            row.spent_at = now
        row.save(update_fields=["tries", "spent_at"])
    # The wrong try stays counted: the transaction above has committed.
    raise wrong


def _new_username() -> str:
    while True:
        name = "buyer-" + "".join(
            secrets.choice("abcdefghjkmnpqrstuvwxyz23456789") for _ in range(8)
        )
        if not User.objects.filter(username__iexact=name).exists():
            return name


def phone_sign_in(*, phone: str, code: str) -> tuple[User, bool]:
    """The account of the number whose code this is, signed in; or, if the number has none, a
    new buyer account with it (True: it was just made). Staff accounts are refused: they sign
    in with their password and second factor."""
    number = code_check(phone=phone, code=code)
    user = User.objects.filter(phone=number).first()
    if user is None:
        user = User(username=_new_username(), role=Role.BUYER, phone=number)
        user.display_name = user.username
        user.set_unusable_password()
        try:
            with transaction.atomic():
                user.save()
        except IntegrityError:  # the same number signed up a moment ago, from elsewhere
            user = User.objects.get(phone=number)
        else:
            return user, True
    if user.role not in SELF_SERVICE_ROLES:
        raise Forbidden(
            "phone: staff accounts sign in with their user name, password and second factor",
            code="phone_staff",
            field="phone",
        )
    if not user.is_active:
        raise Forbidden("phone: this account is closed", code="account_closed", field="phone")
    return user, False


def codes_purge(now: dt.datetime) -> int:
    """Codes older than the longest sending window (a day) count for nothing any more; nor
    do the sandbox's copies of the texts."""
    from anxin.sms.providers.sandbox import sandbox_purge

    n, _ = PhoneCode.objects.filter(created_at__lt=now - dt.timedelta(days=1)).delete()
    sandbox_purge(now)
    return n


def phone_attach(*, user: User, phone: str, code: str) -> User:
    """Add a mobile number, proven by the code texted to it, to an account that has none (or
    change it): a password account that wants to complain to a regulator, for one. A number
    another account signs in with is refused."""
    number = code_check(phone=phone, code=code)
    if User.objects.filter(phone=number).exclude(pk=user.pk).exists():
        raise Conflict(
            "phone: this number belongs to another account; sign in with it instead",
            code="phone_taken",
            field="phone",
        )
    try:
        with transaction.atomic():
            User.objects.filter(pk=user.pk).update(phone=number)
    except IntegrityError:  # the number signed up a moment ago, from elsewhere
        raise Conflict(
            "phone: this number belongs to another account; sign in with it instead",
            code="phone_taken",
            field="phone",
        ) from None
    user.phone = number
    return user
