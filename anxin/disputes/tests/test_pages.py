"""The desk's pages, server-rendered: filing with the law's view and the routes, the case page
for each role, actions through forms, the file download, notices and the guarantee page."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from anxin.accounts.models import Role
from anxin.conftest import make_user
from anxin.disputes import services
from anxin.disputes.models import Dispute
from anxin.disputes.tests.helpers import desk, shipped

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    c = Client(HTTP_ACCEPT_LANGUAGE="en")
    c.force_login(user)
    return c


def test_filing_page_shows_the_law_evidence_and_routes_then_files(buyer, seller, listing) -> None:
    order = shipped(buyer, seller, listing)
    b = client_for(buyer)
    page = b.get(f"/orders/{order.number}")
    assert b'data-testid="complain"' in page.content
    r = b.get(f"/disputes/new/?order={order.number}&category=counterfeit")
    assert r.status_code == 200
    html = r.content.decode()
    assert "/law/CRPL/#art-55" in html
    assert 'data-testid="routes"' in html
    partial = b.get(f"/disputes/new/view?order={order.number}&category=other&claimed=10")
    assert 'data-testid="no-rule"' in partial.content.decode()
    bad = b.post(
        "/disputes/new/",
        {"order": order.number, "category": "counterfeit", "claimed": "abc", "claim": "假货"},
    )
    assert bad.status_code == 422
    assert b"claimed_fen" in bad.content
    assert not Dispute.objects.exists()
    r = b.post(
        "/disputes/new/",
        {"order": order.number, "category": "counterfeit", "claimed": "700", "claim": "假货"},
    )
    d = Dispute.objects.get()
    assert r.status_code == 302
    assert r["Location"] == f"/disputes/{d.number}/"
    assert d.claimed_fen == 70000
    assert (
        client_for(make_user("nosy", Role.BUYER)).get(f"/disputes/{d.number}/").status_code == 404
    )


def test_the_case_page_shows_each_role_its_forms_and_the_actions_work(
    buyer, seller, listing
) -> None:
    people = desk()
    order = shipped(buyer, seller, listing)
    d = services.dispute_file(
        actor=buyer, number=order.number, category="quality_defect", claim="坏了", claimed_fen=5000
    )
    s = client_for(seller)
    page = s.get(f"/disputes/{d.number}/").content.decode()
    assert 'data-testid="answer"' in page
    assert 'data-testid="bundle"' in page
    assert (
        'data-testid="answer"'
        not in client_for(buyer).get(f"/disputes/{d.number}/").content.decode()
    )
    r = s.post(f"/disputes/{d.number}/answer", {"offer": "-1", "text": "x"})
    assert r.status_code == 302
    assert "offer_fen" in s.get(f"/disputes/{d.number}/").content.decode()  # the error, shown
    s.post(f"/disputes/{d.number}/answer", {"offer": "10", "text": "补偿10元"})
    b = client_for(buyer)
    b.post(f"/disputes/{d.number}/reply", {"reason": "太少"})
    d.refresh_from_db()
    assert d.stage == "mediation"
    assert d.mediator == people["mediator"]
    photo = SimpleUploadedFile("p.png", b"\x89PNG\r\n\x1a\nabc", content_type="image/png")
    b.post(f"/disputes/{d.number}/evidence", {"text": "照片", "file": photo})
    item = d.evidence.get()
    assert s.get(f"/disputes/{d.number}/files/{item.pk}").status_code == 200
    assert (
        client_for(make_user("nosy", Role.SELLER))
        .get(f"/disputes/{d.number}/files/{item.pk}")
        .status_code
        == 404
    )
    m = client_for(people["mediator"])
    assert 'action="/disputes/' in m.get(f"/disputes/{d.number}/").content.decode()
    m.post(f"/disputes/{d.number}/propose", {"amount": "30", "text": "各让一步"})
    b.post(f"/disputes/{d.number}/respond", {"accept": "1"})
    s.post(f"/disputes/{d.number}/respond", {"accept": "1"})
    d.refresh_from_db()
    assert d.outcome == "settled"
    assert d.remedy_fen == 3000
    page = b.get(f"/disputes/{d.number}/").content.decode()
    assert 'data-testid="case-outcome"' in page
    assert "from escrow" in page
    assert b.get(f"/disputes/{d.number}/bundle.zip")["Content-Type"] == "application/zip"
    assert b.post(f"/disputes/{d.number}/nonsense").status_code == 404


def test_cases_notices_and_guarantee_pages(buyer, seller, operator, listing) -> None:
    order = shipped(buyer, seller, listing)
    d = services.dispute_file(
        actor=buyer, number=order.number, category="quality_defect", claim="坏了", claimed_fen=100
    )
    s = client_for(seller)
    assert d.number in s.get("/disputes/").content.decode()
    notices = s.get("/notices/").content.decode()
    assert f"/disputes/{d.number}/" in notices
    assert "filed a complaint" in notices
    assert 'data-testid="deposit"' in s.get("/guarantee/").content.decode()
    assert 'data-testid="fund"' in client_for(operator).get("/guarantee/").content.decode()
    assert client_for(buyer).get("/guarantee/").status_code == 403
    r = client_for(operator).post("/guarantee/", {"amount": "999999", "reason": "x"})
    assert r.status_code == 302
