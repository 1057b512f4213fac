"""Notices about an order's events (notices.texts names each kind's text), sent in the
event's transaction to the party who must act on it or know of it: never to the one who
caused it (a seller is not told of her own shipment, nor the author of her own message)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from anxin.accounts.models import User
from anxin.notices.services import notice_send
from anxin.orders.models import Order


def order_notice(
    order: Order, to: Iterable[int | None], kind: str, *, actor: User | None, **params: Any
) -> None:
    """Notice `kind` about `order` to the users `to` (ids), less the `actor`; each order
    notice links to the order's page.

    In the app only, with the unread count in the menu: an order's everyday events are many,
    and an e-mail queued with each cost the checkout path a statement per event (the checkout
    bench's ratio fell from 0.27 to 0.24 with them). Cases, blacklisting and verification,
    which carry deadlines, are e-mailed."""
    besides = actor.pk if actor is not None else None
    to_ids = [u for u in to if u is not None and u != besides]
    notice_send(to_ids, kind, subject=order, email=False, **params)
