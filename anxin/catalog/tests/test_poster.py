"""Sharing a listing: the seller's copy-link button and the poster PNG (its first image, title,
price, shop, the checkout QR code and the escrow line), for the listing's seller only."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from PIL import Image

from anxin.catalog import poster
from anxin.catalog.services import listing_update
from anxin.conftest import make_listing

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def logged_in(user, lang: str = "zh-hans") -> Client:
    c = Client()
    c.force_login(user)
    c.cookies["django_language"] = lang
    return c


def _png(data: bytes) -> Image.Image:
    img = Image.open(io.BytesIO(data))
    img.load()
    return img


def test_the_listing_page_offers_the_share_tools_to_its_seller(seller, listing) -> None:
    # Given the seller of a listing on sale
    c = logged_in(seller)
    # When she opens the listing's page
    page = c.get(f"/seller/listings/{listing.pk}").content.decode()
    # Then it has the link in a read-only field, a copy button, its status line and the poster
    assert f'/c/{listing.code}" data-testid="checkout-url"' in page
    assert 'data-copy="#checkout-url"' in page
    assert "复制链接" in page
    assert "data-copy-status" in page
    assert f"/seller/listings/{listing.pk}/poster.png?v=1" in page


def test_the_poster_is_a_png_whose_qr_is_the_checkout_link(seller, listing) -> None:
    # Given the seller of a listing
    c = logged_in(seller)
    # When she saves its poster
    r = c.get(f"/seller/listings/{listing.pk}/poster.png?v=1")
    # Then it is a PNG of the poster's size, to download under a name of its version
    assert r.status_code == 200, r.content[:300]
    assert r["Content-Type"] == "image/png"
    assert f'filename="anxin-{listing.code}-v1.png"' in r["Content-Disposition"]
    img = _png(r.content).convert("RGB")
    assert img.size == (poster.WIDTH, poster.HEIGHT)
    # And its QR code (no QR decoder in the venv) has, module by module, segno's modules for
    # the checkout link: dark where the library's matrix is dark, light where it is light
    url = f"{settings.ANXIN_SITE_URL}/c/{listing.code}"
    matrix = poster.qr_matrix(url)
    _, place = poster.poster_draw(
        title="x", price_fen=1, shop_name="x", checkout_url=url, image_file=None
    )
    assert place.matrix == matrix
    for r_, row in enumerate(matrix):
        for c_, dark in enumerate(row):
            x = place.left + (c_ + poster.QR_BORDER) * place.scale + place.scale // 2
            y = place.top + (r_ + poster.QR_BORDER) * place.scale + place.scale // 2
            pixel = img.getpixel((x, y))
            assert (pixel == (0, 0, 0)) == bool(dark), (r_, c_, pixel)
    # And the quiet zone around it is white
    assert img.getpixel((place.left + 1, place.top + 1)) == (255, 255, 255)


def test_the_poster_is_cached_by_the_snapshot_version(seller, listing) -> None:
    # Given a poster fetched once
    c = logged_in(seller)
    first = c.get(f"/seller/listings/{listing.pk}/poster.png?v=1")
    # When the browser asks again with its ETag
    again = c.get(
        f"/seller/listings/{listing.pk}/poster.png?v=1", headers={"If-None-Match": first["ETag"]}
    )
    # Then it is told it has it
    assert again.status_code == 304
    # When the seller changes the price (a new snapshot)
    from anxin.catalog.services import ListingContent

    listing.refresh_from_db()
    snap = listing.current_snapshot
    listing_update(
        actor=seller,
        listing_id=listing.pk,
        content=ListingContent(
            title=snap.title, description=snap.description, price_fen=9900, shipping_days=2
        ),
        stock=listing.stock,
        is_active=True,
    )
    # Then the page links to the new version's poster, which is a new file
    page = c.get(f"/seller/listings/{listing.pk}").content.decode()
    assert f"/seller/listings/{listing.pk}/poster.png?v=2" in page
    new = c.get(
        f"/seller/listings/{listing.pk}/poster.png?v=2", headers={"If-None-Match": first["ETag"]}
    )
    assert new.status_code == 200
    assert new["ETag"] != first["ETag"]
    assert new.content != first.content
    assert "-v2.png" in new["Content-Disposition"]


def test_only_the_listings_seller_gets_the_poster(buyer, other_seller, listing) -> None:
    # Given a listing, another seller and a buyer
    url = f"/seller/listings/{listing.pk}/poster.png"
    # When another seller asks for its poster or its page
    # Then it does not exist for her
    assert logged_in(other_seller).get(url).status_code == 404
    assert logged_in(other_seller).get(f"/seller/listings/{listing.pk}").status_code == 404
    # When a buyer asks, she is told the page is not for her role; a stranger is sent to log in
    assert logged_in(buyer).get(url).status_code == 403
    assert Client().get(url).status_code == 302


def test_an_inactive_listing_has_no_poster(seller, listing) -> None:
    # Given a listing taken off sale
    from anxin.catalog.services import ListingContent

    listing.refresh_from_db()
    snap = listing.current_snapshot
    listing_update(
        actor=seller,
        listing_id=listing.pk,
        content=ListingContent(
            title=snap.title, description=snap.description, price_fen=12800, shipping_days=2
        ),
        stock=listing.stock,
        is_active=False,
    )
    c = logged_in(seller)
    # When its seller asks for its poster
    r = c.get(f"/seller/listings/{listing.pk}/poster.png")
    # Then it is 404, and its page offers no poster
    assert r.status_code == 404
    assert "poster.png" not in c.get(f"/seller/listings/{listing.pk}").content.decode()


def test_without_a_chinese_font_the_poster_says_so(seller, listing, settings) -> None:
    # Given a server whose poster font is missing
    settings.ANXIN_POSTER_FONT = "/nonexistent/font.ttc"
    c = logged_in(seller)
    # When the seller asks for the poster
    r = c.get(f"/seller/listings/{listing.pk}/poster.png")
    # Then she gets a page saying why, not a server error
    assert r.status_code == 503
    assert r["Content-Type"].startswith("text/html")
    assert "中文字体" in r.content.decode()


def test_the_poster_draws_the_listings_first_image(seller, settings, tmp_path) -> None:
    from anxin.catalog.models import ListingImage
    from anxin.catalog.services import listing_image_upload

    # Given a listing whose first image is all red
    settings.MEDIA_ROOT = str(tmp_path)
    buf = io.BytesIO()
    Image.new("RGB", (400, 300), (255, 0, 0)).save(buf, "PNG")
    image = listing_image_upload(actor=seller, data=buf.getvalue())
    listing = make_listing(seller)
    from anxin.catalog.services import ListingContent

    listing_update(
        actor=seller,
        listing_id=listing.pk,
        content=ListingContent(
            title="正山小种红茶 武夷山桐木关 一级 罐装 200克 送礼自饮两相宜",
            description="x",
            price_fen=5000,
            shipping_days=2,
            images=[image.sha256],
        ),
        stock=5,
        is_active=True,
    )
    assert ListingImage.objects.filter(sha256=image.sha256).exists()
    # When its seller saves the poster
    r = logged_in(seller).get(f"/seller/listings/{listing.pk}/poster.png")
    # Then the photo band at the top is that image
    out = Path(os.environ.get("ANXIN_TEST_ARTIFACTS", "test-artifacts"))
    out.mkdir(parents=True, exist_ok=True)
    (out / "poster.png").write_bytes(r.content)  # to look at
    img = _png(r.content).convert("RGB")
    assert img.getpixel((poster.WIDTH // 2, poster.PHOTO_HEIGHT // 2)) == (255, 0, 0)
