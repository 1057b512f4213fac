"""Uploaded files, served in every mode (not only with DEBUG) and each to whom it belongs.

/media/ serves only what is public: listing images and review photos, which share the
content-addressed image store (a photo that only hidden reviews show goes only to its author
and staff). Every other upload is served by a view of what it belongs to, behind that thing's
access helper: chat images (the order's chat, below), dispute evidence
(dispute_views.dispute_file) and sellers' documents (below). Their paths under /media/ are
refused, so nobody fetches a file that is not theirs by guessing its path."""

from __future__ import annotations

import re

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.views.decorators.http import require_safe

from anxin.accounts.models import Role, User
from anxin.accounts.pages import UserRequest
from anxin.catalog.models import ListingImage
from anxin.core import media
from anxin.core.errors import DomainError, NotFound, msg
from anxin.core.pages import error_page
from anxin.disputes import selectors as dispute_selectors
from anxin.disputes.models import Dispute
from anxin.orders import selectors as order_sel
from anxin.orders.models import Order
from anxin.reputation.selectors import withheld_photo_readers
from anxin.sellers import selectors as seller_sel

_PUBLIC_IMAGE = re.compile(r"listing-images/[0-9a-f]{2}/(?P<sha>[0-9a-f]{64})\.[a-z]{3,4}")


@require_safe
def public_file(request: HttpRequest, path: str) -> HttpResponse | FileResponse:
    m = _PUBLIC_IMAGE.fullmatch(path)
    image = ListingImage.objects.filter(pk=m["sha"]).first() if m else None
    if image is None or image.file.name != path:
        return error_page(request, NotFound("file: not found"))
    readers = withheld_photo_readers(image.sha256)
    if readers is not None:
        user = request.user
        staff = user.is_authenticated and user.role in (Role.OPERATOR, Role.REGULATOR)
        if not (staff or user.pk in readers):
            return error_page(request, NotFound("file: not found"))
    try:
        return media.file_response(
            image.file,
            content_type=image.content_type,
            sha256=image.sha256,
            public=readers is None,
        )
    except DomainError as e:
        return error_page(request, e)


@login_required
@require_safe
def seller_document(
    request: UserRequest, seller_id: int, licence_id: int | None = None
) -> HttpResponse | FileResponse:
    """A seller's verification document or licence: the seller, the operator, regulators."""
    try:
        f, sha, content_type = seller_sel.document_for(
            request.user, seller_id, licence_id=licence_id
        )
        return media.file_response(f, content_type=content_type, sha256=sha, public=False)
    except DomainError as e:
        return error_page(request, e)


def chat_order(user: User, number: str) -> Order:
    """The order whose chat images `user` may see: the order's buyer and seller and the
    operator (orders.selectors.can_see), and whoever may see a case about the order, who
    weigh its chat as evidence (disputes.services.can_see). Anyone else gets the same 404
    as for no such order."""
    order = Order.objects.select_related("buyer", "seller").filter(number=number).first()
    if order is not None and (
        order_sel.can_see(user, order)
        or any(dispute_selectors.can_see(user, d) for d in Dispute.objects.filter(order=order))
    ):
        return order
    raise NotFound(msg("order {number}: not found", number=number))


@login_required
@require_safe
def order_attachment(
    request: UserRequest, number: str, attachment_id: int
) -> HttpResponse | FileResponse:
    """An image sent in an order's chat, to whoever may see the chat (chat_order)."""
    try:
        order = chat_order(request.user, number)
        msg = (
            order.messages.filter(attachment_id=attachment_id, attachment__erased_at=None)
            .select_related("attachment")
            .first()
        )
        if msg is None or msg.attachment is None:
            raise NotFound("file: not found")
        att = msg.attachment
        return media.file_response(
            att.file, content_type=att.content_type, sha256=att.sha256, public=False
        )
    except DomainError as e:
        return error_page(request, e)
