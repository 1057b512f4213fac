"""The supervision pages the other walks do not reach, on a phone in Chinese and English: the
public penalties and typical cases pages, for a visitor; the complaint lists of the regulator's
and the association's staff; a referral as the regulator who must answer it; a complainant's
accepted complaint."""

from __future__ import annotations

import pytest
from django.urls import reverse

from anxin.web.tests.phone import Phone
from anxin.web.tests.test_roles import _assert_clean, _walk

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("lang", ["zh-CN", "en-US"])
def test_a_visitor_reads_the_public_supervision_pages_on_a_phone(
    browser, live_server, demo, lang
) -> None:
    # Given the demo world and a visitor's phone, not signed in
    phone = Phone.open(browser, live_server.url, "visitor-supervision", lang=lang)
    # When the visitor opens the published penalties and the typical cases (both versions of
    # the complaint-handling measures are walked in test_roles.py)
    phone.visit(reverse("web:penalties"), "penalties")
    assert phone.page.get_by_test_id("penalties").count() == 1
    phone.visit(reverse("web:typical_cases"), "typical-cases")
    phone.close()
    # Then nothing on them is broken
    _assert_clean(phone.problems)


@pytest.mark.parametrize("lang", ["zh-CN", "en-US"])
def test_the_supervisors_complaint_lists_and_a_referral_on_a_phone(
    browser, live_server, demo, lang
) -> None:
    from anxin.supervision.models_association import Referral

    waiting = Referral.objects.filter(answered_at__isnull=True).order_by("id").first()
    assert waiting is not None
    # Given the demo world, when the regulator opens its office's complaints and the referral
    # it must answer
    problems = _walk(
        Phone.open(browser, live_server.url, "regulator-lists", lang=lang),
        "regulator",
        [
            (reverse("web:complaints"), "complaints"),
            (reverse("web:referral", args=[waiting.number]), "referral-to-answer"),
        ],
    )
    # And the association's staff opens the complaints page from its menu
    problems += _walk(
        Phone.open(browser, live_server.url, "association-lists", lang=lang),
        "mediator",
        [(reverse("web:complaints"), "complaints")],
    )
    # Then nothing on them is broken
    _assert_clean(problems)


@pytest.mark.parametrize("lang", ["zh-CN", "en-US"])
def test_a_complainant_reads_her_accepted_complaint_on_a_phone(
    browser, live_server, demo, lang
) -> None:
    from anxin.supervision.models import Complaint, ComplaintStatus

    accepted = (
        Complaint.objects.filter(status=ComplaintStatus.ADMITTED)
        .select_related("complainant")
        .order_by("id")
        .first()
    )
    assert accepted is not None
    # Given the demo world, when the buyer whose complaint the regulator accepted opens her
    # complaints and then that complaint
    phone = Phone.open(browser, live_server.url, "complainant", lang=lang)
    problems = _walk(
        phone,
        accepted.complainant.username,
        [
            (reverse("web:complaints"), "complaints"),
            (reverse("web:complaint", args=[accepted.number]), "complaint-accepted"),
        ],
    )
    # Then nothing on them is broken
    _assert_clean(problems)
