"""Credit scores: published factors and weights, smoothed reviews, grades, refreshed as
reviews and disputes happen, and the same numbers in batch."""

from __future__ import annotations

import pytest

from anxin.reputation import credit
from anxin.reputation.credit import Counts, factors, score_of

pytestmark = pytest.mark.django_db


def test_the_weights_are_published_and_add_up() -> None:
    # Given the published factors and grades
    # Then the weights add up to 100 and the grades run from A to E
    assert sum(w for _, w, _ in credit.FACTORS) == 100
    assert [g for g, _ in credit.GRADES] == ["A", "B", "C", "D", "E"]


def test_a_handful_of_perfect_reviews_cannot_top_the_table() -> None:
    # Given a seller with three perfect reviews and one with three hundred
    # When their review factors are computed
    few = factors(Counts(reviews=3, stars_total=45))["reviews"]
    many = factors(Counts(reviews=300, stars_total=4500))["reviews"]
    # Then the few count for less than the many, and no reviews at all give the 4-star prior
    assert few < many <= 1.0
    assert factors(Counts())["reviews"] == pytest.approx(0.75)  # the prior: 4 stars


def test_grades_follow_the_thresholds_on_both_sides() -> None:
    # Given a seller perfect on every count
    perfect = Counts(
        orders_90=100,
        orders_365=400,
        shipped_90=100,
        shipped_on_time_90=100,
        reviews=1000,
        stars_total=15000,
        level=3,
        tenure_days=400,
    )
    # When she is scored
    score, grade = score_of(factors(perfect))
    # Then she scores 1000, an A
    assert score == 1000
    assert grade == "A"
    # When a seller with complaints, lost cases, defaults and late shipments is scored
    poor = Counts(
        orders_90=10,
        complaints_90=2,
        orders_365=10,
        lost_365=2,
        defaults_365=4,
        shipped_90=10,
        shipped_on_time_90=2,
    )
    # Then she gets an E
    assert score_of(factors(poor))[1] == "E"
    # When the perfect seller loses exactly enough points to sit on the A threshold, then a
    # hair more
    # Then she is an A on it and a B below it
    f = factors(perfect)
    f["complaints"] = 1 - 0.75  # 150 points lost of the 200... 850 exactly: still A
    assert score_of(f) == (850, "A")
    f["complaints"] -= 0.001
    assert score_of(f)[1] == "B"


def test_scores_update_as_reviews_happen_and_the_batch_agrees(buyer, seller, operator) -> None:
    from anxin.reputation import services
    from anxin.reputation.models import Score
    from anxin.reputation.tests.test_reviews import settled, stars

    # Given a settled order
    order = settled(buyer, seller)
    # When its buyer gives one star on every count
    services.review_create(
        actor=buyer, number=order.number, **stars(as_described=1, shipping=1, service=1)
    )
    # Then the seller's stored score drops a little below the prior, and its explanation
    # agrees with it and names reviews as the factor with the most to gain
    after = Score.objects.get(seller=seller)
    assert after.factors["reviews"] < 0.75  # one bad review pulls below the prior, a little
    explained = credit.explain(seller.pk)
    assert explained["score"] == after.score
    assert explained["grade"] == after.grade
    assert {f["name"] for f in explained["factors"]} == {n for n, _, _ in credit.FACTORS}
    assert explained["raise"][0] == "reviews"  # the most weight left to gain
    # When the scores are deleted and the batch recomputes them
    # Then the batch gives the same score
    Score.objects.all().delete()
    assert credit.refresh() >= 1  # the batch
    assert Score.objects.get(seller=seller).score == after.score
    # When the operator hides the review as abuse
    # Then the review factor is back at the prior
    services.review_hide(actor=operator, number=order.number, reason="abuse", note="辱骂")
    assert Score.objects.get(seller=seller).factors["reviews"] == pytest.approx(0.75)


def test_shipping_on_time_counts_the_days_the_listing_promised(clock, buyer, seller) -> None:
    import datetime as dt

    from anxin.conftest import make_listing, pay, place_order
    from anxin.orders import services as orders

    # Given a listing that promises shipping within 2 days
    listing = make_listing(seller)  # ships within 2 days
    # When one paid order is shipped after 1 day and another after 3
    for late, tracking in ((False, "SF6000000001"), (True, "SF6000000002")):
        o = place_order(buyer, listing)
        pay(o)
        clock.shift(dt.timedelta(days=3 if late else 1))
        orders.order_ship(actor=seller, number=o.number, carrier="顺丰", tracking_number=tracking)
    # Then two shipments count, one of them on time: half on time
    c = credit.counts([seller.pk])[seller.pk]
    assert c.shipped_90 == 2
    assert c.shipped_on_time_90 == 1
    assert factors(c)["on_time_shipping"] == 0.5


def test_buyers_see_the_grade_at_checkout_and_its_factors_on_the_seller_page(
    buyer, seller, listing, settings
) -> None:
    from django.test import Client

    # Given a seller with no orders yet
    # When a buyer opens the checkout page and the seller's page
    c = Client(HTTP_ACCEPT_LANGUAGE="en")
    page = c.get(f"/c/{listing.code}").content.decode()
    # Then both say she is new and gets a grade after 10 orders
    assert 'data-testid="seller-credit"' in page
    assert "New seller" in page
    assert "A grade is given after 10 orders" in c.get(f"/s/{seller.pk}").content.decode()
    # When no orders are needed for a grade and her score is refreshed
    settings.ANXIN_CREDIT_MIN_ORDERS = 0
    credit.refresh([seller.pk])
    # Then the checkout shows her grade and its weighted factors, and her page the factors
    checkout = c.get(f"/c/{listing.code}").content.decode()
    assert "Credit grade <strong>" in checkout
    factors_shown = checkout.split('data-testid="credit-factors"', 1)[1].split("</details>")[0]
    assert "Ships on time" in factors_shown
    assert "20%" in factors_shown
    public = c.get(f"/s/{seller.pk}").content.decode()
    assert 'data-testid="credit"' in public
    assert "Ships on time" in public


def test_a_seller_without_history_is_new_not_top_graded(settings) -> None:
    # Given that a grade needs 10 orders
    settings.ANXIN_CREDIT_MIN_ORDERS = 10
    # When a seller with no history is scored
    blank = score_of(factors(Counts()))[0]
    # Then her score alone would be an A, but with 9 orders she is new, with 10 an A, and a
    # large deduction stops at 0, an E
    assert blank > 850  # nothing against it: the arithmetic alone would give an A
    assert credit.scored(blank, 0, 9) == (blank, "N")
    assert credit.scored(blank, 0, 10) == (blank, "A")
    assert credit.scored(blank, -1000, 10) == (0, "E")  # kept within 0 to 1,000


def test_levels_in_bulk_agree_with_the_sellers_own_rule(clock, seller, other_seller) -> None:
    from django.utils import timezone

    from anxin.conftest import make_user, verify_seller
    from anxin.sellers import services as sellers
    from anxin.sellers.reverification import seller_verification_lapse

    # Given verified, licensed, unverified and lapsed sellers
    licensed = make_user("licensed", "seller")
    verify_seller(licensed, licences=("food_business",))
    unverified = make_user("unverified", "seller", verified=False)
    lapsed = make_user("lapsedshop", "seller")
    v = lapsed.verification
    clock.move_to(v.reverify_by)
    seller_verification_lapse(seller_id=lapsed.pk)
    people = [seller, other_seller, licensed, unverified, lapsed]
    # When their levels are counted in bulk
    found = credit.counts([u.pk for u in people], now=timezone.now())
    bulk = {u.pk: found[u.pk].level if u.pk in found else 0 for u in people}
    # Then each is the level the sellers app gives, and three different levels occur
    assert bulk == {u.pk: int(sellers.seller_level(u)) for u in people}
    assert sorted(set(bulk.values())) == [0, 1, 3]


def _varied_world(clock, buyer, seller, operator):
    """A seller with something in every source: a late and an on-time shipment, a settled
    order reviewed, an after-sales request answered, a complaint lost by default, and an
    adjustment by hand."""
    import datetime as dt

    from anxin.aftersales import services as aftersales
    from anxin.conftest import make_listing, pay, place_order
    from anxin.disputes import deadlines as dispute_deadlines
    from anxin.disputes import services as disputes
    from anxin.orders import services as orders
    from anxin.reputation import services
    from anxin.reputation.tests.test_reviews import settled, stars

    listing = make_listing(seller)
    for late, tracking in ((False, "SF6100000001"), (True, "SF6100000002")):
        o = place_order(buyer, listing)
        pay(o)
        clock.shift(dt.timedelta(days=3 if late else 1))
        orders.order_ship(actor=seller, number=o.number, carrier="顺丰", tracking_number=tracking)
    aftersales.aftersale_request(
        actor=buyer, number=o.number, kind="no_reason_return", reason="不合适"
    )
    aftersales.aftersale_answer(actor=seller, number=o.number, approve=True)
    reviewed = settled(buyer, seller, tracking="SF6100000003")
    services.review_create(actor=buyer, number=reviewed.number, **stars(shipping=2))
    lost = place_order(buyer, listing)
    pay(lost)
    orders.order_ship(
        actor=seller, number=lost.number, carrier="顺丰", tracking_number="SF6100000004"
    )
    d = disputes.dispute_file(
        actor=buyer,
        number=lost.number,
        category="not_delivered",
        claim="一直没收到",
        claimed_fen=lost.amount_fen,
    )
    clock.shift(dt.timedelta(days=4))
    dispute_deadlines.dispute_deadlines_run()
    credit.adjust(
        actor=operator, seller_id=seller.pk, points=-40, reason="监管通报的虚假宣传", days=30
    )
    return d


def test_one_seller_in_one_statement_counts_what_the_batch_counts(
    clock, buyer, seller, other_seller, operator
) -> None:
    from django.utils import timezone

    from anxin.disputes.models import Dispute

    # Given a seller with something in every source, a case lost by default among them, and
    # a seller with nothing
    d = _varied_world(clock, buyer, seller, operator)
    assert Dispute.objects.get(pk=d.pk).outcome == "default"
    now = timezone.now()
    # When each is counted alone and in the batch
    # Then the two counts agree
    for who in (seller, other_seller):
        assert credit.counts_one(who.pk, now=now) == credit.counts([who.pk], now=now)[who.pk]
    # Then the varied seller's counts are what happened to her
    c = credit.counts_one(seller.pk, now=now)
    assert c.shipped_90 == 4
    assert c.shipped_on_time_90 == 3
    assert c.after_sales_365 == 1
    assert c.answered_365 == 1
    assert c.complaints_90 == 1
    assert c.defaults_365 == 1
    assert c.reviews == 1
    assert c.adjusted == -40
    assert c.level == 1
    assert c.orders_90 == 4
    # When a seller who does not exist is counted
    # Then the counts are empty
    nobody = credit.counts_one(10**9, now=now)  # no such seller: nothing, not an error
    assert nobody == credit.Counts(now=now)


def test_only_the_operator_adjusts_a_score_with_a_reason_for_a_term(
    clock, buyer, seller, operator, staff
) -> None:
    import datetime as dt

    from anxin.core.errors import Forbidden, ValidationFailed
    from anxin.evidence.models import Record
    from anxin.reputation.models import Adjustment, Score

    # Given a seller's stored score
    credit.refresh([seller.pk])
    before = Score.objects.get(seller=seller)
    # When anyone but the operator adjusts it, or the operator does with a short reason, no
    # points, too many points, or a term out of 1 to 90 days
    # Then each is refused and nothing changes
    for actor in (seller, buyer, *staff.values()):
        with pytest.raises(Forbidden):
            credit.adjust(actor=actor, seller_id=seller.pk, points=50, reason="x" * 20, days=5)
    for bad, field in (
        ({"reason": "why"}, "reason"),
        ({"reason": "   "}, "reason"),
        ({"points": 0}, "points"),
        ({"points": 5000}, "points"),
        ({"points": True}, "points"),
        ({"days": 0}, "days"),
        ({"days": 91}, "days"),
    ):
        args = {"points": -100, "reason": "平台核实的刷单行为证据", "days": 30} | bad
        with pytest.raises(ValidationFailed, match=field):
            credit.adjust(actor=operator, seller_id=seller.pk, **args)
    assert not Adjustment.objects.exists()
    assert Score.objects.get(seller=seller).score == before.score  # nothing changed
    # When the operator takes 100 points for 30 days with a reason
    credit.adjust(
        actor=operator, seller_id=seller.pk, points=-100, reason="平台核实的刷单行为证据", days=30
    )
    # Then the score drops by 100 over the same computed score, with the reason shown and kept
    # as evidence
    after = Score.objects.get(seller=seller)
    assert after.score == before.score - 100
    assert after.adjusted == -100
    assert after.computed == before.computed
    explained = credit.explain(seller.pk)
    assert explained["score"] == after.score
    assert explained["adjustments"][0]["reason"] == "平台核实的刷单行为证据"
    assert Record.objects.filter(chain=f"seller:{seller.pk}", kind="credit.adjusted").exists()
    # When the term ends and the score is refreshed
    # Then the adjustment no longer counts
    clock.shift(dt.timedelta(days=31))  # the term ends: the adjustment no longer counts
    credit.refresh([seller.pk])
    assert Score.objects.get(seller=seller).adjusted == 0


def test_scores_follow_order_events_through_the_history_cursor(clock, buyer, seller) -> None:
    from anxin.conftest import make_listing, pay, place_order
    from anxin.orders import services as orders
    from anxin.reputation.models import Score

    # Given the history cursor caught up
    credit.refresh_changed()
    # Then a second pass refreshes nobody
    assert credit.refresh_changed() == 0  # nothing new
    # When an order of the seller is placed and paid
    o = place_order(buyer, make_listing(seller))
    pay(o)
    # Then the next pass refreshes her score, its on-time factor full as nothing has shipped
    assert credit.refresh_changed() == 1
    assert Score.objects.get(seller=seller).factors["on_time_shipping"] == 1.0  # nothing shipped
    # When she ships it
    # Then the next pass refreshes her stored score to the current one, and the pass after
    # refreshes nobody
    orders.order_ship(actor=seller, number=o.number, carrier="顺丰", tracking_number="SF6200000001")
    assert credit.refresh_changed() == 1
    stored = Score.objects.get(seller=seller)
    assert stored.score == credit.explain(seller.pk)["score"]
    assert credit.refresh_changed() == 0


def test_the_operator_adjusts_from_the_seller_page_and_everyone_sees_why(
    buyer, seller, operator
) -> None:
    from django.test import Client

    # Given a seller's scored page
    credit.refresh([seller.pk])
    # When the public and a buyer open it or post an adjustment
    # Then they see no adjustment form and the buyer's adjustment is forbidden
    public = Client(HTTP_ACCEPT_LANGUAGE="en")
    assert 'data-testid="adjust-form"' not in public.get(f"/s/{seller.pk}").content.decode()
    as_buyer = Client(HTTP_ACCEPT_LANGUAGE="en")
    as_buyer.force_login(buyer)
    refused = as_buyer.post(f"/s/{seller.pk}/adjust", {"points": 50, "days": 5, "reason": "好卖家"})
    assert refused.status_code == 403
    # When the operator opens it
    # Then she sees the form, and an amount that is not a number is refused naming the field
    desk = Client(HTTP_ACCEPT_LANGUAGE="en")
    desk.force_login(operator)
    assert 'data-testid="adjust-form"' in desk.get(f"/s/{seller.pk}").content.decode()
    bad = desk.post(
        f"/s/{seller.pk}/adjust", {"points": "a lot", "days": 5, "reason": "核实"}, follow=True
    )
    assert "Points: enter a whole number." in bad.content.decode()
    # When she takes 30 points for 10 days with a reason
    desk.post(
        f"/s/{seller.pk}/adjust", {"points": -30, "days": 10, "reason": "虚假发货单号，已核实"}
    )
    # Then the public page shows the adjustment and its reason
    page = public.get(f"/s/{seller.pk}").content.decode()
    assert "Adjusted by the operator: -30 points" in page
    assert "虚假发货单号，已核实" in page


def test_the_credit_api_shows_the_factors_and_only_the_operator_adjusts(
    api, seller, buyer, operator
) -> None:
    # Given a seller
    # When anyone reads her credit through the API
    out = api(None).get(f"/sellers/{seller.pk}/credit")
    # Then every published factor is listed, and an unknown seller is not found
    assert out.status_code == 200
    body = out.json()
    assert {f["name"] for f in body["factors"]} == {n for n, _, _ in credit.FACTORS}
    assert api(None).get("/sellers/999999/credit").status_code == 404
    # When a buyer adjusts it, the operator with a 0-day term, then the operator properly
    # Then the buyer is forbidden, the bad term is refused naming the field, and the proper
    # adjustment adds its points with its reason
    payload = {"points": 20, "days": 7, "reason": "申诉核实后补偿"}
    url = f"/sellers/{seller.pk}/credit/adjustments"
    assert api(buyer).post(url, payload).status_code == 403
    bad = api(operator).post(url, payload | {"days": 0})
    assert bad.status_code == 422
    assert "days" in bad.json()["detail"]
    made = api(operator).post(url, payload)
    assert made.status_code == 201
    assert made.json()["adjustments"][0]["reason"] == "申诉核实后补偿"
    assert made.json()["score"] == body["score"] + 20
