"""The order list: status tabs with counts, each row's thumbnail, shop, amount, status and its
one next step; the same list for a seller's sales. And the order page's progress and parcel."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client

from anxin.aftersales import services as aftersales
from anxin.carriers.sandbox import body_for, sign
from anxin.carriers.services import tracking_event_receive
from anxin.catalog.services import listing_image_upload
from anxin.conftest import make_listing, pay, place_order, shipped
from anxin.orders import services as orders
from anxin.reputation import services as reputation

pytestmark = pytest.mark.django_db


def page_of(user, path: str, lang: str = "zh-hans") -> str:
    c = Client(HTTP_ACCEPT_LANGUAGE=lang)
    c.force_login(user)
    r = c.get(path)
    assert r.status_code == 200
    return r.content.decode()


def tab_counts(page: str) -> dict[str, int]:
    return {
        k: int(n)
        for k, n in re.findall(r'data-testid="tab-(\w+)"[^>]*>.*?<b>(\d+)</b>', page, re.S)
    }


def rows(page: str) -> list[str]:
    return page.split('data-testid="order-row"')[1:]


def completed(buyer, seller, listing, tracking: str):
    order = shipped(buyer, seller, listing, tracking)
    orders.order_confirm(actor=buyer, number=order.number)
    order.refresh_from_db()
    return order


@pytest.fixture
def shop(clock, buyer, seller, listing):
    """One order of the buyer's in each state a tab shows."""
    unpaid = place_order(buyer, listing)
    paid = place_order(buyer, listing)
    pay(paid)
    on_way = shipped(buyer, seller, listing, "SF1000000001")
    to_review = completed(buyer, seller, listing, "SF1000000002")
    reviewed = completed(buyer, seller, listing, "SF1000000003")
    reputation.review_create(
        actor=buyer, number=reviewed.number, as_described=5, shipping=5, service=5
    )
    returning = completed(buyer, seller, listing, "SF1000000004")
    aftersales.aftersale_request(
        actor=buyer, number=returning.number, kind="no_reason_return", reason="不喜欢"
    )
    return {
        "unpaid": unpaid,
        "paid": paid,
        "on_way": on_way,
        "to_review": to_review,
        "reviewed": reviewed,
        "returning": returning,
    }


def test_the_tabs_count_the_buyers_orders_by_what_is_next(buyer, shop) -> None:
    # Given a buyer with an order in each state (one completed order reviewed, one with a
    # return request open)
    # When she opens her orders
    page = page_of(buyer, "/orders/")
    # Then each tab shows how many orders it holds
    assert tab_counts(page) == {
        "all": 6,
        "to_pay": 1,
        "to_ship": 1,
        "to_receive": 1,
        # completed and not reviewed: the return's order too (it may still be reviewed)
        "to_review": 2,
        "after_sales": 1,
    }
    # And the tabs read as a shopping app's, in Chinese
    for label in ("全部", "待付款", "待发货", "待收货", "待评价", "退款/售后"):
        assert label in page
    assert 'class="tab on" data-testid="tab-all"' in page


def test_a_tab_lists_only_its_orders_with_the_next_step(buyer, shop) -> None:
    # Given the buyer's orders
    # When she opens each tab
    to_pay = page_of(buyer, "/orders/?tab=to_pay")
    to_receive = page_of(buyer, "/orders/?tab=to_receive")
    to_review = page_of(buyer, "/orders/?tab=to_review")
    after_sales = page_of(buyer, "/orders/?tab=after_sales")
    # Then each lists its own orders, each with its one next step as a link
    assert len(rows(to_pay)) == 1
    assert shop["unpaid"].number in to_pay
    assert 'data-testid="next-pay"' in to_pay
    assert "去付款" in to_pay
    assert len(rows(to_receive)) == 1
    assert 'data-testid="next-confirm"' in to_receive
    assert "确认收货" in to_receive
    assert shop["to_review"].number in to_review
    assert shop["reviewed"].number not in to_review
    assert f'href="/orders/{shop["to_review"].number}#review" data-testid="next-review"' in (
        to_review
    )
    # And the order with a return open leads to the return, not to a review
    assert len(rows(after_sales)) == 1
    assert f'href="/orders/{shop["returning"].number}#after-sales"' in after_sales
    assert 'data-testid="next-case"' in after_sales
    assert "查看进度" in after_sales


def test_an_unknown_tab_shows_them_all(buyer, shop) -> None:
    # Given the buyer's orders
    # When the address names a tab that does not exist (or is mangled)
    for bad in (
        "?tab=nope",
        "?tab=",
        "?tab=TO_PAY",
        "?tab=all&tab=x",
        "?tab[]=1",
        "?tab=" + "x" * 5000,
    ):
        page = page_of(buyer, "/orders/" + bad)
        # Then the page is the "all" list, not an error
        assert len(rows(page)) == 6
        assert 'class="tab on" data-testid="tab-all"' in page


def test_a_row_shows_the_thumbnail_or_a_placeholder_and_the_shop(buyer, seller) -> None:
    # Given one listing with a picture and one without, each ordered
    with_picture = make_listing(seller, title="有图的茶")
    image = listing_image_upload(actor=seller, data=_png())
    from anxin.catalog.models import ListingSnapshot

    ListingSnapshot.objects.filter(pk=with_picture.current_snapshot_id).update(
        images=[image.sha256]
    )
    place_order(buyer, with_picture)
    place_order(buyer, make_listing(seller, title="无图的茶"))
    # When the buyer opens her orders
    page = page_of(buyer, "/orders/")
    picture_row = next(r for r in rows(page) if "有图的茶" in r)
    plain_row = next(r for r in rows(page) if "无图的茶" in r)
    # Then the row with a picture shows it from media, the other a placeholder, no <img>
    assert f'src="{image.file.url}"' in picture_row
    assert 'data-testid="thumb-none"' in plain_row
    assert "<img" not in plain_row
    # And each names the seller's shop and the amount
    assert "王春茶的小店" in picture_row
    assert "¥128.00" in picture_row


def test_the_same_list_shows_a_seller_its_sales(buyer, seller, shop) -> None:
    # Given the buyer's orders, all from one seller
    # When the seller opens the list
    page = page_of(seller, "/orders/")
    # Then it lists the sales under their own title, with the same tabs and counts
    assert "我卖出的" in page
    assert tab_counts(page)["all"] == 6
    # And the paid order offers the seller its next step: to ship it
    to_ship = page_of(seller, "/orders/?tab=to_ship")
    assert 'data-testid="next-ship"' in to_ship
    assert "去发货" in to_ship
    # And nothing the buyer does is offered to the seller
    everything = page_of(seller, "/orders/")
    assert 'data-testid="next-pay"' not in everything
    assert 'data-testid="next-review"' not in everything


def test_the_order_page_shows_its_progress(buyer, seller, listing) -> None:
    # Given an order placed, then paid, then shipped
    order = place_order(buyer, listing)
    steps = []
    steps.append(_current_step(buyer, order.number))
    pay(order)
    steps.append(_current_step(buyer, order.number))
    orders.order_ship(
        actor=seller, number=order.number, carrier="顺丰速运", tracking_number="SF2000000001"
    )
    steps.append(_current_step(buyer, order.number))
    # When the buyer asks for a refund while it is on its way
    orders.order_refund_request(actor=buyer, number=order.number, reason="一直没到")
    paused = page_of(buyer, f"/orders/{order.number}")
    # Then each time the step it waits at is highlighted
    assert steps == [("current", "付款"), ("current", "发货"), ("current", "收货")]
    # And while the refund request holds the money, that step shows as paused
    assert _current_step(buyer, order.number) == ("paused", "收货")
    assert "已暂停" in paused


def test_a_completed_order_has_every_step_done(buyer, seller, listing) -> None:
    # Given a completed order
    order = completed(buyer, seller, listing, "SF2000000002")
    # When its page is opened
    page = page_of(buyer, f"/orders/{order.number}", "en")
    # Then all five steps are done and none is current
    progress = page.split('data-testid="progress"', 1)[1].split("</ol>", 1)[0]
    assert progress.count('class="done"') == 5
    assert "progress-current" not in progress
    assert ["Ordered", "Paid", "Shipped", "Received", "Done"] == re.findall(
        r'<span class="label">([^<]+)</span>', progress
    )


def test_the_parcel_s_tracking_shows_newest_first_in_beijing_time(buyer, seller, listing) -> None:
    # Given a shipped order whose carrier scanned the parcel twice (pushed out of order)
    order = shipped(buyer, seller, listing, "SF2000000003")
    base = order.shipped_at
    for status, hours, event_id in (("in_transit", 9, "e2"), ("accepted", 1, "e1")):
        at = base + dt.timedelta(hours=hours)
        body = body_for(order.tracking_number, status, at, event_id)
        assert tracking_event_receive("sandbox", body, sign(body)) == "applied"
    # When the buyer opens the order
    page = page_of(buyer, f"/orders/{order.number}")
    events = page.split('data-testid="parcel"', 1)[1].split("</section>", 1)[0]
    # Then the newest event comes first, in words, at Beijing time (UTC+8)
    assert events.index("运输中") < events.index("快递已揽收")
    beijing = (base + dt.timedelta(hours=9)).astimezone(dt.timezone(dt.timedelta(hours=8)))
    assert f"{beijing:%Y-%m-%d %H:%M}" in events


def _current_step(user, number: str) -> tuple[str, str]:
    page = page_of(user, f"/orders/{number}")
    m = re.search(
        r'<li class="(\w+)" aria-current="step"[^>]*>.*?<span class="label">([^<]+)</span>',
        page,
        re.S,
    )
    assert m is not None
    return m.group(1), m.group(2)


def _png() -> bytes:
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (80, 80), (40, 120, 60)).save(buf, "PNG")
    return buf.getvalue()


def test_a_parcel_with_no_news_is_shown_only_while_on_its_way(buyer, seller, listing) -> None:
    # Given an order on its way and another received, neither with a tracking event
    on_way = shipped(buyer, seller, listing, "SF2000000004")
    done = completed(buyer, seller, listing, "SF2000000005")
    # When the buyer opens each
    on_way_page = page_of(buyer, f"/orders/{on_way.number}")
    done_page = page_of(buyer, f"/orders/{done.number}")
    # Then the one on its way says the carrier has not reported yet
    assert 'data-testid="parcel-none"' in on_way_page
    # And the received one shows no empty tracking card
    assert 'data-testid="parcel"' not in done_page


def test_to_review_holds_an_order_while_the_buyer_may_still_review_it(
    clock, buyer, seller, listing
) -> None:
    # Given an order settled now (Beijing time 2026-05-01 10:00) and the review window
    from anxin.core.errors import InvalidTransition
    from anxin.reputation.selectors import review_closes

    order = completed(buyer, seller, listing, "SF2000000006")
    closes = review_closes(order.completed_at)
    # When the buyer looks a minute before the window closes
    clock.move_to(closes - dt.timedelta(minutes=1))
    before = page_of(buyer, "/orders/?tab=to_review")
    # Then the order is to review, with the button
    assert tab_counts(before)["to_review"] == 1
    assert 'data-testid="next-review"' in before
    assert "去评价" in before
    # When she looks a minute after it closed
    clock.move_to(closes + dt.timedelta(minutes=1))
    after = page_of(buyer, "/orders/")
    # Then it is no longer to review and offers no review, as reviewing it would be refused
    assert tab_counts(after)["to_review"] == 0
    assert 'data-testid="next-review"' not in after
    with pytest.raises(InvalidTransition):
        reputation.review_create(
            actor=buyer, number=order.number, as_described=5, shipping=5, service=5
        )
