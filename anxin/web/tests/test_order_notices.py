"""Notices of an order's events (issue 15): each goes to the party who must act or know, never
to the one who acted, in the event's transaction; its text names the order, it links to the
order's page, and the menu's unread count goes up with it and down once it is read."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone, translation

from anxin.aftersales import services as aftersales
from anxin.conftest import deliver_all, make_listing, pay, place_order
from anxin.notices.models import Notification
from anxin.notices.texts import notice_text, notice_url
from anxin.orders import services as orders
from anxin.orders.chat import message_post
from anxin.reputation import services as reputation

pytestmark = pytest.mark.django_db

_BADGE = re.compile(r'data-testid="unread-notices"[^>]*>(\d+)<')


def nav_count(user) -> int:
    """The unread count the menu shows the user (none shown: 0)."""
    c = Client()
    c.force_login(user)
    page = c.get("/notices/")
    assert page.status_code == 200
    found = _BADGE.search(page.content.decode())
    return int(found.group(1)) if found else 0


def read(user, n: Notification) -> None:
    c = Client()
    c.force_login(user)
    assert c.post("/notices/", {"notice": n.pk}).status_code == 302


def the_notice(order, kind: str, *, to, not_to) -> Notification:
    """The one notice `kind` about the order: to `to`, to none of `not_to`; its zh-Hans text
    names the order and it links to the order's page."""
    rows = list(Notification.objects.filter(subject=f"order:{order.number}", kind=kind))
    assert [n.user_id for n in rows] == [to.pk]
    for other in not_to:
        assert not Notification.objects.filter(user=other, kind=kind).exists()
    n = rows[0]
    with translation.override("zh-hans"):
        assert order.number in notice_text(n)
    assert notice_url(n) == f"/orders/{order.number}"
    return n


def up_then_down(user, before: int, n: Notification) -> None:
    """The menu counts the new notice, and stops counting it once it is read."""
    assert nav_count(user) == before + 1
    read(user, n)
    assert nav_count(user) == before


def shipped(buyer, seller):
    order = place_order(buyer, make_listing(seller))
    pay(order)
    orders.order_ship(
        actor=seller, number=order.number, carrier="顺丰速运", tracking_number="SF8800000001"
    )
    order.refresh_from_db()
    return order


def test_a_paid_order_tells_the_seller_to_ship_it_by_a_date(clock, buyer, seller) -> None:
    # Given an order placed, not yet paid, and the seller's unread count in the menu
    order = place_order(buyer, make_listing(seller))
    before = nav_count(seller)
    # When the buyer pays for it
    pay(order)
    # Then the seller, not the buyer, is told of a new order to ship
    n = the_notice(order, "order_paid", to=seller, not_to=[buyer])
    # And the text gives the ship-by date: the listing's two days from payment, Beijing time
    assert order.paid_at is not None
    ship_by = timezone.localtime(order.paid_at + dt.timedelta(days=2))
    with translation.override("zh-hans"):
        text = notice_text(n)
    assert "待发货" in text
    assert ship_by.strftime("%Y-%m-%d %H:%M") in text
    # And the seller's menu counts it until she reads it
    up_then_down(seller, before, n)


def test_a_shipment_tells_the_buyer_the_carrier_and_tracking_number(buyer, seller) -> None:
    # Given a paid order, and the buyer's unread count in the menu
    order = place_order(buyer, make_listing(seller))
    pay(order)
    before = nav_count(buyer)
    # When the seller ships it
    orders.order_ship(
        actor=seller, number=order.number, carrier="顺丰速运", tracking_number="SF8800000002"
    )
    # Then the buyer, not the seller who shipped it, is told, with the carrier and number
    n = the_notice(order, "order_shipped", to=buyer, not_to=[seller])
    with translation.override("zh-hans"):
        text = notice_text(n)
    assert "顺丰速运" in text
    assert "SF8800000002" in text
    # And the buyer's menu counts it until she reads it
    up_then_down(buyer, before, n)


def test_a_chat_message_tells_the_other_party_only(buyer, seller) -> None:
    # Given a paid order
    order = place_order(buyer, make_listing(seller))
    pay(order)
    seller_before, buyer_before = nav_count(seller), nav_count(buyer)
    # When the buyer writes in the order's chat
    message_post(actor=buyer, number=order.number, text="请问什么时候发货？")
    # Then the seller is told, and the buyer who wrote is not
    n = the_notice(order, "order_message", to=seller, not_to=[buyer])
    up_then_down(seller, seller_before, n)
    # When the seller answers
    Notification.objects.filter(kind="order_message").delete()
    message_post(actor=seller, number=order.number, text="明天发货")
    # Then the buyer is told, and the seller who wrote is not
    n = the_notice(order, "order_message", to=buyer, not_to=[seller])
    up_then_down(buyer, buyer_before, n)


def test_an_after_sales_request_tells_the_seller_when_silence_means_yes(buyer, seller) -> None:
    # Given a shipped order, and the seller's unread count in the menu
    order = shipped(buyer, seller)
    before = nav_count(seller)
    # When the buyer asks for a repair
    a = aftersales.aftersale_request(actor=buyer, number=order.number, kind="repair", reason="坏了")
    # Then the seller, not the buyer, is told, with the time by which she must answer
    n = the_notice(order, "aftersale_requested", to=seller, not_to=[buyer])
    with translation.override("zh-hans"):
        text = notice_text(n)
    assert timezone.localtime(a.respond_by).strftime("%Y-%m-%d %H:%M") in text
    assert "视为同意" in text
    # And the seller's menu counts it until she reads it
    up_then_down(seller, before, n)


@pytest.mark.parametrize(
    ("approve", "kind", "words"),
    [(True, "aftersale_approved", "已获同意"), (False, "aftersale_refused", "被拒绝")],
)
def test_the_sellers_answer_tells_the_buyer(buyer, seller, approve, kind, words) -> None:
    # Given an after-sales request on a shipped order, and the buyer's unread count
    order = shipped(buyer, seller)
    aftersales.aftersale_request(actor=buyer, number=order.number, kind="repair", reason="坏了")
    before = nav_count(buyer)
    # When the seller approves it, or refuses it
    aftersales.aftersale_answer(
        actor=seller, number=order.number, approve=approve, reason="人为损坏，不予维修"
    )
    # Then the buyer is told the answer, and the seller who gave it is not
    n = the_notice(order, kind, to=buyer, not_to=[seller])
    with translation.override("zh-hans"):
        assert words in notice_text(n)
    # And the buyer's menu counts it until she reads it
    up_then_down(buyer, before, n)


def test_approval_by_the_sellers_silence_tells_the_buyer(clock, buyer, seller) -> None:
    # Given a repair request on a shipped order, not delivered (48 hours to answer)
    order = shipped(buyer, seller)
    aftersales.aftersale_request(actor=buyer, number=order.number, kind="repair", reason="坏了")
    before = nav_count(buyer)
    # When the 48 hours pass with no answer and the timer runs
    clock.shift(dt.timedelta(hours=48, minutes=1))
    deliver_all()
    # Then the buyer is told her request is approved by the seller's silence; not the seller
    n = the_notice(order, "aftersale_approved_silence", to=buyer, not_to=[seller])
    with translation.override("zh-hans"):
        assert "未在期限内答复" in notice_text(n)
    up_then_down(buyer, before, n)


def test_a_review_tells_the_seller(buyer, seller) -> None:
    # Given a settled order, and the seller's unread count in the menu
    order = shipped(buyer, seller)
    orders.order_confirm(actor=buyer, number=order.number)
    before = nav_count(seller)
    # When the buyer reviews it
    reputation.review_create(
        actor=buyer, number=order.number, as_described=5, shipping=4, service=5, text="好茶"
    )
    # Then the seller, not the buyer, is told
    n = the_notice(order, "review_posted", to=seller, not_to=[buyer])
    up_then_down(seller, before, n)


def test_a_notice_is_sent_with_its_event_or_not_at_all(buyer, seller) -> None:
    # Given a paid order
    order = place_order(buyer, make_listing(seller))
    pay(order)

    # When a chat message is posted in a transaction that then fails
    def post_then_fail() -> None:
        with transaction.atomic():
            message_post(actor=buyer, number=order.number, text="在吗？")
            raise RuntimeError

    with pytest.raises(RuntimeError):
        post_then_fail()
    # Then the message's notice went with it
    assert not Notification.objects.filter(kind="order_message").exists()
    # And one sent with its event is there, to be read in the reader's language
    message_post(actor=buyer, number=order.number, text="在吗？")
    n = Notification.objects.get(kind="order_message")
    with translation.override("en"):
        assert notice_text(n) == f"Order {order.number}: a new message in the order's chat."


def test_order_notices_stay_in_the_app_and_queue_no_email(buyer, seller) -> None:
    from django.core import mail

    # Given a seller and a buyer with e-mail addresses
    for u in (buyer, seller):
        u.email = f"{u.username}@example.com"
        u.save()
    # When an order is paid and shipped and every queued task runs
    mail.outbox.clear()
    order = shipped(buyer, seller)
    deliver_all()
    # Then both have their notices in the app, and no e-mail was sent for them
    assert the_notice(order, "order_paid", to=seller, not_to=[buyer])
    assert the_notice(order, "order_shipped", to=buyer, not_to=[seller])
    assert mail.outbox == []
