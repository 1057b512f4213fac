"""A seller removes a card or wallet it no longer uses: in the service, the API and the payouts
page (which asks first), refused while a withdrawal to it is on its way, never another
seller's, and idempotent."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from anxin.conftest import deliver_all
from anxin.core.errors import Conflict, Forbidden, NotFound
from anxin.payouts.models import Payout, PayoutStatus, SellerPayoutAccount
from anxin.payouts.selectors import accounts_of
from anxin.payouts.services import payout_account_remove, payout_request
from anxin.payouts.tests.helpers import PAST_WINDOW, SETTLE, card, settled_order

pytestmark = pytest.mark.django_db


def _withdrawing(
    clock, buyer, seller, listing, tracking: str
) -> tuple[SellerPayoutAccount, Payout]:
    """A seller's card with a withdrawal to it on its way."""
    settled_order(buyer, seller, listing, tracking)
    clock.shift(PAST_WINDOW)
    account = card(seller)
    payout = payout_request(actor=seller, amount_fen=1000, account_id=account.pk, key="w1")
    return account, payout


def test_a_seller_removes_a_card_it_no_longer_uses(seller) -> None:
    # Given a seller with two cards, one never used
    kept = card(seller)
    unused = card(seller, "6222020200119998877")
    # When it removes the unused one, then removes it again (a double tap)
    first = payout_account_remove(actor=seller, account_id=unused.pk)
    again = payout_account_remove(actor=seller, account_id=unused.pk)
    # Then the card is removed once (the second removal changes nothing) and is no longer
    # offered; the other card stays
    unused.refresh_from_db()
    assert unused.removed_at is not None
    assert first.removed_at == again.removed_at == unused.removed_at
    assert [a.pk for a in accounts_of(seller.pk)] == [kept.pk]


def test_a_card_with_a_withdrawal_on_its_way_is_kept_until_it_is_settled(
    clock, buyer, seller, listing
) -> None:
    # Given a seller's card with a withdrawal to it on its way
    account, payout = _withdrawing(clock, buyer, seller, listing, "SF1000000040")
    # When the seller removes the card
    # Then it is refused, saying why, and the card stays
    with pytest.raises(Conflict) as e:
        payout_account_remove(actor=seller, account_id=account.pk)
    assert e.value.code == "payout_account_in_use"
    assert "on its way" in e.value.detail
    account.refresh_from_db()
    assert account.removed_at is None
    # When the bank has paid the withdrawal
    deliver_all()
    clock.shift(SETTLE)
    deliver_all()
    payout.refresh_from_db()
    assert payout.status == PayoutStatus.SUCCEEDED
    # Then the card can be removed, and the paid withdrawal still names it
    payout_account_remove(actor=seller, account_id=account.pk)
    account.refresh_from_db()
    assert account.removed_at is not None
    assert Payout.objects.get(pk=payout.pk).account_id == account.pk
    # And no new withdrawal can go to it
    with pytest.raises(NotFound):
        payout_request(actor=seller, amount_fen=100, account_id=account.pk, key="w2")


def test_another_sellers_card_is_not_found_and_a_buyer_is_refused(
    seller, other_seller, buyer
) -> None:
    # Given a seller's card
    account = card(seller)
    # When another seller removes it, or one that does not exist
    # Then both are not found, alike, and the card stays
    for account_id in (account.pk, account.pk + 1000):
        with pytest.raises(NotFound):
            payout_account_remove(actor=other_seller, account_id=account_id)
    # When a buyer removes it
    # Then she is refused
    with pytest.raises(Forbidden):
        payout_account_remove(actor=buyer, account_id=account.pk)
    account.refresh_from_db()
    assert account.removed_at is None


def test_a_seller_removes_a_card_through_the_api(
    clock, api, buyer, seller, other_seller, listing
) -> None:
    # Given a seller with a card a withdrawal is on its way to, and a card never used
    busy, _ = _withdrawing(clock, buyer, seller, listing, "SF1000000041")
    unused = card(seller, "6222020200119998877")
    client = api(seller)
    # When it deletes the unused card, twice
    first = client._call("delete", f"/payouts/accounts/{unused.pk}")
    again = client._call("delete", f"/payouts/accounts/{unused.pk}")
    # Then both answer 204 and the card is no longer listed
    assert (first.status_code, again.status_code) == (204, 204)
    assert [a["id"] for a in client.get("/payouts/accounts").json()] == [busy.pk]
    # When it deletes the card a withdrawal is on its way to
    refused = client._call("delete", f"/payouts/accounts/{busy.pk}")
    # Then it is refused with a problem saying so, and the card is still listed
    assert refused.status_code == 409
    assert refused.json()["code"] == "payout_account_in_use"
    assert [a["id"] for a in client.get("/payouts/accounts").json()] == [busy.pk]
    # When another seller deletes it
    # Then it is not found
    assert api(other_seller)._call("delete", f"/payouts/accounts/{busy.pk}").status_code == 404


def _client(user, lang: str) -> Client:
    c = Client(HTTP_ACCEPT_LANGUAGE=lang)
    c.force_login(user)
    return c


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("zh-hans", ["移除", "移除后不能再提现到这个账户", "账户已移除。", "正在转入这个账户"]),
        (
            "en",
            [
                "Remove",
                "You can no longer withdraw to it",
                "Account removed.",
                "is still on its way",
            ],
        ),
    ],
)
def test_the_payouts_page_asks_before_removing_a_card(
    clock, buyer, seller, listing, lang, words
) -> None:
    # Given a seller with a card a withdrawal is on its way to, and a card never used
    busy, _ = _withdrawing(clock, buyer, seller, listing, "SF1000000042")
    unused = card(seller, "6222020200119998877")
    c = _client(seller, lang)
    # When it opens its payouts page
    page = c.get("/seller/payouts").content.decode()
    # Then each card has a Remove button whose form asks first, naming the card
    assert page.count('data-testid="remove-account"') == 2
    questions = re.findall(r'data-confirm="([^"]*)"', page)
    assert len(questions) == 2
    assert any("****8877" in q and words[1] in q for q in questions)
    assert words[0] in page
    # When it removes the unused card (the question answered yes)
    done = c.post("/seller/payouts", {"form": "remove", "account_id": str(unused.pk)}, follow=True)
    # Then the page says so in its language and lists only the other card
    html = done.content.decode()
    assert words[2] in html
    assert html.count('data-testid="payout-account"') == 1
    assert "****8877" not in html
    # When it removes the card a withdrawal is on its way to
    refused = c.post("/seller/payouts", {"form": "remove", "account_id": str(busy.pk)})
    # Then it is told why in its language, with no internal words, and the card stays
    text = refused.content.decode()
    assert words[3] in text
    assert "payout_account_in_use" not in text
    busy.refresh_from_db()
    assert busy.removed_at is None
