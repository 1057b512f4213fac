"""The seller's verification page and the operator's licence queue."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from anxin.accounts.models import Role
from anxin.conftest import make_user
from anxin.sellers.models import Licence, Verification

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    c = Client(HTTP_ACCEPT_LANGUAGE="en")
    c.force_login(user)
    return c


def test_a_seller_verifies_sends_a_licence_and_the_operator_approves_it(operator) -> None:
    # Given a signed-in seller who has not verified her identity
    seller = make_user("newshop", Role.SELLER, verified=False)
    c = client_for(seller)
    # When she opens her verification page
    # Then it asks her to verify before listing goods
    assert b"Verify your identity before listing goods" in c.get("/seller/verification").content
    # When she verifies with a resident ID whose check digit is wrong
    bad = c.post(
        "/seller/verification",
        {
            "kind": "individual",
            "name": "李四",
            "number": "110101199003071234",
            "address": "北京",
            "contact": "13900001111",
        },
    )
    # Then she is told so, and nothing is stored
    assert bad.status_code == 422
    assert b"(the check digit) is wrong" in bad.content
    assert not Verification.objects.exists()
    # When she verifies with a good one
    ok = c.post(
        "/seller/verification",
        {
            "kind": "individual",
            "name": "李四",
            "number": "110101199003071233",
            "address": "北京",
            "contact": "13900001111",
        },
    )
    # Then her page shows the number masked, never whole, and her registration duty with its law
    assert ok.status_code == 302
    page = c.get("/seller/verification").content.decode()
    assert "1101************33" in page
    assert "110101199003071233" not in page
    assert 'data-testid="registration-duty"' in page
    assert "/law/ECL/#art-10" in page
    # When she sends a food licence
    c.post(
        "/seller/verification",
        {
            "form": "licence",
            "kind": "food_business",
            "number": "JY1",
            "valid_until": "2030-01-01",
            "document": SimpleUploadedFile("l.pdf", b"%PDF-1.7\n", content_type="application/pdf"),
        },
    )
    lic = Licence.objects.get()
    o = client_for(operator)
    # Then the operator's licence queue shows it, and the seller may not open the queue
    assert "JY1" in o.get("/desk/licences").content.decode()
    assert client_for(seller).get("/desk/licences").status_code == 403
    # When the operator approves a licence that is not a number
    bad = o.post("/desk/licences", {"licence": "the first", "approve": "1"}, follow=True)
    # Then she is told it must be a whole number
    assert bad.status_code == 200
    assert "Licence: enter a whole number." in bad.content.decode()
    # When she approves the seller's licence
    o.post("/desk/licences", {"licence": lic.pk, "approve": "1"})
    # Then it is active, and the seller's page says she is verified, with licences
    lic.refresh_from_db()
    assert lic.status == "active"
    assert "Verified, with licences" in c.get("/seller/verification").content.decode()


def test_the_api_verifies_and_discloses_only_to_the_entitled(api, buyer, other_buyer) -> None:
    from anxin.conftest import make_listing, pay, place_order

    # Given a seller who has not verified
    seller = make_user("apishop", Role.SELLER, verified=False)
    s = api(seller)
    # When she verifies a business through the API with a wrong check character
    r = s.client.post(
        "/api/v1/seller/verification",
        {
            "kind": "business",
            "name": "杭州春茶有限公司",
            "number": "91110000600037340L",
            "address": "杭州",
            "contact": "13900001111",
        },
        headers=s.headers,
    )
    # Then she is told so
    assert r.status_code == 422
    assert "check character" in r.json()["detail"]
    # When she verifies it with a good number and the licence document
    r = s.client.post(
        "/api/v1/seller/verification",
        {
            "kind": "business",
            "name": "杭州春茶有限公司",
            "number": "91110000600037341L",
            "address": "杭州",
            "contact": "13900001111",
            "licence_file": SimpleUploadedFile(
                "b.pdf", b"%PDF-1.7\n", content_type="application/pdf"
            ),
        },
        headers=s.headers,
    )
    # Then she is verified at level 2, the number shown masked
    assert r.status_code == 200, r.content
    assert r.json()["number"] == "9111************1L"
    assert r.json()["level"] == 2
    # Given a paid order from a buyer
    order = place_order(buyer, make_listing(seller))
    pay(order)
    # When another buyer asks for the seller's identity, citing that order
    # Then he is refused
    assert (
        api(other_buyer).get(f"/sellers/{seller.pk}/identity?reference={order.number}").status_code
        == 403
    )
    # When the order's buyer asks
    got = api(buyer).get(f"/sellers/{seller.pk}/identity?reference={order.number}").json()
    # Then she gets the seller's name and masked number
    assert got["name"] == "杭州春茶有限公司"
    assert got["number"] == "9111************1L"
