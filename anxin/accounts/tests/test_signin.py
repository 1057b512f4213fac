"""Signing in and up against a guesser: throttled per name and per address, on the page and
the API alike; no answer tells whether a name exists, except a complete sign-up's, which is
rationed."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client

from anxin.accounts.models import User
from anxin.accounts.tests.hashers import CountingHasher
from anxin.conftest import PASSWORD, Api

pytestmark = pytest.mark.django_db

WRONG = "not-the-password-1"


def web_login(username: str, password: str, *, address: str = "10.1.1.1", lang: str = "zh-hans"):
    c = Client(REMOTE_ADDR=address, headers={"accept-language": lang})
    return c.post("/login/", {"username": username, "password": password})


def api_token(username: str, password: str, *, address: str = "10.1.1.1"):
    c = Client(REMOTE_ADDR=address)
    return c.post(
        "/api/v1/auth/token",
        {"username": username, "password": password},
        content_type="application/json",
    )


def test_a_name_is_locked_after_five_failures_and_each_further_failure_doubles_the_wait(
    clock, buyer
) -> None:
    # Each from a different address: the lock follows the name, not the address.
    for i in range(4):
        assert web_login("zhangwei", WRONG, address=f"10.0.0.{i}").status_code == 400
    fifth = web_login("zhangwei", WRONG, address="10.0.0.9")
    assert fifth.status_code == 429
    assert "尝试次数过多，请 15 分钟后再试。" in fifth.content.decode()
    # Locked: even the right password is refused.
    assert web_login("zhangwei", PASSWORD).status_code == 429
    clock.shift(dt.timedelta(minutes=14))
    assert web_login("ZhangWei", PASSWORD).status_code == 429  # the name in any case
    clock.shift(dt.timedelta(minutes=2))
    # The lock is over; one more failure locks again, twice as long.
    again = web_login("zhangwei", WRONG, lang="en")
    assert again.status_code == 429
    assert "Too many attempts. Try again in 30 minutes." in again.content.decode()
    clock.shift(dt.timedelta(minutes=29))
    assert web_login("zhangwei", PASSWORD).status_code == 429
    clock.shift(dt.timedelta(minutes=2))
    ok = web_login("zhangwei", PASSWORD)
    assert (ok.status_code, ok["Location"]) == (302, "/")


def test_a_locked_attempt_costs_no_password_hash(clock, buyer, settings) -> None:
    settings.PASSWORD_HASHERS = ["anxin.accounts.tests.hashers.CountingHasher"]
    for _ in range(5):
        web_login("zhangwei", WRONG)
    CountingHasher.runs = 0
    for _ in range(20):
        assert web_login("zhangwei", WRONG).status_code == 429
    assert CountingHasher.runs == 0


def test_an_address_trying_many_names_is_locked_for_all_of_them(clock, buyer) -> None:
    for i in range(20):
        assert web_login(f"guess{i}", WRONG, address="10.2.2.2").status_code in (400, 429)
    assert web_login("zhangwei", PASSWORD, address="10.2.2.2").status_code == 429
    # Elsewhere the account works; the lock was the address's.
    assert web_login("zhangwei", PASSWORD, address="10.3.3.3").status_code == 302


def test_an_ipv6_client_counts_as_its_64(clock, buyer) -> None:
    for i in range(20):
        web_login(f"guess{i}", WRONG, address=f"2001:db8:1:2::{i + 1:x}")
    assert web_login("zhangwei", PASSWORD, address="2001:db8:1:2::ffff").status_code == 429
    assert web_login("zhangwei", PASSWORD, address="2001:db8:1:3::1").status_code == 302


def test_behind_a_proxy_the_address_is_the_one_the_proxy_saw(clock, buyer, settings) -> None:
    settings.ANXIN_PROXY_COUNT = 1

    def via_proxy(username: str, password: str, client_ip: str):
        # The client writes anything into X-Forwarded-For; the proxy appends what it saw.
        c = Client(REMOTE_ADDR="10.9.9.9", headers={"x-forwarded-for": f"1.2.3.4, {client_ip}"})
        return c.post("/login/", {"username": username, "password": password})

    for i in range(20):
        via_proxy(f"guess{i}", WRONG, "203.0.113.7")
    assert via_proxy("zhangwei", PASSWORD, "203.0.113.7").status_code == 429
    assert via_proxy("zhangwei", PASSWORD, "203.0.113.8").status_code == 302


def test_the_api_token_endpoint_shares_the_lock_and_answers_problem_json(clock, buyer) -> None:
    for _ in range(4):
        r = api_token("zhangwei", WRONG)
        assert (r.status_code, r.json()["code"]) == (401, "bad_credentials")
    r = api_token("zhangwei", WRONG)
    assert r.status_code == 429
    assert r["Content-Type"] == "application/problem+json"
    problem = r.json()
    assert problem["code"] == "too_many_attempts"
    assert problem["retry_after"] == 15 * 60
    assert problem["type"] == "urn:anxin:problem:too_many_attempts"
    # The page is locked too: one throttle for every way in.
    assert web_login("zhangwei", PASSWORD).status_code == 429
    clock.shift(dt.timedelta(minutes=16))
    assert api_token("zhangwei", PASSWORD).status_code == 201


def test_names_no_column_can_hold_are_refused_not_a_server_error(clock) -> None:
    for name in ["a" * 400, "nul\x00name", "名" * 200, ""]:
        assert 400 <= web_login(name, WRONG).status_code < 500
        assert 400 <= api_token(name, WRONG).status_code < 500
        reset = Client().post("/password-reset/", {"username": name or "x"})
        assert reset.status_code < 500


def _page(r) -> str:
    # The CSRF token differs on every page; nothing else may.
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", r.content.decode())


def test_a_failed_sign_in_looks_the_same_whether_or_not_the_name_exists(
    clock, buyer, settings
) -> None:
    settings.PASSWORD_HASHERS = ["anxin.accounts.tests.hashers.CountingHasher"]
    buyer.set_password(PASSWORD)  # hashed by the counting hasher
    buyer.save()
    CountingHasher.runs = 0
    known, unknown = web_login("zhangwei", WRONG), web_login("nobody-here", WRONG)
    assert (known.status_code, _page(known)) == (unknown.status_code, _page(unknown))
    # The time it takes is the hasher's, and the hasher ran once for each.
    assert CountingHasher.runs == 2
    known, unknown = api_token("zhangwei", WRONG), api_token("nobody-here", WRONG)
    assert (known.status_code, known.json()) == (unknown.status_code, unknown.json())
    assert CountingHasher.runs == 4


def _signup(username: str, password: str = PASSWORD, address: str = "10.5.5.5"):
    return Client(REMOTE_ADDR=address).post(
        "/api/v1/auth/signup",
        {"username": username, "password": password, "role": "buyer"},
        content_type="application/json",
    )


def test_a_taken_name_is_only_told_to_a_complete_sign_up_that_cost_a_password_hash(
    buyer, settings
) -> None:
    settings.PASSWORD_HASHERS = ["anxin.accounts.tests.hashers.CountingHasher"]
    # A weak password is refused for what it is: the name is not looked at.
    r = _signup("zhangwei", "1234567890")
    assert (r.status_code, r.json()["field"]) == (422, "password")
    CountingHasher.runs = 0
    taken = _signup("ZhangWei")
    assert (taken.status_code, taken.json()["code"]) == (409, "username_taken")
    # As long as a real sign-up: the password was hashed all the same.
    assert CountingHasher.runs == 1
    assert _signup("someone-new").status_code == 201
    assert CountingHasher.runs == 2


def test_sign_ups_from_one_address_are_rationed_taken_names_included(clock, buyer) -> None:
    for i in range(5):
        assert _signup(f"new-user-{i}").status_code == 201
    for _ in range(5):
        assert _signup("zhangwei").status_code == 409
    r = _signup("harvest-me")
    assert (r.status_code, r.json()["code"]) == (429, "too_many_attempts")
    assert not User.objects.filter(username="harvest-me").exists()
    # The page says so in the reader's language.
    page = Client(REMOTE_ADDR="10.5.5.5").post(
        "/signup/", {"role": "buyer", "username": "harvest-me", "password": PASSWORD}
    )
    assert page.status_code == 429
    assert "尝试次数过多" in page.content.decode()
    # Another address, or the next hour, may sign up.
    assert _signup("harvest-me", address="10.6.6.6").status_code == 201
    clock.shift(dt.timedelta(hours=1))
    assert _signup("next-hour").status_code == 201


def test_an_invalid_bearer_token_on_a_write_is_401_not_a_csrf_failure(buyer) -> None:
    bad = Api(None)
    bad.headers["Authorization"] = "Bearer ax_not-a-real-token"
    r = bad.post("/auth/logout")
    assert r.status_code == 401
    assert r["Content-Type"] == "application/problem+json"
    assert r.json()["code"] == "invalid_token"
    # The same with a valid browser session riding along: the token alone decides.
    c = Client(enforce_csrf_checks=True)
    c.force_login(buyer)
    r = c.post("/api/v1/auth/logout", headers={"Authorization": "Bearer ax_nope"})
    assert (r.status_code, r.json()["code"]) == (401, "invalid_token")
