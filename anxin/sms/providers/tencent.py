"""Tencent Cloud SMS (腾讯云短信, API 2021-01-11 SendSms) through Tencent's own SDK
(tencentcloud-sdk-python-sms): it signs each request with TC3-HMAC-SHA256 and speaks to the
API over `requests`, which Anxin already uses, so it adds no other dependency (Alibaba Cloud's
dysmsapi SDK would bring the Darabonba runtime, aiohttp and a credentials chain with it).

Configuration (README, "Phone sign-in"): the SecretId and the SMS application's SdkAppId,
the approved signature and the approved template's id come from settings; the SecretKey is a
FILE whose path a setting gives, read on first use and never stored in the database. The
template has two parameters: {1} the code, {2} its lifetime in minutes, for example
"您的验证码为{1}，{2}分钟内有效。如非本人操作，请忽略本短信。"
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from anxin.sms.providers.base import SmsNotSent

log = logging.getLogger(__name__)

ENDPOINT = "sms.tencentcloudapi.com"


def _need(name: str) -> str:
    value = str(getattr(settings, name))
    if not value:
        raise ImproperlyConfigured(f"{name} is not set (README: Phone sign-in)")
    return value


def _secret_key() -> str:
    path = Path(_need("ANXIN_TENCENT_SMS_SECRET_KEY_PATH"))
    try:
        return path.read_text(encoding="utf-8").strip()
    except OSError as e:
        raise ImproperlyConfigured(
            f"ANXIN_TENCENT_SMS_SECRET_KEY_PATH: cannot read {path}: {e}"
        ) from None


class TencentSmsProvider:
    name = "tencent"

    def __init__(self) -> None:
        from tencentcloud.common import credential
        from tencentcloud.common.profile.client_profile import ClientProfile
        from tencentcloud.common.profile.http_profile import HttpProfile
        from tencentcloud.sms.v20210111 import sms_client

        self.app_id = _need("ANXIN_TENCENT_SMS_APP_ID")
        self.sign_name = _need("ANXIN_TENCENT_SMS_SIGN_NAME")
        self.template_id = _need("ANXIN_TENCENT_SMS_TEMPLATE_ID")
        cred = credential.Credential(_need("ANXIN_TENCENT_SMS_SECRET_ID"), _secret_key())
        http = HttpProfile(endpoint=ENDPOINT, reqTimeout=10)
        self.client: Any = sms_client.SmsClient(
            cred, settings.ANXIN_TENCENT_SMS_REGION, ClientProfile(httpProfile=http)
        )

    def send_code(self, *, number: str, code: str, minutes: int) -> str:
        from tencentcloud.common.exception.tencent_cloud_sdk_exception import (
            TencentCloudSDKException,
        )
        from tencentcloud.sms.v20210111 import models

        req = models.SendSmsRequest()
        req.PhoneNumberSet = ["+86" + number]
        req.SmsSdkAppId = self.app_id
        req.SignName = self.sign_name
        req.TemplateId = self.template_id
        req.TemplateParamSet = [code, str(minutes)]
        try:
            resp = self.client.SendSms(req)
        except TencentCloudSDKException as e:
            # The request failed as a whole: credentials, signature, network, the service.
            log.warning("Tencent SMS refused SendSms: %s %s", e.code, e.message)
            raise SmsNotSent(e.code or "error", e.message or "") from None
        statuses = resp.SendStatusSet or []
        if not statuses:
            raise SmsNotSent("NoStatus", "SendSms answered with no status for the number")
        status = statuses[0]
        if status.Code != "Ok":
            # The request was fine but this number was refused: a carrier or frequency limit,
            # a number on a blocklist, an unapproved template.
            log.warning("Tencent SMS did not send to a number: %s %s", status.Code, status.Message)
            raise SmsNotSent(status.Code or "error", status.Message or "")
        return str(status.SerialNo)
