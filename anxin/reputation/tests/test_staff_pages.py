"""The staff's reputation pages: the blacklist desk (a notice, the seller's appeal, the
decision) and the reviews desk (hiding a review for a listed reason), each for the roles its
service allows, asking before it acts and saying when it is done."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from anxin.accounts.models import Role
from anxin.conftest import make_listing, pay, place_order
from anxin.orders import services as orders
from anxin.reputation import services as reviews
from anxin.reputation.models import BlacklistEntry, EntryStatus, Review

pytestmark = pytest.mark.django_db


def client_for(user, lang: str = "zh-hans") -> Client:
    c = Client(HTTP_ACCEPT_LANGUAGE=lang)
    c.force_login(user)
    return c


def flash(page: str, kind: str) -> str:
    return page.split(f'class="flash {kind}"', 1)[1].split("</p>", 1)[0]


def test_a_notice_the_sellers_appeal_and_the_regulators_decision_on_the_desk(
    clock, seller, operator, staff
) -> None:
    # Given the operator on the blacklist desk
    op = client_for(operator)
    page = op.get("/desk/blacklist").content.decode()
    # Then it says plainly that nothing waits, and its forms ask before they act
    assert "没有等待决定的黑名单通知" in page
    assert 'data-confirm="确定向卖家发出该通知' in page
    # When the operator sends a notice against the seller citing a case
    r = op.post(
        "/desk/blacklist",
        {
            "form": "open",
            "seller": str(seller.pk),
            "ground": "fraud",
            "reasons": "裁决认定售假",
            "evidence": "DS20260501AAAA, DS20260502BBBB",
        },
        follow=True,
    )
    # Then it is recorded with both cases, and the page says so
    e = BlacklistEntry.objects.get(seller=seller)
    assert e.evidence == ["DS20260501AAAA", "DS20260502BBBB"]
    assert "通知已发给卖家" in flash(r.content.decode(), "success")
    # When a regulator tries to decide it while the seller may still appeal
    reg = client_for(staff[Role.REGULATOR])
    early = reg.post(
        "/desk/blacklist",
        {"form": "decide", "entry": str(e.pk), "list": "1", "reasons": "x", "term_days": "30"},
        follow=True,
    )
    # Then the page offers no decision yet, and the refusal is in Chinese
    assert "卖家仍可申诉，请在申诉期结束后再作决定" in flash(early.content.decode(), "error")
    assert 'data-testid="list-seller"' not in early.content.decode()
    e.refresh_from_db()
    assert e.status == EntryStatus.NOTICED
    # When the seller appeals on her blacklist page
    client_for(seller).post("/blacklist/", {"entry": str(e.pk), "text": "鉴定有误，附进货发票"})
    # Then the regulator's desk shows the appeal and the decision forms
    page = reg.get("/desk/blacklist").content.decode()
    assert "鉴定有误，附进货发票" in page
    assert 'data-testid="list-seller"' in page
    assert 'data-confirm="确定将该卖家列入黑名单' in page
    # When the regulator lists the seller for 90 days
    done = reg.post(
        "/desk/blacklist",
        {
            "form": "decide",
            "entry": str(e.pk),
            "list": "1",
            "reasons": "申诉不成立",
            "term_days": "90",
        },
        follow=True,
    )
    # Then she is listed, the page says so and the public blacklist shows her shop
    e.refresh_from_db()
    assert e.status == EntryStatus.LISTED
    assert e.term_days == 90
    assert "该卖家已列入黑名单" in flash(done.content.decode(), "success")
    assert seller.seller_profile.shop_name in Client().get("/blacklist/").content.decode()
    # When the regulator lifts the listing from the desk, with reasons
    page = reg.get("/desk/blacklist").content.decode()
    assert 'data-confirm="确定在期满前解除' in page
    lifted = reg.post(
        "/desk/blacklist",
        {"form": "lift", "entry": str(e.pk), "reasons": "法院撤销了处罚决定"},
        follow=True,
    )
    # Then it is lifted, the page says so, the public list drops it and the seller's page
    # shows it was lifted and why
    e.refresh_from_db()
    assert e.status == EntryStatus.LIFTED
    assert "已解除黑名单" in flash(lifted.content.decode(), "success")
    assert seller.seller_profile.shop_name not in Client().get("/blacklist/").content.decode()
    record = Client(HTTP_ACCEPT_LANGUAGE="zh-hans").get(f"/s/{seller.pk}").content.decode()
    assert "已提前解除：法院撤销了处罚决定" in record


def test_a_notice_dismissed_after_the_appeal_window(clock, seller, operator) -> None:
    # Given a notice whose appeal window passed without an appeal
    op = client_for(operator, "en")
    op.post(
        "/desk/blacklist",
        {
            "form": "open",
            "seller": str(seller.pk),
            "ground": "runaway",
            "reasons": "失联",
            "evidence": "AX1",
        },
        follow=True,
    )
    e = BlacklistEntry.objects.get(seller=seller)
    clock.shift(dt.timedelta(days=8))
    # When the operator dismisses it
    r = op.post(
        "/desk/blacklist",
        {"form": "decide", "entry": str(e.pk), "list": "0", "reasons": "已联系上"},
        follow=True,
    )
    # Then it is dismissed and the page says so in English
    e.refresh_from_db()
    assert e.status == EntryStatus.DISMISSED
    assert "The notice is dismissed" in flash(r.content.decode(), "success")


def test_a_notice_with_a_bad_seller_number_is_refused_in_words(operator) -> None:
    # Given the operator on the blacklist desk
    op = client_for(operator, "en")
    # When she sends a notice naming no seller number
    r = op.post(
        "/desk/blacklist",
        {"form": "open", "seller": "abc", "ground": "fraud", "reasons": "x", "evidence": "A1"},
    )
    # Then nothing is opened, her text is kept and the error names the field in words
    assert r.status_code == 422
    assert not BlacklistEntry.objects.exists()
    page = r.content.decode()
    assert "Seller" in flash(page, "error")
    assert "seller_id" not in flash(page, "error")


@pytest.mark.parametrize("who", ["buyer", "seller", "mediator"])
def test_the_blacklist_desk_is_refused_to_others(who, buyer, seller, staff) -> None:
    # Given a buyer, a seller or a mediator
    user = {"buyer": buyer, "seller": seller, "mediator": staff[Role.MEDIATOR]}[who]
    c = client_for(user)
    # When they open the blacklist desk, or post a notice to it
    # Then they are refused and nothing is opened
    assert c.get("/desk/blacklist").status_code == 403
    r = c.post(
        "/desk/blacklist",
        {
            "form": "open",
            "seller": str(seller.pk),
            "ground": "fraud",
            "reasons": "x",
            "evidence": "A",
        },
    )
    assert r.status_code == 403
    assert not BlacklistEntry.objects.exists()


def _reviewed(buyer, seller) -> str:
    order = place_order(buyer, make_listing(seller))
    pay(order)
    orders.order_ship(
        actor=seller, number=order.number, carrier="顺丰", tracking_number="SF1000000001"
    )
    orders.order_confirm(actor=buyer, number=order.number)
    reviews.review_create(
        actor=buyer,
        number=order.number,
        as_described=1,
        shipping=1,
        service=1,
        text="卖家电话 13900001111，大家打他",
    )
    return order.number


def test_the_operator_hides_a_review_and_its_place_says_why(buyer, seller, operator) -> None:
    # Given a review that discloses a phone number
    number = _reviewed(buyer, seller)
    op = client_for(operator)
    # When the operator opens the reviews desk
    page = op.get("/desk/reviews").content.decode()
    # Then the review is there, with a form that asks before hiding it
    assert "卖家电话 13900001111" in page
    assert 'data-confirm="确定隐藏这条评价' in page
    # When she hides it for personal data, with a note
    r = op.post(
        "/desk/reviews",
        {"order": number, "reason": "personal_data", "note": "含手机号"},
        follow=True,
    )
    # Then it is hidden, the page says so, and the seller's page shows why in its place
    assert Review.objects.get(order__number=number).hidden_reason == "personal_data"
    assert "评价已隐藏" in flash(r.content.decode(), "success")
    public = Client(HTTP_ACCEPT_LANGUAGE="zh-hans").get(f"/s/{seller.pk}").content.decode()
    hidden = public.split('data-testid="hidden-review"', 1)[1].split("</p>", 1)[0]
    assert "已被平台隐藏" in hidden
    assert "含手机号" in hidden
    assert "13900001111" not in public
    # When she tries to hide it again
    again = op.post("/desk/reviews", {"order": number, "reason": "abuse", "note": "x"}, follow=True)
    # Then the refusal is shown in Chinese
    assert "这条评价已经隐藏" in flash(again.content.decode(), "error")


@pytest.mark.parametrize("who", ["buyer", "seller", "regulator"])
def test_the_reviews_desk_is_refused_to_others(who, buyer, seller, staff) -> None:
    # Given a review, and a buyer, the seller or a regulator
    number = _reviewed(buyer, seller)
    user = {"buyer": buyer, "seller": seller, "regulator": staff[Role.REGULATOR]}[who]
    c = client_for(user)
    # When they open the reviews desk, or post a hiding to it
    # Then they are refused and the review stays shown
    assert c.get("/desk/reviews").status_code == 403
    r = c.post("/desk/reviews", {"order": number, "reason": "abuse", "note": "x"})
    assert r.status_code == 403
    assert Review.objects.get(order__number=number).hidden_at is None
