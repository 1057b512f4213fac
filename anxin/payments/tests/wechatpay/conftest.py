"""The WeChat Pay adapter's tests' fixtures: the keys (the merchant's, the platform's, the APIv3
key), the adapter, the transport's stand-in put in place of wechatpayv3.core.requests, and Anxin
configured for WeChat Pay from key files."""

from __future__ import annotations

import secrets
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from anxin.payments.providers.wechatpay import WeChatPayProvider
from anxin.payments.tests.wechatpay.helpers import (
    FakeRequests,
    Keys,
    configure,
    wechatpay_config,
)


@pytest.fixture(scope="module")
def keys() -> Keys:
    return Keys(
        merchant=rsa.generate_private_key(public_exponent=65537, key_size=2048),
        platform=rsa.generate_private_key(public_exponent=65537, key_size=2048),
        apiv3=secrets.token_hex(16),  # 32 characters, as WeChat's APIv3 keys
    )


@pytest.fixture
def http(monkeypatch: pytest.MonkeyPatch, keys: Keys) -> FakeRequests:
    import wechatpayv3.core

    fake = FakeRequests(keys.platform)
    monkeypatch.setattr(wechatpayv3.core, "requests", fake)
    return fake


@pytest.fixture
def wx(keys: Keys) -> WeChatPayProvider:
    return WeChatPayProvider(wechatpay_config(keys))


@pytest.fixture
def configured(settings: Any, tmp_path: Any, keys: Keys) -> Any:
    from anxin.payments.providers import get_provider

    configure(settings, tmp_path, keys)
    get_provider.cache_clear()
    yield settings
    get_provider.cache_clear()
