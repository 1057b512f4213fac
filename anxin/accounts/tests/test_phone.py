"""Signing up and in with a mobile number and a texted code: the code's life (expiry, single
use, wrong tries), the sending limits per number and per address, the same answer whether a
number has an account or not; on the page and through the API."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client

from anxin.accounts import phone
from anxin.accounts.models import PhoneCode, Role, User
from anxin.accounts.throttle import TooManyAttempts
from anxin.core.errors import Forbidden, ValidationFailed
from anxin.sms.models import SandboxSms

pytestmark = pytest.mark.django_db

NUMBER = "13912345678"


def last_code(number: str = NUMBER) -> str:
    """The code the sandbox 'texted' last to the number, as its phone shows it."""
    return SandboxSms.objects.filter(number=number).latest("sent_at", "pk").code


def send(number: str = NUMBER, address: str = "10.2.0.1") -> phone.CodeSent:
    return phone.code_send(phone=number, address=address)


# --- numbers ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        "13912345678",
        "+86 139 1234 5678",
        "0086-139-1234-5678",
        "86 13912345678",
        "１３９１２３４５６７８",
    ],
)
def test_a_mainland_mobile_number_is_read_however_it_is_typed(typed: str) -> None:
    # Given a number as a person might type it (spaces, dashes, +86, full-width digits)
    # When it is normalised
    # Then it is the 11 digits
    assert phone.normalise_number(typed) == NUMBER


@pytest.mark.parametrize(
    "typed", ["", "1391234567", "139123456789", "+1 415 555 0100", "0571-88886666", "12012345678"]
)
def test_other_numbers_are_refused_with_a_clear_message(typed: str) -> None:
    # Given a number that is not a mainland mobile (short, long, foreign, a landline, 12x)
    # When a code is asked for it
    with pytest.raises(ValidationFailed) as e:
        send(typed)
    # Then it is refused as not a mainland mobile number, and nothing is sent
    assert e.value.code == "phone_invalid"
    assert "mainland China mobile number" in str(e.value.detail)
    assert not SandboxSms.objects.exists()


# --- the code ---------------------------------------------------------------------------------


def test_a_code_is_six_digits_kept_only_as_a_keyed_hash(clock) -> None:
    # Given a number
    # When a code is sent to it
    sent = send()
    code = last_code()
    # Then it is six digits, expiring in five minutes, and the database holds no copy of it
    assert len(code) == 6
    assert code.isdigit()
    assert sent.expires_in == 300
    row = PhoneCode.objects.get()
    assert code not in row.digest
    assert len(row.digest) == 64
    assert row.digest == phone._digest(NUMBER, code)


def test_a_code_expires(clock) -> None:
    # Given a code sent five minutes ago
    send()
    code = last_code()
    clock.shift(dt.timedelta(minutes=5, seconds=1))
    # When it is entered
    with pytest.raises(ValidationFailed) as e:
        phone.phone_sign_in(phone=NUMBER, code=code)
    # Then it is refused as wrong or expired, and no account is made
    assert e.value.code == "code_wrong"
    assert not User.objects.filter(phone=NUMBER).exists()


def test_a_code_works_once(clock) -> None:
    # Given a code that has signed a new buyer up
    send()
    code = last_code()
    _user, created = phone.phone_sign_in(phone=NUMBER, code=code)
    assert created
    # When the same code is entered again
    with pytest.raises(ValidationFailed) as e:
        phone.phone_sign_in(phone=NUMBER, code=code)
    # Then it is refused
    assert e.value.code == "code_wrong"


def test_wrong_tries_burn_the_code(clock) -> None:
    # Given a code sent to a number
    send()
    code = last_code()
    wrong = "000000" if code != "000000" else "111111"
    # When five wrong codes are entered
    for _ in range(5):
        with pytest.raises(ValidationFailed):
            phone.code_check(phone=NUMBER, code=wrong)
    # Then the right code no longer works: it was burnt
    with pytest.raises(ValidationFailed):
        phone.code_check(phone=NUMBER, code=code)
    assert PhoneCode.objects.get().spent_at is not None


def test_four_wrong_tries_leave_the_code_working(clock) -> None:
    # Given four wrong codes entered
    send()
    code = last_code()
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(4):
        with pytest.raises(ValidationFailed):
            phone.code_check(phone=NUMBER, code=wrong)
    # When the right one is entered
    # Then it works
    assert phone.code_check(phone=NUMBER, code=code) == NUMBER


def test_a_new_code_replaces_the_one_before(clock) -> None:
    # Given a code, and a minute later a second one
    send()
    first = last_code()
    clock.shift(dt.timedelta(seconds=61))
    send()
    second = last_code()
    # When the first is entered
    # Then it no longer works, and the second does
    if first != second:
        with pytest.raises(ValidationFailed):
            phone.code_check(phone=NUMBER, code=first)
    assert phone.code_check(phone=NUMBER, code=second) == NUMBER


# --- sending limits ---------------------------------------------------------------------------


def test_one_code_a_minute_five_an_hour_and_ten_a_day_per_number(clock) -> None:
    # Given a code just sent to a number
    send(address="10.2.0.1")
    # When another is asked for within the minute, even from another address
    with pytest.raises(TooManyAttempts) as e:
        send(address="10.2.0.2")
    # Then it is refused, naming the wait
    assert e.value.code == "too_many_codes"
    assert e.value.retry_after == 60
    # When codes are asked for a minute apart
    for _ in range(4):
        clock.shift(dt.timedelta(seconds=61))
        send(address="10.2.0.3")
    clock.shift(dt.timedelta(seconds=61))
    # Then the sixth in the hour is refused until the first is an hour old
    with pytest.raises(TooManyAttempts) as e:
        send(address="10.2.0.4")
    assert e.value.retry_after == 3600 - 5 * 61
    # And over a day, ten pass and the eleventh is refused
    for _ in range(5):
        clock.shift(dt.timedelta(hours=1))
        send(address="10.2.0.5")
    clock.shift(dt.timedelta(hours=1))
    with pytest.raises(TooManyAttempts) as e:
        send(address="10.2.0.6")
    assert 0 < e.value.retry_after <= 24 * 3600
    assert SandboxSms.objects.count() == 10


def test_codes_are_limited_per_address_across_numbers(clock, settings) -> None:
    # Given an address allowed three codes an hour, that asked for three numbers
    settings.ANXIN_SMS_PER_ADDRESS_HOUR = 3
    for n in ("13900000001", "13900000002", "13900000003"):
        send(n, address="10.3.0.1")
    # When it asks for a fourth number
    with pytest.raises(TooManyAttempts) as e:
        send("13900000004", address="10.3.0.1")
    # Then it is refused, naming the wait, while another address may still ask
    assert e.value.retry_after == 3600
    assert "from this address" in str(e.value.detail)
    send("13900000004", address="10.3.0.2")


def test_the_answer_is_the_same_whether_or_not_the_number_has_an_account(clock) -> None:
    # Given a number with an account and one without
    User.objects.create(username="has-phone", role=Role.BUYER, phone="13900000011")
    # When a code is asked for each
    known = send("13900000011")
    unknown = send("13900000012")
    # Then both are texted a code, with the same answer
    assert (known.expires_in, known.resend_after) == (unknown.expires_in, unknown.resend_after)
    assert SandboxSms.objects.count() == 2
    # And the limits are the same for both
    for n in ("13900000011", "13900000012"):
        with pytest.raises(TooManyAttempts) as e:
            send(n)
        assert e.value.retry_after == 60


# --- signing up and in ------------------------------------------------------------------------


def test_the_code_signs_a_new_number_up_as_a_buyer_and_then_signs_it_in(clock) -> None:
    # Given a number with no account, and its code
    send()
    # When the code is entered
    user, created = phone.phone_sign_in(phone="+86 139 1234 5678", code=last_code())
    # Then a buyer account is made with the number, with no password
    assert created
    assert user.role == Role.BUYER
    assert user.phone == NUMBER
    assert not user.has_usable_password()
    # When the number signs in again with a new code
    clock.shift(dt.timedelta(minutes=2))
    send()
    again, created_again = phone.phone_sign_in(phone=NUMBER, code=last_code())
    # Then it is the same account
    assert again.pk == user.pk
    assert not created_again
    assert User.objects.filter(phone=NUMBER).count() == 1


def test_staff_never_sign_in_by_code(clock, operator) -> None:
    # Given an operator whose account has a number
    User.objects.filter(pk=operator.pk).update(phone=NUMBER)
    send()
    # When the number's code is entered
    with pytest.raises(Forbidden) as e:
        phone.phone_sign_in(phone=NUMBER, code=last_code())
    # Then it is refused: staff sign in with their password and second factor
    assert e.value.code == "phone_staff"


def test_a_code_the_provider_could_not_send_is_burnt_and_said(clock, monkeypatch) -> None:
    # Given an SMS provider that refuses the message
    from anxin.sms.providers import SmsNotSent
    from anxin.sms.providers.sandbox import SandboxSmsProvider

    def refuse(self, **kw):
        raise SmsNotSent("LimitExceeded.PhoneNumberDailyLimit", "daily limit")

    monkeypatch.setattr(SandboxSmsProvider, "send_code", refuse)
    # When a code is asked for
    with pytest.raises(phone.SmsUnavailable) as e:
        send()
    # Then the asker is told it could not be sent (503), and the code cannot be used
    assert e.value.status == 503
    assert PhoneCode.objects.get().spent_at is not None


def test_old_codes_are_purged_after_a_day(clock) -> None:
    # Given a code sent a day and a minute ago
    from anxin.accounts.services import accounts_purge

    send()
    clock.shift(dt.timedelta(days=1, minutes=1))
    # When the daily purge runs
    accounts_purge()
    # Then the code is gone, and so is the sandbox's copy of the text
    assert not PhoneCode.objects.exists()
    assert not SandboxSms.objects.exists()


# --- the page ---------------------------------------------------------------------------------


def page(lang: str = "zh-hans", address: str = "10.4.0.1") -> Client:
    return Client(REMOTE_ADDR=address, headers={"accept-language": lang})


def test_the_page_signs_a_new_buyer_up_by_number_and_code(clock) -> None:
    c = page()
    # Given the phone sign-in page, in Chinese
    r = c.get("/login/phone")
    html = r.content.decode()
    assert r.status_code == 200
    assert 'type="tel"' in html
    assert 'inputmode="tel"' in html
    # When the number is sent
    r = c.post("/login/phone", {"action": "send", "phone": "139 1234 5678"})
    html = r.content.decode()
    # Then the page says the code is on its way, and asks for it
    assert r.status_code == 200
    assert "6 位验证码已通过短信发送至 139 1234 5678" in html
    assert 'autocomplete="one-time-code"' in html
    assert 'inputmode="numeric"' in html
    # When the code is entered
    r = c.post("/login/phone", {"action": "verify", "phone": NUMBER, "code": last_code()})
    # Then a buyer is signed up and in, and welcomed
    assert r.status_code == 302
    user = User.objects.get(phone=NUMBER)
    assert c.session["_auth_user_id"] == str(user.pk)
    assert "欢迎使用安心" in c.get(r.url, follow=True).content.decode()


def test_the_page_refuses_a_wrong_code_and_a_foreign_number_in_the_readers_language(
    clock,
) -> None:
    c = page(lang="en")
    # Given the English page
    # When a foreign number is typed
    r = c.post("/login/phone", {"action": "send", "phone": "+1 415 555 0100"})
    # Then it is refused in English
    assert r.status_code == 422
    assert "Enter a mainland China mobile number" in r.content.decode()
    # Given a code sent, when a wrong code is entered
    c.post("/login/phone", {"action": "send", "phone": NUMBER})
    wrong = "000000" if last_code() != "000000" else "111111"
    r = c.post("/login/phone", {"action": "verify", "phone": NUMBER, "code": wrong})
    # Then it is refused, and the code form is shown again
    assert r.status_code == 422
    assert "This code is wrong or has expired" in r.content.decode()
    assert 'name="code"' in r.content.decode()
    assert "_auth_user_id" not in c.session


def test_the_page_names_the_wait_when_codes_are_asked_too_often(clock) -> None:
    # Given a code just sent from the Chinese page
    c = page()
    c.post("/login/phone", {"action": "send", "phone": NUMBER})
    clock.shift(dt.timedelta(seconds=15))
    # When another is asked for at once
    r = c.post("/login/phone", {"action": "send", "phone": NUMBER})
    # Then it is refused with the wait in seconds, in Chinese
    assert r.status_code == 429
    assert "获取验证码过于频繁，请 45 秒后再试。" in r.content.decode()


def test_the_sign_in_page_links_the_sandbox_codes_only_when_the_sandbox_shows_them(
    settings,
) -> None:
    # Given the sandbox as the provider, with its page on
    settings.ANXIN_SMS_PROVIDER = "sandbox"
    settings.ANXIN_SMS_SANDBOX_PAGE = True
    # When the sign-in page is opened
    # Then the sign-in page links to the codes page, which answers
    assert "/sandbox/sms" in page().get("/login/").content.decode()
    assert page().get("/sandbox/sms").status_code == 200
    # Given the page off (a site behind TLS)
    settings.ANXIN_SMS_SANDBOX_PAGE = False
    # When the sign-in page and the codes page are opened
    # Then there is no link, and the page is not there
    assert "/sandbox/sms" not in page().get("/login/").content.decode()
    assert page().get("/sandbox/sms").status_code == 404


def test_the_sandbox_page_lists_the_codes_it_sent(clock) -> None:
    # Given a code sent to a number
    send()
    # When the demo's codes page is opened
    html = page(lang="en").get("/sandbox/sms").content.decode()
    # Then it shows the number and the code the phone would have received
    assert NUMBER in html
    assert last_code() in html
    assert "Codes the sandbox has sent" in html


# --- the API ----------------------------------------------------------------------------------


def api_post(path: str, body: dict, address: str = "10.5.0.1"):
    return Client(REMOTE_ADDR=address).post(
        f"/api/v1{path}", json.dumps(body), content_type="application/json"
    )


def test_the_api_signs_a_new_buyer_up_by_code_and_gives_a_token(clock) -> None:
    # Given a code asked for through the API
    r = api_post("/auth/phone/code", {"phone": "+8613912345678"})
    assert r.status_code == 202
    assert r.json()["expires_in"] == 300
    assert r.json()["resend_after"] == 60
    # When the code is exchanged for a token
    r = api_post("/auth/phone/token", {"phone": NUMBER, "code": last_code()})
    # Then the token is for a new buyer account, and works
    assert r.status_code == 201
    assert r.json()["new_account"] is True
    me = Client().get("/api/v1/me", headers={"Authorization": f"Bearer {r.json()['token']}"})
    assert me.json()["role"] == "buyer"


def test_the_api_refuses_as_problem_json(clock) -> None:
    # Given a code asked for
    api_post("/auth/phone/code", {"phone": NUMBER})
    # When another is asked for at once
    r = api_post("/auth/phone/code", {"phone": NUMBER})
    # Then it is a problem+json 429 naming the wait
    assert r.status_code == 429
    assert r["Content-Type"].startswith("application/problem+json")
    assert r.json()["code"] == "too_many_codes"
    assert r.json()["retry_after"] == 60
    # When a wrong code is given
    wrong = "000000" if last_code() != "000000" else "111111"
    r = api_post("/auth/phone/token", {"phone": NUMBER, "code": wrong})
    # Then it is a 422 code_wrong
    assert r.status_code == 422
    assert r.json()["code"] == "code_wrong"
    # When a landline is given
    r = api_post("/auth/phone/code", {"phone": "0571-88886666"})
    assert r.status_code == 422
    assert r.json()["code"] == "phone_invalid"
