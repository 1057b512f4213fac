"""Two first verifications of one seller at once, in separate processes: both are kept
(the second is a re-verification), in order, and the seller's evidence chain stays whole."""

from __future__ import annotations

import json

import pytest

from anxin.conftest import make_user
from anxin.evidence.models import Record
from anxin.orders.tests.test_concurrency import race
from anxin.sellers.models import Verification

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_two_first_verifications_at_once_keep_one_row_and_a_whole_chain(tmp_path) -> None:
    # Given a seller who has not verified
    seller = make_user("race-shop", "seller", verified=False)
    # When two processes verify her at the same moment
    results = race(tmp_path, [("verify", "11", "race-shop"), ("verify", "12", "race-shop")])
    # Then both succeed, and she has one verification row
    assert all(r["ok"] for r in results), results
    assert Verification.objects.filter(seller=seller).count() == 1
    # And her evidence chain holds both verifications, the second linked to the first
    records = list(Record.objects.filter(chain=f"seller:{seller.pk}").order_by("id"))
    assert [r.kind for r in records] == ["seller.verified", "seller.verified"]
    first, second = records
    assert "prev" not in json.loads(first.body)
    assert json.loads(second.body)["prev"] == bytes(first.commitment).hex()
