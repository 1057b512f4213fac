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
    r = Client().post(
        "/signup/",
        {"role": "buyer", "username": "zhangwei", "display_name": "张伟", "password": password},
    )
    assert r.status_code == 400, r.content.decode()
    assert says in r.content.decode(), r.content.decode()
    api = Api(None).post(
        "/auth/signup", {"username": "zhangwei", "password": password, "role": "buyer"}
    )
    assert (api.status_code, api.json()["field"]) == (422, "password")
    assert not User.objects.filter(username="zhangwei").exists()


def test_the_demo_and_test_passwords_pass_the_rules() -> None:
    for username, password in [("seller-tea", DEMO_PASSWORD), ("zhangwei", PASSWORD)]:
        validate_password(password, User(username=username, display_name=username))


def test_changing_the_password_ends_other_sessions_and_every_token(buyer) -> None:
    here, there = signed_in("zhangwei"), signed_in("zhangwei")
    _, token = api_token_create(user=buyer)
    page = here.get("/account/password")
    assert page.status_code == 200
    assert "修改密码" in page.content.decode()
    wrong = here.post(
        "/account/password", {"current_password": "not-it-at-all", "new_password": NEW}
    )
    assert wrong.status_code == 400
    assert "当前密码不正确" in wrong.content.decode()
    weak = here.post("/account/password", {"current_password": PASSWORD, "new_password": "1" * 12})
    assert weak.status_code == 400
    assert "只包含数字" in weak.content.decode()
    assert is_signed_in(there)  # refusals change nothing
    ok = here.post("/account/password", {"current_password": PASSWORD, "new_password": NEW})
    assert (ok.status_code, ok["Location"]) == (302, "/account/")
    assert is_signed_in(here)
    assert not is_signed_in(there)
    me = Client().get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 401
    assert Client().post("/login/", {"username": "zhangwei", "password": NEW}).status_code == 302


def test_the_api_changes_the_password_and_revokes_every_token(buyer) -> None:
    api = Api(buyer)
    other = Api(buyer)
    browser = signed_in("zhangwei")
    r = api.post("/auth/password", {"current_password": "wrong-wrong", "new_password": NEW})
    assert (r.status_code, r.json()["field"]) == (422, "current_password")
    r = api.post("/auth/password", {"current_password": PASSWORD, "new_password": "zhangwei12"})
    assert (r.status_code, r.json()["field"]) == (422, "new_password")
    assert (
        api.post("/auth/password", {"current_password": PASSWORD, "new_password": NEW}).status_code
        == 204
    )
    assert api.get("/me").status_code == 401
    assert other.get("/me").status_code == 401
    assert not is_signed_in(browser)


def test_guessing_the_current_password_is_throttled_like_a_sign_in(clock, buyer) -> None:
    c = signed_in("zhangwei")
    for _ in range(4):
        c.post("/account/password", {"current_password": "guess-guess", "new_password": NEW})
    r = c.post("/account/password", {"current_password": "guess-guess", "new_password": NEW})
    assert r.status_code == 429
    assert "尝试次数过多" in r.content.decode()
    r = c.post("/account/password", {"current_password": PASSWORD, "new_password": NEW})
    assert r.status_code == 429
    assert User.objects.get(pk=buyer.pk).check_password(PASSWORD)


def _reset_link() -> tuple[str, str]:
    deliver_all()
    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+/password-reset/(\S+)/(\S+)/", mail.outbox[0].body)
    assert link, mail.outbox[0].body
    return link.group(1), link.group(2)


def test_a_reset_request_answers_the_same_whether_or_not_the_account_exists(buyer) -> None:
    buyer.email = "zhangwei@example.com"
    buyer.save()

    def ask(login: str) -> str:
        r = Client().post("/password-reset/", {"username": login})
        assert r.status_code == 200
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", r.content.decode())

    assert ask("zhangwei") == ask("nobody-at-all") == ask("ZhangWei@Example.com")
    api = [Api(None).post("/auth/password-reset", {"username": u}) for u in ("zhangwei", "nope")]
    assert [r.status_code for r in api] == [202, 202]
    assert api[0].json() == api[1].json()
    deliver_all()
    # Mail went only to the account that exists, and at most three in an hour.
    assert [m.to for m in mail.outbox] == [["zhangwei@example.com"]] * 3


def test_a_reset_link_works_once_and_ends_every_session_and_token(clock, buyer) -> None:
    buyer.email = "zhangwei@example.com"
    buyer.preferred_language = "zh-hans"
    buyer.save()
    browser = signed_in("zhangwei")
    _, token = api_token_create(user=buyer)
    Client().post("/password-reset/", {"username": "zhangwei"})
    uid, key = _reset_link()
    assert "重置密码" in mail.outbox[0].subject
    c = Client()
    follow = c.get(f"/password-reset/{uid}/{key}/")
    # The token leaves the address bar at once.
    assert follow.status_code == 302
    assert key not in follow["Location"]
    form = c.get(follow["Location"])
    assert form.status_code == 200
    assert "设置新密码" in form.content.decode()
    weak = c.post(follow["Location"], {"new_password": "12345678901"})
    assert weak.status_code == 400
    assert "只包含数字" in weak.content.decode()
    done = c.post(follow["Location"], {"new_password": NEW})
    assert (done.status_code, done["Location"]) == (302, "/login/")
    assert not is_signed_in(browser)
    assert not ApiToken.objects.filter(user=buyer, revoked_at__isnull=True).exists()
    assert (
        Client().get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    )
    assert Client().post("/login/", {"username": "zhangwei", "password": NEW}).status_code == 302
    # Used: the same link does nothing more.
    again = Client()
    again_form = again.get(again.get(f"/password-reset/{uid}/{key}/")["Location"])
    assert again_form.status_code == 400
    assert "无效" in again_form.content.decode()


def test_a_reset_link_expires(clock, buyer, settings) -> None:
    buyer.email = "zhangwei@example.com"
    buyer.save()
    Api(None).post("/auth/password-reset", {"username": "zhangwei"})
    uid, key = _reset_link()
    clock.shift(dt.timedelta(minutes=settings.ANXIN_PASSWORD_RESET_MINUTES + 1))
    r = Api(None).post(
        "/auth/password-reset/confirm", {"uid": uid, "token": key, "new_password": NEW}
    )
    assert (r.status_code, r.json()["code"]) == (422, "reset_link_invalid")
    assert User.objects.get(pk=buyer.pk).check_password(PASSWORD)


def test_the_api_resets_a_password_with_the_mailed_link(buyer) -> None:
    buyer.email = "zhangwei@example.com"
    buyer.save()
    Api(None).post("/auth/password-reset", {"username": "zhangwei@example.com"})
    uid, key = _reset_link()
    weak = Api(None).post(
        "/auth/password-reset/confirm", {"uid": uid, "token": key, "new_password": "zhangwei"}
    )
    assert (weak.status_code, weak.json()["field"]) == (422, "new_password")
    r = Api(None).post(
        "/auth/password-reset/confirm", {"uid": uid, "token": key, "new_password": NEW}
    )
    assert r.status_code == 204
    assert User.objects.get(pk=buyer.pk).check_password(NEW)
    r = Api(None).post(
        "/auth/password-reset/confirm", {"uid": uid, "token": key, "new_password": NEW + "x"}
    )
    assert r.status_code == 422


def test_a_reset_lifts_the_lock_a_guesser_put_on_the_name(clock, buyer) -> None:
    buyer.email = "zhangwei@example.com"
    buyer.save()
    for _ in range(5):
        Client().post("/login/", {"username": "zhangwei", "password": "guess-guess"})
    assert (
        Client().post("/login/", {"username": "zhangwei", "password": PASSWORD}).status_code == 429
    )
    Api(None).post("/auth/password-reset", {"username": "zhangwei"})
    uid, key = _reset_link()
    Api(None).post("/auth/password-reset/confirm", {"uid": uid, "token": key, "new_password": NEW})
    assert Client().post("/login/", {"username": "zhangwei", "password": NEW}).status_code == 302


def test_reset_requests_from_one_address_are_rationed(clock) -> None:
    make_user("lina", "buyer")
    for _ in range(10):
        assert Api(None).post("/auth/password-reset", {"username": "x-y-z"}).status_code == 202
    r = Api(None).post("/auth/password-reset", {"username": "lina"})
    assert (r.status_code, r.json()["code"]) == (429, "too_many_attempts")


def test_the_account_pages_speak_both_languages(buyer) -> None:
    zh, en = signed_in("zhangwei"), signed_in("zhangwei", lang="en")
    for path, chinese, english in [
        ("/account/", "全部设备退出登录", "Sign out everywhere"),
        ("/account/password", "当前密码", "Current password"),
        ("/password-reset/", "重置密码", "Reset your password"),
    ]:
        assert chinese in zh.get(path).content.decode()
        assert english in en.get(path).content.decode()


def test_the_email_address_changes_only_with_the_password(clock, buyer) -> None:
    c = signed_in("zhangwei")
    r = c.post("/account/", {"email": "new@example.com", "current_password": "nope-nope"})
    assert r.status_code == 400
    assert "当前密码不正确" in r.content.decode()
    r = c.post("/account/", {"email": "not an address", "current_password": PASSWORD})
    assert r.status_code == 400
    assert "电子邮件地址" in r.content.decode()
    assert (
        c.post("/account/", {"email": "new@example.com", "current_password": PASSWORD}).status_code
        == 302
    )
    assert User.objects.get(pk=buyer.pk).email == "new@example.com"


def test_guessing_the_password_through_the_email_form_is_throttled(clock, buyer) -> None:
    c = signed_in("zhangwei")
    codes = [
        c.post(
            "/account/", {"email": "x@example.com", "current_password": "guess-guess"}
        ).status_code
        for _ in range(5)
    ]
    assert codes == [400, 400, 400, 400, 429]
    r = c.post("/account/", {"email": "x@example.com", "current_password": PASSWORD})
    assert r.status_code == 429
    assert User.objects.get(pk=buyer.pk).email == ""
