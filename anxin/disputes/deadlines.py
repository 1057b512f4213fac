"""What happens when a step's deadline passes and the party it waits for has not acted: each
step's default (named in the step table, steps.STEPS), applied from the stored time, so a
timer that fires twice, late or early changes nothing twice; and the services the timers
call: a case's deadline, its reminder, the remedy a deadline decided, and the safety net
that fires every due deadline in batches."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from anxin.core.tasks_backend import enqueued_together
from anxin.disputes.filing import proposal, silence_bound
from anxin.disputes.guards import case_locked
from anxin.disputes.models import Dispute, Outcome, Stage, Step
from anxin.disputes.panel import tally
from anxin.disputes.remedy import case_close, remedy_execute, remedy_to_pay
from anxin.disputes.selectors import has_appeal
from anxin.disputes.stages import appeal_decide, decision_record, to_adjudication, to_mediation
from anxin.disputes.steps import STEPS, waiting_for
from anxin.disputes.writer import DisputeBatch, DisputeWriter
from anxin.orders.locks import orders_lock


def _seller_silent(w: DisputeWriter, d: Dispute) -> str:
    bound = silence_bound(d)
    w.event(d, "seller_silent", actor=None, bound_fen=bound)
    if bound:
        # Loses by default, within what the law engine grants.
        remedy_to_pay(w, d, bound, Outcome.DEFAULT)
        return "default: decided for the buyer"
    to_mediation(w, d)  # the law gives no figure to decide on: a mediator looks at it
    return "default: to mediation"


def _buyer_silent(w: DisputeWriter, d: Dispute) -> str:
    w.event(d, "buyer_silent", actor=None, offer_fen=d.offer_fen)
    if d.offer_fen:
        remedy_to_pay(w, d, d.offer_fen, Outcome.SETTLED)
        return "default: offer accepted"
    case_close(w, d, Outcome.LAPSED, remedy_fen=0)
    return "default: lapsed"


def _mediation_failed(w: DisputeWriter, d: Dispute) -> str:
    w.event(d, "mediation_failed", actor=None, step=d.step)
    to_adjudication(w, d)
    return "default: to adjudication"


def _evidence_closed(w: DisputeWriter, d: Dispute) -> str:
    w.event(d, "evidence_closed", actor=None)
    w.move(d, Step.DECISION)
    w.notify([d.adjudicator_id, d.buyer_id, d.seller_id], d, "evidence_closed")
    return "evidence closed"


def _decided_by_default(w: DisputeWriter, d: Dispute) -> str:
    if d.admitted_at is None:
        w.event(d, "not_admitted", actor=None, role="system", reason="not admitted in time")
        case_close(w, d, Outcome.NOT_ADMITTED, remedy_fen=0)
        w.notify([d.buyer_id, d.seller_id], d, "not_admitted")
        return "default: not admitted"
    proposed = proposal(d)
    decision_record(
        w,
        d,
        actor=None,
        # No person decided: the refund the law engine proposes, without its damages.
        refund=proposed["refund_fen"],
        compensation=0,
        reasons=(
            "The adjudicator did not decide in time; the law engine's proposal is the "
            "decision, without damages (only a person awards those), open to appeal.\n"
            + "\n".join(_law_reasons(d))
        ),
        citations=proposed["citations"],
        proposed=proposed,
        is_default=True,
    )
    return "default: the law engine's proposal decided"


def _decision_final(w: DisputeWriter, d: Dispute) -> str:
    decision = w.latest_decision(d)
    assert decision is not None
    remedy_to_pay(w, d, decision.total_fen, Outcome.DECIDED)
    return "final: decision to be paid"


def _appeal_decided_on_votes(w: DisputeWriter, d: Dispute) -> str:
    a = d.appeal
    decision = w.latest_decision(d)
    assert decision is not None
    result = tally(list(a.votes.all()), len(a.members), final=True)
    assert result is not None
    appeal_decide(w, d, a, decision, result, queue=True)
    return "default: appeal decided on the votes cast"


def _law_reasons(d: Dispute) -> list[str]:
    return [dec["reasons"]["en"] for dec in d.law if dec.get("reasons", {}).get("en")]


DEFAULTS: dict[str, Callable[[DisputeWriter, Dispute], str]] = {
    "seller_silent": _seller_silent,
    "buyer_silent": _buyer_silent,
    "mediation_failed": _mediation_failed,
    "evidence_closed": _evidence_closed,
    "decided_by_default": _decided_by_default,
    "decision_final": _decision_final,
    "appeal_decided_on_votes": _appeal_decided_on_votes,
}


# The steps whose default reads the case's latest decision (and at the panel's deadline the
# appeal and its votes): a batch reads those for its cases at these steps, and only for them.
READ_DECISION = frozenset({Step.APPEAL_WINDOW, Step.PANEL_VOTES})


def default_apply(w: DisputeWriter, d: Dispute) -> str:
    """Apply the default of the step the case waits at, if its time has come; says what
    happened."""
    if d.due_at is None or d.stage == Stage.CLOSED:
        return "closed"
    if timezone.now() < d.due_at:
        return "not due"
    rule = STEPS.get(d.step)
    if rule is None or rule.default is None:
        return f"nothing to do at {d.step}"
    return DEFAULTS[rule.default](w, d)


# --- the timers' services ----------------------------------------------------------------------


@transaction.atomic
def dispute_deadline(*, dispute_id: int) -> str:
    """Apply the default of the step the case waits at, if its time has come. Reads the
    stored time, so firing twice, late or early is harmless. The step's queue rows (timers,
    e-mails) are written together, in one statement."""
    with enqueued_together():
        return default_apply(DisputeWriter(), case_locked(pk=dispute_id))


@transaction.atomic
def dispute_pay(*, dispute_id: int) -> str:
    """Pay the remedy a deadline decided (step PAYING), once."""
    d = case_locked(pk=dispute_id)
    w = DisputeWriter()
    if d.executed_at is not None:
        return "already paid"
    if d.step != Step.PAYING:
        return f"nothing to pay at {d.step}"
    decision = (
        w.latest_decision(d) if d.outcome in (Outcome.DECIDED, Outcome.APPEAL_DECIDED) else None
    )
    remedy_execute(w, d, d.remedy_fen or 0, d.outcome, actor=None, decision=decision)
    return "paid"


@transaction.atomic
def dispute_remind(*, dispute_id: int) -> str:
    """Tell whoever the case waits for that its deadline is near (once per deadline)."""
    d = case_locked(pk=dispute_id)
    w = DisputeWriter()
    if d.due_at is None or d.stage == Stage.CLOSED:
        return "closed"
    tag = f"{d.step}@{d.due_at.isoformat()}"[:40]
    if d.reminded_for == tag:
        return "already reminded"
    if timezone.now() < d.due_at - dt.timedelta(hours=settings.ANXIN_DISPUTE_REMIND_HOURS):
        return "not yet"
    panel = list(d.appeal.members) if has_appeal(d) else []
    rule = STEPS[d.step]
    w.notify(waiting_for(d, panel), d, rule.reminder, step=d.step, due_at=d.due_at.isoformat())
    d.reminded_for = tag
    d.save(update_fields=["reminded_for"])
    return "reminded"


BATCH = 200


@transaction.atomic
def dispute_deadlines_batch(ids: list[int]) -> int:
    """The defaults of many cases whose deadlines are due, in one transaction: their orders
    and rows locked in ascending order (as every batch and every single step take them, so
    none deadlock), each step applied as `dispute_deadline` applies it, and their writes
    made together. Returns how many defaults fired. Remedies are paid by the tasks this
    queues."""
    order_ids = [
        o for o in Dispute.objects.filter(pk__in=ids).values_list("order_id", flat=True) if o
    ]
    batch = DisputeBatch()
    with enqueued_together():
        locked = orders_lock(order_ids)
        cases = list(Dispute.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
        batch.prefetch([d for d in cases if d.step in READ_DECISION])
        fired = 0
        for d in cases:
            if d.order_id:
                d.order = locked[d.order_id].order
            fired += not default_apply(batch, d).startswith(("not due", "closed"))
        batch.flush()
    return fired


def dispute_deadlines_run(*, limit: int = 1000) -> dict[str, int]:
    """Every dispute deadline that is due, from stored times (the timers' safety net)."""
    due = list(
        Dispute.objects.filter(closed_at__isnull=True, due_at__lte=timezone.now())
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
    fired = sum(dispute_deadlines_batch(due[i : i + BATCH]) for i in range(0, len(due), BATCH))
    paid = 0
    for pk in Dispute.objects.filter(step=Step.PAYING, executed_at__isnull=True).values_list(
        "pk", flat=True
    )[:limit]:
        paid += dispute_pay(dispute_id=pk) == "paid"
    return {"dispute_defaults": fired, "dispute_remedies_paid": paid}
