"""SMS providers behind one interface. `get_provider()` returns the adapter the ANXIN_SMS_PROVIDER
setting names: `sandbox` (sends nothing; the demo shows the codes) or `tencent` (Tencent Cloud
SMS). A real provider reads its secret on first use."""

from __future__ import annotations

from functools import cache

from django.conf import settings

from anxin.sms.providers.base import SmsNotSent, SmsProvider

__all__ = ["SmsNotSent", "SmsProvider", "get_provider", "sandbox_active"]


@cache
def _provider(name: str) -> SmsProvider:
    if name == "sandbox":
        from anxin.sms.providers.sandbox import SandboxSmsProvider

        return SandboxSmsProvider()
    if name == "tencent":
        from anxin.sms.providers.tencent import TencentSmsProvider

        return TencentSmsProvider()
    raise LookupError(f"SMS provider {name!r} is not configured")


def get_provider() -> SmsProvider:
    return _provider(settings.ANXIN_SMS_PROVIDER)


def sandbox_active() -> bool:
    """Whether codes go to the sandbox and the demo's codes page shows them."""
    return settings.ANXIN_SMS_PROVIDER == "sandbox" and settings.ANXIN_SMS_SANDBOX_PAGE
