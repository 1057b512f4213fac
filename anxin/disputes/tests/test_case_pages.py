"""The case page as each party reads it: who refused the mediator's proposal, the seller's
offer and what silence does with it, and the law's reasons worded for the reader."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from anxin.conftest import read_deadline
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


def in_mediation(d, buyer, seller, mediator) -> None:
    """The seller offers 10 yuan, the buyer refuses, the mediator proposes 30."""
    services.dispute_answer(actor=seller, number=d.number, offer_fen=1000, text="补偿10元")
    services.dispute_reply(actor=buyer, number=d.number, accept=False, reason="太少")
    services.dispute_propose(actor=mediator, number=d.number, amount_fen=3000, text="各让一步")


def test_a_refused_proposal_shows_who_refused_it(buyer, seller, listing) -> None:
    # Given a case in mediation with the mediator's proposal
    people = desk()
    d = filed(buyer, seller, listing)
    in_mediation(d, buyer, seller, people["mediator"])
    # When the buyer accepts and the seller refuses it
    services.dispute_respond(actor=buyer, number=d.number, accept=True)
    services.dispute_respond(actor=seller, number=d.number, accept=False, reason="太多")
    # Then the case page shows the buyer accepted and the seller refused, in zh and en
    zh = client_for(buyer).get(f"/disputes/{d.number}/").content.decode()
    assert "买家: ✓ 已接受 · 卖家: ✗ 已拒绝" in zh.replace("：", ": ")
    en = client_for(buyer, "en").get(f"/disputes/{d.number}/").content.decode()
    assert "Seller: ✗ refused" in en
    assert "…" not in en.split('data-testid="proposal-answers"')[1].split("</p>")[0]


def test_the_offer_button_shows_the_amount_and_the_page_says_what_silence_does(
    buyer, seller, listing
) -> None:
    # Given a case where the seller offers 20 yuan
    d = filed(buyer, seller, listing)
    services.dispute_answer(actor=seller, number=d.number, offer_fen=2000, text="补偿20元")
    d.refresh_from_db()
    due = read_deadline(d.due_at, short=False)
    # When the buyer opens the case
    page = client_for(buyer).get(f"/disputes/{d.number}/").content.decode()
    # Then the main button names the amount, and the page says silence accepts the offer
    assert re.search(r'data-testid="accept-offer">接受卖家方案（¥20.00）<', page)
    assert f"如您在 {due} 前不答复，将视为接受卖家 ¥20.00 的方案" in page
    en = client_for(buyer, "en").get(f"/disputes/{d.number}/").content.decode()
    assert "Accept the offer of ¥20.00" in en
    assert f"If you do not answer by {due}, the seller's offer of ¥20.00 is accepted" in en


def test_a_nothing_offer_is_not_the_main_button_and_silence_closes_the_case(
    buyer, seller, listing
) -> None:
    # Given a case where the seller offers nothing
    d = filed(buyer, seller, listing)
    services.dispute_answer(actor=seller, number=d.number, offer_fen=0, text="不赔")
    # When the buyer opens the case
    page = client_for(buyer).get(f"/disputes/{d.number}/").content.decode()
    # Then accepting ¥0 is a secondary button, refusing is the main one
    assert re.search(r'class="secondary"[^>]*>接受卖家方案（¥0.00）<', page)
    assert re.search(r'<button type="submit" data-testid="refuse-offer">', page)
    # And the page says silence closes the complaint with nothing paid
    assert "投诉将关闭且不获任何赔付" in page


def test_the_laws_reasons_are_introduced_as_said_to_the_buyer_for_others(
    buyer, seller, listing
) -> None:
    # Given a case whose law reasons speak to the buyer ("you may return them")
    d = filed(buyer, seller, listing)
    # When the buyer opens it
    # Then the reasons are shown as they are
    assert "对买家而言" not in client_for(buyer).get(f"/disputes/{d.number}/").content.decode()
    # When the seller opens it
    page = client_for(seller).get(f"/disputes/{d.number}/").content.decode()
    # Then they are introduced as what the law says to the buyer
    assert '<strong data-testid="law-to-buyer">对买家而言，法律规定：</strong>' in page


def test_the_mediator_reads_the_orders_shipping_and_chat_on_the_case_page(
    buyer, seller, listing
) -> None:
    from anxin.orders import chat

    # Given a shipped order on which buyer and seller wrote, and a case about it in mediation
    people = desk()
    order = shipped(buyer, seller, listing, tracking="SF3000000077")
    chat.message_post(actor=buyer, number=order.number, text="茶叶长霉了")
    chat.message_post(actor=seller, number=order.number, text="请拍照给我看看")
    d = services.dispute_file(
        actor=buyer,
        number=order.number,
        category="quality_defect",
        claim="茶叶发霉",
        claimed_fen=5000,
    )
    in_mediation(d, buyer, seller, people["mediator"])
    # When the mediator opens the case page
    page = client_for(people["mediator"]).get(f"/disputes/{d.number}/").content.decode()
    # Then it shows the order's parcel and both parties' messages, read-only
    card = page.split('data-testid="order-for-officers"', 1)[1].split("</section>", 1)[0]
    assert "顺丰速运 SF3000000077" in card
    assert "茶叶长霉了" in card
    assert "请拍照给我看看" in card
    assert "<form" not in card
    # And the order number is not a link to the parties' order page (which is not theirs)
    assert f'href="/orders/{order.number}"' not in page
    # When the buyer opens the same case page
    own = client_for(buyer).get(f"/disputes/{d.number}/").content.decode()
    # Then she has her order's link and no officers' copy of her own chat
    assert f'href="/orders/{order.number}"' in own
    assert 'data-testid="order-for-officers"' not in own


def test_every_case_action_says_it_is_done() -> None:
    from anxin.disputes.views import _ACTIONS, _DONE

    # Given the actions a case page posts
    # When each has succeeded
    # Then there is something to tell the person, for each of them
    assert set(_DONE) == set(_ACTIONS)


def test_accepting_a_proposal_asks_first_and_says_it_is_done(buyer, seller, listing) -> None:
    # Given a case with the mediator's proposal waiting for the parties
    people = desk()
    d = filed(buyer, seller, listing)
    in_mediation(d, buyer, seller, people["mediator"])
    c = client_for(buyer)
    # When the buyer opens the case
    page = c.get(f"/disputes/{d.number}/").content.decode()
    # Then the form that accepts the proposal (she gives up adjudication) asks her first
    accept = re.search(r"<form[^>]*/respond\"[^>]*>", page)
    assert accept is not None
    assert "data-confirm=" in accept.group(0)
    assert "¥30.00" in accept.group(0)
    # When she accepts it
    done = c.post(f"/disputes/{d.number}/respond", {"accept": "1"}, follow=True)
    # Then the case page says it is done
    assert "您已接受调解方案。" in done.content.decode()


@pytest.mark.parametrize(
    "action", ["reply", "propose", "decide", "accept_decision", "appeal", "vote", "withdraw"]
)
def test_forms_that_move_money_or_give_up_a_right_ask_first(action) -> None:
    from pathlib import Path

    # Given the case page's template
    import anxin.disputes

    html = (Path(anxin.disputes.__file__).parent / "templates/disputes/dispute.html").read_text()
    # When the form that posts this action is found
    forms = re.findall(rf"<form [^>]*'{action}' %}}\"[^>]*>", html)
    # Then the first of them (the one that accepts, where there are two) asks first
    assert forms, action
    assert "data-confirm=" in forms[0]


def test_the_adjudicator_is_asked_nothing_once_it_has_decided(
    clock, buyer, seller, listing
) -> None:
    from anxin.disputes.tests.helpers import decided

    # Given a case its adjudicator has just decided
    d, _order, people = decided(clock, buyer, seller, listing)
    # When the adjudicator opens the case page, in English
    page = client_for(people["adj1"], "en").get(f"/disputes/{d.number}/").content.decode()
    # Then it asks for nothing: no "your turn", no evidence form
    assert "Your turn" not in page
    assert 'data-testid="evidence-text"' not in page
    # And the buyer is asked to accept or appeal
    buyer_page = client_for(buyer, "en").get(f"/disputes/{d.number}/").content.decode()
    assert "Your turn" in buyer_page
    assert "Accept the decision" in buyer_page


def test_a_party_waiting_for_the_other_is_offered_the_file_not_a_turn(
    buyer, seller, listing
) -> None:
    # Given a complaint the seller has answered: the buyer's turn to reply
    d = filed(buyer, seller, listing)
    services.dispute_answer(actor=seller, number=d.number, offer_fen=1000, text="补偿10元")
    # When the seller opens the case page
    page = client_for(seller, "en").get(f"/disputes/{d.number}/").content.decode()
    # Then it may still add evidence, under a heading that does not say it is its turn
    assert 'data-testid="evidence-text"' in page
    assert "Your turn" not in page
    assert "Add to the file" in page


def test_a_decision_citing_the_aucl_for_a_sale_before_its_revision_links_the_2019_text(
    clock, buyer, seller, listing
) -> None:
    import datetime as dt

    from anxin.core.errors import ValidationFailed
    from anxin.disputes.tests.helpers import to_decision

    # Given a case about an order paid on 2025-06-02, before the Anti-Unfair Competition Law's
    # 2025 revision (in force 2025-10-15), which renumbers its articles, at its decision
    clock.move_to(dt.datetime(2025, 6, 2, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))))
    d, order, people = to_decision(clock, buyer, seller, listing)
    # When the adjudicator opens the case to decide it
    form = client_for(people["adj1"], "en").get(f"/disputes/{d.number}/").content.decode()
    # Then the form says the law is cited in the version in force on the day of the sale
    assert "cited in the version in force on 2025-06-02" in form
    # When the adjudicator cites an article only the 2025 text has
    # Then the citation is refused: the 2019 text, the law of the sale, has 33 articles
    with pytest.raises(ValidationFailed, match="AUCL has no article 35"):
        services.dispute_decide(
            actor=people["adj1"],
            number=d.number,
            refund_fen=order.amount_fen,
            compensation_fen=0,
            reasons="有奖销售违法",
            citations=[{"statute": "AUCL", "article": 35}],
            departure_reason="x",
        )
    # When the adjudicator decides citing AUCL Art. 10 (prize promotions, in the 2019 text)
    # and CRPL Art. 55(1)
    services.dispute_decide(
        actor=people["adj1"],
        number=d.number,
        refund_fen=order.amount_fen,
        compensation_fen=0,
        reasons="有奖销售违法",
        citations=[
            {"statute": "AUCL", "article": 10},
            {"statute": "CRPL", "article": 55, "paragraph": 1},
        ],
        departure_reason="仅退款",
    )
    # Then the case page links the 2019 text's Art. 10, labelled with its year, in Chinese
    # and in English, and the single-version CRPL keeps its plain link
    page = client_for(buyer).get(f"/disputes/{d.number}/").content.decode()
    assert '<a href="/law/AUCL/2019-04-23/#art-10">《反不正当竞争法》（2019年版）第10条</a>' in page
    assert '<a href="/law/CRPL/#art-55">《消费者权益保护法》第55条第1款</a>' in page
    page = client_for(buyer, "en").get(f"/disputes/{d.number}/").content.decode()
    assert '<a href="/law/AUCL/2019-04-23/#art-10">AUCL (2019) Art. 10</a>' in page
