"""/api/v1/mediations and /api/v1/referrals: the association's work through the JSON API."""

from __future__ import annotations

import pytest

from anxin.supervision import services
from anxin.supervision.models_association import Mediation, MediationStatus
from anxin.supervision.tests.test_complaints import materials, outside
from anxin.supervision.tests.test_mediation import world  # noqa: F401

pytestmark = pytest.mark.django_db


def test_a_mediation_through_the_api(api, world, other_buyer) -> None:  # noqa: F811
    buyer, staff = world["buyer"], world["association"]
    c = services.complaint_file(actor=buyer, seller=outside(), materials=materials())
    # When the complainant asks the association to mediate
    r = api(buyer).post("/mediations", {"complaint": c.number})
    # Then it opens, and a stranger can neither read nor end it
    assert r.status_code == 201, r.json()
    number = r.json()["number"]
    assert api(other_buyer).get(f"/mediations/{number}").status_code == 404
    r = api(other_buyer).post(f"/mediations/{number}/end", {"agreed": False, "text": "x"})
    assert r.status_code == 404
    assert Mediation.objects.get(number=number).status == MediationStatus.OPEN
    # When the association's staff end it without agreement
    r = api(staff).post(f"/mediations/{number}/end", {"agreed": False, "text": "商家拒绝调解"})
    # Then it has failed, and the consumer downloads the court's package
    assert r.json()["status"] == "failed"
    z = api(buyer).get(f"/mediations/{number}/package/court")
    assert (z.status_code, z["Content-Type"]) == (200, "application/zip")


def test_a_referral_through_the_api(api, world) -> None:  # noqa: F811
    # When the association refers a seller to the regulator, which answers
    r = api(world["association"]).post(
        "/referrals", {"seller_name": "阿芳代购", "text": "多起同类投诉。", "cases": []}
    )
    assert r.status_code == 201, r.json()
    number = r.json()["number"]
    # Then the association cannot answer it itself, the regulator can
    assert (
        api(world["association"]).post(f"/referrals/{number}/answer", {"answer": "x"}).status_code
        == 404
    )
    r = api(world["regulator"]).post(f"/referrals/{number}/answer", {"answer": "已约谈。"})
    assert r.json()["answer"] == "已约谈。"
