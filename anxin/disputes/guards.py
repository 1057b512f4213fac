"""What every dispute service does first: lock the case (after its order), check that the
actor may see it and has the role the action needs, and that the case is at the step the
action belongs to."""

from __future__ import annotations

from anxin.accounts.models import User
from anxin.core.errors import Conflict, Forbidden, InvalidTransition, NotFound, msg
from anxin.disputes.models import Dispute, Stage, Step
from anxin.disputes.selectors import can_see, role_in
from anxin.orders.locks import order_lock_of


def case_locked(number: str | None = None, pk: int | None = None) -> Dispute:
    """The case, locked, after its order (the order lock comes first, as everywhere): the
    order is found and locked in one statement."""
    column, value = ("number", number) if number else ("id", pk or 0)
    locked = order_lock_of(Dispute, **{column: value})
    order = locked.order if locked is not None else None
    d = Dispute.objects.select_for_update().filter(**{column: value}).first()
    if d is None:
        raise NotFound(msg("case {number_or_pk}: not found", number_or_pk=number or pk))
    if order is not None:
        d.order = order
    return d


def case_for(actor: User, number: str) -> Dispute:
    d = case_locked(number=number)
    if not can_see(actor, d):
        raise NotFound(msg("case {number}: not found", number=number))
    return d


def step_expect(d: Dispute, *steps: str) -> None:
    if d.step not in steps:
        raise InvalidTransition(
            msg(
                "case {number} is at {step}; this needs {join}",
                number=d.number,
                step=d.step,
                join=" or ".join(steps),
            ),
            code="dispute_step",
        )


def role_require(actor: User, d: Dispute, *who: str) -> str:
    role = role_in(actor, d)
    if role not in who:
        raise Forbidden(
            msg(
                "only the {join} can do this in case {number}",
                join=" or ".join(who),
                number=d.number,
            )
        )
    return role


def parties(d: Dispute) -> list[int]:
    return [d.buyer_id, d.seller_id]


def officers(d: Dispute) -> list[int | None]:
    return [d.mediator_id, d.adjudicator_id]


def unadmitted_expect(d: Dispute) -> None:
    if d.stage == Stage.CLOSED or d.step == Step.PAYING:
        raise InvalidTransition(
            msg("case {number} is closed", number=d.number), code="dispute_step"
        )
    if d.admitted_at is not None:
        raise Conflict(
            msg("case {number} has already been admitted", number=d.number), code="admitted"
        )


def admitted_expect(d: Dispute) -> None:
    if d.admitted_at is None:
        raise Conflict(
            msg(
                "case {number}: the complaint has not been admitted; admit "
                "it (the file shows the sale) or refuse it before deciding",
                number=d.number,
            ),
            code="not_admitted",
        )
