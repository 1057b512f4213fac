from __future__ import annotations

from django.db.models import QuerySet

from anxin.accounts.models import User
from anxin.catalog.models import Listing, ListingImage, ListingSnapshot
from anxin.core.errors import NotFound


def listing_by_code(code: str) -> Listing:
    try:
        return Listing.objects.select_related("current_snapshot", "seller__seller_profile").get(
            code=code
        )
    except Listing.DoesNotExist:
        raise NotFound("checkout link: no such listing") from None


def listings_of(seller: User) -> QuerySet[Listing]:
    return Listing.objects.filter(seller=seller).select_related("current_snapshot").order_by("-pk")


def snapshot_images(snapshot: ListingSnapshot) -> list[ListingImage]:
    rows = {i.sha256: i for i in ListingImage.objects.filter(sha256__in=snapshot.images)}
    return [rows[s] for s in snapshot.images if s in rows]
