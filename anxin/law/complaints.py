"""Complaints to market regulators: may the authority refuse a complaint, and by when must it
decide (claim kind `complaint_admissibility`, docs/spec/case-facts.md, second wave).

The SAMR's complaint-handling rule (CRM) has two versions under one id, with their own
article numbers: the interim measures (暂行办法, in force 2020-01-01, text as amended
2022-03-24) until 2026-04-14, and the measures (办法, SAMR Order 121) from 2026-04-15, which
repeal them (Art. 46) with no transitional provision. The version in force on the day the
regulator received the complaint decides it and is the one cited.

- The decision on acceptance is due within 7 working days of receipt (2020: Art. 14; 2026:
  Art. 15), counted by the State Council's holiday schedule (`days.due_at`): the day of receipt
  is not counted (2026: Art. 45; before, Civil Code Art. 201), weekends and public holidays are
  not working days, and the weekends made working days are.
- A refusal ground (2020: Art. 15; 2026: Art. 16) applies when the same dispute was accepted
  or handled elsewhere (item 2) or when the complaint comes 超过三年 after the consumer knew or
  should have known of the harm (item 4). 超过 excludes the number (Civil Code Art. 1259), so a
  complaint on the day three years end is admissible. The three years end on the
  corresponding day (Art. 202), moved off a public holiday (2026: Art. 45; before, Art. 203).
- A refusal gives its reasons and the other routes of CRPL Art. 39 (2026: Art. 15; under the
  interim measures from 2024-07-01, CRPL-IR Art. 46(2)).

Every number comes from data/parameters.yaml with the article it rests on. Only the grounds the
facts can show are decided: a complaint outside the regulator's remit, without a consumer
dispute or without the required materials is for the authority to judge.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from anxin.law import params
from anxin.law.days import (
    BEIJING,
    ONE_DAY,
    DayKind,
    calendar_covers,
    due_at,
    exceeds,
    months_after,
)
from anxin.law.decision import Citation, Decision, Duty
from anxin.law.facts import CaseFacts, Complaint

C = Citation
Rule = Callable[[CaseFacts], list[Decision]]

RULE = "complaint-admissibility"
MEASURES_2026 = dt.date(2026, 4, 15)
FIRST = dt.date(2020, 1, 1)
# The implementing regulation's duty to give a refusal's reasons and the other routes.
_CRPL_IR = dt.date(2024, 7, 1)

# The routes CRPL Art. 39 names besides a complaint to an authority, in its order.
_ROUTES_ZH = (
    "与经营者协商和解；请求消费者协会或者依法成立的其他调解组织调解；"
    "根据与经营者达成的仲裁协议提请仲裁机构仲裁；向人民法院提起诉讼"
)
_ROUTES_EN = (
    "negotiating a settlement with the seller; asking the consumer association or another "
    "lawfully established mediation organisation to mediate; arbitration, under an arbitration "
    "agreement with the seller; or a suit in a people's court"
)


def _complaint(f: CaseFacts) -> Complaint:
    assert f.complaint is not None  # required by facts.REQUIRED
    return f.complaint


def _last_day(deadline: dt.datetime) -> dt.date:
    """The last day of a period whose deadline `due_at` gave (24:00 Beijing time of it)."""
    return (deadline.astimezone(BEIJING) - ONE_DAY).date()


def _admissibility(f: CaseFacts, *, measures_2026: bool) -> list[Decision]:
    c = _complaint(f)
    on = c.received_at
    d = Decision(RULE)
    accept = params.get("complaint.crm.acceptance_working_days", on)
    limit = params.get("complaint.limitation_years", on)
    grounds_article = limit.cite.article  # the article listing the refusal grounds
    counting = (C("CRM", 45),) if measures_2026 else (C("CC", 201),)

    received = dt.datetime.combine(on, dt.time(), tzinfo=BEIJING)
    by = d.deadline(
        "acceptance_decision_by",
        _last_day(due_at(received, accept.value, DayKind.WORKING)),
    )
    d.say(
        f"市场监督管理部门收到投诉之日（{on}）不计入，应自次日起{accept.value}个工作日内，"
        f"即{by}前，作出受理或者不予受理的决定并告知投诉人；工作日按国务院公布的节假日安排计算，"
        "法定节假日不计入，调休上班的周末计入。",
        f"The day the regulator received the complaint ({on}) is not counted: it must decide "
        f"whether to accept it, and tell the complainant, within {accept.value} working days, "
        f"by {by}. Working days follow the State Council's holiday schedule: public holidays do "
        "not count, weekends made working days do.",
        accept.cite,
        *counting,
    )
    if not calendar_covers(by):
        d.say(
            f"{by.year}年的节假日安排尚未公布，上述期限跳过周末和《全国年节及纪念日放假办法》"
            "规定的法定节日计算，调休安排公布后可能变动。",
            f"The holiday schedule for {by.year} has not been announced yet: the period above "
            "skips weekends and the public holidays the law itself fixes (the State Council's "
            "Measures on National Holidays), and may move once the schedule is announced.",
        )

    grounds_zh: list[str] = []
    grounds_en: list[str] = []
    if c.handled_elsewhere:
        # The measures no longer name other mediation organisations (2026 Art. 16 item 2).
        others_zh = "" if measures_2026 else "或者依法成立的其他调解组织"
        others_en = "" if measures_2026 else " or another lawfully established mediation body"
        grounds_zh.append(
            f"法院、仲裁机构、市场监督管理部门或者其他行政机关、消费者协会{others_zh}"
            f"已经受理或者处理过同一消费者权益争议（第{grounds_article}条第（二）项）"
        )
        grounds_en.append(
            "a court, an arbitral body, a market regulator or another administrative "
            f"authority, or a consumer association{others_en} has already accepted or handled "
            f"the same dispute (Art. {grounds_article}, item 2)"
        )
    years = limit.value
    end = d.deadline("limitation_ends", months_after(c.consumer_knew_at, years * 12))
    year_cites = (
        limit.cite,
        C("CC", 1259),
        *((C("CRM", 45), C("CC", 202)) if measures_2026 else (C("CC", 202), C("CC", 203))),
    )
    if exceeds(on, end):
        grounds_zh.append(
            f"投诉人于{c.consumer_knew_at}知道或者应当知道权益受到侵害，{years}年至{end}届满，"
            f"投诉于{on}收到，已超过{years}年（第{grounds_article}条第（四）项）"
        )
        grounds_en.append(
            f"the complainant knew or should have known of the harm on {c.consumer_knew_at}; "
            f"the {years} years ended on {end} and the complaint was received on {on}, more "
            f"than {years} years later (Art. {grounds_article}, item 4)"
        )
    if not grounds_zh:
        d.say(
            f"投诉人于{c.consumer_knew_at}知道或者应当知道权益受到侵害，{years}年期间至{end}届满；"
            f"投诉于{on}收到，未超过{years}年（“超过”不包括本数，恰好{years}年不算超过），"
            "同一争议也未经其他机构受理或者处理，不存在可据以不予受理的情形。",
            f"The complainant knew or should have known of the harm on {c.consumer_knew_at}; "
            f"the {years} years run until {end}, so the complaint, received on {on}, does not "
            f"come more than {years} years later ('more than' excludes the number itself: "
            f"exactly {years} years is not more). No other body has accepted or handled the "
            "dispute, so no ground for refusal applies.",
            *year_cites,
        )
        d.duties.append(Duty("market_regulator", "decide_on_acceptance"))
        return [d.done("admissible")]

    d.say(
        "投诉存在不予受理的情形：" + "；".join(grounds_zh) + "。",
        "The complaint falls under a ground for refusal: " + "; ".join(grounds_en) + ".",
        C("CRM", grounds_article),
        *(year_cites if exceeds(on, end) else ()),
    )
    notice = (
        (C("CRM", accept.cite.article),)
        if measures_2026
        else ((C("CRPL-IR", 46, 2),) if on >= _CRPL_IR else ())
    )
    if notice:
        d.duties.append(Duty("market_regulator", "give_refusal_reasons_and_other_routes"))
        d.say(
            "不予受理的，应当告知投诉人不予受理的理由和其他解决争议的途径。",
            "A refusal must tell the complainant its reasons and the other routes to settle "
            "the dispute.",
            *notice,
        )
    d.say(
        f"您仍可以通过其他途径解决争议：{_ROUTES_ZH}。",
        f"You may still settle the dispute by the other routes the law gives: {_ROUTES_EN}.",
        C("CRPL", 39),
    )
    return [d.done("inadmissible")]


def complaint_admissibility_2020(f: CaseFacts) -> list[Decision]:
    """The interim measures (CRM Arts. 14, 15): no counting rule of their own."""
    return _admissibility(f, measures_2026=False)


def complaint_admissibility_2026(f: CaseFacts) -> list[Decision]:
    """The measures (CRM Arts. 15, 16, 45): refusals give reasons and the other routes."""
    return _admissibility(f, measures_2026=True)


def before_the_measures(f: CaseFacts) -> list[Decision]:
    """A complaint received before 2020-01-01, the first day of the earliest version Anxin
    holds: decided as the engine decides every case before its rule's first version
    (docs/spec/case-facts.md), refused, saying from when the rule exists. (The State
    Administration for Industry and Commerce's 2014 measures, which the interim measures
    repealed, governed such complaints; Anxin does not hold them.)"""
    on = _complaint(f).received_at
    d = Decision(RULE)
    d.say(
        f"本案投诉于{on}收到，早于{FIRST}。市场监督管理部门依《市场监督管理投诉举报处理暂行办法》"
        f"第14条在七个工作日内决定是否受理投诉的规则自{FIRST}起施行，安心未收录此前的规定，不予支持。",
        f"This complaint was received on {on}, before {FIRST}: the rule that a market regulator "
        f"decides within seven working days whether to accept a complaint exists from {FIRST} "
        f"under CRM 14, and Anxin does not hold the rules before it, so the claim is refused.",
        C("CRM", 14),
    )
    return [d.done("refused")]


def entrusting(received: dt.date) -> Citation:
    """The article that lets the regulator entrust the mediation of an accepted complaint to a
    consumer association or another mediation organisation, in the version in force when the
    complaint was received: the measures' Art. 19 (both parties agreeing), the interim
    measures' Art. 17."""
    return C("CRM", 19) if received >= MEASURES_2026 else C("CRM", 17)


# Claim kind -> (the date that picks the version, [(first day, rule), ...] oldest first).
VERSIONS: dict[str, tuple[str, list[tuple[dt.date, Rule]]]] = {
    "complaint_admissibility": (
        "complaint.received_at",
        [
            (dt.date.min, before_the_measures),
            (FIRST, complaint_admissibility_2020),
            (MEASURES_2026, complaint_admissibility_2026),
        ],
    ),
}


# --- how long mediation of an accepted complaint may run -------------------------------------

_CRPL_IR_60 = dt.date(2024, 7, 1)


def mediation_ends(
    accepted: dt.datetime, paused_days: int = 0
) -> tuple[dt.datetime, tuple[Citation, ...]]:
    """When mediation of a complaint accepted at `accepted` ends without an agreement, and the
    articles that say so; `paused_days` of appraisal or testing are not counted and push the
    end back by as many days of the period's kind.

    - Accepted before 2024-07-01: 45 working days (the interim measures, CRM 21).
    - From 2024-07-01: 60 days (CRPL-IR 46(3)). The State Council's regulation ranks above the
      SAMR's interim measures and is later, so its 60 days govern complaints accepted while
      the interim measures were still in force (until 2026-04-14); the measures from
      2026-04-15 give the same 60 days (CRM 23), counted by their Art. 45."""
    on = accepted.astimezone(BEIJING).date()
    if on < _CRPL_IR_60:
        limit = params.get("complaint.crm.mediation_limit", on)
        days, kind = int(limit.value["days"]), DayKind(limit.value["kind"])
        cites: tuple[Citation, ...] = (limit.cite, C("CRM", 20))
    elif on < MEASURES_2026:
        ir = params.get("complaint.mediation_days", on)
        days, kind = int(ir.value), DayKind.CALENDAR
        cites = (ir.cite, C("CC", 201))
    else:
        limit = params.get("complaint.crm.mediation_limit", on)
        days, kind = int(limit.value["days"]), DayKind(limit.value["kind"])
        cites = (limit.cite, C("CRM", 22), C("CRM", 45))
    return due_at(accepted, days + max(0, paused_days), kind), cites
