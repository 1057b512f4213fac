"""A market regulator's work on a phone (390 × 844), on the demo world: its office and its
acts in English, and recording an order to correct and publishing a penalty as a person would.
The walks of every role's pages are in test_roles.py, whose helpers these tests use."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from anxin.web.tests.phone import Phone
from anxin.web.tests.test_roles import (
    PASSWORD,
    _act,
    _assert_clean,
    _regulator_pages,
    _success,
    _walk,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_a_regulators_office_on_a_phone_in_english(browser, live_server, demo) -> None:
    # Given the demo world and the regulator's phone in English
    phone = Phone.open(browser, live_server.url, "regulator", lang="en-US")
    # When the regulator goes through its office and its acts in every state
    problems = _walk(phone, "regulator", _regulator_pages())
    # Then no page has anything a person would see as broken
    _assert_clean(problems)


def _send(phone: Phone, form: Any, name: str) -> None:
    """Send a form that asks nothing first, and look at the page that answers."""
    with phone.page.expect_navigation():
        form.locator("button[type=submit]").click()
    phone.look(name)


def test_a_regulator_orders_a_correction_and_publishes_a_penalty_on_a_phone(
    browser, live_server, demo
) -> None:
    import datetime as dt

    from django.utils import timezone

    from anxin.accounts.models import User
    from anxin.supervision.models_regulator import ActionStatus, RegulatorAction

    # Given the demo world, with the formula shop in Xihu, whose regulator the demo's is
    shop = User.objects.get(username="seller-formula")
    before = set(RegulatorAction.objects.values_list("pk", flat=True))
    phone = Phone.open(browser, live_server.url, "regulator-acts")
    phone.login("regulator", PASSWORD)
    phone.visit(reverse("web:supervision"), "office")
    # When the regulator opens the first form, orders the shop to correct within 7 days
    page = phone.page
    page.locator("details").nth(0).locator("summary").click()
    form = page.get_by_test_id("act-form")
    form.locator("select[name=kind]").select_option("correction")
    form.locator("select[name=seller_id]").select_option(str(shop.pk))
    form.locator("textarea[name=summary]").fill("限期改正：在店铺首页公示营业执照信息。")
    form.locator("input[name=correct_days]").fill("7")
    _send(phone, form, "correction-recorded")
    # Then the order is recorded, open, with its deadline shown
    assert _success(phone)
    assert page.get_by_test_id("correct-by").is_visible()
    order = RegulatorAction.objects.exclude(pk__in=before).get()
    assert order.kind == "correction"
    assert order.status == ActionStatus.OPEN
    # When it decides a penalty within the band (no illegal gains: up to 500,000 yuan)
    phone.visit(reverse("web:supervision"), "office-again")
    page.locator("details").nth(1).locator("summary").click()
    form = page.get_by_test_id("penalty-form")
    form.locator("select[name=seller_id]").select_option(str(shop.pk))
    form.locator("select[name=offence]").select_option("crpl_56")
    day = (timezone.localdate() - dt.timedelta(days=30)).isoformat()
    form.locator("input[name=committed_at]").fill(day)
    form.locator("input[name=illegal_gains]").fill("0")
    form.locator("input[name=fine]").fill("8000")
    form.locator("textarea[name=summary]").fill("以缺货为由加价发货，罚款 8,000 元。")
    _send(phone, form, "penalty-decided")
    assert _success(phone)
    assert page.get_by_test_id("publish-by").is_visible()
    # And publishes it, saying yes when asked
    asked = _act(
        phone, page.locator("form").filter(has=page.get_by_test_id("publish")), "published"
    )
    # Then it asked first, and the penalty is on the public page
    assert len(asked) == 1
    assert _success(phone)
    phone.visit(reverse("web:penalties"), "penalties-public")
    assert "¥8,000.00" in page.get_by_test_id("penalties").inner_text()
    phone.close()
    penalty = RegulatorAction.objects.exclude(pk__in=before).get(kind="penalty")
    assert penalty.published_at is not None
    assert penalty.fine_fen == 800000
    _assert_clean(phone.problems)


def test_the_consumer_association_sees_its_early_warnings_on_a_phone(
    browser, live_server, demo
) -> None:
    from anxin.supervision.models_regulator import EarlyWarning

    # Given the demo world, where the tea shop's complaints rose sharply in Xihu
    w = EarlyWarning.objects.filter(association__isnull=False).order_by("id").first()
    assert w is not None
    # When the association's staff (the demo's mediator) open their supervision page and it
    phone = Phone.open(browser, live_server.url, "association")
    problems = _walk(
        phone,
        "mediator",
        [
            (reverse("web:supervision"), "supervision"),
            (reverse("web:early_warning", args=[w.number]), "early-warning"),
        ],
    )
    # Then no page has anything a person would see as broken
    _assert_clean(problems)
