"""The seller's payouts page: balance held and withdrawable, a withdrawal confirmed with its
amount shown, the withdrawals list and the month's statement, in zh-Hans and English."""

from __future__ import annotations

import pytest
from django.test import Client

from anxin.payouts.models import Payout
from anxin.payouts.tests.helpers import PAST_WINDOW, card, settled_order

pytestmark = pytest.mark.django_db


def _client(user, lang: str) -> Client:
    c = Client(HTTP_ACCEPT_LANGUAGE=lang)
    c.force_login(user)
    return c


@pytest.mark.parametrize(
    ("lang", "words"),
    [("zh-hans", ["可提现", "确认提现"]), ("en", ["Withdrawable", "Confirm the withdrawal"])],
)
def test_a_seller_withdraws_after_confirming_the_amount(
    clock, buyer, seller, listing, lang, words
) -> None:
    # Given a seller with withdrawable money and a card
    settled_order(buyer, seller, listing, "SF1000000030")
    clock.shift(PAST_WINDOW)
    account = card(seller)
    c = _client(seller, lang)
    # When it opens its payouts page
    page = c.get("/seller/payouts").content.decode()
    # Then it sees its balance in its language
    assert words[0] in page
    # When it asks to withdraw 10 yuan
    form = {"amount": "10", "account_id": str(account.pk), "key": "page-1"}
    asked = c.post("/seller/payouts", form).content.decode()
    # Then it is asked to confirm, with the amount shown, and nothing is withdrawn yet
    assert words[1] in asked
    assert "10.00" in asked
    assert not Payout.objects.exists()
    # When it confirms (twice, as a double tap would)
    c.post("/seller/payouts", {**form, "confirmed": "1"})
    done = c.post("/seller/payouts", {**form, "confirmed": "1"}, follow=True)
    # Then one withdrawal of 1000 fen is listed
    assert [p.amount_fen for p in Payout.objects.all()] == [1000]
    assert done.content.decode().count('data-testid="payout"') == 1


def test_the_months_statement_lists_the_balances_movements(clock, buyer, seller, listing) -> None:
    # Given a seller paid for an order, which withdrew part of it
    order = settled_order(buyer, seller, listing, "SF1000000031")
    clock.shift(PAST_WINDOW)
    account = card(seller)
    c = _client(seller, "en")
    form = {"amount": "10", "account_id": str(account.pk), "key": "s", "confirmed": "1"}
    c.post("/seller/payouts", form)
    # When it downloads the month's statement
    response = c.get("/seller/payouts/statement.csv?month=2026-05")
    text = response.content.decode("utf-8-sig")
    # Then it is CSV with the order's money in, and the withdrawal is not yet out (still held)
    assert response["Content-Type"].startswith("text/csv")
    assert text.splitlines()[0] == "Time,Movement,Reference,In (yuan),Out (yuan)"
    assert order.number in text
    assert "Order paid out to you" in text
    assert f"{order.seller_share_fen / 100:.2f}" in text


def test_a_buyer_cannot_open_the_payouts_page(buyer) -> None:
    # Given a buyer
    c = _client(buyer, "en")
    # When she opens the payouts page
    response = c.get("/seller/payouts")
    # Then she is not shown it
    assert response.status_code in (302, 403)
