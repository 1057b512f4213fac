"""Payment providers behind one interface. `get_provider(name)` returns the configured adapter."""

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
    raise LookupError(f"payment provider {name!r} is not configured")
