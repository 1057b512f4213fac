"""The fixtures the measures share: sellers, listings, buyers, shipped orders each with a
complaint filed, and orders awaiting payment."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass
class World:
    sellers: list[Any]
    listings: list[Any]
    buyers: list[Any]
    shipped: list[Any]  # shipped orders, each with a complaint filed
    awaiting: list[Any]  # orders awaiting payment, their payment started at the provider
    disputes: list[Any]
    provider: Any


def build(cases: int, awaiting: int, log: Callable[[str], None]) -> World:
    from django.conf import settings

    from anxin.accounts.models import Role, User
    from anxin.accounts.services import user_signup
    from anxin.bench import synthetic
    from anxin.catalog.services import ListingContent, listing_create
    from anxin.disputes import services as disputes
    from anxin.orders.models import Order
    from anxin.payments.providers.sandbox import SandboxProvider

    tag = uuid.uuid4().hex[:6]
    for role, n in ((Role.MEDIATOR, 2), (Role.ADJUDICATOR, 5)):
        for i in range(n):
            u = User(username=f"g{role[:3]}{i}-{tag}", role=role)
            u.set_unusable_password()
            u.save()
    sellers, listings = [], []
    for i in range(4):
        s = user_signup(
            username=f"gs{i}-{tag}", password=uuid.uuid4().hex, role=Role.SELLER, shop_name="店"
        )
        synthetic.verify(s)
        sellers.append(s)
        listings.append(
            listing_create(
                actor=s,
                stock=1_000_000,
                content=ListingContent(
                    title="测量商品", description="", price_fen=12_800, shipping_days=1
                ),
            )
        )
    # Enough buyers that none files more complaints a day than the desk allows, nor holds
    # more unpaid orders than the checkout allows.
    need = max(cases // settings.ANXIN_DISPUTE_MAX_PER_DAY + 1, awaiting // 2 + 1, 10)
    buyers = []
    for i in range(need):
        b = User(username=f"gb{i}-{tag}", role=Role.BUYER)
        b.set_unusable_password()
        b.save()
        buyers.append(b)
    provider = SandboxProvider()
    shipped = []
    for i in range(cases):
        shipped.append(
            synthetic.checkout(
                provider, buyers[i % need], listings[i % 4], f"s{tag}{i}", to="shipped"
            )
        )
        if (i + 1) % 100 == 0:
            log(f"  set-up: {i + 1}/{cases} shipped orders")
    waiting = [
        synthetic.checkout(provider, buyers[i % need], listings[i % 4], f"a{tag}{i}", to="started")
        for i in range(awaiting)
    ]
    categories = ("counterfeit", "not_delivered", "lottery", "other")
    found = []
    for i, o in enumerate(shipped):
        found.append(
            disputes.dispute_file(
                actor=o.buyer,
                number=o.number,
                category=categories[i % 4],
                claim="测量投诉",
                claimed_fen=o.amount_fen,
            )
        )
    log(f"  set-up: {len(found)} complaints filed")
    by_pk = Order.objects.in_bulk([o.pk for o in shipped + waiting])
    return World(
        sellers=sellers,
        listings=listings,
        buyers=buyers,
        shipped=[by_pk[o.pk] for o in shipped],
        awaiting=[by_pk[o.pk] for o in waiting],
        disputes=found,
        provider=provider,
    )
