"""Verified reviews: only the buyer of a settled order, once, in time, with one follow-up;
the seller replies but cannot remove; the operator hides only for a listed reason."""

from __future__ import annotations

import datetime as dt

import pytest

from anxin.conftest import make_listing, pay, place_order
from anxin.core.errors import Conflict, Forbidden, InvalidTransition, NotFound, ValidationFailed
from anxin.evidence.models import Record
from anxin.orders import services as orders
from anxin.orders.events import order_chain
from anxin.reputation import services
from anxin.reputation.models import Review

pytestmark = pytest.mark.django_db


def settled(buyer, seller, tracking="SF5000000001"):
    order = place_order(buyer, make_listing(seller))
    pay(order)
    orders.order_ship(actor=seller, number=order.number, carrier="顺丰", tracking_number=tracking)
    orders.order_confirm(actor=buyer, number=order.number)
    order.refresh_from_db()
    return order


def stars(**kw):
    return {"as_described": 5, "shipping": 4, "service": 5} | kw


def test_only_the_buyer_of_a_settled_order_reviews_it_once(
    clock, buyer, other_buyer, seller, operator
) -> None:
    # Given a paid order not yet settled
    unsettled = place_order(buyer, make_listing(seller))
    pay(unsettled)
    # When its buyer reviews it
    # Then she is told to wait until it is settled
    with pytest.raises(InvalidTransition, match="settled"):
        services.review_create(actor=buyer, number=unsettled.number, **stars())
    # Given a settled order
    order = settled(buyer, seller)
    # When another buyer or the seller reviews it, or the buyer with six stars or a photo
    # she never uploaded
    # Then each is refused
    with pytest.raises(NotFound):  # another buyer cannot even see the order
        services.review_create(actor=other_buyer, number=order.number, **stars())
    with pytest.raises(Forbidden):
        services.review_create(actor=seller, number=order.number, **stars())
    with pytest.raises(ValidationFailed, match="as_described"):
        services.review_create(actor=buyer, number=order.number, **stars(as_described=6))
    with pytest.raises(ValidationFailed, match="photos"):
        services.review_create(actor=buyer, number=order.number, photos=["0" * 64], **stars())
    # When the buyer reviews it properly, then again
    # Then the second review is refused, and the one review is the seller's and is evidence
    r = services.review_create(actor=buyer, number=order.number, text="香气很好", **stars())
    with pytest.raises(Conflict):
        services.review_create(actor=buyer, number=order.number, **stars())
    kinds = list(
        Record.objects.filter(chain=order_chain(order))
        .order_by("id")
        .values_list("kind", flat=True)
    )
    assert kinds[-1] == "order.reviewed"
    assert r.seller == seller
    assert Review.objects.count() == 1


def test_the_review_window_and_the_one_follow_up(clock, buyer, seller) -> None:
    # Given an order settled 16 days ago
    late = settled(buyer, seller, tracking="SF5000000002")
    clock.shift(dt.timedelta(days=16))
    # When its buyer reviews it
    # Then she is told the 15 days are over
    with pytest.raises(InvalidTransition, match="15 days"):
        services.review_create(actor=buyer, number=late.number, **stars())
    # Given an order reviewed when settled
    order = settled(buyer, seller, tracking="SF5000000003")
    services.review_create(actor=buyer, number=order.number, **stars(service=2), text="客服慢")
    # When the buyer follows it up 30 days later, then tries a second time
    clock.shift(dt.timedelta(days=30))
    r = services.review_followup(actor=buyer, number=order.number, text="用了一个月，还不错")
    # Then the first follow-up is kept and the second refused
    assert r.followup_at is not None
    with pytest.raises(Conflict):
        services.review_followup(actor=buyer, number=order.number, text="再追评")


def test_the_seller_replies_but_only_the_operator_hides_and_only_for_a_listed_reason(
    buyer, seller, operator
) -> None:
    # Given a bad review of a settled order
    order = settled(buyer, seller)
    services.review_create(actor=buyer, number=order.number, text="差评", **stars(service=1))
    # When the seller replies
    # Then she cannot reply twice, nor hide the review
    services.review_reply(actor=seller, number=order.number, text="抱歉，已改进")
    with pytest.raises(Conflict):
        services.review_reply(actor=seller, number=order.number, text="再回复")
    with pytest.raises(Forbidden):
        services.review_hide(actor=seller, number=order.number, reason="abuse", note="不喜欢")
    # When the operator hides it for a reason not on the list, then for personal data
    # Then the first is refused, and the second hides it by her for that reason, as evidence
    # after the reply, and keeps the review
    with pytest.raises(ValidationFailed, match="reason"):
        services.review_hide(actor=operator, number=order.number, reason="bad_for_sales", note="x")
    r = services.review_hide(
        actor=operator, number=order.number, reason="personal_data", note="含手机号"
    )
    assert r.hidden_reason == "personal_data"
    assert r.hidden_by == operator
    kinds = list(
        Record.objects.filter(chain=order_chain(order))
        .order_by("id")
        .values_list("kind", flat=True)
    )
    assert kinds[-2:] == ["order.review_reply", "order.review_hidden"]
    assert Review.objects.filter(pk=r.pk).exists()  # hidden, never deleted


def test_reviews_over_the_api_and_on_the_public_page(api, buyer, seller, operator) -> None:
    from django.test import Client

    # Given a settled order
    order = settled(buyer, seller)
    # When the buyer reviews it through the API with no stars for as-described
    b = api(buyer)
    bad = b.post(f"/orders/{order.number}/review", {"as_described": 0, "shipping": 5, "service": 5})
    # Then she is refused naming that field
    assert bad.status_code == 422
    assert "as_described" in bad.json()["detail"]
    # When she reviews it with her phone number in the text
    r = b.post(
        f"/orders/{order.number}/review",
        {"as_described": 5, "shipping": 5, "service": 4, "text": "很好喝，电话13900001111"},
    )
    # Then the review is made under her masked name
    assert r.status_code == 201
    assert r.json()["buyer"].endswith("***")
    # When the seller hides it, then the operator for personal data
    # Then the seller is forbidden, and the public list and page show it hidden without its text
    assert (
        api(seller)
        .post(f"/orders/{order.number}/review/hide", {"reason": "abuse", "note": "x"})
        .status_code
        == 403
    )
    api(operator).post(
        f"/orders/{order.number}/review/hide", {"reason": "personal_data", "note": "含手机号"}
    )
    public = Client().get(f"/api/v1/sellers/{seller.pk}/reviews").json()
    assert public[0]["text"] == ""
    assert public[0]["hidden"]["reason"] == "personal_data"
    page = Client(HTTP_ACCEPT_LANGUAGE="en").get(f"/s/{seller.pk}").content.decode()
    assert 'data-testid="hidden-review"' in page
    assert "13900001111" not in page


def test_a_review_carries_the_buyers_own_photos(api, buyer, seller) -> None:
    import io

    from PIL import Image

    # Given a settled order and a photo its buyer uploaded
    order = settled(buyer, seller)
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buf, "PNG")
    b = api(buyer)
    up = b.client.post("/api/v1/images", {"image": io.BytesIO(buf.getvalue())}, headers=b.headers)
    assert up.status_code == 201, up.content
    sha = up.json()["sha256"]
    # When she reviews the order with that photo
    r = b.post(
        f"/orders/{order.number}/review",
        {"as_described": 2, "shipping": 5, "service": 3, "text": "有破损", "photos": [sha]},
    )
    # Then the review carries it
    assert r.status_code == 201
    assert r.json()["photos"] == [sha]


def test_the_buyer_reviews_and_the_seller_replies_on_the_order_page(buyer, seller) -> None:
    from django.test import Client

    # Given a settled order whose page offers its buyer a review form
    order = settled(buyer, seller)
    b = Client(HTTP_ACCEPT_LANGUAGE="en")
    b.force_login(buyer)
    assert 'data-testid="post-review"' in b.get(f"/orders/{order.number}").content.decode()
    # When she posts a review through it
    b.post(
        f"/orders/{order.number}/review",
        {"as_described": "4", "shipping": "5", "service": "3", "text": "还行"},
    )
    # Then the page shows her review
    page = b.get(f"/orders/{order.number}").content.decode()
    assert 'data-testid="my-review"' in page
    assert "还行" in page
    # When the seller replies on the order page
    s = Client(HTTP_ACCEPT_LANGUAGE="en")
    s.force_login(seller)
    s.post(f"/orders/{order.number}/review-reply", {"text": "谢谢支持"})
    # Then the buyer sees the reply and it is stored
    assert "谢谢支持" in b.get(f"/orders/{order.number}").content.decode()
    assert Review.objects.get(order=order).reply_text == "谢谢支持"
