"""Operators and regulators sign in with a password AND a code of their authenticator app (or
a backup code): a staff member with no app enrols one before reaching any page; the password
alone signs no one in, on the pages or through the API."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.core.management import call_command
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from anxin.conftest import PASSWORD, _client_login

pytestmark = pytest.mark.django_db


def app_code(device: TOTPDevice) -> str:
    """What the authenticator app shows now."""
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():06d}"


def password_step(username: str, *, lang: str = "en") -> Client:
    c = Client(REMOTE_ADDR="10.7.0.1", headers={"accept-language": lang})
    r = c.post("/login/", {"username": username, "password": PASSWORD, "next": "/desk/"})
    assert r.status_code == 302
    return c


def signed_in(c: Client) -> bool:
    return c.get("/desk/").status_code == 200


def test_an_operator_without_an_app_enrols_one_before_any_page(clock, operator) -> None:
    # Given an operator with no authenticator app, who gives the right password
    c = password_step("operator")
    # Then she is not signed in: she is sent to set up an app
    assert c.get("/login/verify").url == "/login/enrol"
    assert not signed_in(c)
    r = c.get("/login/enrol")
    html = r.content.decode()
    assert r.status_code == 200
    assert 'src="data:image/svg+xml' in html
    assert 'autocomplete="one-time-code"' in html
    device = TOTPDevice.objects.get(user=operator, confirmed=False)
    # When she enters a wrong code
    r = c.post("/login/enrol", {"code": "000000" if app_code(device) != "000000" else "111111"})
    # Then the app is not confirmed and she is still not signed in
    assert r.status_code == 400
    assert not signed_in(c)
    # When she enters the code the app shows (django-otp makes the next try wait a moment)
    clock.shift(dt.timedelta(seconds=2))
    r = c.post("/login/enrol", {"code": app_code(device)})
    # Then the app is confirmed, ten backup codes are shown once, and she reaches the desk
    assert r.status_code == 200
    codes = re.findall(r"<li>([a-z2-7]{8})</li>", r.content.decode())
    assert len(codes) == 10
    device.refresh_from_db()
    assert device.confirmed
    assert signed_in(c)


def test_an_enrolled_operator_gives_the_apps_code_after_the_password(clock, operator) -> None:
    # Given an operator with a confirmed app
    device = TOTPDevice.objects.create(user=operator, name="authenticator", confirmed=True)
    c = password_step("operator")
    # Then the password alone signs her in nowhere
    assert not signed_in(c)
    assert c.get("/api/v1/me").status_code == 401
    # When she enters a wrong code
    r = c.post("/login/verify", {"code": "000000" if app_code(device) != "000000" else "111111"})
    assert r.status_code == 400
    assert "This code is wrong or already used" in r.content.decode()
    # When she enters the app's code (django-otp makes the next try wait a moment)
    clock.shift(dt.timedelta(seconds=1))
    code = app_code(device)
    clock.shift(dt.timedelta(seconds=2))
    r = c.post("/login/verify", {"code": code})
    # Then she is signed in, and lands where she was going
    assert r.status_code == 302
    assert r.url == "/desk/"
    assert signed_in(c)
    # When someone else replays the same code with her password
    other = password_step("operator")
    r = other.post("/login/verify", {"code": code})
    # Then it is refused: a code works once
    assert r.status_code == 400
    assert not signed_in(other)


def test_a_backup_code_signs_in_once(clock, operator) -> None:
    # Given an operator with an app and backup codes
    from anxin.accounts import twofactor

    TOTPDevice.objects.create(user=operator, name="authenticator", confirmed=True)
    backup = twofactor.backup_codes_renew(operator)[0]
    # When she signs in with a backup code
    c = password_step("operator")
    assert c.post("/login/verify", {"code": backup.upper()}).status_code == 302
    # Then she is in, and the code is used up
    assert signed_in(c)
    assert twofactor.backup_codes_left(operator) == 9
    again = password_step("operator")
    clock.shift(dt.timedelta(seconds=5))
    assert again.post("/login/verify", {"code": backup}).status_code == 400


def test_backup_codes_are_kept_only_as_keyed_digests(clock, operator) -> None:
    # Given an operator with an app and new backup codes
    from django_otp.plugins.otp_static.models import StaticToken

    from anxin.accounts import twofactor

    TOTPDevice.objects.create(user=operator, name="authenticator", confirmed=True)
    codes = twofactor.backup_codes_renew(operator)
    # Then the database holds none of the codes, only a 16-character digest of each
    stored = set(StaticToken.objects.filter(device__user=operator).values_list("token", flat=True))
    assert len(stored) == 10
    assert not stored & set(codes)
    assert all(len(t) == 16 for t in stored)
    # When someone with a copy of the database tries a stored value as a code
    c = password_step("operator")
    r = c.post("/login/verify", {"code": sorted(stored)[0]})
    # Then it does not sign in, and nothing is used up
    assert r.status_code == 400
    assert not signed_in(c)
    assert twofactor.backup_codes_left(operator) == 10
    # And a code itself still does, once
    clock.shift(dt.timedelta(seconds=5))
    c = password_step("operator")
    assert c.post("/login/verify", {"code": codes[3]}).status_code == 302
    assert twofactor.backup_codes_left(operator) == 9


@pytest.mark.django_db(transaction=True)
def test_the_migration_turns_codes_kept_in_plain_text_into_digests(operator) -> None:
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

    from anxin.accounts import twofactor

    # Given the database before the digests, and backup codes kept as django-otp keeps them
    executor = MigrationExecutor(connection)
    executor.migrate([("accounts", "0006_seller_address_region")])
    device = StaticDevice.objects.create(user=operator, name="backup", confirmed=True)
    plain = [StaticToken.random_token() for _ in range(3)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=t) for t in plain])
    # When the migration runs
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    # Then no code is left in plain text, and each still signs in once
    stored = set(StaticToken.objects.filter(device=device).values_list("token", flat=True))
    assert stored == {twofactor.backup_digest(t) for t in plain}
    TOTPDevice.objects.create(user=operator, name="authenticator", confirmed=True)
    assert twofactor.verify(operator, plain[0]) is not None
    assert twofactor.verify(operator, plain[0]) is None


def test_the_password_step_expires(clock, staff) -> None:
    # Given a regulator who gave her password eleven minutes ago
    regulator = staff["regulator"]
    device = TOTPDevice.objects.create(user=regulator, name="authenticator", confirmed=True)
    c = password_step(regulator.username)
    clock.shift(dt.timedelta(minutes=11))
    # When she enters the app's code
    r = c.post("/login/verify", {"code": app_code(device)})
    # Then she is sent back to the password
    assert r.status_code == 302
    assert r.url == "/login/"
    assert not signed_in(c)


def test_a_staff_session_without_its_second_factor_is_no_session(operator) -> None:
    # Given an operator session made with the password only (before two-step sign-in)
    c = Client()
    _client_login(c, operator, "django.contrib.auth.backends.ModelBackend")
    # When it opens a desk page, or the API
    r = c.get("/desk/")
    # Then it is sent to sign in, and the API does not know it
    assert r.status_code == 302
    assert r.url.startswith("/login/")
    assert c.get("/api/v1/me").status_code == 401


def test_other_roles_sign_in_with_the_password_alone(buyer, staff) -> None:
    # Given a buyer and a mediator (roles without a second factor)
    for username in ("zhangwei", staff["mediator"].username):
        c = Client()
        # When they give their password
        r = c.post("/login/", {"username": username, "password": PASSWORD})
        # Then they are signed in at once
        assert r.status_code == 302
        assert r.url == "/"
        assert "_auth_user_id" in c.session


def token(body: dict):
    return Client(REMOTE_ADDR="10.8.0.1").post(
        "/api/v1/auth/token", json.dumps(body), content_type="application/json"
    )


def test_the_api_asks_operators_for_the_apps_code(clock, operator) -> None:
    # Given an operator with a confirmed app
    device = TOTPDevice.objects.create(user=operator, name="authenticator", confirmed=True)
    # When she asks for a token with the password alone
    r = token({"username": "operator", "password": PASSWORD})
    # Then it is refused as problem+json, saying a second factor is needed
    assert r.status_code == 401
    assert r.json()["code"] == "second_factor_required"
    # When the code is wrong
    r = token({"username": "operator", "password": PASSWORD, "otp": "12345"})
    assert r.status_code == 401
    assert r.json()["code"] == "second_factor_wrong"
    # When it is the app's code
    clock.shift(dt.timedelta(seconds=3))
    r = token({"username": "operator", "password": PASSWORD, "otp": app_code(device)})
    # Then she has a token
    assert r.status_code == 201


def test_new_backup_codes_replace_the_old(operator) -> None:
    # Given an operator signed in with both factors, with backup codes
    from anxin.accounts import twofactor

    old = twofactor.backup_codes_renew(operator)
    c = Client()
    c.force_login(operator)
    # When she makes new ones from her account page
    page = c.get("/account/").content.decode()
    assert "/account/backup-codes" in page
    r = c.post("/account/backup-codes")
    # Then ten new codes are shown, and the old ones stop working
    new = re.findall(r"<li>([a-z2-7]{8})</li>", r.content.decode())
    assert len(new) == 10
    assert not set(old) & set(new)
    assert twofactor.verify(operator, old[0]) is None


def test_the_demo_enrols_its_staff_and_prints_their_codes(operator, capsys) -> None:
    # Given the demo's operator
    from anxin.ops.management.commands.demo import enrol_demo_staff

    # When the demo enrols its staff, and prints the operator's current code
    enrol_demo_staff()
    call_command("demo", code="operator")
    printed = capsys.readouterr().out.strip()
    # Then the printed code is the one the operator's app gives now
    device = TOTPDevice.objects.get(user=operator, name="demo app")
    assert printed == app_code(device)
    # And --logins names the key of the app
    call_command("demo", logins=True)
    assert "anxin demo --code" in capsys.readouterr().out


def test_the_account_page_warns_when_no_backup_code_is_left(operator) -> None:
    # Given an operator signed in with both factors, with no backup codes
    c = Client(headers={"accept-language": "en"})
    c.force_login(operator)
    # When she opens her account page
    page = c.get("/account/").content.decode()
    # Then it warns her to make some
    assert "You have no backup codes left." in page
