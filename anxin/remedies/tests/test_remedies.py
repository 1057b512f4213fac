"""Paying a buyer back from the seller's balance, the guarantee fund and the deposit, and the
seller's debt that is left: its collection, and its own evidence chain that verifies."""

from __future__ import annotations

import pytest
from django.db import transaction

from anxin.conftest import deliver_all, pay, place_order
from anxin.core.errors import Forbidden, ValidationFailed
from anxin.evidence import keys, sequencer, voucher
from anxin.evidence.models import Record
from anxin.evidence.store import voucher_for_chain
from anxin.ledger.models import Account
from anxin.ops.audits import books_audit
from anxin.orders import services as orders
from anxin.orders.locks import order_lock
from anxin.remedies.models import Creditor, SellerDebt
from anxin.remedies.selectors import deposit_status, fund_position, returned_to_buyer
from anxin.remedies.services import (
    Paid,
    debt_collect,
    deposit_lodge,
    fund_allocate,
    remedy_pay_buyer,
)

pytestmark = pytest.mark.django_db


def balance(code: str) -> int:
    a = Account.objects.filter(code=code).first()
    return 0 if a is None else a.credits_posted - a.debits_posted - a.debits_pending


def completed(buyer, seller, listing, tracking: str):
    order = place_order(buyer, listing)
    pay(order)
    orders.order_ship(
        actor=seller, number=order.number, carrier="顺丰速运", tracking_number=tracking
    )
    orders.order_confirm(actor=buyer, number=order.number)
    order.refresh_from_db()
    return order


def refund_in_full(order, *, fund_cap_fen: int = 0) -> Paid:
    """What a case or a return does: pay the whole price back, under the order's lock."""
    with transaction.atomic():
        locked = order_lock(order.pk).order
        return remedy_pay_buyer(
            locked,
            buyer_id=order.buyer_id,
            seller_id=order.seller_id,
            key=f"test:{order.pk}",
            price_fen=order.amount_fen,
            extra_fen=0,
            reason="test",
            fund_cap_fen=fund_cap_fen,
            debt_for={},
        )


def books_balance() -> None:
    assert books_audit() == []


def test_after_payout_the_fee_and_the_seller_balance_pay_and_the_rest_is_owed(
    clock, buyer, seller, listing
) -> None:
    # Given a completed order whose seller moved its whole balance into its deposit
    order = completed(buyer, seller, listing, tracking="SF5000000001")
    deposit_lodge(actor=seller, amount_fen=balance(f"seller:{seller.pk}"))
    # When the buyer is paid back the whole price
    paid = refund_in_full(order)
    deliver_all()
    # Then the platform gives its fee back and the seller owes the rest to the buyer
    assert paid.fee == order.fee_fen
    assert paid.seller == 0
    assert paid.debt == order.amount_fen - order.fee_fen
    debt = SellerDebt.objects.get(seller=seller)
    assert debt.creditor == Creditor.BUYER
    assert debt.amount_fen == paid.debt
    books_balance()


def test_a_debt_is_collected_from_the_deposit_and_its_chain_verifies(
    clock, buyer, seller, listing
) -> None:
    # Given a seller debt left by a refund after payout, and the seller's deposit
    order = completed(buyer, seller, listing, tracking="SF5000000002")
    deposit_lodge(actor=seller, amount_fen=balance(f"seller:{seller.pk}"))
    refund_in_full(order)
    debt = SellerDebt.objects.get(seller=seller)
    # When the debt is collected
    collected = debt_collect(seller_id=seller.pk)
    deliver_all()
    # Then the deposit repaid it in full, and the buyer has the whole price back
    debt.refresh_from_db()
    assert collected == debt.amount_fen
    assert debt.settled_at is not None
    assert returned_to_buyer(order) == order.amount_fen
    # And the debt's own chain holds its creation and its repayment, and verifies
    sequencer.integrate_all()
    checked = voucher.verify(voucher_for_chain(debt.chain).text, keys.log_verifier())
    records = [*checked.history, checked.record]
    assert [r["kind"] for r in records] == ["debt.created", "debt.repaid"]
    assert records[0]["amount_fen"] == debt.amount_fen
    assert records[1]["amount_fen"] == debt.amount_fen
    assert records[1]["from_deposit_fen"] == debt.amount_fen
    assert (
        records[1]["prev"]
        == bytes(Record.objects.filter(chain=debt.chain).order_by("id").first().commitment).hex()
    )
    books_balance()


def test_the_fund_advances_up_to_its_cap_and_is_repaid_first_from_the_deposit(
    clock, buyer, seller, operator, listing
) -> None:
    # Given fee income in the guarantee fund and a seller whose balance is in its deposit
    for i in range(3):
        completed(buyer, seller, listing, tracking=f"SF500000001{i}")
    fund_allocate(actor=operator, amount_fen=balance("platform:fees"), reason="保障金")
    order = completed(buyer, seller, listing, tracking="SF5000000020")
    deposit_lodge(actor=seller, amount_fen=balance(f"seller:{seller.pk}"))
    # When the buyer is paid back with the fund allowed to advance 100 fen
    paid = refund_in_full(order, fund_cap_fen=100)
    # Then the fund advanced its cap, and both the fund and the buyer are the seller's creditors
    assert paid.fund == 100
    assert fund_position()["advanced_fen"] == 100
    assert SellerDebt.objects.get(creditor=Creditor.FUND).amount_fen == 100
    assert SellerDebt.objects.get(creditor=Creditor.BUYER).amount_fen == paid.debt
    # When the debts are collected, the deposit repays both
    debt_collect(seller_id=seller.pk)
    deliver_all()
    assert fund_position()["recovered_fen"] == 100
    assert not SellerDebt.objects.filter(settled_at__isnull=True).exists()
    books_balance()


def test_only_sellers_lodge_and_only_the_operator_allocates(
    buyer, seller, operator, listing
) -> None:
    # Given an empty fund and no deposit
    before = (fund_position(), deposit_status(seller))
    # When the wrong roles try, or a seller lodges more than its balance
    with pytest.raises(Forbidden):
        deposit_lodge(actor=buyer, amount_fen=100)
    with pytest.raises(Forbidden):
        fund_allocate(actor=seller, amount_fen=100, reason="x")
    with pytest.raises(ValidationFailed, match="balance"):
        deposit_lodge(actor=seller, amount_fen=100)
    # Then nothing moved
    assert (fund_position(), deposit_status(seller)) == before
