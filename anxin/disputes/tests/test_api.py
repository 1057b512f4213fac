"""The dispute desk over the JSON API: filing, acting, reading the whole file, the bundle,
notices and the guarantee fund; errors name the field; outsiders get 404."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from anxin.accounts.models import Role
from anxin.conftest import make_user
from anxin.disputes import selectors, services
from anxin.disputes.tests.helpers import shipped

pytestmark = pytest.mark.django_db


def test_file_answer_and_read_the_whole_file(api, buyer, seller, other_buyer, listing) -> None:
    # Given a shipped order, its buyer and its seller on the API
    order = shipped(buyer, seller, listing)
    b, s = api(buyer), api(seller)
    # When the buyer asks what a counterfeit complaint would be worth
    view = b.get(
        f"/disputes/filing-view?category=counterfeit&claimed_fen=70000&order={order.number}"
    )
    # Then the filing view quotes the price back plus the law's 500 yuan minimum
    assert view.status_code == 200
    assert view.json()["law_fen"] == order.amount_fen + 50000
    # When she files the complaint
    r = b.post(
        "/disputes",
        {"order": order.number, "category": "counterfeit", "claim": "假货", "claimed_fen": 70000},
    )
    # Then the case waits for the seller's answer, the buyer may withdraw, and an outsider
    # cannot see it
    assert r.status_code == 201, r.content
    case = r.json()
    number = case["number"]
    assert case["role"] == "buyer"
    assert case["step"] == "seller_answer"
    assert "withdraw" in case["can"]
    assert s.get(f"/disputes/{number}").json()["can"][:1] == ["answer"]
    assert api(other_buyer).get(f"/disputes/{number}").status_code == 404
    # When the seller answers with a negative offer
    bad = s.post(f"/disputes/{number}/answer", {"offer_fen": -5, "text": "x"})
    # Then the error names the field
    assert bad.status_code == 422
    assert "offer_fen" in bad.json()["detail"]
    # When she offers 10 yuan
    r = s.post(f"/disputes/{number}/answer", {"offer_fen": 1000, "text": "补偿10元"})
    # Then the case waits for the buyer, who may not answer in the seller's place
    assert r.status_code == 200
    assert r.json()["step"] == "buyer_reply"
    assert b.post(f"/disputes/{number}/answer", {"offer_fen": 1, "text": "x"}).status_code == 403
    # When the buyer accepts
    r = b.post(f"/disputes/{number}/reply", {"accept": True})
    # Then the case settles from escrow, lists among hers and the seller was notified
    assert r.json()["outcome"] == "settled"
    assert r.json()["paid_from"] == {"escrow": 1000}
    listed = b.get("/disputes").json()
    assert [c["number"] for c in listed] == [number]
    notes = s.get("/notifications").json()
    assert notes
    assert notes[0]["url"] == f"/disputes/{number}/"
    assert s.post("/notifications/read").json()["read"] == len(notes)


def test_the_bundle_holds_the_file_and_its_records(api, buyer, seller, listing) -> None:
    # Given a case the buyer filed over the API
    order = shipped(buyer, seller, listing)
    b = api(buyer)
    number = b.post(
        "/disputes",
        {"order": order.number, "category": "quality_defect", "claim": "坏了", "claimed_fen": 100},
    ).json()["number"]
    from django.core.files.uploadedfile import SimpleUploadedFile

    # When she uploads a program as evidence
    exe = SimpleUploadedFile("x.exe", b"MZ", content_type="application/x-msdownload")
    r = b.client.post(
        f"/api/v1/disputes/{number}/evidence", {"text": "程序", "file": exe}, headers=b.headers
    )
    # Then it is refused, naming the file field
    assert r.status_code == 422
    assert "file" in r.json()["detail"]
    # When she uploads a program dressed as a PNG
    disguised = SimpleUploadedFile("x.png", b"MZ\x90\x00", content_type="image/png")
    r = b.client.post(
        f"/api/v1/disputes/{number}/evidence",
        {"text": "伪装", "file": disguised},
        headers=b.headers,
    )
    # Then it is refused as not the type it claims
    assert r.status_code == 422
    assert "not a image/png file" in r.json()["detail"]
    # When she uploads a real photo and downloads the bundle
    photo = SimpleUploadedFile("p.png", b"\x89PNG\r\n\x1a\nxx", content_type="image/png")
    r = b.client.post(
        f"/api/v1/disputes/{number}/evidence", {"text": "照片", "file": photo}, headers=b.headers
    )
    assert r.status_code == 201, r.content
    z = zipfile.ZipFile(io.BytesIO(b.get(f"/disputes/{number}/bundle").content))
    names = z.namelist()
    manifest = json.loads(z.read(f"{number}/manifest.json"))
    # Then it holds the case, the photo and the case's and order's records
    assert f"{number}/case.json" in names
    assert any("/evidence/" in n and n.endswith(".png") for n in names)
    assert any("dispute.filed" in n for n in names)
    assert any("order.created" in n for n in names)
    import hashlib

    # And every file matches the hash the manifest gives it
    for name, sha in manifest["files"].items():
        assert hashlib.sha256(z.read(f"{number}/{name}")).hexdigest() == sha


def test_case_page_queries_do_not_grow_with_evidence(buyer, seller, listing) -> None:
    # Given a case on a shipped order
    order = shipped(buyer, seller, listing)
    d = services.dispute_file(
        actor=buyer, number=order.number, category="quality_defect", claim="坏了", claimed_fen=100
    )
    # When its file is read with 5 and then 100 pieces of evidence
    counts = []
    for total in (5, 100):
        while d.evidence.count() < total:
            services.dispute_evidence_submit(
                actor=buyer, number=d.number, text=f"证据{d.evidence.count()}"
            )
        with CaptureQueriesContext(connection) as q:
            f = selectors.case_file(buyer, d.number)
        assert len(f["evidence"]) == total
        counts.append(len(q.captured_queries))
    # Then both reads take the same number of queries
    assert counts[0] == counts[1], counts


def test_fund_and_deposit_are_their_owners_only(api, buyer, seller, operator, listing) -> None:
    # Given a platform with no fee income and a seller with no balance
    # When a buyer asks for the guarantee fund
    # Then she is refused
    assert api(buyer).get("/guarantee/fund").status_code == 403
    # When the operator asks for it
    # Then she sees an empty fund with a cap per case
    position = api(operator).get("/guarantee/fund").json()
    assert position["balance_fen"] == 0
    assert position["case_cap_fen"] > 0
    # When the operator allocates more than the fee income
    r = api(operator).post("/guarantee/fund/allocate", {"amount_fen": 100, "reason": "x"})
    # Then the error names the amount
    assert r.status_code == 422
    assert "amount_fen" in r.json()["detail"]
    # When the seller reads her deposit
    # Then the whole required deposit is short, and she cannot lodge more than her balance
    dep = api(seller).get("/guarantee/deposit").json()
    assert dep["required_fen"] == 100_000
    assert dep["shortfall_fen"] == 100_000
    assert api(seller).post("/guarantee/deposit", {"amount_fen": 1}).status_code == 422
    # When a mediator asks for a deposit
    # Then she is refused, as only sellers have deposits
    mediator = make_user("mediator7", Role.MEDIATOR)
    assert api(mediator).get("/guarantee/deposit").status_code == 403
