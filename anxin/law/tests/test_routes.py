"""The routes beside Anxin's desk, as the law sets them: the court fee of a small-claims suit
and how long the 12315 line and a suit may take."""

from __future__ import annotations

import datetime as dt

import pytest

from anxin.law.decision import Citation
from anxin.law.params import NotInForce
from anxin.law.routes import complaint_term, court_fee, court_fee_citations, small_claims_term

D = dt.date
ON = D(2026, 5, 1)


@pytest.mark.parametrize(
    ("claimed_fen", "fee_fen"),
    [
        (0, 2500),  # nothing typed yet: the flat 50 yuan, halved
        (1_000_000, 2500),  # 10,000 yuan: still the flat fee (不超过1万元)
        (1_000_001, 2500),  # one fen above: 2.5% of it rounds down to nothing
        (5_000_000, 52500),  # 50,000 yuan: 50 + 2.5% of 40,000 = 1,050 yuan, halved
        (10_000_000, 115000),  # 100,000 yuan: 50 + 2,250 = 2,300 yuan, halved
        (30_000_000, 290000),  # 300,000 yuan: 2,300 + 2% of 100,000 + 1.5% of 100,000, halved
        (2_100_000_000, 7340000),  # 21 million yuan: 141,800 + 0.5% of 1 million, halved
    ],
)
def test_the_court_fee_is_the_property_case_fee_by_band_halved(
    claimed_fen: int, fee_fen: int
) -> None:
    # Then the fee is the property-case fee for the claim's band, halved
    assert court_fee(claimed_fen, ON) == fee_fen


def test_the_court_fee_cites_its_articles() -> None:
    # When the court fee's citations are asked for
    # Then they are Litigation Fees Measures articles 13(1) and 16
    assert court_fee_citations(ON) == (Citation("LFM", 13, 1), Citation("LFM", 16))


def test_the_court_fee_measures_were_not_in_force_before_april_2007() -> None:
    # When a fee is asked for on 31 March 2007, before the measures took effect
    # Then it is refused as not in force
    with pytest.raises(NotInForce):
        court_fee(1_000_000, D(2007, 3, 31))


def test_a_negative_claim_is_refused() -> None:
    # When the fee of a negative claim is asked for
    # Then it is refused
    with pytest.raises(ValueError, match="negative"):
        court_fee(-1, ON)


def test_a_12315_complaint_is_accepted_in_7_working_days_then_mediated_in_60_days() -> None:
    # Given a complaint on 1 May 2026, inside the Labour Day holiday (1 to 5 May)
    term = complaint_term(ON)
    # Then acceptance runs 6, 7, 8, 9 (a working Saturday), 11, 12, 13 May, and mediation
    # 60 days after that: to 12 July
    assert term.last_day == D(2026, 7, 12)
    assert term.days == 72
    assert term.citations == (Citation("CRPL-IR", 46, 2), Citation("CRPL-IR", 46, 3))


def test_a_small_claims_suit_is_tried_within_two_months_of_filing() -> None:
    # Given a small-claims suit filed on 31 December 2026
    # When its trial term is computed
    term = small_claims_term(D(2026, 12, 31))
    # Then it ends on 28 February 2027 and cites Civil Procedure Law article 168
    assert term.last_day == D(2027, 2, 28)  # no 31 February: the month's last day
    assert term.citations == (Citation("CPL", 168),)
