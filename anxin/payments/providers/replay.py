"""The replay store shared by the real providers' notification checks.

A provider signs each delivery of a notification with a fresh nonce (WeChat Pay's
Wechatpay-Nonce) or a fresh notify id and time (Alipay). A signed message presented a second
time is therefore not the provider retrying but somebody replaying what they captured: it is
refused. The store is a table (NotificationNonce), so every worker process sees the same nonces;
its unique index decides between two copies arriving at once. Rows older than KEEP are pruned
now and then: a replay older than that is refused by its timestamp (WeChat Pay) or, at worst,
de-duplicated by the notification's id in notification_receive.
"""

from __future__ import annotations

import datetime as dt
import random

from django.db import IntegrityError, transaction
from django.utils import timezone

from anxin.payments.models import NotificationNonce
from anxin.payments.providers.base import NotificationRejected

KEEP = dt.timedelta(days=2)
# One check in this many also prunes the old rows (a cheap indexed DELETE).
PRUNE_ONE_IN = 200
_rng = random.Random()


def nonce_once(provider: str, nonce: str, *, now: dt.datetime | None = None) -> None:
    """Record `nonce` as seen for `provider`; raise NotificationRejected('replayed_nonce') if it
    was seen before. Call it only after the signature has verified: an unauthenticated sender
    must not be able to burn nonces."""
    now = now or timezone.now()
    try:
        with transaction.atomic():
            NotificationNonce.objects.create(provider=provider, nonce=nonce[:128], seen_at=now)
    except IntegrityError:
        raise NotificationRejected("replayed_nonce", f"nonce {nonce[:40]} seen before") from None
    if _rng.randrange(PRUNE_ONE_IN) == 0:
        prune(now=now)


def prune(*, now: dt.datetime | None = None) -> int:
    """Forget the nonces older than KEEP. Returns how many were dropped."""
    cutoff = (now or timezone.now()) - KEEP
    deleted, _ = NotificationNonce.objects.filter(seen_at__lt=cutoff).delete()
    return deleted
