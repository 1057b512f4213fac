"""A buyer's address book: saved with the checkout's own checks, one default, and only ever
seen or changed by its owner (services, the JSON API and the account page)."""

from __future__ import annotations

import pytest
from django.test import Client

from anxin.accounts import selectors, services
from anxin.accounts.models import SavedAddress
from anxin.core.errors import Conflict, NotFound, ValidationFailed

pytestmark = pytest.mark.django_db

HOME = {
    "recipient_name": "张伟",
    "recipient_phone": "139-0000-1111",
    "shipping_address": "杭州市西湖区文三路 100 号",
}
WORK = {
    "recipient_name": "张伟",
    "recipient_phone": "0571-88886666",
    "shipping_address": "杭州市滨江区网商路 699 号",
}


def logged_in(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_the_first_address_is_the_default_and_a_later_one_can_take_over(buyer) -> None:
    # Given a buyer with no saved address
    # When she saves her home, then her office
    home = services.address_save(user=buyer, **HOME)
    work = services.address_save(user=buyer, **WORK)
    # Then home is the default, and the phone is kept as a courier dials it
    home.refresh_from_db()
    assert home.is_default
    assert not work.is_default
    assert home.recipient_phone == "13900001111"
    # When she makes the office the default
    services.address_default_set(user=buyer, address_id=work.pk)
    # Then only the office is, and it comes first
    assert [a.pk for a in selectors.addresses_of(buyer)] == [work.pk, home.pk]
    assert selectors.address_default(buyer) == work


def test_saving_the_same_address_twice_keeps_one(buyer) -> None:
    # Given a saved address
    first = services.address_save(user=buyer, **HOME)
    # When the same one is saved again (as "save this address" at a second checkout does)
    again = services.address_save(user=buyer, **HOME)
    # Then the book still has one entry
    assert again.pk == first.pk
    assert SavedAddress.objects.filter(user=buyer).count() == 1


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("recipient_phone", "12345"),
        ("recipient_name", "   "),
        ("shipping_address", "x" * 301),
        ("recipient_name", "\u202eevil"),
    ],
)
def test_an_address_the_checkout_would_refuse_is_not_saved(buyer, field, value) -> None:
    # Given an address with one field the checkout refuses
    address = {**HOME, field: value}
    # When the buyer saves it
    with pytest.raises(ValidationFailed) as e:
        services.address_save(user=buyer, **address)
    # Then it is refused naming that field, and nothing is saved
    assert e.value.field == field
    assert not SavedAddress.objects.exists()


def test_the_book_holds_at_most_twenty(buyer) -> None:
    # Given a full address book
    for i in range(services.ADDRESSES_PER_USER):
        services.address_save(user=buyer, **{**HOME, "shipping_address": f"文三路 {i} 号"})
    # When one more is saved
    with pytest.raises(Conflict) as e:
        services.address_save(user=buyer, **WORK)
    # Then it is refused with its own code
    assert e.value.code == "too_many_addresses"


def test_deleting_the_default_hands_it_to_the_newest_left(buyer) -> None:
    # Given home (the default) and the office
    home = services.address_save(user=buyer, **HOME)
    work = services.address_save(user=buyer, **WORK)
    # When home is deleted
    services.address_delete(user=buyer, address_id=home.pk)
    # Then the office is the default
    work.refresh_from_db()
    assert work.is_default
    assert list(selectors.addresses_of(buyer)) == [work]


def test_nobody_else_sees_or_changes_an_address(buyer, other_buyer) -> None:
    # Given the buyer's saved address
    home = services.address_save(user=buyer, **HOME)
    # When another buyer tries to make it her default, or delete it
    # Then it is as if it did not exist, and it is unchanged
    with pytest.raises(NotFound):
        services.address_default_set(user=other_buyer, address_id=home.pk)
    with pytest.raises(NotFound):
        services.address_delete(user=other_buyer, address_id=home.pk)
    assert list(selectors.addresses_of(other_buyer)) == []
    assert selectors.address_of(other_buyer, home.pk) is None
    assert SavedAddress.objects.filter(pk=home.pk, user=buyer).exists()


def test_the_api_lists_adds_sets_the_default_and_deletes_only_ones_own(
    buyer, other_buyer, api
) -> None:
    # Given the buyer's and another buyer's API clients
    mine, theirs = api(buyer), api(other_buyer)
    # When the buyer adds two addresses, the second as default
    r = mine.post("/me/addresses", HOME)
    assert r.status_code == 201, r.content
    home = r.json()["id"]
    r = mine.post("/me/addresses", {**WORK, "is_default": True})
    work = r.json()["id"]
    # Then her list has the office first, as the default
    listed = mine.get("/me/addresses").json()
    assert [(a["id"], a["is_default"]) for a in listed] == [(work, True), (home, False)]
    # When the other buyer lists, sets as default or deletes hers
    # Then she sees none of them and gets 404 for each
    assert theirs.get("/me/addresses").json() == []
    assert theirs.post(f"/me/addresses/{home}/default").status_code == 404
    assert (
        theirs.client.delete(f"/api/v1/me/addresses/{home}", headers=theirs.headers).status_code
        == 404
    )
    # When the buyer makes home the default again and deletes the office
    assert mine.post(f"/me/addresses/{home}/default").json()["is_default"] is True
    assert (
        mine.client.delete(f"/api/v1/me/addresses/{work}", headers=mine.headers).status_code == 204
    )
    # Then home alone is left, as the default
    assert [(a["id"], a["is_default"]) for a in mine.get("/me/addresses").json()] == [(home, True)]
    # When she adds a phone a courier cannot call
    r = mine.post("/me/addresses", {**HOME, "recipient_phone": "12345"})
    # Then it is refused naming the field
    assert r.status_code == 422
    assert "recipient_phone" in r.json()["detail"]


def test_the_account_page_adds_lists_and_deletes_addresses(buyer) -> None:
    c = logged_in(buyer)
    # Given a buyer on her account page, in Chinese
    c.cookies["django_language"] = "zh-hans"
    # When she adds an address as her default
    r = c.post("/account/addresses", {**HOME, "is_default": "on"})
    # Then she is back on the page, which lists it as the default
    assert r.status_code == 302
    page = c.get("/account/").content.decode()
    assert "文三路 100 号" in page
    assert "默认" in page
    # When she adds one with a wrong phone number
    r = c.post("/account/addresses", {**WORK, "recipient_phone": "12345"})
    # Then the page says so in Chinese and keeps what she typed
    body = r.content.decode()
    assert r.status_code == 422
    assert "网商路 699 号" in body
    assert 'value="12345"' in body
    assert 'role="alert"' in body
    # When she deletes the saved one
    a = SavedAddress.objects.get(user=buyer)
    c.post(f"/account/addresses/{a.pk}/delete")
    # Then it is gone
    assert not SavedAddress.objects.filter(pk=a.pk).exists()


def test_the_account_page_cannot_touch_someone_elses_address(buyer, other_buyer) -> None:
    # Given the buyer's saved address
    home = services.address_save(user=buyer, **HOME)
    # When another buyer posts its delete and default forms
    c = logged_in(other_buyer)
    c.post(f"/account/addresses/{home.pk}/delete")
    c.post(f"/account/addresses/{home.pk}/default")
    # Then it is still there, unchanged, and her page does not show it
    home.refresh_from_db()
    assert home.is_default
    assert home.user_id == buyer.pk
    assert "文三路 100 号" not in c.get("/account/").content.decode()
