from __future__ import annotations

from django.conf import settings
from ninja import File, Router, Status
from ninja.files import UploadedFile

from anxin.api.auth import AuthedRequest
from anxin.api.types import Id
from anxin.catalog import selectors, services
from anxin.catalog.models import Listing, ListingImage, ListingSnapshot
from anxin.catalog.schemas import (
    CheckoutOut,
    ImageOut,
    ListingCreateIn,
    ListingOut,
    ListingUpdateIn,
    SellerPublicOut,
    SnapshotOut,
)
from anxin.core.images import read_upload

router = Router(tags=["catalog"])


def snapshot_out(s: ListingSnapshot) -> SnapshotOut:
    urls = [i.file.url for i in selectors.snapshot_images(s)]
    return SnapshotOut(
        id=s.pk,
        version=s.version,
        title=s.title,
        description=s.description,
        category=s.category,
        price_fen=s.price_fen,
        currency=s.currency,
        shipping_days=s.shipping_days,
        return_policy=s.return_policy,
        return_policy_note=s.return_policy_note,
        images=list(s.images),
        image_urls=urls,
        digest=s.digest,
        created_at=s.created_at,
    )


def listing_out(listing: Listing) -> ListingOut:
    assert listing.current_snapshot is not None
    return ListingOut(
        id=listing.pk,
        code=listing.code,
        checkout_url=f"{settings.ANXIN_SITE_URL}/c/{listing.code}",
        stock=listing.stock,
        is_active=listing.is_active,
        snapshot=snapshot_out(listing.current_snapshot),
    )


def _content(payload) -> services.ListingContent:
    data = payload.dict()
    data.pop("stock", None)
    return services.ListingContent(**data)


@router.get("/listings", response=list[ListingOut])
def listings(request: AuthedRequest) -> list[ListingOut]:
    return [listing_out(x) for x in selectors.listings_of(request.auth)]


@router.post("/listings", response={201: ListingOut})
def listing_create(request: AuthedRequest, payload: ListingCreateIn):
    listing = services.listing_create(
        actor=request.auth, content=_content(payload), stock=payload.stock
    )
    return Status(201, listing_out(listing))


@router.get("/listings/{listing_id}", response=ListingOut)
def listing_get(request: AuthedRequest, listing_id: Id) -> ListingOut:
    return listing_out(services.listing_for_seller(request.auth, listing_id))


@router.patch("/listings/{listing_id}", response=ListingOut)
def listing_update(request: AuthedRequest, listing_id: Id, payload: ListingUpdateIn) -> ListingOut:
    listing = services.listing_update(
        actor=request.auth,
        listing_id=listing_id,
        content=_content(payload.content) if payload.content else None,
        stock=payload.stock,
        is_active=payload.is_active,
    )
    return listing_out(listing)


@router.post("/images", response={201: ImageOut})
def image_upload(request: AuthedRequest, image: File[UploadedFile]):
    data = read_upload(image, field="image")
    row: ListingImage = services.listing_image_upload(actor=request.auth, data=data)
    out = ImageOut(
        sha256=row.sha256,
        content_type=row.content_type,
        width=row.width,
        height=row.height,
        url=row.file.url,
    )
    return Status(201, out)


@router.get("/checkout/{code}", response=CheckoutOut, auth=None)
def checkout(request: AuthedRequest, code: str) -> CheckoutOut:
    """What a checkout link shows: public, because it is shared in chats."""
    listing = selectors.listing_by_code(code)
    assert listing.current_snapshot is not None
    profile = listing.seller.seller_profile
    return CheckoutOut(
        code=listing.code,
        available=listing.is_active and listing.stock > 0,
        stock=listing.stock,
        seller=SellerPublicOut(
            id=listing.seller_id, shop_name=profile.shop_name, wechat_id=profile.wechat_id
        ),
        snapshot=snapshot_out(listing.current_snapshot),
    )
