"""Each role's main pages on a phone (390 × 844), in Chinese and once in English, on the demo
world (which has every state a person should see). Every page is looked at as a person would
(see phone.py): no broken image, no console error, nothing wider than the screen, no English on
a Chinese page, tap targets of 44 px, no serious accessibility violation. The screenshots are
saved under $ANXIN_TEST_ARTIFACTS/screens/<role>-<language>/."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.urls import reverse

from anxin.web.tests.phone import ARTIFACTS, Phone

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

PASSWORD = "anxin-demo-2026"  # the demo's


@pytest.fixture
def demo(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    call_command("demo", verbosity=0)


def _case(**filters) -> str:
    from anxin.disputes.models import Dispute

    d = Dispute.objects.filter(**filters).order_by("id").first()
    assert d is not None, filters
    return reverse("web:dispute", args=[d.number])


def _order(**filters) -> str:
    from anxin.orders.models import Order

    o = Order.objects.filter(**filters).order_by("id").first()
    assert o is not None, filters
    return reverse("web:order", args=[o.number])


def _listing(seller: str) -> str:
    from anxin.catalog.models import Listing

    listing = Listing.objects.filter(seller__username=seller, is_active=True).order_by("id").first()
    assert listing is not None
    return reverse("web:listing_detail", args=[listing.pk])


def _walk(phone: Phone, username: str, pages: list[tuple[str, str]]) -> list[str]:
    phone.login(username, PASSWORD)
    phone.look("home")
    for path, name in pages:
        phone.visit(path, name)
    phone.close()
    return phone.problems


def _buyer_pages() -> list[tuple[str, str]]:
    from anxin.accounts.models import User
    from anxin.accounts.services import address_save
    from anxin.catalog.models import Listing

    listing = Listing.objects.filter(seller__username="seller-tea").order_by("id").first()
    assert listing is not None
    # Her address book: home (the default, which the checkout fills in) and her office.
    buyer = User.objects.get(username="zhangwei")
    address_save(
        user=buyer,
        recipient_name="张伟",
        recipient_phone="13900001111",
        shipping_address="浙江省杭州市西湖区文三路 100 号 3 幢 502 室",
    )
    address_save(
        user=buyer,
        recipient_name="张伟（公司）",
        recipient_phone="0571-88886666",
        shipping_address="浙江省杭州市滨江区网商路 699 号",
    )
    return [
        (reverse("web:orders"), "orders"),
        (reverse("web:orders") + "?tab=to_receive", "orders-to-receive"),
        (_order(buyer__username="zhangwei", status="shipped"), "order-shipped"),
        (_order(buyer__username="zhangwei", review__isnull=False), "order-reviewed"),
        (_order(buyer__username="zhangwei", status="completed", review=None), "order-to-review"),
        (reverse("web:seller_public", args=[listing.seller_id]), "seller-reviews"),
        (reverse("web:checkout", args=[listing.code]), "checkout"),
        (reverse("web:disputes"), "cases"),
        (_case(buyer__username="zhangwei", step="parties_accept"), "case-proposal"),
        (_case(buyer__username="zhangwei", step="appeal_window"), "case-decided"),
        (reverse("web:dispute_new"), "complaint-form"),
        (reverse("web:notifications"), "notices"),
        (reverse("web:law"), "law"),
        (reverse("web:account"), "account"),
        (reverse("web:account") + "#addresses", "account-addresses"),
    ]


def _assert_clean(problems: list[str]) -> None:
    """No problems; if there are, they are also written beside the screenshots."""
    if problems:
        out = ARTIFACTS / "screens" / "problems.txt"
        out.parent.mkdir(parents=True, exist_ok=True)
        with out.open("a") as f:
            f.write("\n".join(problems) + "\n")
    assert problems == [], "\n".join(problems)


def test_a_buyer_on_a_phone(browser, live_server, demo) -> None:
    # Given the demo world and a buyer's phone in Chinese
    phone = Phone.open(browser, live_server.url, "buyer")
    # When she looks at the landing page, then logs in and goes through her pages
    phone.visit("/", "landing")
    problems = _walk(phone, "zhangwei", _buyer_pages())
    # Then no page has anything a person would see as broken
    _assert_clean(problems)


def test_a_buyer_on_a_phone_in_english(browser, live_server, demo) -> None:
    # Given the demo world and a buyer's phone in English
    phone = Phone.open(browser, live_server.url, "buyer", lang="en-US")
    # When she goes through her pages
    phone.visit("/", "landing")
    problems = _walk(phone, "zhangwei", _buyer_pages())
    # Then no page has anything a person would see as broken
    _assert_clean(problems)


def test_a_seller_on_a_phone(browser, live_server, demo) -> None:
    # Given the demo world and the tea shop's phone
    phone = Phone.open(browser, live_server.url, "seller")
    # When the seller goes through its pages
    problems = _walk(
        phone,
        "seller-tea",
        [
            (_order(seller__username="seller-tea", status="completed"), "order"),
            (reverse("web:orders"), "orders"),
            (reverse("web:listing_new"), "new-listing"),
            (_listing("seller-tea"), "listing-share"),
            (_case(seller__username="seller-tea", step="panel_votes"), "case-appealed"),
            (reverse("web:seller_verification"), "verification"),
            (reverse("web:seller_profile"), "profile"),
            (reverse("web:notifications"), "notices"),
        ],
    )
    # Then no page has anything a person would see as broken
    _assert_clean(problems)


def test_a_seller_shares_a_listing_on_a_phone_in_english(browser, live_server, demo) -> None:
    # Given the demo world and the tea shop's phone in English
    phone = Phone.open(browser, live_server.url, "seller", lang="en-US")
    # When the seller opens a listing's page with its share tools
    problems = _walk(phone, "seller-tea", [(_listing("seller-tea"), "listing-share")])
    # Then nothing on it looks broken
    _assert_clean(problems)


@pytest.mark.parametrize(
    ("role", "steps"),
    [
        ("mediator", ["mediator_proposal", "parties_accept"]),
        ("adjudicator", ["decision", "evidence"]),
    ],
)
def test_an_officer_on_a_phone(browser, live_server, demo, role, steps) -> None:
    from anxin.disputes.models import Dispute

    # Given the demo world and the officer of a case at the first step
    first = Dispute.objects.filter(step=steps[0]).order_by("id").first()
    assert first is not None
    officer = getattr(first, role)
    pages = [(reverse("web:disputes"), "cases")]
    mine = Dispute.objects.filter(**{role: officer})
    pages += [
        (reverse("web:dispute", args=[d.number]), f"case-{d.step}")
        for d in (mine.filter(step=step).first() for step in steps)
        if d is not None
    ]
    # When the officer goes through its desk and its cases at those steps
    phone = Phone.open(browser, live_server.url, role)
    problems = _walk(phone, officer.username, pages)
    # Then no page has anything a person would see as broken
    _assert_clean(problems)


def test_a_regulator_and_the_operator_on_a_phone(browser, live_server, demo) -> None:
    # Given the demo world, with a case sent to the regulator and a blacklisted shop
    from anxin.accounts.models import User

    transferred = _case(transferred_at__isnull=False)
    shoes = User.objects.get(username="seller-shoes").pk
    # When the regulator and the operator go through their pages
    regulator = Phone.open(browser, live_server.url, "regulator")
    problems = _walk(
        regulator,
        "regulator",
        [
            (reverse("web:disputes"), "cases"),
            (transferred, "case-transferred"),
            (reverse("web:blacklist"), "blacklist"),
            (reverse("web:blacklist_desk"), "blacklist-desk"),
            (reverse("web:identity_disclose") + f"?seller={shoes}", "identity"),
            (reverse("web:staff_dashboard"), "dashboard"),
            (reverse("web:staff_dashboard") + "?days=90", "dashboard-90"),
        ],
    )
    operator = Phone.open(browser, live_server.url, "operator")
    problems += _walk(
        operator,
        "operator",
        [
            (reverse("web:licence_queue"), "licences"),
            (reverse("web:blacklist_desk"), "blacklist-desk"),
            (reverse("web:review_desk"), "reviews-desk"),
            (reverse("web:seller_public", args=[shoes]), "seller-blacklisted"),
            (reverse("web:guarantee"), "guarantee-fund"),
            (reverse("web:staff_dashboard"), "dashboard"),
        ],
    )
    # Then no page has anything a person would see as broken
    _assert_clean(problems)


def test_the_dashboard_on_a_phone_in_english(browser, live_server, demo) -> None:
    # Given the demo world and the operator's phone in English
    phone = Phone.open(browser, live_server.url, "operator", lang="en-US")
    # When the operator opens the dashboard, with its table of figures unfolded
    phone.login("operator", PASSWORD)
    phone.page.goto(reverse("web:staff_dashboard"))
    phone.page.click("[data-testid=chart-fund] summary")
    phone.look("dashboard-en")
    phone.close()
    # Then nothing on it is broken
    _assert_clean(phone.problems)


@pytest.mark.parametrize("lang", ["zh-CN", "en-US"])
def test_reviews_written_reported_and_decided_on_a_phone(browser, live_server, demo, lang) -> None:
    from anxin.accounts.models import User

    tea = User.objects.get(username="seller-tea").pk
    from anxin.orders.models import Order

    # The order she completed last (older ones may be past the days to review)
    latest = (
        Order.objects.filter(buyer__username="zhangwei", status="completed", review=None)
        .order_by("-completed_at")
        .first()
    )
    assert latest is not None
    to_review = reverse("web:order", args=[latest.number])
    # Given the demo world: a review with a photo and one the seller reported
    # When a buyer taps the stars by keyboard on a review form
    buyer = Phone.open(browser, live_server.url, "buyer-review", lang=lang)
    buyer.login("zhangwei", PASSWORD)
    buyer.look("home")
    buyer.page.goto(to_review)
    buyer.page.wait_for_load_state("networkidle")
    buyer.page.focus("input[name=as_described][value='5']")
    buyer.page.keyboard.press("ArrowLeft")
    buyer.page.keyboard.press("ArrowLeft")
    # Then the third star is the one chosen, and the form looks right
    assert buyer.page.is_checked("input[name=as_described][value='3']")
    buyer.look("review-form-3-stars")
    buyer.close()
    # When another buyer opens the report form on the seller's page
    other = Phone.open(browser, live_server.url, "buyer-report", lang=lang)
    other.login("lina", PASSWORD)
    other.look("home")
    other.page.goto(reverse("web:seller_public", args=[tea]))
    other.page.wait_for_load_state("networkidle")
    other.page.locator("details.report summary").first.click()
    other.look("seller-report-form")
    other.close()
    # And the operator opens the reviews desk
    operator = Phone.open(browser, live_server.url, "operator-reviews", lang=lang)
    problems = buyer.problems + other.problems
    problems += _walk(operator, "operator", [(reverse("web:review_desk"), "reviews-desk")])
    # Then no page has anything a person would see as broken
    _assert_clean(problems)


def test_a_buyer_returns_one_of_two_items_on_a_phone(browser, live_server, demo) -> None:
    from anxin.aftersales.models import AfterSale
    from anxin.orders.models import Order

    # Given the demo world, where a buyer's order of two boxes of oranges is on its way
    order = Order.objects.get(
        buyer__username="wangfang", quantity=2, status="shipped", after_sales=None
    )
    phone = Phone.open(browser, live_server.url, "buyer-return")
    phone.login("wangfang", PASSWORD)
    phone.visit(reverse("web:order", args=[order.number]), "order-two-items")
    # When she opens the return form, asks to return one of the two, and sends it
    page = phone.page
    page.get_by_test_id("aftersale-request").locator("summary").click()
    page.get_by_test_id("aftersale-quantity").select_option("1")
    page.get_by_test_id("aftersale-kind").select_option("quality_return")
    page.get_by_test_id("aftersale-request").locator("textarea[name=reason]").fill(
        "一箱里有几个烂了"
    )
    page.get_by_test_id("aftersale-request").locator("button[type=submit]").click()
    page.get_by_test_id("after-sale-status").wait_for()
    phone.look("return-one-of-two")
    status = page.get_by_test_id("after-sale-status").inner_text()
    phone.close()
    # Then the request is about one item, the page says so, and nothing on it is broken
    assert AfterSale.objects.get(order=order).quantity == 1
    assert "共 2 件，退 1 件" in status
    _assert_clean(phone.problems)
