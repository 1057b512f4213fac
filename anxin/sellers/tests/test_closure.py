"""Closing a shop (ECL 16): announced 30 days ahead on the shop's page, no new orders once
closed, withdrawals stopped until the closure is over; through the service, the pages and the
API."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client

from anxin.conftest import START, place_order
from anxin.core.errors import Conflict, Forbidden, NotFound
from anxin.evidence.models import Record
from anxin.law.days import BEIJING
from anxin.sellers.models import ShopClosure
from anxin.sellers.services import shop_closure_announce, shop_closure_cancel

pytestmark = pytest.mark.django_db


def _client(user, lang: str) -> Client:
    c = Client(HTTP_ACCEPT_LANGUAGE=lang)
    c.force_login(user)
    return c


def test_a_closure_is_announced_thirty_days_ahead_and_recorded(clock, seller) -> None:
    # Given a trading shop, on 1 May 2026
    # When the seller announces its closure
    c = shop_closure_announce(actor=seller, reason="店主退休")
    # Then the shop closes at the end of 31 May (Beijing time): 30 full days of notice
    assert c.closes_at == dt.datetime(2026, 6, 1, tzinfo=BEIJING)
    assert c.announced_at == START
    # And the announcement is on the seller's evidence chain with the law's number
    entry = Record.objects.filter(chain=f"seller:{seller.pk}").order_by("-id").first()
    assert entry is not None
    assert entry.kind == "seller.closure_announced"
    assert json.loads(entry.body)["notice_days"] == 30
    # When it is announced again
    # Then it is refused: one closure at a time
    with pytest.raises(Conflict) as e:
        shop_closure_announce(actor=seller)
    assert e.value.code == "closure_under_way"


def test_a_buyer_cannot_close_a_shop(buyer) -> None:
    # Given a buyer
    # When it tries to announce a closure
    # Then it is refused
    with pytest.raises(Forbidden):
        shop_closure_announce(actor=buyer)
    assert not ShopClosure.objects.exists()


def test_a_closing_shop_trades_until_it_closes_then_takes_no_orders(
    clock, buyer, seller, listing
) -> None:
    # Given a shop whose closure is announced
    shop_closure_announce(actor=seller)
    # When a buyer orders before the closing day
    # Then the order is taken
    assert place_order(buyer, listing).pk
    # When the notice has run out
    clock.shift(dt.timedelta(days=31))
    # Then a new order is refused, saying the shop has closed
    with pytest.raises(Forbidden) as e:
        place_order(buyer, listing)
    assert e.value.code == "shop_closed"
    # And the closure cannot be called off any more
    with pytest.raises(Conflict):
        shop_closure_cancel(actor=seller)


def test_a_closure_called_off_lets_the_shop_trade_on(clock, buyer, seller, listing) -> None:
    # Given an announced closure, called off
    shop_closure_announce(actor=seller)
    shop_closure_cancel(actor=seller)
    # When the old closing day has passed and a buyer orders
    clock.shift(dt.timedelta(days=40))
    # Then the order is taken, and calling off again finds nothing
    assert place_order(buyer, listing).pk
    with pytest.raises(NotFound):
        shop_closure_cancel(actor=seller)
    # And a new closure may be announced
    assert shop_closure_announce(actor=seller).cancelled_at is None


def test_the_seller_announces_on_its_profile_page_and_buyers_see_it(clock, seller) -> None:
    # Given a seller on its profile page, in English
    c = _client(seller, "en")
    page = c.get("/seller/profile").content.decode()
    # Then the page says what the law asks and what closing means for withdrawals
    assert "30 days ahead" in page
    assert "withdrawals stop" in page
    # When it announces the closure
    r = c.post("/seller/profile", {"form": "closure", "reason": "店主退休"}, follow=True)
    # Then it is told when the shop closes
    body = r.content.decode()
    assert "Closure announced" in body
    assert "May 31, 2026" in body
    # And anyone opening the shop's page, in Chinese, sees the notice and the reason
    public = Client(HTTP_ACCEPT_LANGUAGE="zh-hans").get(f"/s/{seller.pk}").content.decode()
    assert "本店即将停止经营" in public or "该店即将停止经营" in public
    assert "店主退休" in public
    # When the seller calls it off
    r = c.post("/seller/profile", {"form": "closure_cancel"}, follow=True)
    # Then the notice is gone
    assert "called off" in r.content.decode()
    assert 'data-testid="closure-notice"' not in Client().get(f"/s/{seller.pk}").content.decode()


def test_the_closure_through_the_api(clock, api, seller, buyer) -> None:
    # Given a seller's API client
    client = api(seller)
    # When it reads, announces, reads and calls off its closure
    before = client.get("/seller/closure").json()
    made = client.post("/seller/closure", {"reason": "搬家"})
    again = client.post("/seller/closure", {})
    now = client.get("/seller/closure").json()
    off = client.delete("/seller/closure")
    # Then each answers as the service does
    assert before == {"closure": None, "notice_days": 30}
    assert made.status_code == 201
    assert made.json()["reason"] == "搬家"
    assert again.status_code == 409
    assert again.json()["code"] == "closure_under_way"
    assert now["closure"]["closes_at"].startswith("2026-05-31T16:00:00")
    assert off.status_code == 200
    assert off.json()["cancelled_at"] is not None
    # And a buyer is refused
    assert api(buyer).post("/seller/closure", {}).status_code == 403
