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


def first_images(snapshots: list[ListingSnapshot]) -> dict[int, ListingImage]:
    """Each snapshot's first image, by snapshot id, in one query (a list's thumbnails); a
    snapshot with no image (or whose image is missing) has none."""
    wanted = {s.pk: s.images[0] for s in snapshots if s.images}
    found = {i.sha256: i for i in ListingImage.objects.filter(sha256__in=set(wanted.values()))}
    return {pk: found[sha] for pk, sha in wanted.items() if sha in found}


def listings_of(seller: User) -> QuerySet[Listing]:
    return Listing.objects.filter(seller=seller).select_related("current_snapshot").order_by("-pk")


def snapshot_images(snapshot: ListingSnapshot) -> list[ListingImage]:
    rows = {i.sha256: i for i in ListingImage.objects.filter(sha256__in=snapshot.images)}
    return [rows[s] for s in snapshot.images if s in rows]
