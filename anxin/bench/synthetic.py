"""Verified sellers for the demo, the benchmarks and the tests: a real verification through
the service, with a resident ID number that passes every check (GB 11643) but belongs to
nobody, and licences submitted and approved by an operator. And an order taken through
checkout as the benchmarks take it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from stdnum.cn import ric

from anxin.accounts.models import Role, User
from anxin.sellers import services


def id_number(n: int) -> str:
    """A valid resident ID number for synthetic person `n` (Dongcheng, Beijing, 1990-03-07)."""
    base = f"11010119900307{n % 1000:03d}"
    return base + ric.calc_check_digit(base + "0")


def verify(seller: User, *, licences: tuple[str, ...] = ()) -> None:
    services.seller_verify(
        actor=seller,
        kind="individual",
        name=seller.display_name or seller.username,
        number=id_number(seller.pk),
        address="杭州市西湖区文三路 1 号",
        contact="13900009999",
    )
    if not licences:
        return
    operator = User.objects.filter(role=Role.OPERATOR, is_active=True).first()
    if operator is None:
        operator = User(username=f"licence-desk-{seller.pk}", role=Role.OPERATOR)
        operator.set_unusable_password()
        operator.save()
    for kind in licences:
        lic = services.licence_submit(
            actor=seller,
            kind=kind,
            number=f"LIC{seller.pk:08d}{kind[:2].upper()}",
            valid_until=timezone.localdate() + dt.timedelta(days=3 * 365),
            document=SimpleUploadedFile(
                "licence.pdf", b"%PDF-1.7\n", content_type="application/pdf"
            ),
        )
        services.licence_review(actor=operator, licence_id=lic.pk, approve=True)


def checkout(provider: Any, buyer: User, listing: Any, key: str, *, to: str = "confirmed") -> Any:
    """An order of the listing taken through checkout by the service layer, each step its own
    transaction, as far as `to`: "started" (its payment started at the provider), "shipped"
    (paid at the sandbox, the provider's notification delivered at once, shipped) or
    "confirmed" (received)."""
    from anxin.orders import services as orders

    o = orders.order_create(
        buyer=buyer,
        listing_code=listing.code,
        snapshot_id=listing.current_snapshot_id or 0,
        quantity=1,
        recipient_name="压测买家",
        recipient_phone="13900001111",
        shipping_address="杭州市西湖区",
        idempotency_key=key,
    )
    payment = orders.order_payment_start(actor=buyer, number=o.number)
    if to == "started":
        return o
    for row in provider.buyer_pays(payment.provider_payment_id).emitted:
        provider.deliver(row)  # what the worker would deliver, delivered at once
    orders.order_ship(
        actor=listing.seller, number=o.number, carrier="顺丰速运", tracking_number=f"SF{o.pk:010d}"
    )
    if to == "shipped":
        return o
    orders.order_confirm(actor=buyer, number=o.number)
    return o
