"""A seller's listing pages: writing a listing and changing it."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def logged_in(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_seller_creates_and_edits_a_listing_keeping_old_versions(seller) -> None:
    from anxin.catalog.models import Listing
    from anxin.conftest import verify_seller

    # Given a signed-in seller licensed for food
    verify_seller(seller, licences=("food_business",))  # tea is food: licensed
    c = logged_in(seller)
    # When she lists a tea on the page at 198.5 yuan
    r = c.post(
        "/seller/listings/new",
        {
            "title": "安溪铁观音",
            "description": "兰花香",
            "category": "food",
            "price_yuan": "198.5",
            "stock": "20",
            "shipping_days": "3",
            "return_policy": "no_reason_7_days",
        },
    )
    # Then she is sent to the new listing, priced in fen, whose page shows its checkout link
    listing = Listing.objects.get()
    assert r["Location"] == f"/seller/listings/{listing.pk}"
    assert listing.current_snapshot.price_fen == 19850
    detail = c.get(r["Location"]).content.decode()
    assert f"/c/{listing.code}" in detail
    # When she changes its title and price
    c.post(
        f"/seller/listings/{listing.pk}/edit",
        {
            "title": "安溪铁观音 清香型",
            "description": "兰花香",
            "category": "food",
            "price_yuan": "208",
            "stock": "20",
            "shipping_days": "3",
            "return_policy": "no_reason_7_days",
            "is_active": "on",
        },
    )
    # Then the listing is at version 2, and both versions are kept
    listing.refresh_from_db()
    assert listing.current_snapshot.version == 2
    assert listing.snapshots.count() == 2
    # When she lists goods priced to a thousandth of a yuan
    bad = c.post(
        "/seller/listings/new",
        {
            "title": "x",
            "price_yuan": "12.345",
            "stock": "1",
            "shipping_days": "1",
            "return_policy": "no_reason_7_days",
            "category": "general",
        },
    )
    # Then the form is refused, naming the price
    assert bad.status_code == 400
    assert "price" in bad.content.decode()
