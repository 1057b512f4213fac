"""What a seller and a regulator read about an act: its heading says what kind of act it is, a
seller's list of acts leads with the kind (not a number glued to it) and gives the day to
correct by, and the footer speaks to the reader's role."""

from __future__ import annotations

import pytest

from anxin.accounts.models import User
from anxin.supervision import regulator as reg
from anxin.supervision.tests.test_regulator_pages import signed_in, xihu  # noqa: F401

pytestmark = pytest.mark.django_db


def _act(xihu: User, seller: User, kind: str) -> str:  # noqa: F811
    return reg.action_record(
        actor=xihu,
        target=reg.Target(seller_id=seller.pk),
        kind=kind,
        summary="在店铺首页公示营业执照信息。",
        correct_days=10 if kind == "correction" else None,
    ).number


@pytest.mark.parametrize(
    ("kind", "zh", "en"),
    [
        ("correction", "责令改正的内容", "What is to be corrected"),
        ("warning", "警告的事由", "What the warning is for"),
        ("interview", "约谈内容", "What was said at the interview"),
    ],
)
def test_an_act_s_page_heads_its_text_by_the_kind_of_act(
    xihu: User,  # noqa: F811
    seller: User,
    kind: str,
    zh: str,
    en: str,
) -> None:
    # Given an act of the office about the seller
    number = _act(xihu, seller, kind)
    # When the seller opens it, in Chinese and in English
    for lang, heading in (("zh-hans", zh), ("en", en)):
        page = signed_in(seller, lang).get(f"/supervision/actions/{number}").content.decode()
        # Then the text is headed by what it is, not by a heading for any act
        assert f"<h2>{heading}</h2>" in page
        assert "What was said or found" not in page


def test_a_seller_s_list_of_acts_leads_with_the_kind_and_the_day_to_correct_by(
    xihu: User,  # noqa: F811
    seller: User,
) -> None:
    # Given an open order to correct of the seller's shop
    number = _act(xihu, seller, "correction")
    # When the seller opens its page of the regulator's acts
    page = signed_in(seller).get("/supervision/").content.decode()
    # Then the act is named by its kind, with its deadline, and its number comes last
    assert ">责令改正</a>" in page
    assert "改正期限" in page
    assert f"{number}</span> · " not in page
    assert f'<span translate="no">{number}</span></span>' in page


def test_the_footer_speaks_to_the_reader_s_role(xihu: User, seller: User, buyer: User) -> None:  # noqa: F811
    from django.test import Client

    # When a visitor, a buyer, a seller and a regulator open a page
    visitor = Client(HTTP_ACCEPT_LANGUAGE="zh-hans").get("/figures/").content.decode()
    as_buyer = signed_in(buyer).get("/figures/").content.decode()
    as_seller = signed_in(seller).get("/figures/").content.decode()
    as_staff = signed_in(xihu).get("/figures/").content.decode()
    # Then a visitor and a buyer read that their payment is held until they confirm receipt
    assert "确认收货前，您的货款由安心托管。" in visitor
    assert "确认收货前，您的货款由安心托管。" in as_buyer
    # And a seller reads when the buyer's payment reaches it
    assert "买家的货款由安心托管，买家确认收货或确认期限届满后结算给您。" in as_seller
    assert "确认收货前，您的货款由安心托管。" not in as_seller
    # And the regulator's staff, who pay nothing, read neither
    assert "托管" not in as_staff.split("<footer>")[1]
