"""A complaint about a sale made outside Anxin: the buyer names the seller as she knows them,
and the law's view waits until she has said what she paid."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from anxin.accounts.models import Role, SellerProfile
from anxin.conftest import make_user
from anxin.core.errors import ValidationFailed
from anxin.disputes import services
from anxin.disputes.models import Dispute

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    c = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    c.force_login(user)
    return c


def photo() -> SimpleUploadedFile:
    return SimpleUploadedFile("chat.png", b"\x89PNG\r\n\x1a\nabc", content_type="image/png")


def file_outside(buyer, who: str) -> Dispute:
    return services.dispute_file(
        actor=buyer,
        seller_username=who,
        category="quality_defect",
        claim="茶叶发霉",
        claimed_fen=5000,
        outside_description="微信上买的龙井",
        outside_paid_fen=12800,
        outside_paid_on=dt.date(2026, 4, 28),
        files=[("聊天记录", photo())],
    )


def test_the_seller_is_found_by_phone_wechat_id_shop_name_or_user_name(
    clock, buyer, seller
) -> None:
    # Given a seller with a shop name, a WeChat ID and a phone number
    SellerProfile.objects.filter(user=seller).update(contact_phone="138 0001 0001")
    # When the buyer names the seller by each of them
    # Then each finds that seller
    for who in ("13800010001", "+86 138-0001-0001", "wx_tea-seller", "王春茶的小店", "tea-seller"):
        assert services.seller_find(who) == seller.pk, who
    d = file_outside(buyer, "13800010001")
    assert d.seller_id == seller.pk
    # When she names nobody Anxin knows
    # Then she is told no seller matches
    with pytest.raises(ValidationFailed) as e:
        services.seller_find("13999999999")
    assert e.value.code == "seller_not_found"


def test_a_name_two_sellers_share_is_refused_not_guessed(clock, buyer, seller) -> None:
    # Given two sellers whose shops have the same name
    other = make_user("tea-seller-2", Role.SELLER, "王春茶二店")
    SellerProfile.objects.filter(user=other).update(shop_name="王春茶的小店")
    # When the buyer names the shop
    # Then she is asked for the phone or WeChat ID instead, and no case is filed
    with pytest.raises(ValidationFailed) as e:
        file_outside(buyer, "王春茶的小店")
    assert e.value.code == "seller_ambiguous"
    assert "phone or WeChat" in e.value.detail
    assert not Dispute.objects.exists()
    # When she gives the WeChat ID
    # Then the right seller is found
    assert file_outside(buyer, "wx_tea-seller-2").seller_id == other.pk


def test_the_laws_view_waits_for_what_the_buyer_paid(clock, buyer, seller) -> None:
    c = client_for(buyer)
    # When the buyer opens the form for a sale outside Anxin
    page = c.get("/disputes/new/").content.decode()
    # Then it asks for the seller's phone, WeChat ID, shop name or user name
    assert "卖家的手机号、微信号、店铺名或安心用户名" in page
    # And no verdict shows yet, only a prompt to say what she paid
    assert 'data-testid="filing-prompt"' in page
    assert "law-verdict" not in page
    # And the amount and the day paid update the law's view as they are typed
    assert page.count('hx-get="/disputes/new/view"') == 4
    # When she types what she paid and when, for goods that turned out to be fakes
    view = c.get(
        "/disputes/new/view?category=counterfeit&paid=128&paid_on=2026-04-28&claimed=128"
    ).content.decode()
    # Then the law's view of that sale shows, with what it gives for 128 yuan paid
    assert "law-verdict" in view
    assert 'data-testid="filing-prompt"' not in view
    assert 'data-testid="law-fen"' in view
    # When she files, naming the seller by WeChat ID
    r = c.post(
        "/disputes/new/",
        {
            "seller": "wx_tea-seller",
            "description": "微信上买的龙井",
            "paid": "128",
            "paid_on": "2026-04-28",
            "files": photo(),
            "evidence_text": "聊天记录",
            "category": "quality_defect",
            "claimed": "50",
            "claim": "茶叶发霉",
        },
    )
    # Then the case is filed against that seller
    assert r.status_code == 302
    assert Dispute.objects.get().seller_id == seller.pk
