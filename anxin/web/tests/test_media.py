"""Uploaded files are served in every mode, each with the type Anxin checked at upload, and
only to whom it belongs: listing images and review photos to anyone, chat images to the
order's parties and the officers of a case about it, dispute evidence to the case's people,
sellers' documents to the seller, the operator and regulators. Nobody fetches another's file
by guessing its path."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from anxin.accounts.models import Role
from anxin.catalog.services import listing_image_upload
from anxin.conftest import make_listing, make_user, pay, place_order
from anxin.disputes import services as disputes
from anxin.disputes.tests.helpers import shipped
from anxin.orders import chat
from anxin.sellers import services as sellers
from anxin.sellers.models import Licence
from anxin.sellers.tests.test_verification import GOOD_USCC

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n% a document\n"


def _png(color=(30, 120, 200)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), color).save(buf, "PNG")
    return buf.getvalue()


def client_for(user=None) -> Client:
    c = Client()
    if user is not None:
        c.force_login(user)
    return c


def test_listing_images_are_public_typed_and_cached_forever(seller, buyer, other_buyer) -> None:
    from anxin.catalog.services import ListingContent, listing_update

    # Given a listing showing an uploaded image
    image = listing_image_upload(actor=seller, data=_png())
    listing = make_listing(seller)
    listing_update(
        actor=seller,
        listing_id=listing.pk,
        content=ListingContent(
            title="明前西湖龙井 250克",
            description="手工炒制",
            price_fen=12800,
            shipping_days=2,
            images=[image.sha256],
        ),
    )
    # When the image's address is read
    url = image.file.url
    # Then it is named by the image's hash, and shown on the checkout page
    assert url == f"/media/listing-images/{image.sha256[:2]}/{image.sha256}.png"
    assert url in client_for().get(f"/c/{listing.code}").content.decode()
    # When anyone fetches it
    r = client_for().get(url)  # no login: a checkout link is opened by anyone
    # Then it is served as the PNG it is: typed, not sniffed, cached forever, shown inline
    assert r.status_code == 200, r.status_code
    assert b"".join(r.streaming_content) == _png()
    assert r["Content-Type"] == "image/png"
    assert r["X-Content-Type-Options"] == "nosniff"
    assert r["Cache-Control"] == "public, max-age=31536000, immutable"
    assert "attachment" not in r.get("Content-Disposition", "")
    # And it answers HEAD but not POST
    assert client_for().head(url).status_code == 200
    assert client_for().post(url).status_code == 405
    # And any other name under the image store is nothing
    other = url.replace(image.sha256, "0" * 64)
    assert client_for().get(other).status_code == 404
    assert client_for().get(url.replace(".png", ".html")).status_code == 404


def test_private_uploads_are_never_served_by_their_path(buyer, seller, listing, staff) -> None:
    # Given a chat image, dispute evidence and a licence document, each stored under media
    order = shipped(buyer, seller, listing)
    m = chat.message_post(actor=buyer, number=order.number, text="看图", image=_png())
    d = disputes.dispute_file(
        actor=buyer, number=order.number, category="quality_defect", claim="坏了", claimed_fen=100
    )
    e = disputes.dispute_evidence_submit(
        actor=buyer,
        number=d.number,
        text="发票",
        file=SimpleUploadedFile("invoice.pdf", PDF, content_type="application/pdf"),
    )
    lic = sellers.licence_submit(
        actor=seller,
        kind="food_business",
        number="JY13301000000001",
        valid_until=dt.date(2030, 1, 1),
        document=SimpleUploadedFile("licence.pdf", PDF, content_type="application/pdf"),
    )
    names = [m.attachment.file.name, e.file.name, lic.document.name]
    assert all(names)
    # When an anonymous visitor, a party or a regulator fetches one by its storage path
    for user in (None, buyer, seller, staff[Role.REGULATOR]):
        for name in names:
            # Then it is not found
            assert client_for(user).get(f"/media/{name}").status_code == 404, (user, name)
    # And no path climbs out of the media folder
    assert client_for(buyer).get("/media/../anxin.sqlite3").status_code == 404


def test_chat_images_go_to_the_parties_and_the_officers_of_a_case_only(
    buyer, seller, other_buyer, operator, listing
) -> None:
    # Given a paid order on whose chat the seller posted an image, and a mediator with no case
    order = place_order(buyer, listing)
    pay(order)
    m = chat.message_post(actor=seller, number=order.number, text="实拍", image=_png())
    url = f"/orders/{order.number}/attachments/{m.attachment_id}"
    mediator = make_user("mediator1", Role.MEDIATOR)
    # When the parties and the operator fetch it
    # Then each gets the PNG: typed, not sniffed, privately cached
    for user in (buyer, seller, operator):
        r = client_for(user).get(url)
        assert r.status_code == 200, user
        assert b"".join(r.streaming_content) == _png()
        assert r["Content-Type"] == "image/png"
        assert r["X-Content-Type-Options"] == "nosniff"
        assert r["Cache-Control"].startswith("private")
    # When another buyer, the mediator or another seller fetches it
    # Then it is not found for them
    for user in (other_buyer, mediator, make_user("other-shop", Role.SELLER)):
        assert client_for(user).get(url).status_code == 404, user
    # When a case about the order is assigned to the mediator
    from anxin.orders import services as orders

    orders.order_ship(
        actor=seller, number=order.number, carrier="SF", tracking_number="SF0100000001"
    )
    d = disputes.dispute_file(
        actor=buyer, number=order.number, category="quality_defect", claim="坏了", claimed_fen=100
    )
    disputes.dispute_assign(actor=operator, number=d.number, mediator="mediator1")
    # Then the chat is evidence before her: she gets the image, another buyer still does not,
    # and an anonymous visitor is sent to sign in
    assert client_for(mediator).get(url).status_code == 200
    assert client_for(other_buyer).get(url).status_code == 404
    assert client_for().get(url).status_code == 302  # to the login page


def test_dispute_evidence_goes_out_with_its_checked_type_to_the_case_only(
    buyer, seller, other_buyer, listing
) -> None:
    # Given a dispute on a shipped order
    order = shipped(buyer, seller, listing)
    d = disputes.dispute_file(
        actor=buyer, number=order.number, category="quality_defect", claim="坏了", claimed_fen=100
    )
    # When the buyer submits a PDF named like a web page
    # and the seller fetches it
    e = disputes.dispute_evidence_submit(
        actor=buyer,
        number=d.number,
        text="发票",
        file=SimpleUploadedFile("invoice.html", PDF, content_type="application/pdf"),
    )
    url = f"/disputes/{d.number}/files/{e.pk}"
    r = client_for(seller).get(url)
    # Then it goes out as the PDF it was checked to be, as a download named by its hash,
    # not sniffed, privately cached and sandboxed
    assert r.status_code == 200
    assert b"".join(r.streaming_content) == PDF
    assert r["Content-Type"] == "application/pdf"
    assert r["Content-Disposition"] == f'attachment; filename="{e.sha256[:16]}.pdf"'
    assert r["X-Content-Type-Options"] == "nosniff"
    assert r["Cache-Control"].startswith("private")
    assert "sandbox" in r["Content-Security-Policy"]
    # When the buyer submits a PNG named like an SVG, and fetches it
    photo = disputes.dispute_evidence_submit(
        actor=buyer,
        number=d.number,
        text="照片",
        file=SimpleUploadedFile("p.svg", _png(), content_type="image/png"),
    )
    r = client_for(buyer).get(f"/disputes/{d.number}/files/{photo.pk}")
    # Then it goes out as a PNG, shown inline
    assert r["Content-Type"] == "image/png"
    assert r["Content-Disposition"].startswith("inline")
    # And another buyer gets nothing
    assert client_for(other_buyer).get(url).status_code == 404


def test_sellers_documents_go_to_the_seller_the_operator_and_regulators(
    seller, other_seller, buyer, operator, staff
) -> None:
    # Given a verified seller's licence image, and her food licence, a PDF named like a program
    sellers.seller_verify(
        actor=seller,
        kind="business",
        name="杭州王春茶业有限公司",
        number=GOOD_USCC,
        address="杭州市西湖区文三路 1 号",
        contact="13900009999",
        licence_file=SimpleUploadedFile("licence.png", _png(), content_type="image/png"),
    )
    lic = sellers.licence_submit(
        actor=seller,
        kind="food_business",
        number="JY13301000000001",
        valid_until=dt.date(2030, 1, 1),
        document=SimpleUploadedFile("licence.exe", PDF, content_type="application/pdf"),
    )
    assert Licence.objects.get(pk=lic.pk).document
    verification = f"/s/{seller.pk}/documents/verification"
    licence = f"/s/{seller.pk}/documents/licences/{lic.pk}"
    # When the seller, the operator and a regulator fetch them
    # Then each gets both, typed, the PDF as a download named by its hash, privately cached
    for user in (seller, operator, staff[Role.REGULATOR]):
        r = client_for(user).get(verification)
        assert r.status_code == 200, user
        assert r["Content-Type"] == "image/png"
        assert b"".join(r.streaming_content) == _png()
        r = client_for(user).get(licence)
        assert r.status_code == 200, user
        assert r["Content-Type"] == "application/pdf"
        assert r["Content-Disposition"] == (
            f'attachment; filename="{lic.document_sha256[:16]}.pdf"'
        )
        assert r["Cache-Control"].startswith("private")
        assert r["X-Content-Type-Options"] == "nosniff"
    # And the operator's licence desk links the document, and the seller's page links both
    assert licence in client_for(operator).get("/desk/licences").content.decode()
    own = client_for(seller).get("/seller/verification").content.decode()
    assert verification in own
    assert licence in own
    # When another seller, a buyer or a mediator fetches them
    # Then neither is found
    for user in (other_seller, buyer, staff[Role.MEDIATOR]):
        assert client_for(user).get(verification).status_code == 404, user
        assert client_for(user).get(licence).status_code == 404, user
    # And this seller's licence under another seller's address is nothing either
    assert (
        client_for(other_seller)
        .get(f"/s/{other_seller.pk}/documents/licences/{lic.pk}")
        .status_code
        == 404
    )
    # And a seller verified by name alone has no document to fetch
    no_file = client_for(operator).get(f"/s/{other_seller.pk}/documents/verification")
    assert no_file.status_code == 404  # verified by name alone: no document
