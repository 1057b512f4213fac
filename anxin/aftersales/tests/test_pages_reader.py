"""The order page and its after-sales section speak to whoever reads them: the buyer is
"you"; the seller and the operator read about the buyer."""

from __future__ import annotations

import pytest
from django.test import Client

from anxin.aftersales import services
from anxin.conftest import pay, place_order
from anxin.orders import services as orders

pytestmark = pytest.mark.django_db


def page_for(user, path: str, lang: str = "zh-hans") -> str:
    c = Client(HTTP_ACCEPT_LANGUAGE=lang)
    c.force_login(user)
    return c.get(path).content.decode()


def test_the_order_and_the_laws_reasons_are_worded_for_the_reader(
    buyer, seller, operator, listing
) -> None:
    # Given a shipped order with a return request, whose law reasons speak to the buyer
    order = place_order(buyer, listing)
    pay(order)
    orders.order_ship(
        actor=seller, number=order.number, carrier="顺丰速运", tracking_number="SF1000000001"
    )
    services.aftersale_request(
        actor=buyer, number=order.number, kind="no_reason_return", reason="不喜欢"
    )
    path = f"/orders/{order.number}"
    # When the buyer opens the order
    mine = page_for(buyer, path)
    # Then she reads what she bought, and the law's reasons without a lead-in
    assert "您购买的商品" in mine
    assert 'data-testid="law-to-buyer"' not in mine
    # When the seller and the operator open it, in zh and in en
    for reader in (seller, operator):
        zh = page_for(reader, path)
        en = page_for(reader, path, "en")
        # Then they read what the buyer ordered, and the law's reasons as said to the buyer
        assert "您购买的商品" not in zh
        assert "买家所购商品" in zh
        assert "对买家而言，法律规定：" in zh
        assert "What you bought" not in en
        assert "To the buyer, the law says:" in en
