"""The seller's return address: set on the shop profile, asked for before a seller approves,
fixed on the request when it is approved (by the seller or by silence), shown to the buyer."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from anxin.accounts.models import SellerProfile
from anxin.aftersales import services
from anxin.aftersales.models import AfterSale, Status
from anxin.conftest import pay, place_order
from anxin.core.errors import ValidationFailed
from anxin.orders import services as orders

pytestmark = pytest.mark.django_db


def logged_in(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def requested(buyer, seller, listing):
    order = place_order(buyer, listing)
    pay(order)
    orders.order_ship(
        actor=seller, number=order.number, carrier="顺丰速运", tracking_number="SF1000000001"
    )
    services.aftersale_request(
        actor=buyer, number=order.number, kind="no_reason_return", reason="不喜欢"
    )
    return order


def test_a_seller_without_a_return_address_is_asked_for_one_before_approving(
    buyer, seller, listing
) -> None:
    # Given a seller with no return address and a buyer's return request
    SellerProfile.objects.filter(user=seller).update(return_address="")
    order = requested(buyer, seller, listing)
    # When the seller opens the order page
    page = logged_in(seller).get(f"/orders/{order.number}").content.decode()
    # Then it asks for the return address, links to the shop profile, and offers no approval
    assert 'data-testid="return-address-missing"' in page
    assert "批准前请先设置退货地址" in page
    assert 'href="/seller/profile"' in page
    assert "aftersale-approve" not in page
    # When the seller approves anyway (the API, or an old page)
    # Then it is refused, naming the missing address
    with pytest.raises(ValidationFailed) as e:
        services.aftersale_answer(actor=seller, number=order.number, approve=True)
    assert e.value.code == "return_address_missing"
    assert AfterSale.objects.get(order=order).status == Status.REQUESTED


def test_the_address_set_on_the_profile_is_fixed_on_approval_and_shown_to_the_buyer(
    buyer, seller, listing
) -> None:
    # Given a seller with no return address and a buyer's return request
    SellerProfile.objects.filter(user=seller).update(return_address="")
    order = requested(buyer, seller, listing)
    c = logged_in(seller)
    # When the seller sets a return address on the shop profile page
    assert "退货地址" in c.get("/seller/profile").content.decode()
    r = c.post(
        "/seller/profile",
        {
            "shop_name": "王春茶的小店",
            "contact_phone": "",
            "wechat_id": "",
            "return_address": "杭州市西湖区龙井路 8 号 王春茶 13900002222",
        },
    )
    assert r.status_code == 302
    # And approves the request from the order page
    page = c.get(f"/orders/{order.number}").content.decode()
    assert "aftersale-approve" in page
    c.post(f"/orders/{order.number}/aftersale-approve")
    # Then the request carries the address
    a = AfterSale.objects.get(order=order)
    assert a.status == Status.APPROVED
    assert a.return_address == "杭州市西湖区龙井路 8 号 王春茶 13900002222"
    # When the seller later changes the profile's address
    SellerProfile.objects.filter(user=seller).update(return_address="别处")
    # Then the buyer's order page shows the address fixed at approval, where to send the goods
    page = logged_in(buyer).get(f"/orders/{order.number}").content.decode()
    assert "寄回地址" in page
    assert "杭州市西湖区龙井路 8 号 王春茶 13900002222" in page
    assert "别处" not in page


def test_approval_by_silence_fixes_the_address_too(clock, buyer, seller, listing) -> None:
    # Given a return request the seller does not answer
    order = requested(buyer, seller, listing)
    a = AfterSale.objects.get(order=order)
    # When the answer deadline passes
    clock.shift(dt.timedelta(days=30))
    assert services.aftersale_auto_approve(after_sale_id=a.pk).startswith("approved")
    # Then the request is approved with the seller's address on file
    a.refresh_from_db()
    assert a.status == Status.APPROVED
    assert a.return_address == "杭州市西湖区文三路 1 号 王春茶 收"


def test_approval_by_silence_without_an_address_tells_the_buyer_to_ask(
    clock, buyer, seller, listing
) -> None:
    # Given a seller with no return address who does not answer a return request
    SellerProfile.objects.filter(user=seller).update(return_address="")
    order = requested(buyer, seller, listing)
    a = AfterSale.objects.get(order=order)
    # When the answer deadline passes
    clock.shift(dt.timedelta(days=30))
    services.aftersale_auto_approve(after_sale_id=a.pk)
    # Then the buyer's page says the seller has not given an address yet
    page = logged_in(buyer).get(f"/orders/{order.number}").content.decode()
    assert "卖家尚未提供退货地址" in page
    # When the seller then sets one
    SellerProfile.objects.filter(user=seller).update(return_address="杭州市上城区 9 号")
    # Then the buyer's page shows it
    page = logged_in(buyer).get(f"/orders/{order.number}").content.decode()
    assert "杭州市上城区 9 号" in page
