"""What Anxin itself wrote on a record (a cancellation for non-payment, a refund by an
after-sales request, a decision taken by default, a panel's change) reaches a page in the
page's language: the record keeps its English text, the page words it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from anxin.conftest import deliver_all, place_order, shipped
from anxin.disputes import services
from anxin.disputes.tests.helpers import decided, past, to_decision
from anxin.disputes.tests.test_owed_once import returned_for_a_refund
from anxin.orders.models import Order, OrderStatus

pytestmark = pytest.mark.django_db


def _page(user, path: str, lang: str = "zh-hans") -> str:
    c = Client()
    c.force_login(user)
    return c.get(path, HTTP_ACCEPT_LANGUAGE=lang).content.decode()


def test_an_order_cancelled_for_not_being_paid_says_so_in_chinese(
    clock, buyer, listing, settings
) -> None:
    # Given an order its buyer did not pay in time
    order = place_order(buyer, listing)
    clock.shift(dt.timedelta(minutes=settings.ANXIN_PAYMENT_TIMEOUT_MINUTES))
    deliver_all()
    order.refresh_from_db()
    assert order.close_reason == "not paid in time"
    # When she opens it in Chinese and in English
    zh = _page(buyer, f"/orders/{order.number}")
    en = _page(buyer, f"/orders/{order.number}", "en")
    # Then the reason is in each page's language
    assert "未在规定时间内付款。" in zh
    assert "not paid in time" not in zh
    assert "Not paid in time." in en


def test_an_order_refunded_by_a_return_names_the_request_in_chinese(buyer, seller, listing) -> None:
    # Given an order returned for a defect and refunded
    order = shipped(buyer, seller, listing)
    returned_for_a_refund(buyer, seller, order, "茶叶受潮", "SF9000000001")
    order = Order.objects.get(pk=order.pk)
    assert order.status == OrderStatus.REFUNDED
    # When the buyer opens it
    zh = _page(buyer, f"/orders/{order.number}")
    # Then the page says why in Chinese, with the request's kind in words
    assert "已因售后申请（质量问题退货）退款。" in zh
    assert "after-sales quality_return" not in zh


def test_a_decision_by_default_is_explained_in_the_pages_language(
    clock, buyer, seller, listing
) -> None:
    # Given a case its adjudicator left undecided past the deadline
    d, _, _ = to_decision(clock, buyer, seller, listing)
    assert past(clock, d) == "default: the law engine's proposal decided"
    # When the buyer opens the case in Chinese and in English
    zh = _page(buyer, f"/disputes/{d.number}/")
    en = _page(buyer, f"/disputes/{d.number}/", "en")
    # Then each says, in its language, why the law engine's proposal decided, and gives the
    # law's reasons in that language
    assert "裁决员未在期限内作出裁决" in zh
    assert "The adjudicator did not decide in time" not in zh
    assert "The adjudicator did not decide in time, so the law engine" in en
    law = d.law[0]["reasons"]
    assert law["zh"] in zh
    assert law["en"] in en


def test_an_appeal_panels_change_is_explained_in_chinese(clock, buyer, seller, listing) -> None:
    from anxin.accounts.models import User

    # Given a decided case whose appeal panel's majority lowered the remedy
    d, _, _ = decided(clock, buyer, seller, listing)
    a = services.dispute_appeal(actor=seller, number=d.number, reason="鉴定机构不权威")
    members = [User.objects.get(pk=pk) for pk in a.members]
    for member, remedy in zip(members[:2], (20000, 30000), strict=True):
        services.dispute_vote(
            actor=member, number=d.number, uphold=False, remedy_fen=remedy, reasons="酌减"
        )
    # When the buyer opens the case
    zh = _page(buyer, f"/disputes/{d.number}/")
    # Then the panel's change is explained in Chinese
    assert "复核小组多数意见改变了处理结果" in zh
    assert "majority changed the remedy" not in zh


def test_a_label_and_its_value_are_joined_as_each_language_writes_it(
    buyer, seller, listing
) -> None:
    # Given a complaint about a shipped order
    order = shipped(buyer, seller, listing)
    d = services.dispute_file(
        actor=buyer, number=order.number, category="quality_defect", claim="受潮", claimed_fen=100
    )
    # When the buyer opens the case in Chinese and in English
    zh = _page(buyer, f"/disputes/{d.number}/")
    en = _page(buyer, f"/disputes/{d.number}/", "en")
    # Then the complaint's kind and text are joined by a full-width colon in Chinese and by
    # ": " in English
    assert "质量问题：受潮" in zh
    assert "质量问题: 受潮" not in zh
    assert ": 受潮" in en


def test_a_case_asking_less_than_the_law_gives_says_so(buyer, seller, listing) -> None:
    # Given a counterfeit complaint asking for less than the law gives (the price and damages)
    order = shipped(buyer, seller, listing)
    d = services.dispute_file(
        actor=buyer, number=order.number, category="counterfeit", claim="假货", claimed_fen=100
    )
    assert d.law_fen > d.claimed_fen == d.cap_fen
    # When the buyer opens it
    zh = _page(buyer, f"/disputes/{d.number}/")
    # Then the page says the law gives more than was asked, and that no decision goes beyond it
    assert "法律规定最多可得" in zh
    assert "但裁决不会超过投诉时请求的 ¥1.00" in zh
