"""The routes a buyer has beside Anxin's desk, as the law sets them: what a small-claims suit
costs (the court fee) and how long the 12315 complaint line and a small-claims suit may take.
Pure functions of the day asked about; every figure comes from data/parameters.yaml with the
article it rests on, so that a change in the law is a new dated entry, not an edit here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from anxin.law import params
from anxin.law.days import days_after, months_after, working_days_after
from anxin.law.decision import Citation


def court_fee(claimed_fen: int, on: dt.date) -> int:
    """The court fee of a small-claims suit for `claimed_fen`, in fen, on the day `on`:
    the property-case fee band by band (LFM Art. 13(1)), halved because small claims are
    tried under the simplified procedure (LFM Art. 16). Each band's share is rounded down to
    the fen, as is the half."""
    if claimed_fen < 0:
        raise ValueError("a claim cannot be negative")
    scale: dict[str, Any] = params.value("court_fee.property_case", on)
    divisor: int = params.value("court_fee.simplified_procedure_divisor", on)
    fee: int = scale["flat_fee_fen"]
    lower: int = scale["flat_upto_fen"]
    for band in scale["bands"]:
        if claimed_fen <= lower:
            break
        upper: int | None = band["upto_fen"]
        top = claimed_fen if upper is None else min(claimed_fen, upper)
        fee += (top - lower) * band["per_mille"] // 1000
        if upper is None:
            break
        lower = upper
    return fee // divisor


def court_fee_citations(on: dt.date) -> tuple[Citation, ...]:
    """The articles `court_fee` applies on the day `on`."""
    return (
        params.get("court_fee.property_case", on).cite,
        params.get("court_fee.simplified_procedure_divisor", on).cite,
    )


@dataclass(frozen=True)
class RouteTerm:
    """The longest a route takes by law when started on a day: its last day, the calendar
    days to it, and the articles setting the limits."""

    last_day: dt.date
    days: int
    citations: tuple[Citation, ...]


def complaint_term(on: dt.date) -> RouteTerm:
    """A complaint to the market regulator (12315) made on `on`: accepted or refused within
    the acceptance working days, then mediated within the mediation days of acceptance
    (CRPL-IR Art. 46(2), (3)); each period starts the day after (Civil Code Art. 201)."""
    accept = params.get("complaint.acceptance_working_days", on)
    mediate = params.get("complaint.mediation_days", on)
    accepted_by = working_days_after(on, accept.value)
    last = days_after(accepted_by, mediate.value)
    return RouteTerm(last, (last - on).days, (accept.cite, mediate.cite))


def small_claims_term(on: dt.date) -> RouteTerm:
    """A small-claims suit filed on `on`: tried within the months the Civil Procedure Law
    gives from filing (CPL Art. 168), a period in months ending on the corresponding day
    (Civil Code Art. 202)."""
    months = params.get("small_claims.trial_months", on)
    last = months_after(on, months.value)
    return RouteTerm(last, (last - on).days, (months.cite,))
