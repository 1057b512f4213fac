"""complaint_admissibility cites the article of the CRM version in force on the day the
complaint was received, and counts its 7 working days by the State Council's schedule."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from anxin.law import engine
from anxin.law.catalogue import gloss, statute
from anxin.law.days import BEIJING, _workday, calendar_covers
from anxin.law.facts import FactsError


def _facts(received: dt.date, knew: dt.date, *, elsewhere: bool = False) -> dict[str, Any]:
    return {
        "as_of": "2026-12-31",
        "complaint": {
            "received_at": received.isoformat(),
            "consumer_knew_at": knew.isoformat(),
            "handled_elsewhere": elsewhere,
        },
        "claim": {"kind": "complaint_admissibility"},
    }


def _decision(facts: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = engine.check(facts)["decisions"][0]
    return out


def _crm_texts(received: dt.date, decision: dict[str, Any]) -> dict[int, str]:
    """The CRM articles the decision cites, in the version in force on `received`."""
    crm = statute("CRM", received)
    return {
        c["article"]: crm.article(c["article"]).text
        for c in decision["citations"]
        if c["statute"] == "CRM"
    }


@pytest.mark.parametrize(
    ("received", "version"),
    [(dt.date(2026, 4, 14), "2020-01-01"), (dt.date(2026, 4, 15), "2026-04-15")],
)
def test_each_cited_article_says_what_it_is_cited_for_in_the_version_in_force(
    received: dt.date, version: str
) -> None:
    # Given a complaint received on the interim measures' last day or the measures' first,
    # once admissible and once handled elsewhere
    knew = dt.date(2026, 4, 1)
    for elsewhere in (False, True):
        # When the engine decides it
        d = _decision(_facts(received, knew, elsewhere=elsewhere))
        # Then it uses the version in force that day
        assert statute("CRM", received).version == version
        texts = _crm_texts(received, d)
        # And the article it cites for the 7 working days says so in that version
        assert any("七个工作日内作出受理或者不予受理的决定" in t for t in texts.values()), texts
        # And the article it cites for the grounds lists the three-year ground in that version
        assert any("超过三年" in t for t in texts.values()), texts
        if elsewhere:
            assert d["outcome"] == "inadmissible"
            assert any("已经受理或者处理过同一消费者权益争议" in t for t in texts.values())
        else:
            assert d["outcome"] == "admissible"
        # And every CRM article it cites is glossed for that version (the numbering changed)
        assert all(gloss("CRM", version, n) for n in texts), texts


def test_the_measures_counting_rule_is_cited_only_from_2026_04_15() -> None:
    # Given the same complaint received on 2026-04-14 and on 2026-04-15
    knew = dt.date(2026, 4, 1)
    before = _decision(_facts(dt.date(2026, 4, 14), knew))
    after = _decision(_facts(dt.date(2026, 4, 15), knew))
    # Then only the later one cites the measures' Art. 45, which counts periods
    assert {"statute": "CRM", "article": 45} not in before["citations"]
    assert {"statute": "CRM", "article": 45} in after["citations"]
    assert "开始的当日不计入" in statute("CRM", dt.date(2026, 4, 15)).article(45).text
    # And the earlier one counts by the Civil Code's Art. 201, the interim measures having none
    assert {"statute": "CC", "article": 201} in before["citations"]


def test_a_refusal_names_the_other_routes_of_crpl_39() -> None:
    # Given a complaint already handled by another body
    d = _decision(_facts(dt.date(2026, 5, 6), dt.date(2026, 5, 1), elsewhere=True))
    # Then the refusal names negotiation, mediation, arbitration and litigation
    for route in ("协商和解", "调解", "仲裁", "诉讼"):
        assert route in d["reasons"]["zh"]
    for route in ("negotiating", "mediate", "arbitration", "suit"):
        assert route in d["reasons"]["en"]
    # And it does not send the consumer back to the complaint just refused
    assert "向有关行政部门投诉" not in d["reasons"]["zh"]
    assert {"statute": "CRPL", "article": 39} in d["citations"]


def test_a_complaint_without_a_purchase_block_is_decided() -> None:
    # Given the spec's example, which gives no purchase
    facts = _facts(dt.date(2026, 3, 2), dt.date(2026, 2, 20))
    # When the engine checks it
    # Then it is decided, and other kinds still need their purchase fields
    assert _decision(facts)["outcome"] == "admissible"
    with pytest.raises(FactsError) as e:
        engine.check({**facts, "claim": {"kind": "fraud"}})
    assert "purchase.channel: required for a fraud claim" in e.value.problems


_2026 = st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2026, 12, 15))


@settings(max_examples=200, deadline=None)
@given(received=_2026, back=st.integers(0, 2000))
def test_the_decision_is_due_on_the_7th_working_day_after_receipt(
    received: dt.date, back: int
) -> None:
    # Given a complaint received on any day the installed schedule covers
    knew = received - dt.timedelta(days=back)
    # When the engine decides it
    d = _decision(_facts(received, knew))
    by = dt.date.fromisoformat(
        next(x["date"] for x in d["deadlines"] if x["what"] == "acceptance_decision_by")
    )
    # Then its last day is a working day, with exactly 7 working days after receipt up to it
    assert calendar_covers(by)
    assert _workday(by)
    span = [received + dt.timedelta(days=n) for n in range(1, (by - received).days + 1)]
    assert sum(_workday(day) for day in span) == 7
    # And the outcome follows the three years alone (nothing was handled elsewhere)
    ends = dt.date.fromisoformat(
        next(x["date"] for x in d["deadlines"] if x["what"] == "limitation_ends")
    )
    assert d["outcome"] == ("admissible" if received <= ends else "inadmissible")


def test_a_deadline_in_a_year_without_an_announced_schedule_says_so() -> None:
    # Given a complaint whose 7 working days run into 2027, a year the installed calendar
    # does not yet cover
    assert not calendar_covers(dt.date(2027, 1, 4))
    d = _decision(_facts(dt.date(2026, 12, 28), dt.date(2026, 12, 1)))
    # Then the reasons say that the schedule is not announced and the deadline may move
    assert "2027年的节假日安排尚未公布" in d["reasons"]["zh"]
    # And the deadline skips New Year's Day, a day off by law whatever the schedule says
    assert {"what": "acceptance_decision_by", "date": "2027-01-07"}.items() <= next(
        x for x in d["deadlines"] if x["what"] == "acceptance_decision_by"
    ).items()
    assert "holiday schedule for 2027 has not been announced" in d["reasons"]["en"]
    # And a deadline inside an announced year says nothing of the kind
    d = _decision(_facts(dt.date(2026, 12, 1), dt.date(2026, 11, 1)))
    assert "尚未公布" not in d["reasons"]["zh"]


def test_mediation_ends_by_the_law_of_the_day_the_complaint_was_accepted() -> None:
    from anxin.law.complaints import mediation_ends

    def at(day: str) -> dt.datetime:
        return dt.datetime.fromisoformat(day).replace(hour=10, tzinfo=BEIJING)

    def last_day(end: dt.datetime) -> str:
        return (end.astimezone(BEIJING) - dt.timedelta(days=1)).date().isoformat()

    # Given a complaint accepted on Monday 2024-06-03, under the interim measures alone
    end, cites = mediation_ends(at("2024-06-03"))
    # Then mediation runs 45 working days (the Dragon Boat holiday 06-10 not counted)
    assert last_day(end) == "2024-08-06"
    assert str(cites[0]) == "CRM 21"
    # Given one accepted on 2025-03-03, after the implementing regulation's 60 days
    end, cites = mediation_ends(at("2025-03-03"))
    # Then it runs 60 calendar days from the next day, to 05-02, inside the May Day holiday
    # (05-01 to 05-05), so its last day moves to the first day after it (CC 203)
    assert last_day(end) == "2025-05-06"
    assert str(cites[0]) == "CRPL-IR 46(3)"
    # Given one accepted under the 2026 measures, with 5 days of testing
    plain, cites = mediation_ends(at("2026-05-11"))
    tested, _ = mediation_ends(at("2026-05-11"), paused_days=5)
    # Then it runs 60 days by CRM 23, and the testing days are added on
    assert last_day(plain) == "2026-07-10"
    assert str(cites[0]) == "CRM 23"
    assert tested - plain == dt.timedelta(days=5)
