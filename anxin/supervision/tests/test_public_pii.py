"""No personal information on any public page: on the demo world, every page and download a
visitor reaches without signing in is scanned for the demo people's names (display names,
the real names given in complaints and on orders), phone numbers, identity numbers (the
verification data) and addresses."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from django.test import Client

pytestmark = [pytest.mark.slow, pytest.mark.django_db]


def personal_information() -> set[str]:
    """Every name, phone number, ID number and address of a person in the demo."""
    from anxin.accounts.models import SellerProfile, User
    from anxin.bench.synthetic import id_number
    from anxin.orders.models import Order
    from anxin.supervision.models import Complaint

    found: set[str] = set()
    for u in User.objects.all():
        for name in filter(None, [u.display_name, *u.display_name.split()]):
            # A staff member's title before the name ("裁决员 刘洋") is no one's name.
            if not name.endswith(("员", "局", "营")):
                found.add(name)
        if u.phone:
            found.add(u.phone)
        if u.role == "seller":
            found.add(id_number(u.pk))
    for p in SellerProfile.objects.all():
        found |= {p.contact_phone, p.return_address}
    for o in Order.objects.all():
        found |= {o.recipient_name, o.recipient_phone, o.shipping_address}
    for c in Complaint.objects.all():
        found |= {c.complainant_name, c.complainant_phone, c.complainant_address}
    return {s for s in found if s and len(s.strip()) >= 2}


def public_paths() -> list[str]:
    from anxin.accounts.models import User
    from anxin.catalog.models import Listing
    from anxin.supervision.views import OPEN_DATA

    sellers = list(User.objects.filter(role="seller").values_list("pk", flat=True))
    paths = ["/", "/blacklist/", "/law/", "/figures/"]
    paths += [f"/s/{pk}" for pk in sellers]
    paths += [f"/figures/sellers/{pk}" for pk in sellers]
    paths += [f"/figures/data/{name}" for name in OPEN_DATA]
    paths += [f"/c/{code}" for code in Listing.objects.values_list("code", flat=True)]
    paths += ["/sellers/badge.vkey"]
    return paths


def test_no_public_page_or_download_shows_anyones_personal_information(settings, tmp_path) -> None:
    # Given the demo world, with its people's names, numbers and addresses
    settings.MEDIA_ROOT = str(tmp_path)
    call_command("demo", verbosity=0)
    secrets = personal_information()
    assert {"张伟", "王春茶", "13900001111", "110101199003070"} & secrets or any(
        s.startswith("110101") for s in secrets
    )
    for lang in ("zh-hans", "en"):
        visitor = Client(HTTP_ACCEPT_LANGUAGE=lang)
        # And the law pages the index links to
        law = visitor.get("/law/").content.decode()
        statutes = sorted(set(re.findall(r'href="(/law/[^"]+/)"', law)))
        assert statutes
        # When a visitor who is not signed in opens every public page and download
        for path in public_paths() + statutes:
            r = visitor.get(path)
            assert r.status_code == 200, path
            body = r.content.decode("utf-8", errors="replace")
            # Then none shows any of it
            shown = sorted(s for s in secrets if s in body)
            assert shown == [], f"{path} shows {shown}"
    # And the statistics page draws its charts from the demo's cases
    page = Client(HTTP_ACCEPT_LANGUAGE="zh-hans").get("/figures/").content.decode()
    assert page.count("<svg") == 5
    assert "广东省" in page
    assert "浙江省" in page
    # And the figures kept as the demo happened equal a rebuild, with an advance compensation
    from anxin.supervision import figures

    kept = figures.snapshot()
    figures.rebuild()
    assert figures.snapshot() == kept
    assert figures.statistics()["sources"]["desk"]["advance_n"] == 1
