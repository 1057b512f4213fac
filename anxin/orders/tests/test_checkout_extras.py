"""What buyers of shopping apps expect at the checkout: a quantity stepper bounded by what the
server accepts (which still judges), and their saved addresses, filled in and saved."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from anxin.accounts import services as account_svc
from anxin.accounts.models import SavedAddress
from anxin.conftest import make_listing
from anxin.orders.models import Order

pytestmark = pytest.mark.django_db

HOME = {
    "recipient_name": "张伟",
    "recipient_phone": "13900001111",
    "shipping_address": "杭州市西湖区文三路 100 号",
}


def logged_in(user, lang: str = "zh-hans") -> Client:
    c = Client()
    c.force_login(user)
    c.cookies["django_language"] = lang
    return c


def _quantity_field(page: str) -> str:
    m = re.search(r"<input id=\"quantity\"[^>]*>", page)
    assert m, "no quantity field"
    return m.group(0)


def _order_form(listing, **over: str) -> dict[str, str]:
    listing.refresh_from_db()
    return {
        "snapshot_id": str(listing.current_snapshot_id),
        "idempotency_key": "k-1",
        "quantity": "1",
        **HOME,
        **over,
    }


def test_the_stepper_is_bounded_by_the_stock_and_shows_the_total(buyer, seller) -> None:
    # Given a listing of 3 at 128 yuan
    listing = make_listing(seller, stock=3)
    # When the buyer opens its checkout
    page = logged_in(buyer).get(f"/c/{listing.code}").content.decode()
    # Then the quantity goes from 1 to the stock, with − and + buttons and the total
    field = _quantity_field(page)
    assert 'min="1"' in field
    assert 'max="3"' in field
    assert 'data-unit-fen="12800"' in field
    assert 'data-step="-1"' in page
    assert 'data-step="1"' in page
    assert re.search(r"data-total[^>]*>¥128.00<", page)
    # And without script the buttons stay hidden: the number field alone works
    assert re.search(r'<button type="button"[^>]*data-step="1"[^>]*hidden>', page)


def test_the_stepper_stops_at_the_per_order_limit(buyer, seller, settings) -> None:
    # Given a listing of 500 and a limit of 20 unpaid units per listing
    settings.ANXIN_UNPAID_UNITS_PER_LISTING = 20
    listing = make_listing(seller, stock=500)
    # When the buyer opens its checkout
    page = logged_in(buyer).get(f"/c/{listing.code}").content.decode()
    # Then the stepper offers at most 20, as order_create accepts
    assert 'max="20"' in _quantity_field(page)


def test_the_stepper_counts_the_units_already_waiting_for_payment(buyer, seller, settings) -> None:
    from anxin.conftest import place_order

    # Given a limit of 20 unpaid units per listing, and 15 of a listing waiting for her payment
    settings.ANXIN_UNPAID_UNITS_PER_LISTING = 20
    listing = make_listing(seller, stock=500)
    place_order(buyer, listing, quantity=15)
    # When she opens its checkout again
    page = logged_in(buyer).get(f"/c/{listing.code}").content.decode()
    # Then the stepper offers at most the 5 left
    assert 'max="5"' in _quantity_field(page)


@pytest.mark.parametrize(
    ("lang", "words"), [("zh-hans", "库存不足"), ("en", "Not enough in stock. Lower the quantity.")]
)
def test_a_quantity_over_the_stock_is_refused_in_the_pages_language(
    buyer, seller, lang, words
) -> None:
    # Given a listing of 3
    listing = make_listing(seller, stock=3)
    c = logged_in(buyer, lang)
    # When the buyer sends 4 (as a page without script, or an edited one, can)
    r = c.post(f"/c/{listing.code}", _order_form(listing, quantity="4"))
    # Then no order is placed, the page says why in its language and keeps what was typed
    body = r.content.decode()
    assert r.status_code == 409
    assert not Order.objects.exists()
    assert words in body
    assert 'value="4"' in _quantity_field(body)
    assert "文三路 100 号" in body


def test_a_quantity_that_is_not_a_number_is_refused_and_kept(buyer, listing) -> None:
    # Given a buyer at the checkout
    c = logged_in(buyer)
    # When she sends "abc" as the quantity
    r = c.post(f"/c/{listing.code}", _order_form(listing, quantity="abc"))
    # Then she is told in Chinese, and sees "abc" again
    body = r.content.decode()
    assert r.status_code == 422
    assert "购买数量" in body or "数量" in body
    assert 'value="abc"' in _quantity_field(body)


def test_the_checkout_fills_in_the_default_address_and_another_on_request(buyer, listing) -> None:
    # Given a buyer with home (the default) and her office saved
    account_svc.address_save(user=buyer, **HOME)
    work = account_svc.address_save(
        user=buyer,
        recipient_name="张伟",
        recipient_phone="0571-88886666",
        shipping_address="杭州市滨江区网商路 699 号",
    )
    c = logged_in(buyer)
    # When she opens the checkout
    page = c.get(f"/c/{listing.code}").content.decode()
    # Then home is filled in, and both are offered
    assert re.search(r"<textarea name=\"shipping_address\"[^>]*>杭州市西湖区文三路 100 号<", page)
    assert page.count("data-address-pick") == 2
    # When she picks the office (the link a phone without script follows)
    page = c.get(f"/c/{listing.code}?address={work.pk}").content.decode()
    # Then the office is filled in, still editable
    assert re.search(r"<textarea name=\"shipping_address\"[^>]*>杭州市滨江区网商路 699 号<", page)
    assert 'value="057188886666"' in page


def test_the_checkout_never_shows_someone_elses_address(buyer, other_buyer, listing) -> None:
    # Given another buyer's saved address
    theirs = account_svc.address_save(user=other_buyer, **HOME)
    # When the buyer asks the checkout for it by its number
    page = logged_in(buyer).get(f"/c/{listing.code}?address={theirs.pk}").content.decode()
    # Then it is not filled in nor listed
    assert "文三路 100 号" not in page
    assert "data-address-pick" not in page


def test_save_this_address_adds_it_to_the_book(buyer, listing) -> None:
    # Given a buyer with an empty address book
    c = logged_in(buyer)
    # When she orders with "save this address" ticked
    r = c.post(f"/c/{listing.code}", _order_form(listing, save_address="on"))
    # Then the order is placed and the address is saved, as her default
    assert r.status_code == 302
    saved = SavedAddress.objects.get(user=buyer)
    assert saved.shipping_address == HOME["shipping_address"]
    assert saved.is_default
    # When she orders again without ticking it, to another address
    c.post(
        f"/c/{listing.code}",
        _order_form(listing, idempotency_key="k-2", shipping_address="上海市徐汇区 1 号"),
    )
    # Then the book is unchanged
    assert SavedAddress.objects.filter(user=buyer).count() == 1


def test_a_full_address_book_does_not_stop_the_order(buyer, listing) -> None:
    # Given a buyer whose address book is full
    for i in range(account_svc.ADDRESSES_PER_USER):
        account_svc.address_save(user=buyer, **{**HOME, "shipping_address": f"文三路 {i} 号"})
    c = logged_in(buyer)
    # When she orders to a new address with "save this address" ticked
    r = c.post(
        f"/c/{listing.code}",
        _order_form(listing, shipping_address="上海市徐汇区 1 号", save_address="on"),
        follow=True,
    )
    # Then the order is placed, and its page says in Chinese why the address was not saved
    assert Order.objects.filter(buyer=buyer).count() == 1
    assert "地址簿最多保存 20 个地址" in r.content.decode()
    assert SavedAddress.objects.filter(user=buyer).count() == account_svc.ADDRESSES_PER_USER
