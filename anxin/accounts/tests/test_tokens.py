"""API tokens expire, are listed (never shown again), revoked one by one or all together,
capped per user and purged; "sign out everywhere" ends every session and token."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys

import pytest
from django.test import Client

from anxin.accounts.models import ApiToken
from anxin.accounts.services import api_token_create
from anxin.conftest import PASSWORD, Api
from anxin.ops.deadlines import deadlines_run

pytestmark = pytest.mark.django_db


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_a_token_expires_after_the_configured_days(clock, buyer, settings) -> None:
    # Given tokens that live seven days
    settings.ANXIN_API_TOKEN_DAYS = 7
    # When a buyer gets a token
    r = Api(None).post("/auth/token", {"username": "zhangwei", "password": PASSWORD})
    token = r.json()["token"]
    # Then it expires seven days on
    assert r.json()["expires_at"].startswith("2026-05-08")
    # When all but the last second of the seven days have passed
    clock.shift(dt.timedelta(days=7) - dt.timedelta(seconds=1))
    # Then the token still works
    assert Client().get("/api/v1/me", headers=bearer(token)).status_code == 200
    # When two seconds more have passed
    clock.shift(dt.timedelta(seconds=2))
    r = Client().get("/api/v1/me", headers=bearer(token))
    # Then it is invalid
    assert r.status_code == 401
    assert r.json()["code"] == "invalid_token"


def test_one_lists_ones_own_tokens_without_their_secrets(clock, buyer, other_buyer) -> None:
    # Given a buyer's laptop token, her API client's own made a minute later, and another's token
    first, _ = api_token_create(user=buyer, name="laptop")
    clock.shift(dt.timedelta(minutes=1))
    api = Api(buyer)
    api_token_create(user=other_buyer, name="not mine")
    # When she lists her tokens
    listed = api.get("/auth/tokens").json()
    # Then she sees her own two, newest first, the one in use marked, and no secret
    assert [(t["name"], t["current"]) for t in listed] == [("api", True), ("laptop", False)]
    assert set(listed[1]) == {
        "id",
        "name",
        "prefix",
        "created_at",
        "last_used_at",
        "expires_at",
        "current",
    }
    assert listed[1]["prefix"] == first.prefix
    assert listed[1]["last_used_at"] is None
    assert listed[0]["last_used_at"] is not None
    assert all(len(t["prefix"]) == 10 for t in listed)


def test_revoking_one_token_and_then_all(buyer, other_buyer) -> None:
    # Given a buyer with a laptop token and an API client, and another buyer's token
    laptop, laptop_token = api_token_create(user=buyer, name="laptop")
    theirs, _ = api_token_create(user=other_buyer)
    api = Api(buyer)
    # When she revokes the other buyer's token
    r = api._call("delete", f"/auth/tokens/{theirs.pk}")
    # Then it is not found, and stays live
    assert r.status_code == 404
    assert r.json()["code"] == "token_not_found"
    assert ApiToken.objects.get(pk=theirs.pk).revoked_at is None
    # When she revokes her laptop's token
    # Then the laptop's token is dead and her client's still works
    assert api._call("delete", f"/auth/tokens/{laptop.pk}").status_code == 204
    assert Client().get("/api/v1/me", headers=bearer(laptop_token)).status_code == 401
    assert api.get("/me").status_code == 200
    # When she makes a phone token and revokes all her tokens
    _, phone_token = api_token_create(user=buyer, name="phone")
    r = api._call("delete", "/auth/tokens")
    # Then two are revoked, her client's and the phone's, and neither works
    assert r.json() == {"revoked": 2}
    assert api.get("/me").status_code == 401
    assert Client().get("/api/v1/me", headers=bearer(phone_token)).status_code == 401


def test_live_tokens_are_capped_the_oldest_going_first(clock, buyer, settings) -> None:
    # Given at most three live tokens per user
    settings.ANXIN_API_TOKENS_PER_USER = 3
    # When a buyer makes four, a second apart
    made = []
    for i in range(4):
        made.append(api_token_create(user=buyer, name=f"t{i}"))
        clock.shift(dt.timedelta(seconds=1))
    # Then the oldest no longer works and the three newest do
    codes = [Client().get("/api/v1/me", headers=bearer(t)).status_code for _, t in made]
    assert codes == [401, 200, 200, 200]


def test_expired_and_revoked_tokens_are_purged_by_the_deadlines_run(clock, buyer, settings) -> None:
    # Given one-day tokens: one left to expire, one revoked, and the API client's own
    settings.ANXIN_API_TOKEN_DAYS = 1
    api_token_create(user=buyer, name="old")
    gone, _ = api_token_create(user=buyer, name="revoked")
    Api(buyer)._call("delete", f"/auth/tokens/{gone.pk}")
    # And a new token made after they expired
    clock.shift(dt.timedelta(days=1, seconds=1))
    keep, _ = api_token_create(user=buyer, name="new")
    # When the deadlines run
    # Then the three dead tokens are purged and only the new one is left
    assert deadlines_run()["api_tokens_purged"] == 3  # old, revoked, Api()'s own
    assert list(ApiToken.objects.values_list("pk", flat=True)) == [keep.pk]


def test_signing_out_everywhere_ends_every_session_and_token(buyer) -> None:
    # Given a buyer signed in on two browsers and holding an API token
    here, there = Client(), Client()
    for c in (here, there):
        assert c.post("/login/", {"username": "zhangwei", "password": PASSWORD}).status_code == 302
    _, token = api_token_create(user=buyer)
    # When she opens her account page
    page = here.get("/account/")
    # Then it offers to sign out everywhere
    assert page.status_code == 200
    assert "全部设备退出登录" in page.content.decode()
    # When she signs out everywhere
    r = here.post("/account/sign-out-everywhere")
    # Then she is sent to sign in, both browsers are signed out and the token is dead
    assert r.status_code == 302
    assert r["Location"] == "/login/"
    for c in (here, there):
        assert c.get("/account/")["Location"].startswith("/login/")
    assert Client().get("/api/v1/me", headers=bearer(token)).status_code == 401
    # And signing in again works, with a new session
    assert there.post("/login/", {"username": "zhangwei", "password": PASSWORD}).status_code == 302
    assert there.get("/account/").status_code == 200


def test_the_account_page_revokes_tokens(buyer) -> None:
    # Given a signed-in buyer with a token named script
    c = Client()
    c.force_login(buyer)
    row, token = api_token_create(user=buyer, name="script")
    # When she opens her account page
    # Then the token is listed
    assert "script" in c.get("/account/").content.decode()
    # When she revokes it on the page
    # Then she is redirected and the token is dead
    assert c.post(f"/account/tokens/{row.pk}/revoke").status_code == 302
    assert Client().get("/api/v1/me", headers=bearer(token)).status_code == 401
    # Given another token
    _, token = api_token_create(user=buyer, name="another")
    # When she revokes all her tokens on the page
    # Then she is redirected and that token is dead too
    assert c.post("/account/tokens/revoke").status_code == 302
    assert Client().get("/api/v1/me", headers=bearer(token)).status_code == 401


@pytest.mark.parametrize("value", ["thirty", "0", "-3", "9999"])
def test_the_token_lifetime_setting_is_parsed_strictly(value) -> None:
    # Given a token lifetime that is not a whole number of days in the allowed range
    env = {**os.environ, "ANXIN_API_TOKEN_DAYS": value, "DJANGO_SETTINGS_MODULE": "anxin.settings"}
    # When Django starts with it
    r = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert r.returncode != 0
    # Then start-up fails, naming the setting
    assert "ANXIN_API_TOKEN_DAYS" in r.stderr
