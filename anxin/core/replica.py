"""Reads from a streaming replica, for the public pages that only read (docs/SCALING.md).

With `ANXIN_REPLICA_DATABASE_URL` set, the database alias `replica` is a hot standby of the
primary. Nothing reads it unless a view asks: `replica_reads` marks a page whose GET only
reads and whose reader can bear the replica's lag (the public seller page, the public
blacklist). Everything that decides (an order, a case, a payment, a payout) keeps reading the
primary, inside the transaction that writes, under its row lock: a replica's lag would let
two machines decide on different states. Writes always go to the primary.

A replica that cannot be reached costs a page nothing but time: the view runs again on the
primary, and the failure is logged. Without the setting, the decorator changes nothing."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps
from typing import Any

from django.conf import settings
from django.db import OperationalError, connections
from django.http import HttpRequest, HttpResponse

REPLICA = "replica"

_reading_replica: ContextVar[bool] = ContextVar("anxin_reading_replica", default=False)
log = logging.getLogger(__name__)


class ReplicaRouter:
    """Reads go to the replica only while a marked view runs; everything else is the
    primary's (None: Django's default alias). The replica is never migrated: it replays the
    primary's schema."""

    def db_for_read(self, model: Any, **hints: Any) -> str | None:
        return REPLICA if _reading_replica.get() else None

    def db_for_write(self, model: Any, **hints: Any) -> str | None:
        return None

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        # The same rows on both aliases: an object read from the replica may be related to
        # one read from the primary.
        return True

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        return False if db == REPLICA else None


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


@contextmanager
def _reads_on_replica() -> Iterator[None]:
    token = _reading_replica.set(True)
    try:
        yield
    finally:
        _reading_replica.reset(token)


View = Callable[..., HttpResponse]


def replica_reads(when: Callable[[HttpRequest], bool] | None = None) -> Callable[[View], View]:
    """Serve this view's GET and HEAD requests from the replica, when one is configured and
    `when(request)` (if given) says this reader may see the replica's state (a seller looking
    at its own page just after changing it should not see the change missing)."""

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            # Who is asking is read from the primary, before the replica is: a session made a
            # moment ago may not have reached the replica yet.
            user = getattr(request, "user", None)
            if user is not None:
                user.is_authenticated  # noqa: B018 (loads the lazy user)
            if (
                not replica_configured()
                or request.method not in ("GET", "HEAD")
                or (when is not None and not when(request))
            ):
                return view(request, *args, **kwargs)
            try:
                with _reads_on_replica():
                    return view(request, *args, **kwargs)
            except OperationalError as e:
                # Only the replica's own failure falls back; a failure on the primary is
                # the page's failure as usual.
                replica = connections[REPLICA]
                if replica.connection is not None and not replica.is_usable():
                    replica.close()
                elif replica.connection is not None:
                    raise
                log.warning("replica unavailable, page read from the primary: %s", e)
                return view(request, *args, **kwargs)

        return wrapped

    return decorate
