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
    # Given a buyer with a shipped order
    order = shipped(buyer, seller, listing)
    b = client_for(buyer)
    # When she opens the order
    page = b.get(f"/orders/{order.number}")
    # Then it offers to file a complaint
    assert b'data-testid="complain"' in page.content
    # When she opens the filing page for a counterfeit
    r = b.get(f"/disputes/new/?order={order.number}&category=counterfeit")
    # Then it links the article of the law and shows the routes
    assert r.status_code == 200
    html = r.content.decode()
    assert "/law/CRPL/#art-55" in html
    assert 'data-testid="routes"' in html
    # When she picks a category the law has no rule for
    partial = b.get(f"/disputes/new/view?order={order.number}&category=other&claimed=10")
    # Then the view says so
    assert 'data-testid="no-rule"' in partial.content.decode()
    # When she files with a claimed amount that is not a number
    bad = b.post(
        "/disputes/new/",
        {"order": order.number, "category": "counterfeit", "claimed": "abc", "claim": "假货"},
    )
    # Then the page names the field in words, not by its internal name, and no case is filed
    assert bad.status_code == 422
    assert b"Amount claimed:" in bad.content
    assert b"claimed_fen" not in bad.content
    assert not Dispute.objects.exists()
    # When she files claiming 700 yuan
    r = b.post(
        "/disputes/new/",
        {"order": order.number, "category": "counterfeit", "claimed": "700", "claim": "假货"},
    )
    # Then the case is filed in fen and she is sent to its page, which an outsider cannot see
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
    # Given a case waiting for the seller's answer, and the desk's staff
    people = desk()
    order = shipped(buyer, seller, listing)
    d = services.dispute_file(
        actor=buyer, number=order.number, category="quality_defect", claim="坏了", claimed_fen=5000
    )
    # When the seller and the buyer open the case page
    s = client_for(seller)
    page = s.get(f"/disputes/{d.number}/").content.decode()
    # Then the seller has the answer form and the download, and the buyer no answer form
    assert 'data-testid="answer"' in page
    assert 'data-testid="bundle"' in page
    assert (
        'data-testid="answer"'
        not in client_for(buyer).get(f"/disputes/{d.number}/").content.decode()
    )
    # When the seller answers with a negative offer
    r = s.post(f"/disputes/{d.number}/answer", {"offer": "-1", "text": "x"})
    # Then she is sent back to the page, which shows the error
    assert r.status_code == 302
    shown = s.get(f"/disputes/{d.number}/").content.decode()
    assert "Offer:" in shown  # the error, shown, naming the field in words
    assert "offer_fen" not in shown
    # When she offers 10 yuan and the buyer turns it down
    s.post(f"/disputes/{d.number}/answer", {"offer": "10", "text": "补偿10元"})
    b = client_for(buyer)
    b.post(f"/disputes/{d.number}/reply", {"reason": "太少"})
    # Then the case goes to mediation, with the mediator assigned
    d.refresh_from_db()
    assert d.stage == "mediation"
    assert d.mediator == people["mediator"]
    # When the buyer puts a photo on the file
    photo = SimpleUploadedFile("p.png", b"\x89PNG\r\n\x1a\nabc", content_type="image/png")
    b.post(f"/disputes/{d.number}/evidence", {"text": "照片", "file": photo})
    # Then the seller can download it and an outsider cannot
    item = d.evidence.get()
    assert s.get(f"/disputes/{d.number}/files/{item.pk}").status_code == 200
    assert (
        client_for(make_user("nosy", Role.SELLER))
        .get(f"/disputes/{d.number}/files/{item.pk}")
        .status_code
        == 404
    )
    # When the mediator, who has forms on the page, proposes 30 yuan and both parties accept
    m = client_for(people["mediator"])
    assert 'action="/disputes/' in m.get(f"/disputes/{d.number}/").content.decode()
    m.post(f"/disputes/{d.number}/propose", {"amount": "30", "text": "各让一步"})
    b.post(f"/disputes/{d.number}/respond", {"accept": "1"})
    s.post(f"/disputes/{d.number}/respond", {"accept": "1"})
    # Then the case settles at 30 yuan, which the buyer's page shows paid from escrow
    d.refresh_from_db()
    assert d.outcome == "settled"
    assert d.remedy_fen == 3000
    page = b.get(f"/disputes/{d.number}/").content.decode()
    assert 'data-testid="case-outcome"' in page
    assert "from escrow" in page
    # And the buyer can download the bundle, while an unknown action is not found
    assert b.get(f"/disputes/{d.number}/bundle.zip")["Content-Type"] == "application/zip"
    assert b.post(f"/disputes/{d.number}/nonsense").status_code == 404


def test_cases_notices_and_guarantee_pages(buyer, seller, operator, listing) -> None:
    # Given a case the buyer filed against the seller
    order = shipped(buyer, seller, listing)
    d = services.dispute_file(
        actor=buyer, number=order.number, category="quality_defect", claim="坏了", claimed_fen=100
    )
    # When the seller opens her cases and her notices
    # Then the case is listed, and a notice says a complaint was filed and links to it
    s = client_for(seller)
    assert d.number in s.get("/disputes/").content.decode()
    notices = s.get("/notices/").content.decode()
    assert f"/disputes/{d.number}/" in notices
    assert "filed a complaint" in notices
    # When the seller, the operator and the buyer open the guarantee page
    # Then the seller sees her deposit, the operator the fund, and the buyer is refused
    assert 'data-testid="deposit"' in s.get("/guarantee/").content.decode()
    assert 'data-testid="fund"' in client_for(operator).get("/guarantee/").content.decode()
    assert client_for(buyer).get("/guarantee/").status_code == 403
    # When the operator allocates 999999 yuan to the fund, more than the fee income
    from anxin.ledger.services import fund_account
    from anxin.remedies.services import account_available

    fund_before = account_available(fund_account())
    o = client_for(operator)
    r = o.post("/guarantee/", {"amount": "999999", "reason": "x"})
    # Then she is sent back to the page, which says why, and the fund has not changed
    assert r.status_code == 302
    assert "fee income available" in o.get(r.url).content.decode()
    assert account_available(fund_account()) == fund_before
