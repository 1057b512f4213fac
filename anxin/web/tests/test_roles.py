"""Each role's main pages on a phone (390 × 844), in Chinese and once in English, on the demo
world (which has every state a person should see). Every page is looked at as a person would
(see phone.py): no broken image, no console error, nothing wider than the screen, no English on
a Chinese page, tap targets of 44 px, no serious accessibility violation. The screenshots are
saved under $ANXIN_TEST_ARTIFACTS/screens/<role>-<language>/."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from anxin.web.tests.phone import ARTIFACTS, Phone

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

PASSWORD = "anxin-demo-2026"  # the demo's


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


def _complaint(**filters) -> str:
    from anxin.supervision.models import Complaint

    c = Complaint.objects.filter(**filters).order_by("id").first()
    assert c is not None, filters
    return reverse("web:complaint", args=[c.number])


def _listing(seller: str) -> str:
    from anxin.catalog.models import Listing

    listing = Listing.objects.filter(seller__username=seller, is_active=True).order_by("id").first()
    assert listing is not None
    return reverse("web:listing_detail", args=[listing.pk])


def _action(**filters) -> str:
    from anxin.supervision.models_regulator import RegulatorAction

    a = RegulatorAction.objects.filter(**filters).order_by("id").first()
    assert a is not None, filters
    return reverse("web:regulator_action", args=[a.number])


def _data_request(**filters) -> str:
    from anxin.supervision.models_regulator import DataRequest

    r = DataRequest.objects.filter(**filters).order_by("id").first()
    assert r is not None, filters
    return reverse("web:data_request", args=[r.number])


def _regulator_pages() -> list[tuple[str, str]]:
    """The regulator's office and its acts in every state the demo has (demo_regulator.py)."""
    from anxin.supervision.models_regulator import EarlyWarning

    warning = EarlyWarning.objects.filter(regulator__isnull=False).order_by("id").first()
    assert warning is not None
    return [
        (reverse("web:supervision"), "supervision"),
        (_action(kind="interview"), "act-interview"),
        (_action(kind="correction", status="open"), "act-correction-open"),
        (_action(kind="correction", status="corrected"), "act-correction-answered"),
        (_action(kind="correction", status="defaulted"), "act-correction-defaulted"),
        (_action(kind="penalty", published_at__isnull=False), "act-penalty-published"),
        (_action(kind="penalty", published_at__isnull=True), "act-penalty-to-publish"),
        (_data_request(status="answered"), "data-request-answered"),
        (reverse("web:early_warning", args=[warning.number]), "early-warning"),
        (reverse("web:penalties"), "penalties-public"),
    ]


def _walk(phone: Phone, username: str, pages: list[tuple[str, str]]) -> list[str]:
    # Operators and regulators pass the two-step page on the way in: it is looked at too.
    phone.login(username, PASSWORD, look=True)
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
    closing = User.objects.get(username="seller-formula").pk  # its closure announced
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
        (reverse("web:seller_public", args=[closing]), "seller-closing"),
        (reverse("web:checkout", args=[listing.code]), "checkout"),
        (reverse("web:disputes"), "cases"),
        (_case(buyer__username="zhangwei", step="parties_accept"), "case-proposal"),
        (_case(buyer__username="zhangwei", step="appeal_window"), "case-decided"),
        (reverse("web:dispute_new"), "complaint-form"),
        (reverse("web:complaints"), "regulator-complaints"),
        (_complaint(complainant__username="zhangwei", status="received"), "regulator-complaint"),
        (_complaint(complainant__username="zhangwei", status="refused"), "regulator-refused"),
        (reverse("web:complaint_new"), "regulator-complaint-form"),
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
            (reverse("web:seller_payouts"), "payouts"),
            (reverse("web:notifications"), "notices"),
            (_seller_figures("seller-tea"), "figures-own"),
            (reverse("web:supervision"), "regulator-acts"),
            (_action(kind="correction", seller__username="seller-tea"), "correction-defaulted"),
        ],
    )
    # Then no page has anything a person would see as broken
    _assert_clean(problems)


def test_a_seller_shares_a_listing_on_a_phone_in_english(browser, live_server, demo) -> None:
    # Given the demo world and the tea shop's phone in English
    phone = Phone.open(browser, live_server.url, "seller", lang="en-US")
    # When the seller opens a listing's page with its share tools
    problems = _walk(
        phone,
        "seller-tea",
        [(_listing("seller-tea"), "listing-share"), (reverse("web:seller_payouts"), "payouts")],
    )
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
            (reverse("web:complaints"), "complaint-queue"),
            (_complaint(status="received"), "complaint-to-decide"),
            (_complaint(status="admitted"), "complaint-accepted"),
            (reverse("web:blacklist"), "blacklist"),
            (reverse("web:blacklist_desk"), "blacklist-desk"),
            (reverse("web:identity_disclose") + f"?seller={shoes}", "identity"),
            (reverse("web:staff_dashboard"), "dashboard"),
            (reverse("web:staff_dashboard") + "?days=90", "dashboard-90"),
            *_regulator_pages(),
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
            (reverse("web:reconcile_desk"), "reconcile-desk"),
            (reverse("web:organisations"), "organisations"),
            (reverse("web:seller_public", args=[shoes]), "seller-blacklisted"),
            (reverse("web:guarantee"), "guarantee-fund"),
            (reverse("web:staff_dashboard"), "dashboard"),
            (reverse("web:account") + "#two-factor", "account-two-step"),
            (reverse("web:supervision"), "data-requests"),
            (_data_request(status="open"), "data-request-open"),
        ],
    )
    # Then no page has anything a person would see as broken
    _assert_clean(problems)


@pytest.mark.parametrize("lang", ["zh-CN", "en-US"])
def test_a_new_operator_sets_up_two_step_sign_in_on_a_phone(
    browser, live_server, demo, lang
) -> None:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from anxin.accounts.models import User

    # Given a new operator, with a password and no authenticator app yet
    new = User(username=f"operator-new-{lang[:2]}", role="operator", display_name="新运营")
    new.set_password(PASSWORD)
    new.save()
    phone = Phone.open(browser, live_server.url, "operator-enrol", lang=lang)
    # When she signs in with her password, is sent to set up an app, adds its key to one,
    # confirms with its code, and moves on from her backup codes
    phone.login(new.username, PASSWORD, look=True)
    # Then she is at the desk, her app confirmed
    assert phone.page.url.rstrip("/").endswith("/desk")
    phone.look("desk")
    assert TOTPDevice.objects.filter(user=new, confirmed=True).exists()
    phone.close()
    _assert_clean(phone.problems)


@pytest.mark.parametrize("lang", ["zh-CN", "en-US"])
def test_a_new_buyer_signs_up_with_a_phone_number_and_its_code(
    browser, live_server, demo, lang
) -> None:
    import secrets

    from anxin.accounts.models import User

    number = "139" + "".join(secrets.choice("0123456789") for _ in range(8))
    assert not User.objects.filter(phone=number).exists()
    # Given a person new to Anxin on the sign-in page of the demo
    phone = Phone.open(browser, live_server.url, "buyer-phone-signup", lang=lang)
    phone.visit(reverse("web:login"), "login")
    # When she chooses to sign in with her phone number, and asks for a code
    with phone.page.expect_navigation():
        phone.page.locator("main a[href^='/login/phone']").click()
    phone.look("phone-number")
    phone.page.fill("input[name=phone]", f"{number[:3]} {number[3:7]} {number[7:]}")
    with phone.page.expect_navigation():
        phone.page.click("main form button[type=submit]")
    phone.look("phone-code")
    # And reads the code where the demo shows what it texted (the page linked from sign-in)
    inbox = Phone.open(browser, live_server.url, "buyer-phone-inbox", lang=lang)
    inbox.visit(reverse("web:sandbox_sms"), "sandbox-codes")
    card = inbox.page.get_by_test_id("sandbox-sms").filter(has_text=number).first
    code = card.get_by_test_id("sms-code").inner_text().strip()
    inbox.close()
    # And types it in
    phone.page.fill("input[name=code]", code)
    with phone.page.expect_navigation():
        phone.page.click("main form >> nth=0 >> button[type=submit]")
    # Then she is signed up as a buyer with that number, signed in, and welcomed
    assert _success(phone)
    phone.look("welcome")
    user = User.objects.get(phone=number)
    assert user.role == "buyer"
    phone.visit(reverse("web:account"), "account")
    assert f"{number[:3]}****{number[7:]}" in phone.page.content()
    phone.close()
    _assert_clean(phone.problems + inbox.problems)


def _seller_figures(username: str) -> str:
    from anxin.accounts.models import User

    return reverse("web:figures_seller", args=[User.objects.get(username=username).pk])


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


# --- Each role acting through its pages -----------------------------------------------------


def _act(phone: Phone, form: Any, name: str) -> list[str]:
    """Send `form` (a locator) by its submit button as a person would: accept the question it
    asks first, if it asks one; wait for the page that answers and look at it. Returns the
    questions asked (one, for an action that moves money or gives up a right)."""
    asked: list[str] = []

    def answer(dialog: Any) -> None:
        asked.append(dialog.message)
        dialog.accept()

    phone.page.once("dialog", answer)
    with phone.page.expect_navigation():
        form.locator("button[type=submit]").click()
    phone.look(name)
    return asked


def _success(phone: Phone) -> str:
    """The success message the page shows after an action, visible on the phone's screen."""
    flash = phone.page.locator(".flash.success")
    assert flash.count() == 1, phone.page.locator(".flash").all_inner_texts()
    assert flash.is_visible()
    return flash.inner_text()


@pytest.mark.parametrize("lang", ["zh-CN", "en-US"])
def test_the_operator_lifts_a_blacklisting_on_a_phone(browser, live_server, demo, lang) -> None:
    from anxin.accounts.models import User
    from anxin.reputation.models import BlacklistEntry, EntryStatus

    # Given the demo world, where the shoe shop is on the blacklist for a year
    shoes = User.objects.get(username="seller-shoes").pk
    entry = BlacklistEntry.objects.get(seller_id=shoes, status=EntryStatus.LISTED)
    phone = Phone.open(browser, live_server.url, "operator-lift", lang=lang)
    phone.login("operator", PASSWORD)
    phone.visit(reverse("web:blacklist_desk"), "blacklist-desk")
    # When the operator writes why and lifts the listing, and says yes when asked
    form = phone.page.locator(f"#entry-{entry.pk} form")
    form.locator("textarea[name=reasons]").fill("市场监管部门复议撤销了售假认定。")
    asked = _act(phone, form, "blacklist-lifted")
    # Then it asked first, and says it is done
    assert len(asked) == 1
    assert _success(phone)
    # And the shop's public page no longer says it is on the blacklist, only that it was
    phone.visit(reverse("web:seller_public", args=[shoes]), "seller-lifted")
    status = phone.page.get_by_test_id("blacklist-status")
    assert status.locator("strong.error").count() == 0
    assert "市场监管部门复议撤销了售假认定。" in status.inner_text()
    if lang == "zh-CN":  # and in Chinese, with Chinese punctuation
        assert ": " not in status.inner_text()
    phone.close()
    entry.refresh_from_db()
    assert entry.status == EntryStatus.LIFTED
    assert entry.lifted_by is not None
    assert entry.lifted_by.username == "operator"
    _assert_clean(phone.problems)


@pytest.mark.parametrize("lang", ["zh-CN", "en-US"])
def test_the_adjudicator_decides_a_case_on_a_phone(browser, live_server, demo, lang) -> None:
    from anxin.disputes.models import Decision, Dispute

    # Given the demo world, with a case whose evidence window has closed
    d = Dispute.objects.filter(step="decision").order_by("id").first()
    assert d is not None
    assert d.adjudicator is not None
    phone = Phone.open(browser, live_server.url, "adjudicator-decide", lang=lang)
    phone.login(d.adjudicator.username, PASSWORD)
    phone.look("home")
    phone.visit(reverse("web:dispute", args=[d.number]), "case-to-decide")
    # (the evidence form below the decision is set apart from it, not read as part of it)
    evidence = phone.page.locator("form[action$='/evidence']")
    assert evidence.evaluate("f => getComputedStyle(f).borderTopStyle") == "solid"
    # When the adjudicator keeps the law engine's figures and citations, writes the reasons,
    # decides, and says yes when asked
    form = phone.page.locator("form[action$='/decide']")
    form.locator("textarea[name=reasons]").fill("橙子发霉属质量问题，按法律建议退款。")
    asked = _act(phone, form, "case-decided")
    # Then it asked first (the decision moves money), says it is done, and the case is open
    # to appeal
    assert len(asked) == 1
    assert _success(phone)
    d.refresh_from_db()
    assert d.step == "appeal_window"
    decision = Decision.objects.get(dispute=d)
    assert decision.reasons == "橙子发霉属质量问题，按法律建议退款。"
    assert phone.page.get_by_test_id("decision").count() == 1
    phone.close()
    _assert_clean(phone.problems)


def test_the_mediator_proposes_and_the_buyer_accepts_on_a_phone(browser, live_server, demo) -> None:
    from anxin.disputes.models import Dispute

    # Given the demo world, with a case waiting for the mediator's proposal
    d = Dispute.objects.filter(step="mediator_proposal").order_by("id").first()
    assert d is not None
    assert d.mediator is not None
    mediator = Phone.open(browser, live_server.url, "mediator-propose")
    mediator.login(d.mediator.username, PASSWORD)
    mediator.look("home")
    mediator.visit(reverse("web:dispute", args=[d.number]), "case-to-propose")
    # When the mediator proposes that the seller pays 30 yuan, and says yes when asked
    form = mediator.page.locator("form[action$='/propose']")
    form.locator("input[name=amount]").fill("30")
    form.locator("textarea[name=text]").fill("颜色差异明显，卖家退款30元。")
    asked = _act(mediator, form, "case-proposed")
    # Then it asked first, says it is done, and the case waits for both parties
    assert len(asked) == 1
    assert _success(mediator)
    mediator.close()
    d.refresh_from_db()
    assert d.step == "parties_accept"
    assert d.proposal_fen == 3000
    # When the buyer opens the case and accepts the proposal, and says yes when asked
    buyer = Phone.open(browser, live_server.url, "buyer-accept")
    buyer.login(d.buyer.username, PASSWORD)
    buyer.look("home")
    buyer.visit(reverse("web:dispute", args=[d.number]), "case-proposal")
    form = buyer.page.locator("form[action$='/respond']").filter(
        has=buyer.page.locator("input[name=accept]")
    )
    asked = _act(buyer, form, "case-proposal-accepted")
    # Then it asked first (she gives up taking it further), says it is done, and her
    # acceptance is on the case
    assert len(asked) == 1
    assert _success(buyer)
    assert "✓" in buyer.page.get_by_test_id("proposal-answers").inner_text()
    buyer.close()
    d.refresh_from_db()
    assert d.buyer_accepted_at is not None
    _assert_clean(mediator.problems + buyer.problems)


def test_a_regulator_sends_a_blacklist_notice_on_a_phone(browser, live_server, demo) -> None:
    from anxin.accounts.models import User
    from anxin.disputes.models import Dispute
    from anxin.reputation.models import BlacklistEntry, EntryStatus

    # Given the demo world, with a complaint of counterfeit goods sent to the regulator
    d = Dispute.objects.filter(transferred_at__isnull=False).order_by("id").first()
    assert d is not None
    seller = d.seller
    phone = Phone.open(browser, live_server.url, "regulator-notice")
    phone.login("regulator", PASSWORD)
    phone.look("home")
    phone.visit(reverse("web:dispute", args=[d.number]), "case-transferred")
    # When the regulator goes from the case to a blacklist notice about its seller, chooses
    # the ground, writes the reasons, sends it, and says yes when asked
    with phone.page.expect_navigation():
        phone.page.get_by_test_id("blacklist-notice").click()
    phone.look("notice-form")
    form = phone.page.locator("form").filter(has=phone.page.locator("input[value=open]"))
    # (the seller and the case relied on are filled in from the case)
    assert form.locator("input[name=seller]").input_value() == str(seller.pk)
    assert form.locator("input[name=evidence]").input_value() == d.number
    form.locator("select[name=ground]").select_option("fraud")
    form.locator("textarea[name=reasons]").fill("备案编号查无此产品，涉嫌销售假冒化妆品。")
    asked = _act(phone, form, "notice-sent")
    # Then it asked first, says it is done, and the notice waits for the seller's appeal
    assert len(asked) == 1
    assert _success(phone)
    assert phone.page.get_by_test_id("entry").count() == 1
    phone.close()
    entry = BlacklistEntry.objects.get(seller=seller)
    assert entry.status == EntryStatus.NOTICED
    assert entry.opened_by == User.objects.get(username="regulator")
    assert entry.evidence == [d.number]
    _assert_clean(phone.problems)


def test_a_seller_ships_an_order_on_a_phone(browser, live_server, demo) -> None:
    from anxin.orders.models import Order

    # Given the demo world, where the beauty shop has a paid order to ship
    order = Order.objects.get(seller__username="seller-beauty", status="paid")
    phone = Phone.open(browser, live_server.url, "seller-ship")
    phone.login("seller-beauty", PASSWORD)
    phone.look("home")
    # When the seller taps the order on its to-do list, enters the carrier and the tracking
    # number, and marks it shipped
    with phone.page.expect_navigation():
        phone.page.get_by_test_id("to-ship-row").first.click()
    phone.look("order-to-ship")
    form = phone.page.locator("form[action$='/ship']")
    form.locator("input[name=carrier]").fill("顺丰速运")
    form.locator("input[name=tracking_number]").fill("SF1234567890")
    _act(phone, form, "order-shipped")
    # Then the page says it is done, and the order is shipped with that parcel
    assert _success(phone)
    phone.close()
    order.refresh_from_db()
    assert order.status == "shipped"
    assert order.tracking_number == "SF1234567890"
    _assert_clean(phone.problems)


@pytest.mark.parametrize("lang", ["zh-CN", "en-US"])
def test_a_seller_answers_a_return_on_a_phone(browser, live_server, demo, lang) -> None:
    from anxin.aftersales.models import AfterSale
    from anxin.aftersales.services import aftersale_request
    from anxin.orders.models import Order

    # Given the demo world, where a buyer asks the fruit shop to take back a box of oranges
    order = Order.objects.get(
        buyer__username="wangfang", quantity=2, status="shipped", after_sales=None
    )
    aftersale_request(
        actor=order.buyer, number=order.number, kind="quality_return", reason="一箱里有几个烂了"
    )
    phone = Phone.open(browser, live_server.url, "seller-return", lang=lang)
    phone.login(order.seller.username, PASSWORD)
    phone.look("home")
    # When the seller taps the request on its to-do list and approves it
    with phone.page.expect_navigation():
        phone.page.get_by_test_id("after-sale-row").first.click()
    phone.look("return-to-answer")
    form = phone.page.locator("form[action$='/aftersale-approve']")
    _act(phone, form, "return-approved")
    # Then the page says it is done, and the request is approved
    assert _success(phone)
    phone.close()
    assert AfterSale.objects.get(order=order).status == "approved"
    _assert_clean(phone.problems)


# --- A shop closes (ECL 16) -------------------------------------------------------------------


def _day(day: Any, lang: str) -> str:
    """`day` written as the page writes a date in `lang`."""
    from django.utils import translation
    from django.utils.formats import date_format

    with translation.override("zh-hans" if lang.startswith("zh") else "en"):
        return date_format(day, "DATE_FORMAT")


@pytest.mark.parametrize("lang", ["zh-CN", "en-US"])
def test_a_seller_announces_and_calls_off_its_closure_on_a_phone(
    browser, live_server, demo, lang
) -> None:
    import datetime as dt

    from django.utils import timezone

    from anxin.accounts.models import User
    from anxin.law.days import BEIJING
    from anxin.sellers.services import shop_closure_notice_days, shop_closure_of

    # Given the demo world, where the tea shop trades with money to withdraw
    tea = User.objects.get(username="seller-tea")
    days = shop_closure_notice_days()
    # (its last day: that many days from today in Beijing; it closes at that day's end)
    last_day = _day(timezone.now().astimezone(BEIJING).date() + dt.timedelta(days=days), lang)
    seller = Phone.open(browser, live_server.url, "seller-closure", lang=lang)
    seller.login("seller-tea", PASSWORD)
    seller.visit(reverse("web:seller_profile") + "#closure", "profile-closure")
    # (the section says which day would be the last, were it announced today)
    assert last_day in seller.page.get_by_test_id("closure-if-today").inner_text()
    # When the seller writes what buyers should know, announces the closure and says yes
    form = seller.page.locator("#closure form")
    form.locator("textarea[name=reason]").fill("茶园转让，本店停止经营。")
    asked = _act(seller, form, "closure-announced")
    # Then it asked first, naming the days of notice, and says when the shop closes
    assert len(asked) == 1
    assert str(days) in asked[0]
    assert last_day in _success(seller)
    # And the closure section says the shop closes at the end of that day, and offers to
    # call it off
    section = seller.page.locator("#closure")
    assert last_day in section.get_by_test_id("closure").inner_text()
    assert section.locator("textarea[name=reason]").count() == 0
    assert section.locator("form button[type=submit]").count() == 1
    closure = shop_closure_of(tea.pk)
    assert closure is not None
    assert closure.reason == "茶园转让，本店停止经营。"
    # When the seller opens its payouts
    seller.visit(reverse("web:seller_payouts"), "payouts-closing")
    # Then withdrawals are stopped, with the reason and a way back to the closure
    blocked = seller.page.get_by_test_id("blocked")
    assert blocked.is_visible()
    back = blocked.locator("a")
    assert back.get_attribute("href") == reverse("web:seller_profile") + "#closure"
    assert seller.page.get_by_test_id("withdrawable").inner_text().strip() == "¥0.00"
    # (and offers no withdrawal form it would refuse)
    assert seller.page.get_by_test_id("withdraw").count() == 0
    # When a buyer and a visitor who is not logged in open the shop's page
    public = reverse("web:seller_public", args=[tea.pk])
    buyer = Phone.open(browser, live_server.url, "buyer-closing", lang=lang)
    buyer.login("zhangwei", PASSWORD)
    buyer.visit(public, "seller-closing")
    visitor = Phone.open(browser, live_server.url, "visitor-closing", lang=lang)
    visitor.visit(public, "seller-closing")
    # Then each sees the notice in their language: the shop's last day, as the hour it
    # closes in Beijing time, and the seller's words
    for phone in (buyer, visitor):
        notice = phone.page.get_by_test_id("closure-notice")
        assert notice.is_visible()
        text = notice.inner_text()
        day = notice.get_by_test_id("closure-day").inner_text()
        if lang.startswith("zh"):
            assert f"营业至{last_day}24时" in day
        else:
            assert f"until the end of {last_day} (Beijing time)" in day
        # (the seller's own words, which a browser should not translate)
        reason = notice.get_by_test_id("closure-reason")
        assert reason.inner_text() == "茶园转让，本店停止经营。"
        assert reason.get_attribute("translate") == "no"
        assert ("即将停止经营" in text) == lang.startswith("zh")
        assert ("closing" in text) == (not lang.startswith("zh"))
    buyer.close()
    # When the seller calls the closure off, and says yes when asked
    seller.visit(reverse("web:seller_profile") + "#closure", "profile-closing")
    asked = _act(seller, seller.page.locator("#closure form"), "closure-called-off")
    # Then it asked first, says it is done, and offers to announce a closure again
    assert len(asked) == 1
    assert _success(seller)
    assert seller.page.get_by_test_id("announce-closure").is_visible()
    seller.close()
    assert shop_closure_of(tea.pk) is None
    # And the shop's page no longer shows the notice
    visitor.visit(public, "seller-trades-on")
    assert visitor.page.get_by_test_id("closure-notice").count() == 0
    visitor.close()
    _assert_clean(seller.problems + buyer.problems + visitor.problems)


# --- Reconciliation of payouts ----------------------------------------------------------------


@pytest.mark.parametrize("lang", ["zh-CN", "en-US"])
def test_the_operator_reads_a_payout_alert_on_a_phone(browser, live_server, demo, lang) -> None:
    from anxin.core.money import format_fen
    from anxin.law.days import BEIJING
    from anxin.payments.models import SandboxPayout
    from anxin.payouts.models import Payout, PayoutStatus
    from anxin.reconcile.models import ReconciliationAlert
    from anxin.reconcile.services import reconcile_day

    # Given the demo world, where the tea shop's withdrawal to its card was paid, and the
    # provider's fund bill shows it paid with another amount
    paid = Payout.objects.get(seller__username="seller-tea", status=PayoutStatus.SUCCEEDED)
    assert paid.completed_at is not None
    SandboxPayout.objects.filter(payout_key=paid.payout_key).update(
        amount_fen=paid.amount_fen - 100
    )
    # When that day is reconciled
    reconcile_day(paid.completed_at.astimezone(BEIJING).date())
    alert = ReconciliationAlert.objects.get(kind="payout")
    # And the operator opens the reconciliation desk
    phone = Phone.open(browser, live_server.url, "operator-reconcile", lang=lang)
    phone.login("operator", PASSWORD)
    phone.visit(reverse("web:reconcile_desk") + f"#alert-{alert.pk}", "reconcile-payout")
    # Then the alert names a withdrawal whose amounts differ, with both sides' amounts and
    # outcomes in the page's language
    card = phone.page.locator(f"#alert-{alert.pk}")
    head = card.locator("p").first.inner_text()
    bill = card.get_by_test_id("bill-side").inner_text()
    anxin = card.get_by_test_id("anxin-side").inner_text()
    intro = phone.page.get_by_test_id("desk-intro").inner_text()
    phone.close()
    if lang.startswith("zh"):
        assert "提现" in head
        assert "金额不一致" in head
        assert "提现" in intro  # the page says withdrawals are reconciled too
    else:
        assert "Payout" in head
        assert "amounts differ" in head
        assert "withdrawals" in intro
    assert format_fen(paid.amount_fen - 100) in bill
    assert format_fen(paid.amount_fen) in anxin
    _assert_clean(phone.problems)


@pytest.mark.parametrize("lang", ["zh-CN", "en-US"])
def test_a_closed_shop_on_a_phone(browser, live_server, demo, lang) -> None:
    import datetime as dt

    import time_machine
    from django.utils import timezone

    from anxin.accounts.models import User
    from anxin.sellers.services import shop_closure_announce

    # Given the demo world, where the beauty shop announced its closure 31 days ago: its last
    # day of trade has passed
    beauty = User.objects.get(username="seller-beauty")
    with time_machine.travel(timezone.now() - dt.timedelta(days=31), tick=False):
        closure = shop_closure_announce(actor=beauty, reason="")
    last_day = _day(closure.last_day, lang)
    # When a visitor opens the shop's page
    visitor = Phone.open(browser, live_server.url, "visitor-closed", lang=lang)
    visitor.visit(reverse("web:seller_public", args=[beauty.pk]), "seller-closed")
    notice = visitor.page.get_by_test_id("closure-notice")
    # Then it says the shop has closed, at the end of its last day (Beijing time), and takes
    # no new orders; no words of the seller's, who gave none
    day = notice.get_by_test_id("closure-day").inner_text()
    if lang.startswith("zh"):
        assert "该店已停止经营" in notice.inner_text()
        assert f"已于{last_day}24时停止经营" in day
    else:
        assert "This shop has closed" in notice.inner_text()
        assert f"at the end of {last_day} (Beijing time)" in day
    assert notice.get_by_test_id("closure-reason").count() == 0
    visitor.close()
    # When the seller opens its profile and its payouts
    seller = Phone.open(browser, live_server.url, "seller-closed", lang=lang)
    seller.login("seller-beauty", PASSWORD)
    seller.visit(reverse("web:seller_profile") + "#closure", "profile-closed")
    # Then the profile says the shop closed that day, with nothing to call off
    section = seller.page.locator("#closure")
    assert last_day in section.get_by_test_id("closure").inner_text()
    assert section.locator("form").count() == 0
    # And withdrawals are still stopped while its orders run (a paid order waits to ship)
    seller.visit(reverse("web:seller_payouts"), "payouts-closed")
    blocked = seller.page.get_by_test_id("blocked")
    assert blocked.is_visible()
    # (saying the shop has closed, not that it is closing)
    assert (
        "已停止经营" if lang.startswith("zh") else "Your shop has closed"
    ) in blocked.inner_text()
    seller.close()
    _assert_clean(visitor.problems + seller.problems)


@pytest.mark.parametrize("lang", ["zh-CN", "en-US"])
def test_anyone_reads_both_versions_of_the_complaint_measures_on_a_phone(
    browser, live_server, lang
) -> None:
    # Given a visitor's phone, not signed in
    phone = Phone.open(browser, live_server.url, "visitor-law", lang=lang)
    # When they open the statutes and both versions of the complaint-handling measures
    phone.visit("/law/", "law-index")
    phone.visit("/law/CRM/2020-01-01/", "law-crm-2020")
    phone.page.locator("#art-14").get_by_text("七个工作日内").wait_for()
    phone.visit("/law/CRM/2026-04-15/", "law-crm-2026")
    art15 = phone.page.locator("#art-15").inner_text()
    phone.close()
    # Then nothing on them is broken, and in English the article carries the gloss of its
    # own version (the 2026 measures' Art. 15 adds the refusal's reasons and routes)
    _assert_clean(phone.problems)
    assert ("other routes" in art15) == lang.startswith("en")
