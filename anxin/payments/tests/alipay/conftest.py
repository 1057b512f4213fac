"""The Alipay adapter's tests' fixtures: the keys (the app's and Alipay's), the adapter, and the
gateway's stand-in put in place of alipay.urlopen."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from anxin.payments.providers.alipay import AlipayConfig, AlipayProvider
from anxin.payments.tests.alipay.helpers import (
    APPID,
    NOTIFY,
    RETURN,
    FakeGateway,
    Keys,
)
from anxin.payments.tests.pem import private_pem, public_pem


@pytest.fixture(scope="module")
def keys() -> Keys:
    return Keys(
        app=rsa.generate_private_key(public_exponent=65537, key_size=2048),
        alipay=rsa.generate_private_key(public_exponent=65537, key_size=2048),
    )


@pytest.fixture
def ali(keys: Keys) -> AlipayProvider:
    return AlipayProvider(
        AlipayConfig(
            appid=APPID,
            app_private_key=private_pem(keys.app),
            alipay_public_key=public_pem(keys.alipay),
            notify_url=NOTIFY,
            return_url=RETURN,
        )
    )


@pytest.fixture
def gateway(monkeypatch: pytest.MonkeyPatch, keys: Keys) -> FakeGateway:
    import alipay

    fake = FakeGateway(keys.alipay)
    monkeypatch.setattr(alipay, "urlopen", fake)
    return fake
