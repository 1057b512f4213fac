"""The ledger service on the database: idempotency, linked chains, the audit."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from anxin.ledger.audit import ledger_audit
from anxin.ledger.models import Account, Transfer
from anxin.ledger.posting import Kind, LedgerError
from anxin.ledger.services import (
    TransferRequest,
    buyer_account,
    provider_account,
    seller_account,
    transfer_id,
    transfers_create,
)

pytestmark = pytest.mark.django_db


class Acct(str):
    """An account code that can also fetch its row, so tests read like the ledger does."""

    @property
    def pk(self) -> str:
        return str(self)

    @property
    def code(self) -> str:
        return str(self)

    def refresh_from_db(self) -> None:
        row = Account.objects.filter(code=self).first()  # not yet opened: all zero
        for col in ("debits_pending", "debits_posted", "credits_pending", "credits_posted"):
            setattr(self, col, getattr(row, col) if row else 0)


@pytest.fixture
def accts(buyer, seller):
    return (
        Acct(provider_account("sandbox")),
        Acct(buyer_account(buyer.pk)),
        Acct(seller_account(seller.pk)),
    )


def test_a_retried_transfer_applies_once(accts) -> None:
    # Given a capture of 1000 for the buyer
    provider, b, _ = accts
    req = TransferRequest(transfer_id("t", 1), provider.pk, b.pk, 1000, "capture", "ref")
    # When it is created twice
    first = transfers_create([req])
    again = transfers_create([req])
    # Then both calls answer its id, and it was applied once
    assert first == again == [req.id]
    b.refresh_from_db()
    assert b.credits_posted == 1000
    assert Transfer.objects.count() == 1


def test_the_same_id_with_other_content_is_refused(accts) -> None:
    # Given a transfer of 1000 made
    provider, b, _ = accts
    transfers_create([TransferRequest(transfer_id("t", 1), provider.pk, b.pk, 1000, "c", "r")])
    # When a transfer with the same id but 999 is made
    with pytest.raises(LedgerError) as e, transaction.atomic():
        transfers_create([TransferRequest(transfer_id("t", 1), provider.pk, b.pk, 999, "c", "r")])
    # Then it is refused and the first stands
    assert e.value.code == "exists_with_different_fields"
    b.refresh_from_db()
    assert b.credits_posted == 1000


def test_a_linked_chain_applies_all_or_nothing(accts) -> None:
    # Given a buyer with nothing
    provider, b, s = accts
    # When a linked chain captures 1000 for her and holds 1001 of it for the seller
    with pytest.raises(LedgerError) as e, transaction.atomic():
        transfers_create(
            [
                TransferRequest(transfer_id("c", 1), provider.pk, b.pk, 1000, "capture", "r"),
                # More than the buyer has: the whole chain, capture included, must not happen.
                TransferRequest(transfer_id("c", 2), b.pk, s.pk, 1001, "hold", "r", Kind.PENDING),
            ]
        )
    # Then the chain is refused and neither transfer happened
    assert e.value.code == "exceeds_credits"
    assert Transfer.objects.count() == 0
    b.refresh_from_db()
    assert b.credits_posted == 0
    assert b.debits_pending == 0


def test_a_hold_is_resolved_at_most_once(accts) -> None:
    # Given a hold of the buyer's 1000 for the seller, already posted
    provider, b, s = accts
    hold = transfer_id("h")
    transfers_create(
        [
            TransferRequest(transfer_id("c"), provider.pk, b.pk, 1000, "capture", "r"),
            TransferRequest(hold, b.pk, s.pk, 1000, "hold", "r", Kind.PENDING),
        ]
    )
    transfers_create(
        [TransferRequest(transfer_id("p"), b.pk, s.pk, 1000, "post", "r", Kind.POST_PENDING, hold)]
    )
    # When the hold is voided
    with pytest.raises(LedgerError) as e, transaction.atomic():
        transfers_create(
            [
                TransferRequest(
                    transfer_id("v"), b.pk, s.pk, 1000, "void", "r", Kind.VOID_PENDING, hold
                )
            ]
        )
    # Then the void is refused and the seller keeps the 1000
    assert e.value.code == "pending_already_posted"
    s.refresh_from_db()
    assert s.credits_posted == 1000
    assert ledger_audit() == []


def _tamper(sql: str, params: list) -> None:
    with connection.cursor() as cur:
        cur.execute(sql, params)


def test_the_audit_passes_on_honest_books_and_names_each_tampering(accts, capsys) -> None:
    # Given honest books: a capture and a hold
    provider, b, s = accts
    hold = transfer_id("h")
    transfers_create(
        [
            TransferRequest(transfer_id("c"), provider.pk, b.pk, 1000, "capture", "r"),
            TransferRequest(hold, b.pk, s.pk, 1000, "hold", "r", Kind.PENDING),
        ]
    )
    # When they are audited, in code and from the command line
    # Then the audit passes
    assert ledger_audit() == []
    call_command("ledger", "audit")
    assert "ledger audit: ok" in capsys.readouterr().out

    # When a balance is edited behind the ledger's back
    _tamper(
        f"UPDATE {Account._meta.db_table} SET credits_posted = credits_posted + 1 WHERE code = %s",
        [s.pk],
    )
    # Then the audit names the account and the money created, and the command fails
    problems = ledger_audit()
    assert any(f"account {s.code}: stored totals" in p for p in problems)
    assert any("money was created or lost" in p for p in problems)
    with pytest.raises(SystemExit) as exit_:
        call_command("ledger", "audit")
    assert exit_.value.code == 1
    assert f"VIOLATION account {s.code}" in capsys.readouterr().err


def test_the_audit_finds_an_edited_transfer_amount(accts) -> None:
    # Given a capture of 1000 for the buyer
    provider, b, _ = accts
    transfers_create([TransferRequest(transfer_id("c"), provider.pk, b.pk, 1000, "capture", "r")])
    # When its amount is edited to 900 in the database
    _tamper(f"UPDATE {Transfer._meta.db_table} SET amount = 900", [])
    # Then the audit finds the buyer's stored totals wrong
    problems = ledger_audit()
    assert any(p.startswith(f"account {b.code}: stored totals") for p in problems)


def test_the_audit_finds_a_hold_marked_resolved_without_a_transfer(accts) -> None:
    # Given a pending hold
    provider, b, s = accts
    transfers_create(
        [
            TransferRequest(transfer_id("c"), provider.pk, b.pk, 1000, "capture", "r"),
            TransferRequest(transfer_id("h"), b.pk, s.pk, 1000, "hold", "r", Kind.PENDING),
        ]
    )
    # When it is marked posted in the database, with no transfer posting it
    _tamper(
        f"UPDATE {Transfer._meta.db_table} SET pending_state = 'posted' WHERE kind = 'pending'", []
    )
    # Then the audit finds it stored as posted while its transfers say pending
    assert any("stored as posted, transfers say pending" in p for p in ledger_audit())


def test_the_audit_finds_a_deleted_member_of_a_linked_chain(accts) -> None:
    # Given a linked chain of two captures
    provider, b, s = accts
    transfers_create(
        [
            TransferRequest(transfer_id("c1"), provider.pk, b.pk, 600, "capture", "r"),
            TransferRequest(transfer_id("c2"), provider.pk, s.pk, 400, "capture", "r"),
        ]
    )
    # When one of them is deleted from the database
    _tamper(f"DELETE FROM {Transfer._meta.db_table} WHERE amount = 400", [])
    # Then the audit finds the chain holds 1 of its 2 transfers
    assert any("linked chain" in p and "1 of 2" in p for p in ledger_audit())


def test_the_database_itself_refuses_an_overdrawn_limited_account(accts) -> None:
    from django.db import IntegrityError, transaction

    # Given a buyer's limited account credited 1000
    provider, b, _ = accts
    transfers_create([TransferRequest(transfer_id("c"), provider, b, 1000, "capture", "r")])
    # When its debits are set to 1001 behind the ledger's back
    # Then the database's own constraint refuses the update
    with pytest.raises(IntegrityError), transaction.atomic():
        Account.objects.filter(code=b.code).update(debits_posted=1001)
