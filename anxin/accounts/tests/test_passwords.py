"""Password rules, change and reset, on the pages and the API. A change or a reset ends every
other session and every API token."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core import mail
from django.test import Client

from anxin.accounts.models import ApiToken, User
from anxin.accounts.services import api_token_create
from anxin.conftest import PASSWORD, Api, deliver_all, make_user
from anxin.ops.management.commands.demo import DEMO_PASSWORD

pytestmark = pytest.mark.django_db

NEW = "a-brand-new-passphrase"


def signed_in(username: str, password: str = PASSWORD, lang: str = "zh-hans") -> Client:
    c = Client(headers={"accept-language": lang})
    r = c.post("/login/", {"username": username, "password": password})
    assert r.status_code == 302, r.content.decode()
    return c


def is_signed_in(c: Client) -> bool:
    return c.get("/account/").status_code == 200


@pytest.mark.parametrize(
    ("password", "says"),
    [
        ("zhangwei-1", "太相似"),  # the user name
        ("        ", "密码长度太短"),  # eight spaces
        ("          ", "只有空白"),  # ten spaces
        ("aaaaaaaaaaaa", "不同的字符"),
        ("40793152681234", "只包含数字"),
        ("password123", "太常见"),
        ("short-one", "密码长度太短"),
    ],
)
def test_weak_passwords_are_refused_at_sign_up_in_the_readers_language(password, says) -> None:
    # When someone signs up on the page with a weak password
    r = Client().post(
        "/signup/",
        {"role": "buyer", "username": "zhangwei", "display_name": "张伟", "password": password},
    )
    # Then the page refuses it, saying why in Chinese
    assert r.status_code == 400, r.content.decode()
    assert says in r.content.decode(), r.content.decode()
    # When the same password is sent to the API's sign-up
    api = Api(None).post(
        "/auth/signup", {"username": "zhangwei", "password": password, "role": "buyer"}
    )
    # Then the API refuses the password field, and no account was made
    assert api.status_code == 422
    assert api.json()["field"] == "password"
    assert not User.objects.filter(username="zhangwei").exists()


def test_the_demo_and_test_passwords_pass_the_rules() -> None:
    # Given the demo's and the tests' passwords and the names they belong to
    for username, password in [("seller-tea", DEMO_PASSWORD), ("zhangwei", PASSWORD)]:
        # When each is checked against the password rules
        # Then none is refused: validate_password raises if one is
        validate_password(password, User(username=username, display_name=username))


def test_changing_the_password_ends_other_sessions_and_every_token(buyer) -> None:
    # Given a buyer signed in on two browsers and holding an API token
    here, there = signed_in("zhangwei"), signed_in("zhangwei")
    _, token = api_token_create(user=buyer)
    # When she opens the password page on one browser
    page = here.get("/account/password")
    # Then it shows the change form
    assert page.status_code == 200
    assert "修改密码" in page.content.decode()
    # When she gives a wrong current password
    wrong = here.post(
        "/account/password", {"current_password": "not-it-at-all", "new_password": NEW}
    )
    # Then she is told it is wrong
    assert wrong.status_code == 400
    assert "当前密码不正确" in wrong.content.decode()
    # When she picks a new password of digits only
    weak = here.post("/account/password", {"current_password": PASSWORD, "new_password": "1" * 12})
    # Then it is refused, and the other browser is still signed in
    assert weak.status_code == 400
    assert "只包含数字" in weak.content.decode()
    assert is_signed_in(there)  # refusals change nothing
    # When she changes it properly
    ok = here.post("/account/password", {"current_password": PASSWORD, "new_password": NEW})
    # Then this browser stays signed in, the other is signed out, the token is dead,
    # and the new password signs in
    assert ok.status_code == 302
    assert ok["Location"] == "/account/"
    assert is_signed_in(here)
    assert not is_signed_in(there)
    me = Client().get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 401
    assert Client().post("/login/", {"username": "zhangwei", "password": NEW}).status_code == 302


def test_the_api_changes_the_password_and_revokes_every_token(buyer) -> None:
    # Given a buyer with two API clients and a signed-in browser
    api = Api(buyer)
    other = Api(buyer)
    browser = signed_in("zhangwei")
    # When she sends a wrong current password through the API
    r = api.post("/auth/password", {"current_password": "wrong-wrong", "new_password": NEW})
    # Then the current password is refused
    assert r.status_code == 422
    assert r.json()["field"] == "current_password"
    # When she picks a new password too like her name
    r = api.post("/auth/password", {"current_password": PASSWORD, "new_password": "zhangwei12"})
    # Then the new password is refused
    assert r.status_code == 422
    assert r.json()["field"] == "new_password"
    # When she changes it properly
    # Then it is done, every token is revoked and the browser is signed out
    assert (
        api.post("/auth/password", {"current_password": PASSWORD, "new_password": NEW}).status_code
        == 204
    )
    assert api.get("/me").status_code == 401
    assert other.get("/me").status_code == 401
    assert not is_signed_in(browser)


def test_guessing_the_current_password_is_throttled_like_a_sign_in(clock, buyer) -> None:
    # Given a signed-in buyer who gave a wrong current password four times
    c = signed_in("zhangwei")
    for _ in range(4):
        c.post("/account/password", {"current_password": "guess-guess", "new_password": NEW})
    # When she guesses a fifth time
    r = c.post("/account/password", {"current_password": "guess-guess", "new_password": NEW})
    # Then she is throttled
    assert r.status_code == 429
    assert "尝试次数过多" in r.content.decode()
    # When she then gives the right password
    r = c.post("/account/password", {"current_password": PASSWORD, "new_password": NEW})
    # Then she is still throttled and her password is unchanged
    assert r.status_code == 429
    assert User.objects.get(pk=buyer.pk).check_password(PASSWORD)


def _reset_link() -> tuple[str, str]:
    deliver_all()
    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+/password-reset/(\S+)/(\S+)/", mail.outbox[0].body)
    assert link, mail.outbox[0].body
    return link.group(1), link.group(2)


def test_a_reset_request_answers_the_same_whether_or_not_the_account_exists(buyer) -> None:
    # Given a buyer with an email address
    buyer.email = "zhangwei@example.com"
    buyer.save()

    def ask(login: str) -> str:
        r = Client().post("/password-reset/", {"username": login})
        assert r.status_code == 200
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", r.content.decode())

    # When resets are asked on the page for her name, an unknown name and her address
    # Then every page reads the same
    assert ask("zhangwei") == ask("nobody-at-all") == ask("ZhangWei@Example.com")
    # When the API is asked for her name and for an unknown one
    api = [Api(None).post("/auth/password-reset", {"username": u}) for u in ("zhangwei", "nope")]
    # Then both answers are the same
    assert [r.status_code for r in api] == [202, 202]
    assert api[0].json() == api[1].json()
    deliver_all()
    # And mail went only to the account that exists, and at most three in an hour
    assert [m.to for m in mail.outbox] == [["zhangwei@example.com"]] * 3


def test_a_reset_link_works_once_and_ends_every_session_and_token(clock, buyer) -> None:
    # Given a buyer with an email address, signed in on a browser and holding an API token
    buyer.email = "zhangwei@example.com"
    buyer.preferred_language = "zh-hans"
    buyer.save()
    browser = signed_in("zhangwei")
    _, token = api_token_create(user=buyer)
    # When she asks for a reset
    Client().post("/password-reset/", {"username": "zhangwei"})
    uid, key = _reset_link()
    # Then she is mailed a reset link in Chinese
    assert "重置密码" in mail.outbox[0].subject
    c = Client()
    # When she follows the link
    follow = c.get(f"/password-reset/{uid}/{key}/")
    # Then she is redirected at once: the token leaves the address bar
    assert follow.status_code == 302
    assert key not in follow["Location"]
    # When she opens the page she was sent to
    form = c.get(follow["Location"])
    # Then it asks for a new password
    assert form.status_code == 200
    assert "设置新密码" in form.content.decode()
    # When she picks a password of digits only
    weak = c.post(follow["Location"], {"new_password": "12345678901"})
    # Then it is refused
    assert weak.status_code == 400
    assert "只包含数字" in weak.content.decode()
    # When she sets a good new password
    done = c.post(follow["Location"], {"new_password": NEW})
    # Then she is sent to sign in, every session and token has ended, and the new password works
    assert done.status_code == 302
    assert done["Location"] == "/login/"
    assert not is_signed_in(browser)
    assert not ApiToken.objects.filter(user=buyer, revoked_at__isnull=True).exists()
    assert (
        Client().get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    )
    assert Client().post("/login/", {"username": "zhangwei", "password": NEW}).status_code == 302
    # When the used link is followed again
    again = Client()
    again_form = again.get(again.get(f"/password-reset/{uid}/{key}/")["Location"])
    # Then the page says the link is invalid
    assert again_form.status_code == 400
    assert "无效" in again_form.content.decode()


def test_a_reset_link_expires(clock, buyer, settings) -> None:
    # Given a buyer with an email address who was mailed a reset link
    buyer.email = "zhangwei@example.com"
    buyer.save()
    Api(None).post("/auth/password-reset", {"username": "zhangwei"})
    uid, key = _reset_link()
    # When she uses it after the configured minutes have passed
    clock.shift(dt.timedelta(minutes=settings.ANXIN_PASSWORD_RESET_MINUTES + 1))
    r = Api(None).post(
        "/auth/password-reset/confirm", {"uid": uid, "token": key, "new_password": NEW}
    )
    # Then the link is refused and her password is unchanged
    assert r.status_code == 422
    assert r.json()["code"] == "reset_link_invalid"
    assert User.objects.get(pk=buyer.pk).check_password(PASSWORD)


def test_the_api_resets_a_password_with_the_mailed_link(buyer) -> None:
    # Given a buyer who asked the API for a reset by her email address and got the link
    buyer.email = "zhangwei@example.com"
    buyer.save()
    Api(None).post("/auth/password-reset", {"username": "zhangwei@example.com"})
    uid, key = _reset_link()
    # When she confirms it with a password too like her name
    weak = Api(None).post(
        "/auth/password-reset/confirm", {"uid": uid, "token": key, "new_password": "zhangwei"}
    )
    # Then the new password is refused
    assert weak.status_code == 422
    assert weak.json()["field"] == "new_password"
    # When she confirms it with a good password
    r = Api(None).post(
        "/auth/password-reset/confirm", {"uid": uid, "token": key, "new_password": NEW}
    )
    # Then her password is changed
    assert r.status_code == 204
    assert User.objects.get(pk=buyer.pk).check_password(NEW)
    # When she uses the link a second time
    r = Api(None).post(
        "/auth/password-reset/confirm", {"uid": uid, "token": key, "new_password": NEW + "x"}
    )
    # Then it is refused
    assert r.status_code == 422


def test_a_reset_lifts_the_lock_a_guesser_put_on_the_name(clock, buyer) -> None:
    # Given a buyer whose name a guesser locked with five wrong passwords
    buyer.email = "zhangwei@example.com"
    buyer.save()
    for _ in range(5):
        Client().post("/login/", {"username": "zhangwei", "password": "guess-guess"})
    assert (
        Client().post("/login/", {"username": "zhangwei", "password": PASSWORD}).status_code == 429
    )
    # When she resets her password through the mailed link
    Api(None).post("/auth/password-reset", {"username": "zhangwei"})
    uid, key = _reset_link()
    Api(None).post("/auth/password-reset/confirm", {"uid": uid, "token": key, "new_password": NEW})
    # Then she signs in with the new password at once
    assert Client().post("/login/", {"username": "zhangwei", "password": NEW}).status_code == 302


def test_reset_requests_from_one_address_are_rationed(clock) -> None:
    # Given an account, and an address that asked ten resets for an unknown name
    make_user("lina", "buyer")
    for _ in range(10):
        assert Api(None).post("/auth/password-reset", {"username": "x-y-z"}).status_code == 202
    # When the same address asks again, for the real account
    r = Api(None).post("/auth/password-reset", {"username": "lina"})
    # Then it is told it tried too often
    assert r.status_code == 429
    assert r.json()["code"] == "too_many_attempts"


def test_the_account_pages_speak_both_languages(buyer) -> None:
    # Given a buyer signed in once in Chinese and once in English
    zh, en = signed_in("zhangwei"), signed_in("zhangwei", lang="en")
    # When each opens the account, password and reset pages
    for path, chinese, english in [
        ("/account/", "全部设备退出登录", "Sign out everywhere"),
        ("/account/password", "当前密码", "Current password"),
        ("/password-reset/", "重置密码", "Reset your password"),
    ]:
        # Then each page is in that reader's language
        assert chinese in zh.get(path).content.decode()
        assert english in en.get(path).content.decode()


def test_the_email_address_changes_only_with_the_password(clock, buyer) -> None:
    # Given a signed-in buyer
    c = signed_in("zhangwei")
    # When she changes her email address with a wrong current password
    r = c.post("/account/", {"email": "new@example.com", "current_password": "nope-nope"})
    # Then she is told the password is wrong
    assert r.status_code == 400
    assert "当前密码不正确" in r.content.decode()
    # When she gives a malformed address with her password
    r = c.post("/account/", {"email": "not an address", "current_password": PASSWORD})
    # Then she is told it is not an email address
    assert r.status_code == 400
    assert "电子邮件地址" in r.content.decode()
    # When she gives a good address with her password
    # Then it is saved
    assert (
        c.post("/account/", {"email": "new@example.com", "current_password": PASSWORD}).status_code
        == 302
    )
    assert User.objects.get(pk=buyer.pk).email == "new@example.com"


def test_guessing_the_password_through_the_email_form_is_throttled(clock, buyer) -> None:
    # Given a signed-in buyer
    c = signed_in("zhangwei")
    # When she changes her email address with a wrong password five times
    codes = [
        c.post(
            "/account/", {"email": "x@example.com", "current_password": "guess-guess"}
        ).status_code
        for _ in range(5)
    ]
    # Then the first four are refused as wrong and the fifth is throttled
    assert codes == [400, 400, 400, 400, 429]
    # When she then gives the right password
    r = c.post("/account/", {"email": "x@example.com", "current_password": PASSWORD})
    # Then she is still throttled and her email address is unchanged
    assert r.status_code == 429
    assert User.objects.get(pk=buyer.pk).email == ""
