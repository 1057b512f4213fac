"""How a dispute step's writes are made. Every helper takes a writer and writes through it:
`DisputeWriter` writes each change at once (a party's or officer's action, one case's
deadline); `DisputeBatch` holds many cases' writes back and makes them together at the end
of the batch's transaction (`deadlines.dispute_deadlines_batch`): their events and evidence
records, the cases' rows, decisions and notices, in a handful of statements instead of a
dozen per case, with the reads the steps need (latest decisions, officers' loads) made once
for all. Either way the helpers run the same code."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import field as default
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.db.models import Count, OuterRef, QuerySet, Subquery, prefetch_related_objects
from django.db.models.functions import Coalesce
from django.utils import timezone

from anxin.accounts.models import User
from anxin.core import hooks
from anxin.core.sql import insert_many, insert_two_update, update_rows
from anxin.core.tasks_backend import enqueue_each
from anxin.disputes.models import Appeal, Decision, Dispute, DisputeEvent
from anxin.disputes.selectors import role_in
from anxin.disputes.steps import STEPS
from anxin.evidence import services as evidence
from anxin.evidence.models import Record
from anxin.law.days import due_at
from anxin.notices.models import Notification
from anxin.notices.services import notice_send, notices_build, notices_save


def chain(d: Dispute) -> str:
    return f"dispute:{d.number}"


def _officers_by_load(role: str, field: str) -> QuerySet[User]:
    open_cases = (
        Dispute.objects.filter(closed_at__isnull=True, **{field: OuterRef("pk")})
        .order_by()
        .values(field)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        User.objects.filter(role=role, is_active=True)
        .annotate(load=Coalesce(Subquery(open_cases), 0))
        .order_by("load", "pk")
    )


class DisputeWriter:
    """Writes each change as it is made."""

    def event(
        self, d: Dispute, kind: str, *, actor: User | None, role: str | None = None, **detail: Any
    ) -> int:
        """One step's history row and evidence record (the record links to the case's last),
        and the case's evidence head moved to it: one statement on PostgreSQL. Returns the
        record's id (0 in a batch, where it is written later)."""
        now = timezone.now()
        role = role or (role_in(actor, d) if actor is not None else "system")
        body = {"case": d.number, "actor_role": role, **detail}
        if actor is not None:
            body["actor"] = actor.pk
        values = evidence.prepare(
            chain=chain(d), kind=f"dispute.{kind}", body=body, at=now, prev=d.evidence_head
        )
        d.evidence_head = values["commitment"]
        row = {
            "dispute": d.pk,
            "kind": kind,
            "actor": actor.pk if actor is not None else None,
            "actor_role": role,
            "detail": detail,
            "at": now,
        }
        return self._event_write(d, values, row)

    def _event_write(self, d: Dispute, record: dict[str, Any], row: dict[str, Any]) -> int:
        return int(
            insert_two_update(
                Record,
                record,
                DisputeEvent,
                row,
                Dispute,
                {"id": d.pk},
                evidence_head=d.evidence_head,
            )
        )

    def move(self, d: Dispute, step: str, **fields: Any) -> None:
        """The case on to `step` (its stage and deadline from the step table), with `fields`
        set, and the step's timers queued."""
        rule = STEPS[step]
        d.stage, d.step = rule.stage or d.stage, step
        days = rule.days()
        d.due_at = due_at(timezone.now(), days) if days else None
        for k, v in fields.items():
            setattr(d, k, v)
        self._case_write(d)
        _schedule(self, d)
        self.changed(d)

    def changed(self, d: Dispute) -> None:
        """The case changed in a way the public figures show (every move does, and admission):
        whoever publishes them updates them now, in this transaction (hook CASES_CHANGED)."""
        hooks.call(hooks.CASES_CHANGED, dispute_ids=[d.pk])

    def _case_write(self, d: Dispute) -> None:
        d.save()

    def queue(self, task: Any, *args: Any) -> None:
        """`task` queued with these arguments, in the transaction of the step."""
        task.enqueue(*args)

    def notify(
        self, users: Iterable[User | int | None], d: Dispute, kind: str, **params: Any
    ) -> None:
        """A notice about the case for each user (and its e-mail)."""
        notice_send(users, kind, subject=d, **params)

    def decision_add(self, d: Dispute, decision: Decision) -> None:
        decision.save()

    def appeal_decided(self, a: Appeal) -> None:
        a.save(update_fields=["decided_at"])

    def latest_decision(self, d: Dispute) -> Decision | None:
        return d.decisions.order_by("-pk").first()

    def least_busy(
        self, role: str, d: Dispute, field: str, exclude: Iterable[int | None] = ()
    ) -> int | None:
        """The active officer of this role with the fewest open cases, never a party."""
        skip = _skipped(d, exclude)
        return (
            _officers_by_load(role, field).exclude(pk__in=skip).values_list("pk", flat=True).first()
        )

    def seller_rescore(self, seller_id: int) -> None:
        """A closed case counts in the seller's credit score: scored again now, by whoever
        keeps the score (hook SELLER_RECORD_CHANGED)."""
        hooks.call(hooks.SELLER_RECORD_CHANGED, seller_id=seller_id)


def _skipped(d: Dispute, exclude: Iterable[int | None]) -> set[int]:
    return {u for u in {d.buyer_id, d.seller_id, *exclude} if u is not None}


# The case fields a step may change, written by the batch; foreign keys are written by id.
_BATCH_FIELDS = [
    "stage",
    "step",
    "due_at",
    "evidence_head",
    "mediator",
    "adjudicator",
    "outcome",
    "remedy_fen",
    "proposal_fen",
    "proposal_text",
    "buyer_accepted_at",
    "seller_accepted_at",
    "closed_at",
]
_BATCH_ATTNAMES = [(f, f"{f}_id" if f in ("mediator", "adjudicator") else f) for f in _BATCH_FIELDS]


@dataclass
class DisputeBatch(DisputeWriter):
    """Holds many cases' writes back until `flush`, at the end of the batch's transaction."""

    events: list[tuple[dict[str, Any], dict[str, Any]]] = default(default_factory=list)
    dirty: dict[int, Dispute] = default(default_factory=dict)
    notices: list[Notification] = default(default_factory=list)
    decisions: list[Decision] = default(default_factory=list)
    appeals: list[Appeal] = default(default_factory=list)
    latest: dict[int, Decision] = default(default_factory=dict)
    loads: dict[str, dict[int, int]] = default(default_factory=dict)
    tasks: dict[Any, list[tuple[Any, ...]]] = default(default_factory=dict)

    def prefetch(self, cases: list[Dispute]) -> None:
        """What the steps read of these cases, read for all of them at once: the latest
        decisions, and the appeals with their votes (a panel's deadline tallies them)."""
        if not cases:
            return
        for dec in Decision.objects.filter(dispute__in=cases).order_by("pk"):
            self.latest[dec.dispute_id] = dec
        prefetch_related_objects(cases, "appeal__votes")

    def _event_write(self, d: Dispute, record: dict[str, Any], row: dict[str, Any]) -> int:
        self.events.append((record, row))
        self.dirty[d.pk] = d
        return 0

    def _case_write(self, d: Dispute) -> None:
        self.dirty[d.pk] = d

    def queue(self, task: Any, *args: Any) -> None:
        self.tasks.setdefault(task, []).append(args)

    def notify(
        self, users: Iterable[User | int | None], d: Dispute, kind: str, **params: Any
    ) -> None:
        self.notices += notices_build(users, kind, subject=d, **params)

    def decision_add(self, d: Dispute, decision: Decision) -> None:
        self.decisions.append(decision)
        self.latest[d.pk] = decision

    def appeal_decided(self, a: Appeal) -> None:
        self.appeals.append(a)

    def latest_decision(self, d: Dispute) -> Decision | None:
        return self.latest.get(d.pk)

    def least_busy(
        self, role: str, d: Dispute, field: str, exclude: Iterable[int | None] = ()
    ) -> int | None:
        """As the single writer chooses, from loads read once and counted up as cases are
        given out."""
        skip = _skipped(d, exclude)
        loads = self.loads.get(field)
        if loads is None:
            loads = self.loads[field] = dict(
                _officers_by_load(role, field).values_list("pk", "load")  # type: ignore[misc]
            )
        candidates = [(n, pk) for pk, n in loads.items() if pk not in skip]
        if not candidates:
            return None
        _, chosen = min(candidates)
        loads[chosen] += 1
        return chosen

    def changed(self, d: Dispute) -> None:
        """A batch tells of its cases once, at the end of `flush`, when their rows are written."""

    def seller_rescore(self, seller_id: int) -> None:
        """A batch's rows are written at its end: its sellers are left to the credit
        refresher, which reads the cases' events."""

    def flush(self) -> None:
        if self.decisions:
            Decision.objects.bulk_create(self.decisions)
        if self.events:
            # One INSERT ... SELECT FROM UNNEST of a column array each (core.sql.insert_many),
            # from the rows as prepared: a statement of the same few lines for any number of
            # rows (a VALUES list of 200 rows cost more for the driver to parse than for the
            # server to run), and no model instances built only to be taken apart again.
            insert_many(Record, [r for r, _ in self.events])
            insert_many(DisputeEvent, [e for _, e in self.events])
        if self.dirty:
            update_rows(
                Dispute,
                "id",
                [
                    {"id": d.pk} | {f: getattr(d, attname) for f, attname in _BATCH_ATTNAMES}
                    for d in self.dirty.values()
                ],
            )
        if self.appeals:
            update_rows(
                Appeal, "id", [{"id": a.pk, "decided_at": a.decided_at} for a in self.appeals]
            )
        notices_save(self.notices)
        for task, calls in self.tasks.items():
            enqueue_each(task, calls)
        if self.dirty:
            hooks.call(hooks.CASES_CHANGED, dispute_ids=sorted(self.dirty))


def _schedule(w: DisputeWriter, d: Dispute) -> None:
    from anxin.disputes.tasks import deadline_task, remind_task

    if d.due_at is None:
        return
    w.queue(_timer(deadline_task, d.due_at), d.pk)
    remind_at = d.due_at - dt.timedelta(hours=settings.ANXIN_DISPUTE_REMIND_HOURS)
    if remind_at > timezone.now():
        w.queue(_timer(remind_task, remind_at), d.pk)


@lru_cache(maxsize=64)
def _timer(task: Any, run_after: dt.datetime) -> Any:
    """The timer task for this time, made once: the cases a batch moves to a step share its
    deadline (24:00 of the period's last day), and making a task (a validated frozen copy)
    cost more than enqueuing it."""
    return task.using(run_after=run_after)
