"""The dispute desk's steps as data: for each step a case can wait at, its stage, whom it
waits for, how long (in days, from the settings), what happens when that time passes, whom
its reminder goes to, and what each role may do meanwhile.

The deadline runner (`deadlines.default_apply`), the reminders (`deadlines.dispute_remind`)
and the actions a page shows (`actions_for`) all read this one table, so a step's rules are
written once. The services themselves check each action's own conditions as they run it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.conf import settings

from anxin.disputes.models import Appeal, Dispute, Stage, Step

PARTIES = ("buyer", "seller")
OFFICERS = ("mediator", "adjudicator")


@dataclass(frozen=True)
class StepRule:
    # The stage a case at this step is in (None: it stays in the stage it was in).
    stage: str | None
    # Whom the case waits for (roles), and so whom the reminder goes to.
    waits_for: tuple[str, ...] = ()
    # The setting that holds the step's deadline in days (none: no deadline).
    days_setting: str | None = None
    # What happens when the deadline passes: a key of deadlines.DEFAULTS.
    default: str | None = None
    # The notice that the deadline is near.
    reminder: str = "reminder"
    # What each role may do at this step (the page shows these, in ACTION_ORDER).
    actions: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def days(self) -> int | None:
        return getattr(settings, self.days_setting) if self.days_setting else None


# While a case is negotiated or mediated, both parties and its officers put evidence on the
# file and the buyer may withdraw; the complaint may be admitted (or refused) and the case
# transferred to the regulator at any open step.
_OPEN = {
    "buyer": ("evidence", "withdraw", "transfer"),
    "seller": ("evidence",),
    "mediator": ("evidence", "admit", "refuse", "transfer"),
    "adjudicator": ("evidence", "admit", "refuse"),
}


def _with(base: dict[str, tuple[str, ...]], **more: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    return {role: base.get(role, ()) + more.get(role, ()) for role in {*base, *more}}


STEPS: dict[str, StepRule] = {
    Step.SELLER_ANSWER: StepRule(
        Stage.NEGOTIATION,
        ("seller",),
        "ANXIN_DISPUTE_ANSWER_DAYS",
        "seller_silent",
        actions=_with(_OPEN, seller=("answer",)),
    ),
    Step.BUYER_REPLY: StepRule(
        Stage.NEGOTIATION,
        ("buyer",),
        "ANXIN_DISPUTE_REPLY_DAYS",
        "buyer_silent",
        actions=_with(_OPEN, buyer=("reply",)),
    ),
    Step.MEDIATOR_PROPOSAL: StepRule(
        Stage.MEDIATION,
        ("mediator",),
        "ANXIN_DISPUTE_MEDIATION_DAYS",
        "mediation_failed",
        actions=_with(_OPEN, mediator=("propose",)),
    ),
    Step.PARTIES_ACCEPT: StepRule(
        Stage.MEDIATION,
        PARTIES,
        "ANXIN_DISPUTE_ACCEPT_DAYS",
        "mediation_failed",
        actions=_with(_OPEN, buyer=("respond",), seller=("respond",)),
    ),
    Step.EVIDENCE: StepRule(
        Stage.ADJUDICATION,
        PARTIES,
        "ANXIN_DISPUTE_EVIDENCE_DAYS",
        "evidence_closed",
        actions=_OPEN,
    ),
    # From here on only the case's officers add evidence: the parties have had their time.
    Step.DECISION: StepRule(
        Stage.ADJUDICATION,
        ("adjudicator",),
        "ANXIN_DISPUTE_DECISION_DAYS",
        "decided_by_default",
        actions={
            "buyer": ("withdraw", "transfer"),
            "mediator": ("evidence", "admit", "refuse", "transfer"),
            "adjudicator": ("evidence", "admit", "refuse", "decide"),
        },
    ),
    Step.APPEAL_WINDOW: StepRule(
        Stage.ADJUDICATION,
        PARTIES,
        "ANXIN_DISPUTE_APPEAL_DAYS",
        "decision_final",
        # The decision is made on the file: nobody adds to it now (an appeal is heard on the
        # file as the adjudicator decided it).
        actions={
            "buyer": ("accept_decision", "appeal", "transfer"),
            "seller": ("accept_decision", "appeal"),
            "mediator": ("transfer",),
        },
    ),
    # The appeal is heard on the file as it stands.
    Step.PANEL_VOTES: StepRule(
        Stage.APPEAL,
        ("panel",),
        "ANXIN_DISPUTE_PANEL_DAYS",
        "appeal_decided_on_votes",
        actions={
            "buyer": ("transfer",),
            "mediator": ("admit", "refuse", "transfer"),
            "adjudicator": ("admit", "refuse"),
            "panel": ("vote",),
        },
    ),
    # The remedy is being paid, or the case is closed: nothing left to do, no deadline.
    Step.PAYING: StepRule(None),
    Step.DONE: StepRule(Stage.CLOSED),
}

# The order the page lists a role's actions in.
ACTION_ORDER = (
    "answer",
    "reply",
    "propose",
    "respond",
    "admit",
    "refuse",
    "decide",
    "accept_decision",
    "appeal",
    "vote",
    "evidence",
    "transfer",
    "withdraw",
)


def _allowed(action: str, d: Dispute, role: str, appeal: Appeal | None) -> bool:
    """The conditions an action has beyond the step: what the case has already seen."""
    if action == "respond":
        return (d.buyer_accepted_at if role == "buyer" else d.seller_accepted_at) is None
    if action in ("admit", "refuse"):
        return d.admitted_at is None
    if action == "decide":
        return d.admitted_at is not None
    if action == "appeal":
        return appeal is None
    if action == "transfer":
        return d.transferred_at is None
    return True


def actions_for(d: Dispute, role: str, appeal: Appeal | None) -> list[str]:
    """What this user can do in the case now (the page shows these forms, and only these)."""
    rule = STEPS.get(d.step)
    if rule is None or d.stage == Stage.CLOSED:
        return []
    mine = rule.actions.get(role, ())
    return [a for a in ACTION_ORDER if a in mine and _allowed(a, d, role, appeal)]


def waiting_for(d: Dispute, panel: Sequence[int]) -> list[int | None]:
    """The users the case waits for at its step (`panel`: the appeal's members, if any)."""
    people: dict[str, list[int | None]] = {
        "buyer": [d.buyer_id],
        "seller": [d.seller_id],
        "mediator": [d.mediator_id],
        "adjudicator": [d.adjudicator_id],
        "panel": list(panel),
    }
    rule = STEPS.get(d.step)
    return [u for role in (rule.waits_for if rule else ()) for u in people[role]]
