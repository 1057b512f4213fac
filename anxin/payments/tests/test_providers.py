"""Choosing the payment provider by setting, and the replay store the real ones share."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from anxin.payments.models import NotificationNonce
from anxin.payments.providers import get_provider
from anxin.payments.providers.alipay import AlipayProvider
from anxin.payments.providers.base import NotificationRejected
from anxin.payments.providers.replay import KEEP, nonce_once, prune
from anxin.payments.providers.wechatpay import WeChatPayProvider


@pytest.fixture(autouse=True)
def _fresh_providers() -> Any:
    get_provider.cache_clear()
    yield
    get_provider.cache_clear()


def test_a_real_provider_without_its_merchant_id_is_not_configured(settings: Any) -> None:
    # Given neither WeChat Pay's merchant id nor Alipay's app id set
    settings.ANXIN_WECHATPAY_MCHID = ""
    settings.ANXIN_ALIPAY_APPID = ""
    # When either provider is asked for
    # Then it is not configured (its notification URL answers 404, not 500)
    for name in ("wechatpay", "alipay"):
        with pytest.raises(LookupError):
            get_provider(name)


def test_the_setting_chooses_the_provider(settings: Any) -> None:
    # Given both providers' ids set, and Alipay chosen
    settings.ANXIN_WECHATPAY_MCHID = "1900000109"
    settings.ANXIN_ALIPAY_APPID = "2021000123456789"
    settings.ANXIN_PAYMENT_PROVIDER = "alipay"
    # When the configured provider is asked for, and WeChat Pay by name
    # Then each is its adapter
    assert isinstance(get_provider(), AlipayProvider)
    assert isinstance(get_provider("wechatpay"), WeChatPayProvider)


def test_a_missing_key_file_names_its_variable(settings: Any, tmp_path: Any) -> None:
    # Given WeChat Pay configured with a private key path where there is no file
    settings.ANXIN_WECHATPAY_MCHID = "1900000109"
    settings.ANXIN_WECHATPAY_APPID = "wxd678efh567hg6787"
    settings.ANXIN_WECHATPAY_CERT_SERIAL_NO = "5157F09EFDC096DE15EBE81A47057A7232F1B8E1"
    settings.ANXIN_WECHATPAY_PRIVATE_KEY_PATH = str(tmp_path / "absent.pem")
    settings.ANXIN_WECHATPAY_PUBLIC_KEY_PATH = ""
    settings.ANXIN_WECHATPAY_CERT_DIR = str(tmp_path)
    # When the provider first reads its configuration
    # Then the error names the variable to fix
    with pytest.raises(ImproperlyConfigured, match="ANXIN_WECHATPAY_PRIVATE_KEY_PATH"):
        _ = get_provider("wechatpay").config  # type: ignore[attr-defined]


@pytest.mark.django_db
def test_nonces_are_refused_once_seen_and_forgotten_after_two_days() -> None:
    # Given a nonce seen two days and a minute ago, and one seen now
    now = timezone.now()
    nonce_once("wechatpay", "old", now=now - KEEP - dt.timedelta(minutes=1))
    nonce_once("wechatpay", "new", now=now)
    # When the new one is presented again, for the same provider and for another
    # Then it is a replay for the same provider only
    with pytest.raises(NotificationRejected) as e:
        nonce_once("wechatpay", "new")
    assert e.value.code == "replayed_nonce"
    nonce_once("alipay", "new")
    # When the store is pruned
    # Then only the old nonce is forgotten
    assert prune(now=now) == 1
    assert set(NotificationNonce.objects.values_list("provider", "nonce")) == {
        ("wechatpay", "new"),
        ("alipay", "new"),
    }
