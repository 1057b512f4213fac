"""The supervision pages on a phone, as people use them: a buyer complaining to the market
regulator, the regulator accepting, the consumer association's mediations and referrals.
(The walks of each role's other pages are in test_roles.py.)"""

from __future__ import annotations

import pytest
from django.urls import reverse

from anxin.web.tests.phone import Phone
from anxin.web.tests.test_roles import (
    PASSWORD,
    _act,
    _assert_clean,
    _seller_figures,
    _success,
    _walk,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def _pick_region(page, select: str, code: str) -> None:
    """Choose a level of the region picker and wait until htmx has drawn the picker again with
    the next level and wired it (htmx:afterSettle): a person is never faster than the swap, a
    test can be, and a choice made on a list htmx has not wired yet goes nowhere."""
    page.evaluate(
        "() => { window.__regionSettled = false;"
        " document.body.addEventListener('htmx:afterSettle',"
        " () => { window.__regionSettled = true; }, {once: true}); }"
    )
    page.select_option(f"select[name={select}]", code)
    page.wait_for_function("() => window.__regionSettled === true")
    assert page.locator(f"select[name={select}]").input_value() == code


@pytest.mark.parametrize("lang", ["zh-CN", "en-US"])
def test_a_buyer_complains_to_the_regulator_who_accepts_it_on_a_phone(
    browser, live_server, demo, lang
) -> None:
    from anxin.accounts.models import User
    from anxin.supervision.models import Complaint, ComplaintStatus

    # Given the demo world, and a buyer who signs in with a password and has no number yet
    User.objects.filter(username="wangfang").update(phone=None)
    before = set(Complaint.objects.values_list("pk", flat=True))
    buyer = Phone.open(browser, live_server.url, "buyer-regulator", lang=lang)
    buyer.login("wangfang", PASSWORD)
    # When she opens the complaint form from the footer's link
    buyer.visit(reverse("web:complaints"), "complaints")
    with buyer.page.expect_navigation():
        buyer.page.locator("main a.button").click()
    buyer.look("form-needs-phone")
    # Then it asks for a verified number first; she adds hers with the texted code
    with buyer.page.expect_navigation():
        buyer.page.locator("main a.button").click()
    buyer.page.fill("input[name=phone]", "13900003333")
    with buyer.page.expect_navigation():
        buyer.page.locator("main button[type=submit]").click()
    buyer.look("phone-code")
    from anxin.sms.models import SandboxSms

    code = SandboxSms.objects.filter(number="13900003333").latest("pk").code
    buyer.page.fill("input[name=code]", code)
    with buyer.page.expect_navigation():
        buyer.page.locator("main button[type=submit]").click()
    # And she is back on the form, which now asks about the seller
    assert "/complaints/new" in buyer.page.url
    page = buyer.page
    page.fill("input[name=seller_name]", "果果鲜果铺")
    page.fill("input[name=seller_wechat]", "wx_guoguo")
    page.fill("input[name=seller_platform]", "微信群")
    # (the region picker fills each level from the one above)
    _pick_region(page, "seller_region_province", "330000")
    _pick_region(page, "seller_region_city", "330100")
    _pick_region(page, "seller_region_county", "330106")
    page.fill("input[name=complainant_name]", "王芳")
    page.fill("input[name=complainant_address]", "杭州市西湖区文三路 90 号")
    page.fill("textarea[name=request]", "退款 128 元")
    page.fill("textarea[name=facts]", "群里买的草莓一半是烂的，店主不回消息。")
    page.fill("input[name=paid]", "128")
    page.fill("input[name=knew_at]", "2026-11-30")
    buyer.look("form-filled")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    buyer.look("complaint-filed")
    # Then the complaint waits at Xihu's regulator, with the day it must decide by
    new = Complaint.objects.exclude(pk__in=before).get()
    assert (new.status, new.region) == (ComplaintStatus.RECEIVED, "330106")
    assert page.get_by_test_id("decide-by").is_visible()
    assert _success(buyer)
    buyer.close()
    # When the regulator opens it from the queue and accepts it, saying yes when asked
    regulator = Phone.open(browser, live_server.url, "regulator-accept", lang=lang)
    regulator.login("regulator", PASSWORD)
    regulator.visit(reverse("web:complaint", args=[new.number]), "complaint-to-decide")
    form = regulator.page.locator("#decide form").first
    asked = _act(regulator, form, "complaint-accepted")
    # Then it asked first and the complaint is accepted
    assert len(asked) == 1
    assert _success(regulator)
    assert Complaint.objects.get(pk=new.pk).status == ComplaintStatus.ADMITTED
    regulator.close()
    _assert_clean(buyer.problems + regulator.problems)


def test_the_consumer_association_on_a_phone(browser, live_server, demo) -> None:
    from anxin.supervision.models_association import Mediation, Referral

    # Given the demo world, where the association has mediations in every state and
    # referrals answered and waiting
    pages = [(reverse("web:mediations"), "mediations")]
    for status in ("open", "testing", "agreed", "failed"):
        m = Mediation.objects.filter(status=status).order_by("id").first()
        assert m is not None, status
        pages.append((reverse("web:mediation", args=[m.number]), f"mediation-{status}"))
    for r in Referral.objects.order_by("id"):
        pages.append((reverse("web:referral", args=[r.number]), f"referral-{r.pk}"))
    pages += [
        (reverse("web:referral_new"), "referral-form"),
        (reverse("web:typical_cases"), "typical-cases"),
    ]
    # When its staff member goes through them, in Chinese and in English
    problems = _walk(Phone.open(browser, live_server.url, "association"), "mediator", pages)
    problems += _walk(
        Phone.open(browser, live_server.url, "association", lang="en-US"), "mediator", pages
    )
    # And the buyer whose mediation failed opens it, with the next routes' packages
    failed = Mediation.objects.get(status="failed")
    buyer = Phone.open(browser, live_server.url, "buyer-mediation")
    problems += _walk(
        buyer,
        failed.consumer.username,
        [(reverse("web:mediation", args=[failed.number]), "mediation-failed")],
    )
    # Then nothing on them looks broken
    _assert_clean(problems)


@pytest.mark.parametrize("lang", ["zh-CN", "en-US"])
def test_a_visitor_reads_the_public_figures_on_a_phone(browser, live_server, demo, lang) -> None:
    # Given the demo world and a visitor's phone, not signed in
    phone = Phone.open(browser, live_server.url, "visitor", lang=lang)
    # When the visitor opens the statistics page with its tables unfolded, a shop's page and
    # its figures, and the blacklist
    phone.page.goto(reverse("web:figures"))
    for summary in phone.page.locator("[data-testid^=chart-] summary").all():
        summary.click()
    phone.look("figures")
    assert phone.page.locator("svg.chart-svg").count() == 5
    phone.visit(reverse("web:seller_public", args=[_pk("seller-snacks")]), "seller-page")
    phone.page.get_by_test_id("figures-link").locator("a").click()
    phone.look("seller-figures")
    assert phone.page.get_by_test_id("seller-filed").inner_text() == "6"
    assert phone.page.get_by_test_id("reply-text").count() == 1
    phone.visit(_seller_figures("seller-tea"), "seller-figures-tea")
    phone.visit(reverse("web:blacklist"), "blacklist")
    phone.close()
    # Then nothing on them is broken
    _assert_clean(phone.problems)


def _pk(username: str) -> int:
    from anxin.accounts.models import User

    return User.objects.get(username=username).pk
