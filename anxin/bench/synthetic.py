"""Verified sellers for the demo, the benchmarks and the tests: a real verification through
the service, with a resident ID number that passes every check (GB 11643) but belongs to
nobody, and licences submitted and approved by an operator."""

from __future__ import annotations

import datetime as dt

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
