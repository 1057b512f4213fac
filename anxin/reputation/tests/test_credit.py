"""Credit scores: published factors and weights, smoothed reviews, grades, refreshed as
reviews and disputes happen, and the same numbers in batch."""

from __future__ import annotations

import pytest

from anxin.reputation import credit
from anxin.reputation.credit import Counts, factors, score_of

pytestmark = pytest.mark.django_db


def test_the_weights_are_published_and_add_up() -> None:
    assert sum(w for _, w, _ in credit.FACTORS) == 100
    assert [g for g, _ in credit.GRADES] == ["A", "B", "C", "D", "E"]


def test_a_handful_of_perfect_reviews_cannot_top_the_table() -> None:
    few = factors(Counts(reviews=3, stars_sum=15.0))["reviews"]
    many = factors(Counts(reviews=300, stars_sum=1500.0))["reviews"]
    assert few < many <= 1.0
    assert factors(Counts())["reviews"] == pytest.approx(0.75)  # the prior: 4 stars


def test_grades_follow_the_thresholds_on_both_sides() -> None:
    perfect = Counts(
        orders_90=100,
        orders_365=400,
        shipped_90=100,
        shipped_on_time_90=100,
        reviews=1000,
        stars_sum=5000.0,
        level=3,
        tenure_days=400,
    )
    score, grade = score_of(factors(perfect))
    assert (score, grade) == (1000, "A")
    poor = Counts(
        orders_90=10,
        complaints_90=2,
        orders_365=10,
        lost_365=2,
        defaults_365=4,
        shipped_90=10,
        shipped_on_time_90=2,
    )
    assert score_of(factors(poor))[1] == "E"
    f = factors(perfect)
    f["complaints"] = 1 - 0.75  # 150 points lost of the 200... 850 exactly: still A
    assert score_of(f) == (850, "A")
    f["complaints"] -= 0.001
    assert score_of(f)[1] == "B"


def test_scores_update_as_reviews_happen_and_the_batch_agrees(buyer, seller, operator) -> None:
    from anxin.reputation import services
    from anxin.reputation.models import Score
    from anxin.reputation.tests.test_reviews import settled, stars

    order = settled(buyer, seller)
    services.review(
        actor=buyer, number=order.number, **stars(as_described=1, shipping=1, service=1)
    )
    after = Score.objects.get(seller=seller)
    assert after.factors["reviews"] < 0.75  # one bad review pulls below the prior, a little
    explained = credit.explain(seller.pk)
    assert explained["score"] == after.score and explained["grade"] == after.grade
    assert {f["name"] for f in explained["factors"]} == {n for n, _, _ in credit.FACTORS}
    assert explained["raise"][0] == "reviews"  # the most weight left to gain
    Score.objects.all().delete()
    assert credit.refresh() >= 1  # the batch
    assert Score.objects.get(seller=seller).score == after.score
    services.hide(actor=operator, number=order.number, reason="abuse", note="辱骂")
    assert Score.objects.get(seller=seller).factors["reviews"] == pytest.approx(0.75)


def test_shipping_on_time_counts_the_days_the_listing_promised(clock, buyer, seller) -> None:
    import datetime as dt

    from anxin.conftest import make_listing, pay, place_order
    from anxin.orders import services as orders

    listing = make_listing(seller)  # ships within 2 days
    for late, tracking in ((False, "SF6000000001"), (True, "SF6000000002")):
        o = place_order(buyer, listing)
        pay(o)
        clock.shift(dt.timedelta(days=3 if late else 1))
        orders.order_ship(actor=seller, number=o.number, carrier="顺丰", tracking_number=tracking)
    c = credit.counts([seller.pk])[seller.pk]
    assert (c.shipped_90, c.shipped_on_time_90) == (2, 1)
    assert factors(c)["on_time_shipping"] == 0.5


def test_buyers_see_the_grade_at_checkout_and_its_factors_on_the_seller_page(
    buyer, seller, listing
) -> None:
    from django.test import Client

    c = Client(HTTP_ACCEPT_LANGUAGE="en")
    page = c.get(f"/c/{listing.code}").content.decode()
    assert 'data-testid="seller-credit"' in page and "No credit grade yet" in page
    credit.refresh([seller.pk])
    assert "Credit grade <strong>" in c.get(f"/c/{listing.code}").content.decode()
    public = c.get(f"/s/{seller.pk}").content.decode()
    assert 'data-testid="credit"' in public and "Ships on time" in public


def test_levels_in_bulk_agree_with_the_sellers_own_rule(clock, seller, other_seller) -> None:
    from django.utils import timezone

    from anxin.conftest import make_user, verify_seller
    from anxin.sellers import services as sellers

    licensed = make_user("licensed", "seller")
    verify_seller(licensed, licences=("food_business",))
    unverified = make_user("unverified", "seller", verified=False)
    lapsed = make_user("lapsedshop", "seller")
    v = lapsed.verification
    clock.move_to(v.reverify_by)
    sellers.lapse(seller_id=lapsed.pk)
    people = [seller, other_seller, licensed, unverified, lapsed]
    bulk = credit.levels([u.pk for u in people], now=timezone.now())
    assert bulk == {u.pk: int(sellers.level(u)) for u in people}
    assert sorted(set(bulk.values())) == [0, 1, 3]
