"""The fine a market regulator may impose for an offence it found (claim kind `penalty_band`,
docs/spec/case-facts.md: a decision's `penalties`).

The regulator finds the offence; the engine gives only the band the article sets, so that a
penalty decision outside it can be refused with the band named. The law in force on the day
of the act gives the band (Administrative Penalty Law Art. 37: the law at the time of the act,
unless a later one is lighter; Anxin holds no lighter later version of these articles).

- `crpl_56`: CRPL Art. 56(1), for the acts it lists (unsafe or fake goods, misleading
  publicity, wilfully delaying or refusing a consumer's lawful request …): one to ten times
  the illegal gains, or up to 500,000 yuan when there are none.
- `ecl_76`: ECL Art. 76(1), a seller that does not show its licence information, its notice
  of stopping trading or how users query and delete their data: up to 10,000 yuan.

Every number comes from data/parameters.yaml with the article it rests on. A warning,
confiscation, suspension or revocation, which the same articles allow, are not fines and are
not given here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from anxin.law import params
from anxin.law.decision import Citation, Decision, Penalty
from anxin.law.facts import CaseFacts, Offence

C = Citation
Rule = Callable[[CaseFacts], list[Decision]]

RULE = "penalty-band"
CRPL_2014 = dt.date(2014, 3, 15)
ECL_2019 = dt.date(2019, 1, 1)
REGULATOR = "market_regulator"


def _yuan(fen: int) -> str:
    return f"{fen // 100:,}" if fen % 100 == 0 else f"{fen / 100:,.2f}"


def _offence(f: CaseFacts) -> Offence:
    assert f.offence is not None  # required by facts.REQUIRED
    return f.offence


def crpl_56_2014(f: CaseFacts) -> list[Decision]:
    o = _offence(f)
    d = Decision(RULE)
    if o.illegal_gains_fen > 0:
        mult = params.get("penalty.crpl_56.gains_multiple", o.committed_at)
        low, high = mult.value
        lo, hi = o.illegal_gains_fen * low, o.illegal_gains_fen * high
        d.penalties.append(Penalty(REGULATOR, lo, hi, "CRPL", 56, multiple_of_gains=(low, high)))
        d.say(
            f"违法所得{_yuan(o.illegal_gains_fen)}元，可处违法所得{low}倍以上{high}倍以下的罚款，"
            f"即{_yuan(lo)}元以上{_yuan(hi)}元以下。",
            f"The illegal gains are {_yuan(o.illegal_gains_fen)} yuan: the fine may be {low} to "
            f"{high} times them, from {_yuan(lo)} to {_yuan(hi)} yuan.",
            mult.cite,
        )
    else:
        most = params.get("penalty.crpl_56.no_gains_max_fen", o.committed_at)
        d.penalties.append(Penalty(REGULATOR, 0, most.value, "CRPL", 56))
        d.say(
            f"没有违法所得，可处{_yuan(most.value)}元以下的罚款。",
            f"There are no illegal gains: the fine may be up to {_yuan(most.value)} yuan.",
            most.cite,
        )
    d.say(
        "市场监督管理部门应当同时责令改正，可以并处警告、没收违法所得；处罚应记入信用档案并向社会公布。",
        "The regulator also orders the seller to correct, and may add a warning and confiscate "
        "the illegal gains; the penalty is recorded in the seller's credit file and made public.",
        C("CRPL", 56, 2),
    )
    return [d.done("violation")]


def ecl_76_2019(f: CaseFacts) -> list[Decision]:
    o = _offence(f)
    d = Decision(RULE)
    most = params.get("penalty.ecl_76.max_fen", o.committed_at)
    d.penalties.append(Penalty(REGULATOR, 0, most.value, "ECL", 76))
    d.say(
        f"市场监督管理部门责令限期改正，可以处{_yuan(most.value)}元以下的罚款。",
        f"The regulator orders the seller to correct within a time limit and may fine it up to "
        f"{_yuan(most.value)} yuan.",
        most.cite,
    )
    return [d.done("violation")]


def _before(since: dt.date, article: Citation) -> Rule:
    def rule(f: CaseFacts) -> list[Decision]:
        on = _offence(f).committed_at
        d = Decision(RULE)
        d.say(
            f"行为发生于{on}，早于{since}。{article.statute}第{article.article}条的罚款规定自{since}起施行，"
            "安心未收录此前的规定，不予支持。",
            f"The act was committed on {on}, before {since}: the fine of {article} applies from "
            f"{since}, and Anxin does not hold the rules before it, so the claim is refused.",
            article,
        )
        return [d.done("refused")]

    return rule


_CRPL = [(dt.date.min, _before(CRPL_2014, C("CRPL", 56))), (CRPL_2014, crpl_56_2014)]
_ECL = [(dt.date.min, _before(ECL_2019, C("ECL", 76))), (ECL_2019, ecl_76_2019)]


def penalty_band(f: CaseFacts) -> list[Decision]:
    """The band of the article the offence falls under, in the version of the act's day."""
    o = _offence(f)
    chosen = None
    for since, rule in _CRPL if o.kind == "crpl_56" else _ECL:
        if since <= o.committed_at:
            chosen = rule
    assert chosen is not None
    return chosen(f)


# Claim kind -> (the date that picks the version, [(first day, rule), ...] oldest first): the
# article's own versions are picked inside penalty_band, by the offence's kind.
VERSIONS: dict[str, tuple[str, list[tuple[dt.date, Rule]]]] = {
    "penalty_band": ("offence.committed_at", [(dt.date.min, penalty_band)]),
}
