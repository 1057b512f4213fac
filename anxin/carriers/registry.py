"""Carriers behind one interface, as payment providers are: `carrier_get()` returns the adapter
the setting ANXIN_CARRIER names (where new parcels are tracked), `carrier_get(name)` the one a
tracking push arrived for."""

from __future__ import annotations

from django.conf import settings

from anxin.carriers.base import Carrier, EventRejected


def _sandbox() -> Carrier:
    from anxin.carriers.sandbox import SandboxCarrier  # its tasks import this module's users

    return SandboxCarrier()


# Each carrier's name (as its pushes arrive at /carriers/<name>/...) and how to make its adapter.
CARRIERS = {"sandbox": _sandbox}


def carrier_get(name: str | None = None) -> Carrier:
    """The adapter for `name`, or the configured one. An unknown name is refused as an
    unauthentic push is: nothing is stored for it."""
    name = name or settings.ANXIN_CARRIER
    make = CARRIERS.get(name)
    if make is None:
        raise EventRejected("unknown_carrier", f"no carrier {name!r}")
    return make()
