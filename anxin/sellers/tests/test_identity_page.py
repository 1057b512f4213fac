"""The page that gives a seller's real identity to whom the law entitles: a regulator or the
operator, or a buyer naming an order paid to that seller (CRPL Art. 44). It asks before it
shows, says it is recorded, and refuses everyone else in the page's language."""

from __future__ import annotations

import pytest
from django.test import Client

from anxin.accounts.models import Role
from anxin.bench import synthetic
from anxin.conftest import pay, place_order
from anxin.sellers.models import Disclosure

pytestmark = pytest.mark.django_db


def client_for(user, lang: str = "zh-hans") -> Client:
    c = Client(HTTP_ACCEPT_LANGUAGE=lang)
    c.force_login(user)
    return c


def flash(page: str, kind: str) -> str:
    return page.split(f'class="flash {kind}"', 1)[1].split("</p>", 1)[0]


def test_a_regulator_has_the_sellers_full_identity_and_it_is_recorded(seller, staff) -> None:
    # Given a regulator on the identity page, opened from the seller's page
    reg = client_for(staff[Role.REGULATOR])
    page = reg.get(f"/sellers/identity?seller={seller.pk}").content.decode()
    # Then the seller is filled in and the form asks before it shows personal data
    assert f'value="{seller.pk}"' in page
    assert 'data-confirm="确定查看该卖家的个人信息' in page
    # When she asks for it, for a case
    r = reg.post("/sellers/identity", {"seller": str(seller.pk), "reference": "DS20260501AAAA"})
    # Then the real name, the full ID number and the address are shown, the page says the
    # disclosure is recorded, and it is
    assert r.status_code == 200
    shown = r.content.decode().split('data-testid="identity"', 1)[1].split("</section>", 1)[0]
    assert seller.display_name in shown
    assert synthetic.id_number(seller.pk) in shown
    assert "文三路" in shown
    assert "本次提供已记录" in flash(r.content.decode(), "success")
    d = Disclosure.objects.get(seller=seller)
    assert (d.to, d.basis, d.reference) == (staff[Role.REGULATOR], "regulator", "DS20260501AAAA")


def test_a_buyer_has_it_only_for_an_order_she_paid_to_that_seller(buyer, seller, listing) -> None:
    # Given a buyer with an order paid to the seller
    order = place_order(buyer, listing)
    pay(order)
    c = client_for(buyer)
    # When she asks without naming the order
    refused = c.post("/sellers/identity", {"seller": str(seller.pk), "reference": ""})
    # Then she is asked for it in Chinese, and nothing is shown or recorded
    assert refused.status_code == 422
    assert "请填写“订单号或纠纷编号”" in flash(refused.content.decode(), "error")
    assert 'data-testid="identity"' not in refused.content.decode()
    assert not Disclosure.objects.exists()
    # When she names an order that is not hers
    other = c.post("/sellers/identity", {"seller": str(seller.pk), "reference": "AX0000"})
    # Then she is refused, in Chinese
    assert other.status_code == 403
    assert "请填写您向这位卖家付过款的订单号" in flash(other.content.decode(), "error")
    # When she names her paid order
    r = c.post("/sellers/identity", {"seller": str(seller.pk), "reference": order.number})
    # Then she has the seller's name and address, the ID number masked (CRPL Art. 44)
    shown = r.content.decode().split('data-testid="identity"', 1)[1].split("</section>", 1)[0]
    assert seller.display_name in shown
    assert "文三路" in shown
    assert synthetic.id_number(seller.pk) not in shown
    assert "*" in shown
    assert Disclosure.objects.get(seller=seller).basis == "crpl_44"


def test_a_seller_or_an_officer_is_refused(seller, other_seller, staff) -> None:
    # Given another seller and a mediator
    for user in (other_seller, staff[Role.MEDIATOR]):
        c = client_for(user, "en")
        # When they open the identity page or post to it
        # Then they are refused and nothing is disclosed
        assert c.get("/sellers/identity").status_code == 403
        r = c.post("/sellers/identity", {"seller": str(seller.pk), "reference": "X"})
        assert r.status_code == 403
        assert seller.display_name not in r.content.decode()
    assert not Disclosure.objects.exists()
