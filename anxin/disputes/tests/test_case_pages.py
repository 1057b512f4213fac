"""The case page as each party reads it: who refused the mediator's proposal, the seller's
offer and what silence does with it, and the law's reasons worded for the reader."""

from __future__ import annotations

import pytest
from django.test import Client

from anxin.disputes import services
from anxin.disputes.tests.helpers import desk, shipped

pytestmark = pytest.mark.django_db


def client_for(user, lang: str = "zh-hans") -> Client:
    c = Client(HTTP_ACCEPT_LANGUAGE=lang)
    c.force_login(user)
    return c


def filed(buyer, seller, listing, claimed_fen: int = 5000):
    order = shipped(buyer, seller, listing)
    return services.dispute_file(
        actor=buyer,
        number=order.number,
        category="quality_defect",
        claim="茶叶发霉",
        claimed_fen=claimed_fen,
    )


def test_a_refused_proposal_shows_who_refused_it(buyer, seller, listing) -> None:
    # Given a case in mediation with the mediator's proposal
    people = desk()
    d = filed(buyer, seller, listing)
    services.dispute_answer(actor=seller, number=d.number, offer_fen=1000, text="补偿10元")
    services.dispute_reply(actor=buyer, number=d.number, accept=False, reason="太少")
    services.dispute_propose(
        actor=people["mediator"], number=d.number, amount_fen=3000, text="各让一步"
    )
    # When the buyer accepts and the seller refuses it
    services.dispute_respond(actor=buyer, number=d.number, accept=True)
    services.dispute_respond(actor=seller, number=d.number, accept=False, reason="太多")
    # Then the case page shows the buyer accepted and the seller refused, in zh and en
    zh = client_for(buyer).get(f"/disputes/{d.number}/").content.decode()
    assert "买家: ✓ 已接受 · 卖家: ✗ 已拒绝" in zh.replace("：", ": ")
    en = client_for(buyer, "en").get(f"/disputes/{d.number}/").content.decode()
    assert "Seller: ✗ refused" in en
    assert "…" not in en.split('data-testid="proposal-answers"')[1].split("</p>")[0]
