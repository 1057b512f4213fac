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
    settings.ANXIN_API_TOKEN_DAYS = 7
    r = Api(None).post("/auth/token", {"username": "zhangwei", "password": PASSWORD})
    token = r.json()["token"]
    assert r.json()["expires_at"].startswith("2026-05-08")
    clock.shift(dt.timedelta(days=7) - dt.timedelta(seconds=1))
    assert Client().get("/api/v1/me", headers=bearer(token)).status_code == 200
    clock.shift(dt.timedelta(seconds=2))
    r = Client().get("/api/v1/me", headers=bearer(token))
    assert (r.status_code, r.json()["code"]) == (401, "invalid_token")


def test_one_lists_ones_own_tokens_without_their_secrets(clock, buyer, other_buyer) -> None:
    first, _ = api_token_create(user=buyer, name="laptop")
    clock.shift(dt.timedelta(minutes=1))
    api = Api(buyer)
    api_token_create(user=other_buyer, name="not mine")
    listed = api.get("/auth/tokens").json()
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
    laptop, laptop_token = api_token_create(user=buyer, name="laptop")
    theirs, _ = api_token_create(user=other_buyer)
    api = Api(buyer)
    r = api._call("delete", f"/auth/tokens/{theirs.pk}")
    assert (r.status_code, r.json()["code"]) == (404, "token_not_found")
    assert ApiToken.objects.get(pk=theirs.pk).revoked_at is None
    assert api._call("delete", f"/auth/tokens/{laptop.pk}").status_code == 204
    assert Client().get("/api/v1/me", headers=bearer(laptop_token)).status_code == 401
    assert api.get("/me").status_code == 200
    _, phone_token = api_token_create(user=buyer, name="phone")
    r = api._call("delete", "/auth/tokens")
    assert r.json() == {"revoked": 2}
    assert api.get("/me").status_code == 401
    assert Client().get("/api/v1/me", headers=bearer(phone_token)).status_code == 401


def test_live_tokens_are_capped_the_oldest_going_first(clock, buyer, settings) -> None:
    settings.ANXIN_API_TOKENS_PER_USER = 3
    made = []
    for i in range(4):
        made.append(api_token_create(user=buyer, name=f"t{i}"))
        clock.shift(dt.timedelta(seconds=1))
    codes = [Client().get("/api/v1/me", headers=bearer(t)).status_code for _, t in made]
    assert codes == [401, 200, 200, 200]


def test_expired_and_revoked_tokens_are_purged_by_the_deadlines_run(clock, buyer, settings) -> None:
    settings.ANXIN_API_TOKEN_DAYS = 1
    api_token_create(user=buyer, name="old")
    gone, _ = api_token_create(user=buyer, name="revoked")
    Api(buyer)._call("delete", f"/auth/tokens/{gone.pk}")
    clock.shift(dt.timedelta(days=1, seconds=1))
    keep, _ = api_token_create(user=buyer, name="new")
    assert deadlines_run()["api_tokens_purged"] == 3  # old, revoked, Api()'s own
    assert list(ApiToken.objects.values_list("pk", flat=True)) == [keep.pk]


def test_signing_out_everywhere_ends_every_session_and_token(buyer) -> None:
    here, there = Client(), Client()
    for c in (here, there):
        assert c.post("/login/", {"username": "zhangwei", "password": PASSWORD}).status_code == 302
    _, token = api_token_create(user=buyer)
    page = here.get("/account/")
    assert page.status_code == 200
    assert "全部设备退出登录" in page.content.decode()
    r = here.post("/account/sign-out-everywhere")
    assert (r.status_code, r["Location"]) == (302, "/login/")
    for c in (here, there):
        assert c.get("/account/")["Location"].startswith("/login/")
    assert Client().get("/api/v1/me", headers=bearer(token)).status_code == 401
    # Signing in again works, and makes a new session.
    assert there.post("/login/", {"username": "zhangwei", "password": PASSWORD}).status_code == 302
    assert there.get("/account/").status_code == 200


def test_the_account_page_revokes_tokens(buyer) -> None:
    c = Client()
    c.force_login(buyer)
    row, token = api_token_create(user=buyer, name="script")
    assert "script" in c.get("/account/").content.decode()
    assert c.post(f"/account/tokens/{row.pk}/revoke").status_code == 302
    assert Client().get("/api/v1/me", headers=bearer(token)).status_code == 401
    _, token = api_token_create(user=buyer, name="another")
    assert c.post("/account/tokens/revoke").status_code == 302
    assert Client().get("/api/v1/me", headers=bearer(token)).status_code == 401


@pytest.mark.parametrize("value", ["thirty", "0", "-3", "9999"])
def test_the_token_lifetime_setting_is_parsed_strictly(value) -> None:
    env = {**os.environ, "ANXIN_API_TOKEN_DAYS": value, "DJANGO_SETTINGS_MODULE": "anxin.settings"}
    r = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert r.returncode != 0
    assert "ANXIN_API_TOKEN_DAYS" in r.stderr
