"""The credit tables say what their columns are, at checkout and on the seller's page."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from anxin.reputation import credit

pytestmark = pytest.mark.django_db


def _heads(html: str) -> list[str]:
    table = html.split('data-testid="credit-table"', 1)[1].split("</table>", 1)[0]
    return re.findall(r'<th scope="col">([^<]*)</th>', table)


def test_the_credit_tables_have_column_headers(buyer, seller, listing, settings) -> None:
    # Given a graded seller
    settings.ANXIN_CREDIT_MIN_ORDERS = 0
    credit.refresh([seller.pk])
    for lang, heads in (
        ("zh-hans", ["因素", "权重", "得分"]),
        ("en", ["Factor", "Weight", "Score"]),
    ):
        c = Client(HTTP_ACCEPT_LANGUAGE=lang)
        # When a buyer opens the checkout and the seller's page
        checkout = c.get(f"/c/{listing.code}").content.decode()
        public = c.get(f"/s/{seller.pk}").content.decode()
        # Then both factor tables name their columns: factor, weight and score
        assert _heads(checkout) == heads
        assert _heads(public) == heads
