"""Limits on what one person or one address can try: sign-in failures (django-axes, with the
lock decided here), and hourly quotas for sign-ups and password-reset requests.

Sign-in failures are remembered a day (AXES_COOLOFF_TIME) per user name and per address.
A name is locked once ANXIN_SIGNIN_FAILURES of them fall within that day, for
ANXIN_SIGNIN_LOCK_MINUTES after the last failure, and every further failure doubles the wait,
up to a day; an address likewise after ANXIN_SIGNIN_ADDRESS_FAILURES. A locked attempt is
refused before the password hasher runs (each check costs the server most of a second of CPU
with PBKDF2) and is not recorded, so a lock cannot be kept up by hammering it. The lock reads
the same for names that exist and names that do not.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import math
from typing import Any

from axes.backends import AxesStandaloneBackend
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db import transaction
from django.db.models import F, Max, QuerySet, Sum
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from anxin.accounts.models import RateWindow
from anxin.core.errors import Msg, RateLimited, msg

# How many times the first lock a run of failures can wait, at most (2**10 > a day / 15 min).
_MAX_DOUBLINGS = 10


class TooManyAttempts(RateLimited):
    code = "too_many_attempts"
    title = "Too many attempts"

    def __init__(self, detail: str | Msg, *, retry_after: int, code: str | None = None) -> None:
        super().__init__(detail, code=code, extra={"retry_after": retry_after})
        self.retry_after = retry_after

    @property
    def minutes(self) -> int:
        return max(1, math.ceil(self.retry_after / 60))


def client_address(request: HttpRequest) -> str:
    """The address a limit counts against. Behind ANXIN_PROXY_COUNT proxies it is the one the
    outermost proxy saw (what a client writes into X-Forwarded-For itself comes before it and
    is ignored). An IPv6 client counts as its /64, which one subscriber usually holds whole.
    Requests whose address cannot be read share one count rather than escaping all counts."""
    raw = request.META.get("REMOTE_ADDR") or ""
    hops = settings.ANXIN_PROXY_COUNT
    if hops:
        forwarded = [
            a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()
        ]
        if len(forwarded) >= hops:
            raw = forwarded[-hops]
    try:
        ip = ipaddress.ip_address(raw)
    except ValueError:
        return "0.0.0.0"  # noqa: S104 (an address to count against, not one to bind)
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, 64), strict=False).network_address)
    return str(ip)


def signin_name(request: HttpRequest, credentials: dict[str, Any] | None) -> str:
    """The user name a failure counts against, as Anxin compares names (case-insensitively),
    cut to what the attempts table holds: no name typed can make the throttle fail."""
    if credentials:
        value = credentials.get("username")
    else:
        value = request.POST.get("username")
    return str(value or "").replace("\x00", "").strip().lower()[:150]


def lockout_response(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    # The sign-in page, the token endpoint and the password change answer a lock themselves,
    # in the reader's language or as problem+json; axes' middleware lets that answer through.
    if original_response is not None:
        return original_response
    return HttpResponse("Too many attempts. Try again later.", status=429)


class SignInBackend(AxesStandaloneBackend):
    """axes' gate in front of ModelBackend. Every sign-in Anxin performs passes the request;
    only Django's test client and scripts authenticate without one, and are not throttled."""

    def authenticate(  # type: ignore[override]
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> None:
        if request is None:
            return None
        return super().authenticate(request, username, password, **kwargs)


def _lock_end(attempts: QuerySet[AccessAttempt], limit: int) -> dt.datetime | None:
    got = attempts.aggregate(n=Sum("failures_since_start"), last=Max("attempt_time"))
    n, last = got["n"] or 0, got["last"]
    if n < limit or last is None:
        return None
    first = dt.timedelta(minutes=settings.ANXIN_SIGNIN_LOCK_MINUTES)
    memory = dt.timedelta(hours=settings.AXES_COOLOFF_TIME)
    return last + min(first * 2 ** min(n - limit, _MAX_DOUBLINGS), memory)


def locked_until(request: Any, credentials: dict[str, Any] | None = None) -> dt.datetime | None:
    """When the lock on this request's name or address ends; None if neither is locked."""
    now = request.axes_attempt_time or timezone.now()
    recent = AccessAttempt.objects.filter(
        attempt_time__gte=now - dt.timedelta(hours=settings.AXES_COOLOFF_TIME)
    )
    ends = [
        _lock_end(
            recent.filter(username=get_client_username(request, credentials)),
            settings.ANXIN_SIGNIN_FAILURES,
        ),
        _lock_end(
            recent.filter(ip_address=request.axes_ip_address),
            settings.ANXIN_SIGNIN_ADDRESS_FAILURES,
        ),
    ]
    live = [end for end in ends if end is not None and end > now]
    return max(live) if live else None


class SignInHandler(AxesDatabaseHandler):
    """axes' database handler with Anxin's lock: per name and per address, each with its own
    limit, and a wait that grows with the failures (axes alone has one limit and one wait)."""

    def get_failures(self, request: Any, credentials: dict[str, Any] | None = None) -> int:
        until = locked_until(request, credentials)
        request.anxin_locked_until = until
        # axes locks when this reaches its limit: report the limit while locked, else nothing.
        return get_failure_limit(request, credentials) if until else 0


def signin_refused(request: HttpRequest) -> TooManyAttempts | None:
    """The error for a sign-in axes refused or that tripped the lock, else None."""
    if not getattr(request, "axes_locked_out", False):
        return None
    until = getattr(request, "anxin_locked_until", None)
    wait = (
        (until - timezone.now()).total_seconds()
        if until
        else 60 * settings.ANXIN_SIGNIN_LOCK_MINUTES
    )
    return TooManyAttempts(
        msg(
            "too many failed sign-ins for this user name or from this "
            "address; try again in {minutes} minutes",
            minutes=max(1, math.ceil(wait / 60)),
        ),
        retry_after=max(1, math.ceil(wait)),
    )


def quota_take(*, scope: str, key: str, limit: int) -> int:
    """Count one request against (scope, key) in the current hour. Returns 0 if it is within
    `limit`, else the seconds until the hour ends. The count is committed even if the caller's
    work fails afterwards: a refused sign-up is what the quota is there to count."""
    now = timezone.now()
    start = now.replace(minute=0, second=0, microsecond=0)
    with transaction.atomic():
        row, _ = RateWindow.objects.get_or_create(scope=scope, key=key[:64], start=start)
        RateWindow.objects.filter(pk=row.pk).update(count=F("count") + 1)
        count = RateWindow.objects.filter(pk=row.pk).values_list("count", flat=True).get()
    if count <= limit:
        return 0
    return max(1, math.ceil((start + dt.timedelta(hours=1) - now).total_seconds()))
