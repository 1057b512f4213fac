"""The Tencent Cloud SMS adapter, with no network: requests' transport (HTTPAdapter.send, the
lowest layer the SDK reaches) is stood in for, and answers with the shapes of the examples in
Tencent's SendSms documentation (API 2021-01-11). Each request is checked as Tencent checks
it: the action, version and region headers, the body, and the TC3-HMAC-SHA256 signature
recomputed with the secret key."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from dataclasses import dataclass, field
from typing import Any

import pytest
import requests
from django.core.exceptions import ImproperlyConfigured

from anxin.accounts import phone
from anxin.accounts.models import PhoneCode
from anxin.sms.models import SandboxSms
from anxin.sms.providers import SmsNotSent, _provider, get_provider

pytestmark = pytest.mark.django_db

SECRET_ID = "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE"
SECRET_KEY = "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE"
APP_ID = "1400787878"
SIGN = "安心平台"
TEMPLATE = "449739"

# The documented answer to a code sent to one number ("示例1 发送短信验证码").
SENT = {
    "Response": {
        "SendStatusSet": [
            {
                "SerialNo": "5000:1045710669157053657849499619",
                "PhoneNumber": "+8613912345678",
                "Fee": 1,
                "SessionContext": "",
                "Code": "Ok",
                "Message": "send success",
                "IsoCode": "CN",
            }
        ],
        "RequestId": "a0aabda6-cf91-4f3e-a81f-9198114a2279",
    }
}
# The documented answer when this number was refused (its daily limit at the carrier).
NUMBER_REFUSED = {
    "Response": {
        "SendStatusSet": [
            {
                "SerialNo": "",
                "PhoneNumber": "+8613912345678",
                "Fee": 0,
                "SessionContext": "",
                "Code": "LimitExceeded.PhoneNumberDailyLimit",
                "Message": "the number of SMS messages sent from a single mobile number every "
                "day exceeds the upper limit",
                "IsoCode": "CN",
            }
        ],
        "RequestId": "b0c4b5e3-1a2b-4c5d-9e8f-7a6b5c4d3e2f",
    }
}
# The documented common error answer (a request signed with the wrong key).
AUTH_FAILED = {
    "Response": {
        "Error": {
            "Code": "AuthFailure.SignatureFailure",
            "Message": "The provided credentials could not be validated. Please check your "
            "signature is correct.",
        },
        "RequestId": "ed93f3cb-f35e-473f-b9f3-0d451b8b79c6",
    }
}


@dataclass
class FakeTencent:
    """Stands in for requests' HTTP transport: records each request, answers from a queue."""

    answers: list[Any] = field(default_factory=list)
    requests: list[requests.PreparedRequest] = field(default_factory=list)

    def send(self, adapter: Any, request: requests.PreparedRequest, **kwargs: Any):
        self.requests.append(request)
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        resp = requests.Response()
        resp.status_code = 200
        resp._content = json.dumps(answer).encode()
        resp.headers["Content-Type"] = "application/json"
        resp.url = request.url or ""
        resp.request = request
        return resp


@pytest.fixture
def tencent(settings, tmp_path, monkeypatch) -> FakeTencent:
    key = tmp_path / "tencent-sms-secret-key"
    key.write_text(SECRET_KEY + "\n")
    settings.ANXIN_SMS_PROVIDER = "tencent"
    settings.ANXIN_TENCENT_SMS_SECRET_ID = SECRET_ID
    settings.ANXIN_TENCENT_SMS_SECRET_KEY_PATH = str(key)
    settings.ANXIN_TENCENT_SMS_APP_ID = APP_ID
    settings.ANXIN_TENCENT_SMS_SIGN_NAME = SIGN
    settings.ANXIN_TENCENT_SMS_TEMPLATE_ID = TEMPLATE
    _provider.cache_clear()
    fake = FakeTencent()
    monkeypatch.setattr(
        requests.adapters.HTTPAdapter, "send", lambda a, r, **kw: fake.send(a, r, **kw)
    )
    yield fake
    _provider.cache_clear()


def tc3_signature_verifies(request: requests.PreparedRequest) -> bool:
    """Tencent's check of a request: TC3-HMAC-SHA256 over the canonical request, with the
    key derived from the secret key, the date and the service."""
    auth = request.headers["Authorization"]
    m = re.fullmatch(
        r"TC3-HMAC-SHA256 Credential=([^/]+)/(\d{4}-\d\d-\d\d)/(\w+)/tc3_request, "
        r"SignedHeaders=content-type;host, Signature=([0-9a-f]{64})",
        auth,
    )
    assert m, auth
    secret_id, date, service, signature = m.groups()
    body = request.body if isinstance(request.body, bytes) else str(request.body).encode()
    canonical = "\n".join(
        [
            "POST",
            "/",
            "",
            f"content-type:{request.headers['Content-Type']}\nhost:{request.headers['Host']}\n",
            "content-type;host",
            hashlib.sha256(body).hexdigest(),
        ]
    )
    to_sign = "\n".join(
        [
            "TC3-HMAC-SHA256",
            request.headers["X-TC-Timestamp"],
            f"{date}/{service}/tc3_request",
            hashlib.sha256(canonical.encode()).hexdigest(),
        ]
    )

    def h(key: bytes, msg: str) -> bytes:
        return hmac.new(key, msg.encode(), hashlib.sha256).digest()

    k = h(h(h(("TC3" + SECRET_KEY).encode(), date), service), "tc3_request")
    expected = hmac.new(k, to_sign.encode(), hashlib.sha256).hexdigest()
    return secret_id == SECRET_ID and service == "sms" and hmac.compare_digest(expected, signature)


def test_a_code_is_sent_through_tencent_sendsms_signed_with_the_secret_key(tencent) -> None:
    # Given Tencent Cloud SMS as the provider, answering as its documentation shows
    tencent.answers.append(SENT)
    # When a code is asked for a number
    phone.code_send(phone="139 1234 5678", address="10.9.0.1")
    # Then one SendSms request went to Tencent's endpoint, API 2021-01-11, in the region
    assert len(tencent.requests) == 1
    req = tencent.requests[0]
    assert req.method == "POST"
    assert req.url == "https://sms.tencentcloudapi.com/"
    assert req.headers["X-TC-Action"] == "SendSms"
    assert req.headers["X-TC-Version"] == "2021-01-11"
    assert req.headers["X-TC-Region"] == "ap-guangzhou"
    # And it carries the number (+86), the application, signature and template, and the code
    # with its minutes as the template's two parameters
    body = json.loads(req.body)
    code = body["TemplateParamSet"][0]
    assert body == {
        "PhoneNumberSet": ["+8613912345678"],
        "SmsSdkAppId": APP_ID,
        "SignName": SIGN,
        "TemplateId": TEMPLATE,
        "TemplateParamSet": [code, "5"],
    }
    assert re.fullmatch(r"[0-9]{6}", code)
    # And it is signed as Tencent checks (TC3-HMAC-SHA256 with the secret key)
    assert tc3_signature_verifies(req)
    # And the code it carried is the one that works; nothing went to the sandbox
    assert phone.code_check(phone="13912345678", code=code) == "13912345678"
    assert not SandboxSms.objects.exists()


def test_the_message_id_is_tencents_serial_number(tencent) -> None:
    # Given a send Tencent accepts
    tencent.answers.append(SENT)
    # When the adapter sends a code
    message_id = get_provider().send_code(number="13912345678", code="123456", minutes=5)
    # Then it returns Tencent's serial number for the message
    assert message_id == "5000:1045710669157053657849499619"


@pytest.mark.parametrize(
    ("answer", "code"),
    [
        (NUMBER_REFUSED, "LimitExceeded.PhoneNumberDailyLimit"),
        (AUTH_FAILED, "AuthFailure.SignatureFailure"),
        (requests.ConnectionError("connection refused"), "ClientNetworkError"),
    ],
)
def test_a_refusal_or_an_unreachable_service_is_not_sent(tencent, answer, code) -> None:
    # Given Tencent refusing the number, refusing the request, or out of reach
    tencent.answers.append(answer)
    # When the adapter sends a code
    with pytest.raises(SmsNotSent) as e:
        get_provider().send_code(number="13912345678", code="123456", minutes=5)
    # Then it says it was not sent, with Tencent's reason
    assert e.value.code == code


def test_the_person_is_told_to_try_later_and_the_code_is_burnt(tencent) -> None:
    # Given Tencent refusing the number
    tencent.answers.append(NUMBER_REFUSED)
    # When a code is asked for it
    with pytest.raises(phone.SmsUnavailable):
        phone.code_send(phone="13912345678", address="10.9.0.2")
    # Then the code cannot be used
    assert PhoneCode.objects.get().spent_at is not None


def test_a_missing_setting_is_named(tencent, settings) -> None:
    # Given Tencent as the provider without its template
    settings.ANXIN_TENCENT_SMS_TEMPLATE_ID = ""
    _provider.cache_clear()
    # When the provider is first used
    with pytest.raises(ImproperlyConfigured) as e:
        get_provider()
    # Then the error names the setting
    assert "ANXIN_TENCENT_SMS_TEMPLATE_ID" in str(e.value)


def test_an_unreadable_secret_key_file_is_named(tencent, settings, tmp_path) -> None:
    # Given a secret key path that does not exist
    settings.ANXIN_TENCENT_SMS_SECRET_KEY_PATH = str(tmp_path / "missing")
    _provider.cache_clear()
    # When the provider is first used
    with pytest.raises(ImproperlyConfigured) as e:
        get_provider()
    # Then the error names the setting
    assert "ANXIN_TENCENT_SMS_SECRET_KEY_PATH" in str(e.value)
