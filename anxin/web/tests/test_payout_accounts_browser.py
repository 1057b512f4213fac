"""A seller removes a card it no longer uses on a phone, in Chinese and in English: the Remove
button asks first (the site's data-confirm question, naming the card), Cancel keeps the card,
OK removes it. Screenshots go to $ANXIN_TEST_ARTIFACTS/screens/payouts-<language>/."""

from __future__ import annotations

import pytest

from anxin.conftest import PASSWORD, make_user
from anxin.web.tests.phone import Phone

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

WORDS = {
    "zh-CN": ("移除 农业银行 ****7766？", "账户已移除。"),
    "en-US": ("Remove 农业银行 ****7766?", "Account removed."),
}


@pytest.mark.parametrize("lang", ["zh-CN", "en-US"])
def test_a_seller_removes_a_card_after_confirming_on_a_phone(browser, live_server, lang) -> None:
    from playwright.sync_api import expect

    from anxin.payouts.models import SellerPayoutAccount
    from anxin.payouts.services import payout_account_add

    question_start, removed = WORDS[lang]
    # Given a seller with two cards on its payouts page
    seller = make_user("tea-seller", "seller", "王春茶")
    for number, bank in (("6222020200112233445", "工商银行"), ("6228480400119987766", "农业银行")):
        payout_account_add(
            actor=seller, kind="bank_card", holder_name="王春茶", number=number, bank=bank
        )
    phone = Phone.open(browser, live_server.url, "payouts", lang=lang)
    page = phone.page
    phone.login("tea-seller", PASSWORD)
    phone.visit("/seller/payouts", "payout-accounts")
    cards = page.get_by_test_id("payout-account")
    expect(cards).to_have_count(2)
    second = cards.filter(has_text="****7766")
    # When it taps Remove on the second card and cancels the question
    asked: list[str] = []
    page.once("dialog", lambda d: (asked.append(d.message), d.dismiss()))
    second.get_by_test_id("remove-account").click()
    # Then it was asked, naming the card, and the card stays
    expect(cards).to_have_count(2)
    assert len(asked) == 1
    assert asked[0].startswith(question_start)
    assert SellerPayoutAccount.objects.filter(removed_at__isnull=True).count() == 2
    # When it taps Remove again and answers OK
    page.once("dialog", lambda d: d.accept())
    with page.expect_navigation():
        second.get_by_test_id("remove-account").click()
    # Then the page says the card is removed and lists only the other one
    expect(page.get_by_role("status").filter(has_text=removed)).to_be_visible()
    expect(cards).to_have_count(1)
    expect(cards).to_contain_text("****3445")
    phone.look("payout-account-removed")
    assert phone.problems == []
