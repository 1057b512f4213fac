"""Pages, as a person on a phone uses them: forms in, pages out, in Chinese and English."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.test import Client

from anxin.conftest import PASSWORD, make_user

pytestmark = pytest.mark.django_db


def logged_in(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_landing_is_chinese_by_default_and_english_on_request() -> None:
    # When the home page is opened with no language asked for
    zh = Client().get("/")
    # Then it is in Chinese
    assert "在聊天里买东西，也能安心" in zh.content.decode()
    # When it is opened asking for English
    en = Client(headers={"accept-language": "en"}).get("/")
    # Then it is in English
    assert "Buy from anyone in your chats" in en.content.decode()


def test_the_language_switch_sticks() -> None:
    # Given a visitor who chose English with the language switch
    c = Client()
    c.post("/i18n/setlang/", {"language": "en", "next": "/"})
    # When she opens the home page
    # Then it is in English
    assert "Sign up to buy" in c.get("/").content.decode()


def test_signup_logs_in_and_sends_each_role_home() -> None:
    # When a seller signs up with a shop
    c = Client()
    r = c.post(
        "/signup/",
        {"role": "seller", "username": "chen", "password": PASSWORD, "shop_name": "陈记茶行"},
    )
    # Then she is signed in and sent home, which for a seller is her shop's page
    assert r.status_code == 302
    assert r["Location"] == "/"
    assert c.get("/")["Location"] == "/seller/"
    assert "陈记茶行" in c.get("/seller/").content.decode()


def test_signup_errors_are_shown_not_500() -> None:
    # When someone signs up with a name and a password too short
    r = Client().post("/signup/", {"role": "buyer", "username": "x", "password": "p"})
    # Then the form comes back refused, naming the field
    assert r.status_code == 400
    assert "username" in r.content.decode()


def test_login_and_logout() -> None:
    # Given a buyer's account
    make_user("zhang", "buyer")
    c = Client()
    # When she signs in with a wrong password
    bad = c.post("/login/", {"username": "zhang", "password": "nope"})
    # Then she is told the name or password is wrong
    assert bad.status_code == 400
    assert "用户名或密码错误" in bad.content.decode()
    # When she signs in properly
    # Then she is sent home, which for a buyer is her orders
    assert c.post("/login/", {"username": "zhang", "password": PASSWORD})["Location"] == "/"
    assert c.get("/")["Location"] == "/orders/"
    # When she signs out
    c.post("/logout/")
    # Then the home page offers to sign up
    assert "注册买家" in c.get("/").content.decode()


@pytest.mark.parametrize("role", ["mediator", "adjudicator", "regulator", "operator"])
def test_every_staff_role_has_a_home(role) -> None:
    # Given a signed-in staff member
    user = make_user(f"u-{role}", role)
    c = logged_in(user)
    # And the books audited once (`anxin ledger audit`; hourly, a worker runs it)
    call_command("ledger", "audit", stdout=io.StringIO())
    # When she opens the home page
    # Then she is sent to the desk, which opens; the operator's says the ledger checks pass
    assert c.get("/")["Location"] == "/desk/"
    page = c.get("/desk/")
    assert page.status_code == 200
    if role == "operator":
        assert "账本所有校验均通过" in page.content.decode()


def test_a_buyer_cannot_open_seller_pages(buyer) -> None:
    # When a buyer opens the seller pages
    # Then she is refused
    assert logged_in(buyer).get("/seller/").status_code == 403
