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
    # Given four wrong passwords for one name, each from a different address
    for i in range(4):
        assert web_login("zhangwei", WRONG, address=f"10.0.0.{i}").status_code == 400
    # When a fifth wrong password comes from yet another address
    fifth = web_login("zhangwei", WRONG, address="10.0.0.9")
    # Then the name is locked for 15 minutes: the lock follows the name, not the address
    assert fifth.status_code == 429
    assert "尝试次数过多，请 15 分钟后再试。" in fifth.content.decode()
    # And while it is locked even the right password is refused
    assert web_login("zhangwei", PASSWORD).status_code == 429
    clock.shift(dt.timedelta(minutes=14))
    assert web_login("ZhangWei", PASSWORD).status_code == 429  # the name in any case
    clock.shift(dt.timedelta(minutes=2))
    # When that lock is over and one more wrong password comes
    again = web_login("zhangwei", WRONG, lang="en")
    # Then the name is locked again, twice as long, in the reader's language
    assert again.status_code == 429
    assert "Too many attempts. Try again in 30 minutes." in again.content.decode()
    clock.shift(dt.timedelta(minutes=29))
    assert web_login("zhangwei", PASSWORD).status_code == 429
    clock.shift(dt.timedelta(minutes=2))
    # And once that lock is over too, the right password signs in
    ok = web_login("zhangwei", PASSWORD)
    assert ok.status_code == 302
    assert ok["Location"] == "/"


def test_a_locked_attempt_costs_no_password_hash(clock, buyer, settings) -> None:
    # Given a name locked by five wrong passwords, and a hasher that counts its runs
    settings.PASSWORD_HASHERS = ["anxin.accounts.tests.hashers.CountingHasher"]
    for _ in range(5):
        web_login("zhangwei", WRONG)
    CountingHasher.runs = 0
    # When twenty more wrong passwords come
    # Then each is throttled, and not one cost a password hash
    for _ in range(20):
        assert web_login("zhangwei", WRONG).status_code == 429
    assert CountingHasher.runs == 0


def test_an_address_trying_many_names_is_locked_for_all_of_them(clock, buyer) -> None:
    # Given an address that tried twenty names with wrong passwords
    for i in range(20):
        assert web_login(f"guess{i}", WRONG, address="10.2.2.2").status_code in (400, 429)
    # When a real user signs in from that address
    # Then she is locked out too
    assert web_login("zhangwei", PASSWORD, address="10.2.2.2").status_code == 429
    # And from elsewhere she signs in: the lock was the address's
    assert web_login("zhangwei", PASSWORD, address="10.3.3.3").status_code == 302


def test_an_ipv6_client_counts_as_its_64(clock, buyer) -> None:
    # Given twenty names tried with wrong passwords, each from its own address in one IPv6 /64
    for i in range(20):
        web_login(f"guess{i}", WRONG, address=f"2001:db8:1:2::{i + 1:x}")
    # When a real user signs in from another address of that /64, then from the next /64
    # Then she is locked out from the first and let in from the second
    assert web_login("zhangwei", PASSWORD, address="2001:db8:1:2::ffff").status_code == 429
    assert web_login("zhangwei", PASSWORD, address="2001:db8:1:3::1").status_code == 302


def test_behind_a_proxy_the_address_is_the_one_the_proxy_saw(clock, buyer, settings) -> None:
    # Given one trusted proxy, through which one client address tried twenty names
    settings.ANXIN_PROXY_COUNT = 1

    def via_proxy(username: str, password: str, client_ip: str):
        # The client writes anything into X-Forwarded-For; the proxy appends what it saw.
        c = Client(REMOTE_ADDR="10.9.9.9", headers={"x-forwarded-for": f"1.2.3.4, {client_ip}"})
        return c.post("/login/", {"username": username, "password": password})

    for i in range(20):
        via_proxy(f"guess{i}", WRONG, "203.0.113.7")
    # When a real user signs in through the proxy from that client address, then from another
    # Then she is locked out from the first and let in from the second
    assert via_proxy("zhangwei", PASSWORD, "203.0.113.7").status_code == 429
    assert via_proxy("zhangwei", PASSWORD, "203.0.113.8").status_code == 302


def test_the_api_token_endpoint_shares_the_lock_and_answers_problem_json(clock, buyer) -> None:
    # Given four wrong passwords sent to the API's token endpoint, each refused
    for _ in range(4):
        r = api_token("zhangwei", WRONG)
        assert r.status_code == 401
        assert r.json()["code"] == "bad_credentials"
    # When a fifth wrong password is sent
    r = api_token("zhangwei", WRONG)
    # Then it is throttled, in problem+json that says for how long
    assert r.status_code == 429
    assert r["Content-Type"] == "application/problem+json"
    problem = r.json()
    assert problem["code"] == "too_many_attempts"
    assert problem["retry_after"] == 15 * 60
    assert problem["type"] == "urn:anxin:problem:too_many_attempts"
    # And the page is locked too: one throttle for every way in
    assert web_login("zhangwei", PASSWORD).status_code == 429
    # And once the lock is over, the API hands out a token
    clock.shift(dt.timedelta(minutes=16))
    assert api_token("zhangwei", PASSWORD).status_code == 201


def test_names_no_column_can_hold_are_refused_not_a_server_error(clock) -> None:
    # Given names too long for the column, holding a NUL, or empty
    for name in ["a" * 400, "nul\x00name", "名" * 200, ""]:
        # When each is tried on the sign-in page, the token endpoint and the reset page
        # Then each is refused, never with a server error
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
    # Given a buyer whose password was hashed by a hasher that counts its runs
    settings.PASSWORD_HASHERS = ["anxin.accounts.tests.hashers.CountingHasher"]
    buyer.set_password(PASSWORD)  # hashed by the counting hasher
    buyer.save()
    CountingHasher.runs = 0
    # When a wrong password is tried on the page for her name and for an unknown one
    known, unknown = web_login("zhangwei", WRONG), web_login("nobody-here", WRONG)
    # Then both answers are the same
    assert known.status_code == unknown.status_code
    assert _page(known) == _page(unknown)
    # And the hasher ran once for each: the time it takes is the hasher's
    assert CountingHasher.runs == 2
    # When the same is tried on the API's token endpoint
    known, unknown = api_token("zhangwei", WRONG), api_token("nobody-here", WRONG)
    # Then both answers are the same again, each at the cost of one hash
    assert known.status_code == unknown.status_code
    assert known.json() == unknown.json()
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
    # Given a buyer named zhangwei, and a hasher that counts its runs
    settings.PASSWORD_HASHERS = ["anxin.accounts.tests.hashers.CountingHasher"]
    # When someone signs up with her name and a weak password
    r = _signup("zhangwei", "1234567890")
    # Then the password is refused for what it is: the name is not looked at
    assert r.status_code == 422
    assert r.json()["field"] == "password"
    CountingHasher.runs = 0
    # When someone signs up with her name, in another case, and a good password
    taken = _signup("ZhangWei")
    # Then the name is said to be taken
    assert taken.status_code == 409
    assert taken.json()["code"] == "username_taken"
    # And it cost a password hash, like a real sign-up
    assert CountingHasher.runs == 1
    # And a real sign-up costs one hash too
    assert _signup("someone-new").status_code == 201
    assert CountingHasher.runs == 2


def test_sign_ups_from_one_address_are_rationed_taken_names_included(clock, buyer) -> None:
    # Given an address that made five accounts and tried a taken name five times
    for i in range(5):
        assert _signup(f"new-user-{i}").status_code == 201
    for _ in range(5):
        assert _signup("zhangwei").status_code == 409
    # When it signs up once more
    r = _signup("harvest-me")
    # Then it is told it tried too often, and no account is made
    assert r.status_code == 429
    assert r.json()["code"] == "too_many_attempts"
    assert not User.objects.filter(username="harvest-me").exists()
    # And the sign-up page says so in the reader's language
    page = Client(REMOTE_ADDR="10.5.5.5").post(
        "/signup/", {"role": "buyer", "username": "harvest-me", "password": PASSWORD}
    )
    assert page.status_code == 429
    assert "尝试次数过多" in page.content.decode()
    # And another address, or the next hour, may sign up
    assert _signup("harvest-me", address="10.6.6.6").status_code == 201
    clock.shift(dt.timedelta(hours=1))
    assert _signup("next-hour").status_code == 201


def test_an_invalid_bearer_token_on_a_write_is_401_not_a_csrf_failure(buyer) -> None:
    # Given an API client with a bearer token that does not exist
    bad = Api(None)
    bad.headers["Authorization"] = "Bearer ax_not-a-real-token"
    # When it signs out
    r = bad.post("/auth/logout")
    # Then it is told the token is invalid, in problem+json
    assert r.status_code == 401
    assert r["Content-Type"] == "application/problem+json"
    assert r.json()["code"] == "invalid_token"
    # When a browser with a valid session sends a bad token, CSRF checks on
    c = Client(enforce_csrf_checks=True)
    c.force_login(buyer)
    r = c.post("/api/v1/auth/logout", headers={"Authorization": "Bearer ax_nope"})
    # Then the token alone decides: it is invalid, not a CSRF failure
    assert r.status_code == 401
    assert r.json()["code"] == "invalid_token"
