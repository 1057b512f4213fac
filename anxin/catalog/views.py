"""A seller's listing pages: write a listing, change it, see it with its checkout link (and
that link as a QR code) and its snapshots. As thin as the API: parse the form, call a service,
show the result or the error."""

from __future__ import annotations

import io
from typing import Any

import segno
from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from anxin.accounts.models import Role
from anxin.accounts.pages import UserRequest, role_required
from anxin.catalog import poster
from anxin.catalog import selectors as catalog_sel
from anxin.catalog import services as catalog
from anxin.catalog.models import Category, ReturnPolicy
from anxin.core.errors import DomainError, NotFound
from anxin.core.money import parse_yuan
from anxin.core.pages import error_page, user_message
from anxin.core.text import parse_int


def _listing_form(request: UserRequest) -> tuple[catalog.ListingContent, int]:
    p = request.POST
    images = list(p.getlist("keep_image"))
    for f in request.FILES.getlist("images"):
        images.append(catalog.listing_image_upload(actor=request.user, data=f.read()).sha256)
    shipping_days = parse_int(p.get("shipping_days"), "shipping_days")
    stock = parse_int(p.get("stock"), "stock")
    content = catalog.ListingContent(
        title=p.get("title", ""),
        description=p.get("description", ""),
        price_fen=parse_yuan(p.get("price_yuan", ""), field="price"),
        shipping_days=shipping_days,
        return_policy=p.get("return_policy", ""),
        return_policy_note=p.get("return_policy_note", ""),
        category=p.get("category", ""),
        images=images,
    )
    return content, stock


def _listing_form_context(**extra: Any) -> dict[str, Any]:
    return {"categories": Category.choices, "policies": ReturnPolicy.choices, **extra}


@role_required(Role.SELLER)
def listing_new(request: UserRequest) -> HttpResponse:
    error = None
    if request.method == "POST":
        try:
            content, stock = _listing_form(request)
            listing = catalog.listing_create(actor=request.user, content=content, stock=stock)
        except DomainError as e:
            error = user_message(e)
        else:
            return redirect("web:listing_detail", listing_id=listing.pk)
    return render(
        request,
        "catalog/listing_form.html",
        _listing_form_context(error=error, form=request.POST, listing=None),
        status=400 if error else 200,
    )


@role_required(Role.SELLER)
def listing_edit(request: UserRequest, listing_id: int) -> HttpResponse:
    try:
        listing = catalog.listing_for_seller(request.user, listing_id)
    except DomainError as e:
        return error_page(request, e)
    error = None
    if request.method == "POST":
        try:
            content, stock = _listing_form(request)
            catalog.listing_update(
                actor=request.user,
                listing_id=listing_id,
                content=content,
                stock=stock,
                is_active=request.POST.get("is_active") == "on",
            )
        except DomainError as e:
            error = user_message(e)
        else:
            messages.success(request, _("Listing saved."))
            return redirect("web:listing_detail", listing_id=listing_id)
    snap = listing.current_snapshot
    assert snap is not None
    form = request.POST or {
        "title": snap.title,
        "description": snap.description,
        "price_yuan": f"{snap.price_fen // 100}.{snap.price_fen % 100:02d}",
        "shipping_days": snap.shipping_days,
        "return_policy": snap.return_policy,
        "return_policy_note": snap.return_policy_note,
        "category": snap.category,
        "stock": listing.stock,
        "is_active": listing.is_active,
    }
    return render(
        request,
        "catalog/listing_form.html",
        _listing_form_context(
            error=error, form=form, listing=listing, images=catalog_sel.snapshot_images(snap)
        ),
        status=400 if error else 200,
    )


@role_required(Role.SELLER)
def listing_detail(request: UserRequest, listing_id: int) -> HttpResponse:
    try:
        listing = catalog.listing_for_seller(request.user, listing_id)
    except DomainError as e:
        return error_page(request, e)
    # The checkout is the order's page: linked to by its name, not imported.
    url = f"{settings.ANXIN_SITE_URL}{reverse('web:checkout', args=[listing.code])}"
    return render(
        request,
        "catalog/listing_detail.html",
        {
            "listing": listing,
            "snap": listing.current_snapshot,
            "checkout_url": url,
            "poster_version": listing.current_snapshot.version if listing.current_snapshot else 0,
            "snapshots": listing.snapshots.all(),
            "images": catalog_sel.snapshot_images(listing.current_snapshot)
            if listing.current_snapshot
            else [],
        },
    )


def checkout_qr(request: HttpRequest, code: str) -> HttpResponse:
    """The listing's checkout link as a QR code, for the seller to share."""
    try:
        listing = catalog_sel.listing_by_code(code)
    except DomainError as e:
        return error_page(request, e)
    url = f"{settings.ANXIN_SITE_URL}{reverse('web:checkout', args=[listing.code])}"
    # A file of its own (with its XML namespace): svg_inline's markup, meant for inside a
    # page, is not drawn as an <img>.
    svg = io.BytesIO()
    segno.make(url, error="m").save(svg, kind="svg", xmldecl=False, scale=6, border=2)
    return HttpResponse(svg.getvalue(), content_type="image/svg+xml")


@role_required(Role.SELLER)
def listing_poster(request: UserRequest, listing_id: int) -> HttpResponse:
    """The listing's share poster as a PNG to save, in the page's language. The same snapshot
    version and language give the same file: cached, and answered 304 when the browser has
    it. Only the listing's seller gets it, and only while the listing is for sale."""
    try:
        listing = catalog.listing_for_seller(request.user, listing_id)
        snap = listing.current_snapshot
        if not listing.is_active or snap is None:
            raise NotFound("listing: no such listing, or it is no longer for sale")
    except DomainError as e:
        return error_page(request, e)
    lang = get_language() or "zh-hans"
    etag = f'"poster-{snap.digest[:20]}-{lang}"'
    headers = {
        "ETag": etag,
        "Cache-Control": "private, max-age=86400",
        "Content-Disposition": f'attachment; filename="anxin-{listing.code}-v{snap.version}.png"',
    }
    if request.headers.get("If-None-Match") == etag:
        return HttpResponseNotModified(headers=headers)
    url = f"{settings.ANXIN_SITE_URL}{reverse('web:checkout', args=[listing.code])}"
    key = f"anxin:poster:{listing.pk}:{snap.version}:{snap.digest[:20]}:{lang}:{url}"
    png = cache.get(key)
    if png is None:
        images = catalog_sel.snapshot_images(snap)
        try:
            png = poster.poster_png(
                title=snap.title,
                price_fen=snap.price_fen,
                shop_name=listing.seller.seller_profile.shop_name,
                checkout_url=url,
                image_file=images[0].file if images else None,
            )
        except DomainError as e:
            return error_page(request, e)
        cache.set(key, png, 24 * 3600)
    return HttpResponse(png, content_type="image/png", headers=headers)
