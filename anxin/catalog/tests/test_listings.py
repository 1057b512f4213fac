"""Listings: who may list what, what a change keeps for orders already placed, and stock that
two buyers cannot both take."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from anxin.accounts.models import Role
from anxin.catalog.models import ListingSnapshot
from anxin.catalog.services import (
    ListingContent,
    listing_create,
    listing_image_upload,
    listing_update,
    stock_release,
    stock_reserve,
)
from anxin.conftest import make_listing, make_user, place_order
from anxin.core.errors import Conflict, Forbidden, NotFound, ValidationFailed

pytestmark = pytest.mark.django_db


def _png(color: tuple[int, int, int] = (20, 140, 60)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), color).save(buf, "PNG")
    return buf.getvalue()


def _content(**changes: object) -> ListingContent:
    values: dict[str, object] = {
        "title": "  明前西湖龙井 250克 ",
        "description": "手工炒制",
        "price_fen": 12800,
        "shipping_days": 2,
    }
    values.update(changes)
    return ListingContent(**values)  # type: ignore[arg-type]


def test_a_verified_seller_lists_goods_as_a_first_snapshot_of_cleaned_content(seller):
    # Given a verified seller
    # When she lists a tea with stray spaces around its title
    listing = listing_create(actor=seller, content=_content(), stock=5)
    # Then the listing points at snapshot 1, which holds the cleaned title
    listing.refresh_from_db()
    snapshot = listing.current_snapshot
    assert snapshot.version == 1
    assert snapshot.title == "明前西湖龙井 250克"
    assert listing.stock == 5


def test_a_buyer_cannot_list_goods(buyer):
    # Given a buyer
    # When she tries to list goods
    with pytest.raises(Forbidden) as refused:
        listing_create(actor=buyer, content=_content(), stock=1)
    # Then she is told only sellers list
    assert refused.value.code == "not_a_seller"


def test_an_unverified_seller_is_told_to_verify_first(db):
    # Given a seller who has not verified her identity
    newcomer = make_user("newcomer", Role.SELLER, verified=False)
    # When she lists goods
    with pytest.raises(Forbidden) as refused:
        listing_create(actor=newcomer, content=_content(), stock=1)
    # Then the refusal says why
    assert refused.value.code == "not_verified"


def test_food_needs_a_food_licence(seller):
    # Given a verified seller with no food licence
    # When she lists tea as food
    with pytest.raises(Forbidden) as refused:
        listing_create(actor=seller, content=_content(category="food"), stock=1)
    # Then the refusal names the missing licence
    assert refused.value.code == "licence_required"


@pytest.mark.parametrize("price", [0, -1, 12.5, 10_000_000_01])
def test_a_price_that_is_not_a_whole_positive_amount_of_fen_is_refused(seller, price):
    # Given a verified seller
    # When she lists goods at an impossible price
    with pytest.raises(ValidationFailed) as refused:
        listing_create(actor=seller, content=_content(price_fen=price), stock=1)
    # Then the error names the price field
    assert refused.value.field == "price_fen"


def test_changing_what_is_advertised_makes_a_new_snapshot_and_orders_keep_theirs(seller, buyer):
    # Given a listing and an order placed on its first snapshot
    listing = make_listing(seller)
    order = place_order(buyer, listing)
    first = order.snapshot_id
    # When the seller raises the price
    listing_update(actor=seller, listing_id=listing.pk, content=_content(price_fen=15800))
    # Then the listing shows snapshot 2 and the order still points at snapshot 1
    listing.refresh_from_db()
    order.refresh_from_db()
    assert listing.current_snapshot.version == 2
    assert listing.current_snapshot.price_fen == 15800
    assert order.snapshot_id == first
    assert ListingSnapshot.objects.get(pk=first).price_fen == 12800


def test_saving_the_same_content_again_makes_no_new_snapshot(seller):
    # Given a listing
    listing = listing_create(actor=seller, content=_content(), stock=1)
    # When the seller saves it unchanged
    listing_update(actor=seller, listing_id=listing.pk, content=_content())
    # Then there is still one snapshot
    assert ListingSnapshot.objects.filter(listing=listing).count() == 1


def test_a_seller_cannot_change_another_sellers_listing(seller, other_seller):
    # Given another seller's listing
    listing = make_listing(other_seller)
    # When this seller tries to change its stock
    with pytest.raises(NotFound):
        listing_update(actor=seller, listing_id=listing.pk, stock=0)
    # Then its stock is unchanged
    listing.refresh_from_db()
    assert listing.stock == 10


def test_a_listing_shows_only_images_its_seller_uploaded(seller, other_seller):
    # Given an image uploaded by another seller
    theirs = listing_image_upload(actor=other_seller, data=_png())
    # When this seller lists goods with that image
    with pytest.raises(ValidationFailed) as refused:
        listing_create(actor=seller, content=_content(images=[theirs.sha256]), stock=1)
    # Then the error names the images field
    assert refused.value.field == "images"


def test_the_same_picture_uploaded_by_two_sellers_is_refused_to_the_second(seller, other_seller):
    # Given a picture uploaded by one seller
    listing_image_upload(actor=other_seller, data=_png((1, 2, 3)))
    # When another seller uploads the same bytes
    with pytest.raises(Conflict) as refused:
        listing_image_upload(actor=seller, data=_png((1, 2, 3)))
    # Then the second upload is refused, not shared silently
    assert refused.value.code == "image_owned_elsewhere"


def test_uploading_the_same_picture_twice_keeps_one_image(seller):
    # Given a seller's uploaded picture
    first = listing_image_upload(actor=seller, data=_png((9, 9, 9)))
    # When she uploads it again
    again = listing_image_upload(actor=seller, data=_png((9, 9, 9)))
    # Then it is the same image
    assert again.pk == first.pk


def test_stock_cannot_be_taken_beyond_what_is_left(seller):
    # Given a listing with 3 in stock, 2 of them reserved
    listing = make_listing(seller, stock=3)
    stock_reserve(listing_id=listing.pk, quantity=2)
    # When 2 more are asked for
    with pytest.raises(Conflict) as refused:
        stock_reserve(listing_id=listing.pk, quantity=2)
    # Then the request is refused and 1 is left
    assert refused.value.code == "out_of_stock"
    listing.refresh_from_db()
    assert listing.stock == 1


def test_released_stock_can_be_sold_again(seller):
    # Given a listing whose only item was reserved
    listing = make_listing(seller, stock=1)
    stock_reserve(listing_id=listing.pk, quantity=1)
    # When the reservation is released
    stock_release(listing_id=listing.pk, quantity=1)
    # Then the item can be reserved again
    stock_reserve(listing_id=listing.pk, quantity=1)
    listing.refresh_from_db()
    assert listing.stock == 0


def test_an_inactive_listing_sells_nothing(seller):
    # Given a listing the seller took down
    listing = make_listing(seller, stock=5)
    listing_update(actor=seller, listing_id=listing.pk, is_active=False)
    # When one item is asked for
    with pytest.raises(Conflict) as refused:
        stock_reserve(listing_id=listing.pk, quantity=1)
    # Then nothing is sold
    assert refused.value.code == "out_of_stock"
