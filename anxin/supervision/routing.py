"""Which organisation a complaint goes to (the complaint-handling measures in force: from
2026-04-15, Art. 13; before, Art. 12 of the interim measures).

A complaint about a seller on a platform goes to the regulator of the address the seller shows
on the platform; a seller that shows none goes to the regulator of the platform's own domicile
(ANXIN_PLATFORM_REGION). A complaint about a seller not on Anxin goes to the region the
complainant names. The organisation is the one at that county, else at its city, else at its
province: a county without its own office in Anxin is served by the one above it."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from anxin.core.divisions import division_chain
from anxin.supervision.models import Organisation, OrgKind, RegionBasis


@dataclass(frozen=True)
class Route:
    region: str
    basis: str


def route_for_seller(shown_region: str) -> Route | None:
    """The region of a complaint about an Anxin seller: the address it shows, else the
    platform's domicile; None when neither is known (the deployment sets no platform region)."""
    if shown_region:
        return Route(shown_region, RegionBasis.SHOWN_ADDRESS)
    if settings.ANXIN_PLATFORM_REGION:
        return Route(settings.ANXIN_PLATFORM_REGION, RegionBasis.PLATFORM)
    return None


def organisation_for(kind: str, region: str) -> Organisation | None:
    """The organisation of this kind nearest to `region`: its county's, city's or province's."""
    chain = division_chain(region)
    found = {o.region: o for o in Organisation.objects.filter(kind=kind, region__in=chain)}
    return next((found[c] for c in chain if c in found), None)


def regulator_for(region: str) -> Organisation | None:
    return organisation_for(OrgKind.REGULATOR, region)


def association_for(region: str) -> Organisation | None:
    return organisation_for(OrgKind.ASSOCIATION, region)
