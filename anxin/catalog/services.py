from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.db.models import F

from anxin.accounts.models import Role, User
from anxin.catalog.models import Category, Listing, ListingImage, ListingSnapshot, ReturnPolicy
from anxin.core.errors import Conflict, Forbidden, NotFound, ValidationFailed, msg
from anxin.core.images import check_image
from anxin.core.text import clean_text, is_whole
from anxin.sellers.services import seller_check_can_list

MAX_IMAGES = 9
MAX_PRICE_FEN = 10_000_000_00  # 10 million yuan: beyond any social-commerce item


@dataclass
class ListingContent:
    title: str
    description: str
    price_fen: int
    shipping_days: int
    return_policy: str = ReturnPolicy.NO_REASON_7_DAYS
    return_policy_note: str = ""
    category: str = Category.GENERAL
    images: list[str] = field(default_factory=list)

    def validated(self) -> ListingContent:
        title = clean_text(self.title, "title", 120)
        description = clean_text(
            self.description, "description", 5000, required=False, multiline=True
        )
        if not is_whole(self.price_fen):
            raise ValidationFailed("price_fen: must be an integer number of fen", field="price_fen")
        if not 0 < self.price_fen <= MAX_PRICE_FEN:
            raise ValidationFailed(
                msg("price_fen: must be between 1 and {most}", most=MAX_PRICE_FEN),
                field="price_fen",
            )
        if not isinstance(self.shipping_days, int) or not 0 <= self.shipping_days <= 60:
            raise ValidationFailed("shipping_days: must be 0 to 60", field="shipping_days")
        if self.return_policy not in ReturnPolicy.values:
            raise ValidationFailed(
                msg("return_policy: must be one of {join}", join=", ".join(ReturnPolicy.values)),
                field="return_policy",
            )
        if self.category not in Category.values:
            raise ValidationFailed(
                msg("category: must be one of {join}", join=", ".join(Category.values)),
                field="category",
            )
        note = clean_text(
            self.return_policy_note, "return_policy_note", 500, required=False, multiline=True
        )
        if len(self.images) > MAX_IMAGES:
            raise ValidationFailed(msg("images: at most {most}", most=MAX_IMAGES), field="images")
        return ListingContent(
            title,
            description,
            self.price_fen,
            self.shipping_days,
            self.return_policy,
            note,
            self.category,
            list(self.images),
        )

    def digest(self) -> str:
        blob = json.dumps(asdict(self), sort_keys=True, ensure_ascii=False).encode()
        return hashlib.sha256(blob).hexdigest()


def _require_seller(actor: User) -> None:
    if actor.role != Role.SELLER:
        raise Forbidden("only sellers can manage listings", code="not_a_seller")


def _check_images(actor: User, shas: list[str]) -> None:
    known = set(
        ListingImage.objects.filter(sha256__in=shas, uploaded_by=actor).values_list(
            "sha256", flat=True
        )
    )
    for sha in shas:
        if sha not in known:
            raise ValidationFailed(
                msg("images: no image {sha} uploaded by you", sha=sha), field="images"
            )


@transaction.atomic
def _may_list(actor: User, category: str) -> None:
    """Verified sellers only, and regulated categories only with their licence."""
    if settings.ANXIN_SELLER_VERIFICATION_REQUIRED:
        seller_check_can_list(actor, category)


def listing_create(*, actor: User, content: ListingContent, stock: int) -> Listing:
    _require_seller(actor)
    content = content.validated()
    _may_list(actor, content.category)
    _check_images(actor, content.images)
    if not isinstance(stock, int) or not 0 <= stock <= 1_000_000:
        raise ValidationFailed("stock: must be 0 to 1000000", field="stock")
    listing = Listing.objects.create(seller=actor, stock=stock)
    _snapshot(listing, content, version=1)
    return listing


def _snapshot(listing: Listing, content: ListingContent, *, version: int) -> ListingSnapshot:
    snap = ListingSnapshot.objects.create(
        listing=listing, version=version, digest=content.digest(), **asdict(content)
    )
    Listing.objects.filter(pk=listing.pk).update(current_snapshot=snap)
    listing.current_snapshot = snap
    return snap


def listing_for_seller(actor: User, listing_id: int, *, lock: bool = False) -> Listing:
    qs = Listing.objects.select_related("current_snapshot")
    if lock:
        qs = qs.select_for_update(of=("self",))
    try:
        return qs.get(pk=listing_id, seller=actor)
    except Listing.DoesNotExist:
        raise NotFound(msg("listing {listing_id}: not found", listing_id=listing_id)) from None


@transaction.atomic
def listing_update(
    *,
    actor: User,
    listing_id: int,
    content: ListingContent | None = None,
    stock: int | None = None,
    is_active: bool | None = None,
) -> Listing:
    """Changes to what is advertised create a new snapshot; orders keep pointing at theirs."""
    _require_seller(actor)
    listing = listing_for_seller(actor, listing_id, lock=True)
    if content is not None:
        content = content.validated()
        _may_list(actor, content.category)
        _check_images(actor, content.images)
        current = listing.current_snapshot
        if current is None or current.digest != content.digest():
            _snapshot(listing, content, version=(current.version + 1) if current else 1)
    updates = []
    if stock is not None:
        if not isinstance(stock, int) or not 0 <= stock <= 1_000_000:
            raise ValidationFailed("stock: must be 0 to 1000000", field="stock")
        listing.stock = stock
        updates.append("stock")
    if is_active is not None:
        listing.is_active = is_active
        updates.append("is_active")
    if updates:
        listing.save(update_fields=updates)
    return listing


@transaction.atomic
def listing_image_upload(*, actor: User, data: bytes) -> ListingImage:
    """An image for a seller's listings, or for a buyer's review photos."""
    if actor.role not in (Role.SELLER, Role.BUYER):
        raise Forbidden("only sellers and buyers upload images", code="not_a_trader")
    img = check_image(data, field="image")
    sha = hashlib.sha256(data).hexdigest()
    existing = ListingImage.objects.filter(sha256=sha).first()
    if existing:
        if existing.uploaded_by_id != actor.pk:
            # Same picture uploaded by another seller: keep one file, but ownership is per seller
            # for listing checks, so refuse rather than silently share.
            raise Conflict(
                "image: this exact image belongs to another seller",
                code="image_owned_elsewhere",
                field="image",
            )
        return existing
    row = ListingImage(
        sha256=sha,
        content_type=img.content_type,
        extension=img.extension,
        size=len(data),
        width=img.width,
        height=img.height,
        uploaded_by=actor,
    )
    row.file.save(f"{sha}.{img.extension}", ContentFile(data), save=False)
    row.save(force_insert=True)
    return row


# Compiled once: every order placed runs it.
_RESERVE = (
    f"UPDATE {Listing._meta.db_table} SET stock = stock - %s "  # noqa: S608
    "WHERE id = %s AND stock >= %s AND is_active"
)


def stock_reserve(*, listing_id: int, quantity: int) -> None:
    """Take `quantity` from stock, or refuse: one conditional UPDATE, so two buyers racing for
    the last item cannot both get it."""
    with connection.cursor() as cur:
        cur.execute(_RESERVE, [quantity, listing_id, quantity])
        changed = cur.rowcount
    if changed != 1:
        raise Conflict("quantity: not enough stock", code="out_of_stock", field="quantity")


def stock_release(*, listing_id: int, quantity: int) -> None:
    Listing.objects.filter(pk=listing_id).update(stock=F("stock") + quantity)
