"""Payment providers behind one interface. `get_provider(name)` returns the configured adapter:
the ANXIN_PAYMENT_PROVIDER setting's (sandbox, wechatpay or alipay) unless a name is given (a
notification names its provider in its URL). A real provider reads its keys on first use."""

from __future__ import annotations

from functools import cache

from django.conf import settings

from anxin.payments.providers.base import PaymentProvider


@cache
def get_provider(name: str | None = None) -> PaymentProvider:
    name = name or settings.ANXIN_PAYMENT_PROVIDER
    if name == "sandbox":
        from anxin.payments.providers.sandbox import SandboxProvider

        return SandboxProvider()
    if name == "wechatpay" and settings.ANXIN_WECHATPAY_MCHID:
        from anxin.payments.providers.wechatpay import WeChatPayProvider

        return WeChatPayProvider()
    if name == "alipay" and settings.ANXIN_ALIPAY_APPID:
        from anxin.payments.providers.alipay import AlipayProvider

        return AlipayProvider()
    raise LookupError(f"payment provider {name!r} is not configured")
