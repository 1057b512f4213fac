"""Shared set-up for the dispute tests: orders in the states complaints are filed on, the
desk's staff, and the books checked after every path."""

from __future__ import annotations

from anxin.accounts.models import Role, User
from anxin.conftest import make_user, pay, place_order
from anxin.disputes.audit import returns_audit
from anxin.ledger.audit import ledger_audit
from anxin.ledger.models import Account
from anxin.orders import services as orders
from anxin.orders.audit import orders_audit


def shipped(buyer, seller, listing, tracking: str = "SF3000000001"):
    order = place_order(buyer, listing)
    pay(order)
    orders.order_ship(
        actor=seller, number=order.number, carrier="顺丰速运", tracking_number=tracking
    )
    order.refresh_from_db()
    return order


def completed(buyer, seller, listing, tracking: str = "SF3000000002"):
    order = shipped(buyer, seller, listing, tracking)
    orders.order_confirm(actor=buyer, number=order.number)
    order.refresh_from_db()
    return order


def desk() -> dict[str, User]:
    """One mediator and four adjudicators (the first decides; three hear the appeal)."""
    people = {"mediator": make_user("mediator1", Role.MEDIATOR)}
    for i in range(1, 5):
        people[f"adj{i}"] = make_user(f"adjudicator{i}", Role.ADJUDICATOR)
    return people


def books_balance() -> None:
    assert ledger_audit() == []
    assert orders_audit() == []
    assert returns_audit() == []


def balance(code: str) -> int:
    a = Account.objects.filter(code=code).first()
    return 0 if a is None else a.credits_posted - a.debits_posted - a.debits_pending
