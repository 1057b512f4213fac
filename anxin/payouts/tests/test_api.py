"""/api/v1/payouts: a seller's balance, accounts and withdrawals through the JSON API."""

from __future__ import annotations

import pytest

from anxin.conftest import deliver_all
from anxin.payouts.tests.helpers import CARD, PAST_WINDOW, SETTLE, settled_order

pytestmark = pytest.mark.django_db


def test_a_seller_withdraws_through_the_api(clock, api, buyer, seller, listing) -> None:
    # Given a seller with settled money past its after-sales window
    order = settled_order(buyer, seller, listing, "SF1000000020")
    clock.shift(PAST_WINDOW)
    client = api(seller)
    # When it reads its balance
    bal = client.get("/payouts/balance").json()
    # Then all of it is withdrawable
    assert bal["withdrawable_fen"] == order.seller_share_fen
    assert bal["held_fen"] == 0
    # When it adds a card and withdraws twice with one Idempotency-Key
    added = client.post(
        "/payouts/accounts",
        {"kind": "bank_card", "holder_name": "张三", "number": CARD, "bank": "工商银行"},
    )
    assert added.status_code == 201
    assert added.json()["masked"] == "工商银行 ****3445"
    body = {"amount_fen": 1000, "account_id": added.json()["id"]}
    first = client.post("/payouts", body, **{"Idempotency-Key": "w1"})
    again = client.post("/payouts", body, **{"Idempotency-Key": "w1"})
    # Then one payout is recorded, processing
    assert first.status_code == 201
    assert again.json()["id"] == first.json()["id"]
    assert first.json()["status"] == "processing"
    # When the provider pays it
    deliver_all()
    clock.shift(SETTLE)
    deliver_all()
    # Then the payout reads as paid, and the list shows it
    assert client.get(f"/payouts/{first.json()['id']}").json()["status"] == "succeeded"
    assert [p["id"] for p in client.get("/payouts").json()] == [first.json()["id"]]
    # When more than may be withdrawn is asked for
    # Then it is refused with a problem naming the field
    too_much = client.post(
        "/payouts",
        {"amount_fen": order.seller_share_fen, "account_id": added.json()["id"]},
        **{"Idempotency-Key": "w2"},
    )
    assert too_much.status_code == 422


def test_a_buyer_has_no_payouts(api, buyer) -> None:
    # Given a buyer
    client = api(buyer)
    # When she asks for a balance or a payout
    # Then she is refused
    assert client.get("/payouts/balance").status_code == 403
    refused = client.post(
        "/payouts", {"amount_fen": 1, "account_id": 1}, **{"Idempotency-Key": "k"}
    )
    assert refused.status_code == 403
