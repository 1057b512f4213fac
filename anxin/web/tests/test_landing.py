"""The landing page a visitor sees before signing in: what Anxin does in three steps, and the
checks anyone can make without an account (a seller, a badge, a voucher)."""

from __future__ import annotations

import pytest
from django.test import Client

from anxin.conftest import make_listing, make_user, pay, place_order
from anxin.evidence import sequencer
from anxin.orders import vouchers
from anxin.sellers import badge

pytestmark = pytest.mark.django_db


def test_the_landing_page_says_what_anxin_does_and_offers_the_checks() -> None:
    # When a visitor who is not signed in opens the site, in Chinese and in English
    zh = Client().get("/").content.decode()
    en = Client(headers={"accept-language": "en"}).get("/").content.decode()
    # Then it says how it works in three steps, and offers the three checks
    assert "你先把钱付给安心托管。" in zh
    assert "卖家发货。" in zh
    assert "你确认收货。" in zh
    assert "You pay into escrow." in en
    assert "you get your money back" in en
    for page in (zh, en):
        assert page.count("<li><strong>") == 3
        for what in ("seller", "badge", "voucher"):
            assert f'action="/check/{what}#check-{what}"' in page


# --- a seller --------------------------------------------------------------------------------


def test_a_seller_is_found_by_shop_name_number_or_link(seller) -> None:
    c = Client()
    # Given a seller on Anxin (its shop: 王春茶的小店)
    page = f"/s/{seller.pk}"
    # When a visitor looks it up by part of its shop name, by its number, or by its link
    for q in ("王春茶", str(seller.pk), f"http://127.0.0.1:8000/s/{seller.pk}"):
        r = c.get("/check/seller", {"q": q})
        # Then she is taken to the seller's page
        assert r.status_code == 302, q
        assert r["Location"] == page
    assert c.get(page).status_code == 200


def test_a_seller_not_on_anxin_is_said_so_plainly(seller) -> None:
    # When a visitor looks up a shop that is not on Anxin, and a number no seller has
    c = Client()
    name = c.get("/check/seller", {"q": "不存在的店"})
    number = c.get("/check/seller", {"q": "987654"})
    # Then the landing page says there is no such shop (and what that means), keeping her input
    assert name.status_code == 404
    assert "安心上没有叫这个名字的店铺" in name.content.decode()
    assert 'value="不存在的店"' in name.content.decode()
    assert number.status_code == 404
    assert "安心上没有这个编号的卖家。" in number.content.decode()
    # When she sends the form empty
    empty = c.get("/check/seller", {"q": "  "})
    # Then she is asked for a name or a number
    assert empty.status_code == 422
    assert "请输入店铺名或卖家编号。" in empty.content.decode()


def test_several_shops_of_one_name_are_listed_to_choose_from(seller, other_seller) -> None:
    # Given two shops whose names both end in 的小店
    c = Client(headers={"accept-language": "en"})
    # When a visitor looks up 的小店
    r = c.get("/check/seller", {"q": "的小店"})
    # Then both are listed, each linking to its page
    body = r.content.decode()
    assert r.status_code == 200
    assert "Several shops have this name" in body
    assert f'href="/s/{seller.pk}"' in body
    assert f'href="/s/{other_seller.pk}"' in body


# --- a badge ---------------------------------------------------------------------------------


def test_a_genuine_badge_is_found_by_its_link_or_number(seller) -> None:
    # Given a seller's badge, and the link its QR code holds
    b = badge.issue(actor=seller)
    link = f"http://127.0.0.1:8000/s/{seller.pk}?badge={badge.encode(b.note)}"
    c = Client()
    for q in (link, b.serial):
        # When a visitor checks it by its link, or by its number
        r = c.get("/check/badge", {"q": q})
        # Then she is taken to the seller's page, which says the badge is genuine and current
        assert r.status_code == 302, q
        assert r["Location"].startswith(f"/s/{seller.pk}?badge=")
        assert "真实有效" in c.get(r["Location"]).content.decode()


def test_a_forged_or_unknown_badge_is_said_so(seller) -> None:
    # Given a badge whose text was altered (another shop's name), and a number no badge has
    b = badge.issue(actor=seller)
    forged = b.note.replace("王春茶的小店", "李四的小店")
    c = Client(headers={"accept-language": "en"})
    # When a visitor checks the altered badge's link
    r = c.get("/check/badge", {"q": f"/s/{seller.pk}?badge={badge.encode(forged)}"})
    # Then she is told it is not genuine
    assert r.status_code == 404
    assert "Not a genuine Anxin badge" in r.content.decode()
    # When she checks a badge number no badge has, and a link with no badge in it
    unknown = c.get("/check/badge", {"q": "0123456789abcdef"})
    garbled = c.get("/check/badge", {"q": "hello"})
    # Then she is told there is no such badge, and what to paste
    assert unknown.status_code == 404
    assert "No badge has this number." in unknown.content.decode()
    assert garbled.status_code == 422
    assert "Paste the badge&#x27;s link" in garbled.content.decode()


# --- a voucher -------------------------------------------------------------------------------


def test_a_voucher_is_found_by_its_link_or_entry_number(buyer, seller, clock) -> None:
    # Given a paid order whose records are in the evidence log, and its voucher
    order = place_order(buyer, make_listing(seller))
    pay(order)
    sequencer.integrate_all()
    v = vouchers.order_voucher(buyer, order.number)
    c = Client()
    # When a visitor pastes the link its QR code holds
    r = c.get("/check/voucher", {"q": v.check_url})
    # Then she is taken to the entry's page, which says the voucher's fingerprint matches
    assert r.status_code == 302
    assert r["Location"] == f"/log/verify/{v.index}?leaf={v.leaf.hex()}&open={v.opening.hex()}"
    entry = c.get(r["Location"]).content.decode()
    assert "凭证的指纹与此条目一致" in entry
    # And the link's salt opens the record: the page names the order it proves
    assert order.number in entry
    # When she types the entry number printed on it
    r = c.get("/check/voucher", {"q": str(v.index)})
    # Then she is taken to the entry's page
    assert r.status_code == 302
    assert r["Location"] == f"/log/verify/{v.index}"


def test_a_voucher_not_in_the_log_is_said_so(db) -> None:
    c = Client(headers={"accept-language": "en"})
    # When a visitor checks an entry number the log does not have
    r = c.get("/check/voucher", {"q": "/log/verify/424242?leaf=" + "ab" * 32})
    # Then she is told it is not in the log (yet)
    assert r.status_code == 404
    assert "This entry is not in the log (yet)." in r.content.decode()
    # When she types something that is neither a link nor a number
    r = c.get("/check/voucher", {"q": "my voucher"})
    # Then she is told what to paste
    assert r.status_code == 422
    assert "Paste the link from the voucher" in r.content.decode()


@pytest.mark.parametrize("what", ["seller", "badge", "voucher"])
@pytest.mark.parametrize(
    "q",
    [
        "",
        "/s/",
        "9" * 40,
        "/log/verify/99999999999999999999",
        "?badge=" + "A" * 50,
        "?badge=%%%",
        "0" * 16,
        "’‘“”<script>",
        "x" * 5000,
    ],
)
def test_no_check_ever_fails_with_a_server_error(what, q) -> None:
    # When a visitor sends any of the checks something odd
    r = Client().get(f"/check/{what}", {"q": q})
    # Then the answer is a page, found or not, never a server error
    assert r.status_code in (302, 404, 422)


def test_an_unknown_check_is_not_found(db) -> None:
    # When a visitor asks for a check that does not exist
    r = Client().get("/check/order", {"q": "1"})
    # Then it is not found
    assert r.status_code == 404


def test_a_signed_in_buyer_can_check_too(buyer, seller) -> None:
    # Given a buyer who is signed in (the home page takes her to her orders)
    c = Client()
    c.force_login(make_user("wangfang", "buyer", "王芳"))
    # When she checks a seller
    r = c.get("/check/seller", {"q": str(seller.pk)})
    # Then she gets the same answer as a visitor
    assert r.status_code == 302
    assert r["Location"] == f"/s/{seller.pk}"
