"""The posting rules, without a database."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from anxin.ledger.posting import (
    Balance,
    Flag,
    Kind,
    LedgerError,
    PendingState,
    PendingView,
    Transfer,
    apply,
)

LIMITED = int(Flag.DEBITS_MUST_NOT_EXCEED_CREDITS)


def books(*limited: int) -> dict[int, Balance]:
    # Account 1 is the outside world (no limit); 2..4 may not pay out more than they received.
    return {1: Balance(1), **{i: Balance(i, flags=LIMITED) for i in limited}}


def test_posted_transfer_moves_money_and_keeps_debits_equal_to_credits() -> None:
    # Given the outside world and a limited account
    # When 500 is posted from one to the other
    b = apply(Transfer("t1", 1, 2, 500), books(2)).balances
    # Then one side is debited what the other is credited, and all of it is available
    assert b[1].debits_posted == 500
    assert b[2].credits_posted == 500
    assert b[2].available == 500


def test_a_hold_counts_as_spent_and_posting_it_moves_the_money() -> None:
    # Given an account holding 500
    b = apply(Transfer("t1", 1, 2, 500), books(2, 3)).balances
    # When 400 of it is held for another account
    hold = Transfer("h", 2, 3, 400, Kind.PENDING)
    b = apply(hold, b).balances
    # Then only 100 is available, and the other account has 400 pending, none posted
    assert b[2].available == 100
    assert b[3].credits_pending == 400
    assert b[3].credits_posted == 0
    # When the hold is posted
    effects = apply(Transfer("p", 2, 3, 400, Kind.POST_PENDING, "h"), b, PendingView(hold))
    # Then the hold is resolved as posted, the 400 moves, and nothing is pending any more
    assert effects.resolved_pending == ("h", PendingState.POSTED)
    assert effects.balances[3].credits_posted == 400
    assert effects.balances[3].credits_pending == 0
    assert effects.balances[2].debits_pending == 0
    assert effects.balances[2].available == 100


def test_voiding_a_hold_gives_the_money_back() -> None:
    # Given an account whose 500 is all held for another
    b = apply(Transfer("t1", 1, 2, 500), books(2, 3)).balances
    hold = Transfer("h", 2, 3, 500, Kind.PENDING)
    b = apply(hold, b).balances
    # When the hold is voided
    effects = apply(Transfer("v", 2, 3, 500, Kind.VOID_PENDING, "h"), b, PendingView(hold))
    # Then the hold is resolved as voided and the 500 is available again
    assert effects.resolved_pending == ("h", PendingState.VOIDED)
    assert effects.balances[2].available == 500
    assert effects.balances[3].credits_pending == 0


def test_a_partial_post_releases_the_rest() -> None:
    # Given an account whose 500 is all held for another
    b = apply(Transfer("t1", 1, 2, 500), books(2, 3)).balances
    hold = Transfer("h", 2, 3, 500, Kind.PENDING)
    b = apply(hold, b).balances
    # When 300 of the hold is posted
    b = apply(Transfer("p", 2, 3, 300, Kind.POST_PENDING, "h"), b, PendingView(hold)).balances
    # Then 300 moves and the other 200 is available again
    assert b[2].available == 200
    assert b[3].credits_posted == 300


@pytest.mark.parametrize(
    ("transfer", "pending_state", "code"),
    [
        (Transfer("x", 2, 3, 600), None, "exceeds_credits"),
        (Transfer("x", 2, 3, 0), None, "zero_amount"),
        (Transfer("x", 2, 3, -1), None, "negative_amount"),
        (Transfer("x", 2, 2, 1), None, "same_account"),
        (Transfer("x", 2, 9, 1), None, "unknown_account"),
        (Transfer("x", 2, 3, 1, currency="USD"), None, "currency_mismatch"),
        (Transfer("x", 2, 3, 1, Kind.POSTED, "h"), None, "unexpected_pending_id"),
        (
            Transfer("x", 2, 3, 501, Kind.POST_PENDING, "h"),
            PendingState.PENDING,
            "post_amount_out_of_range",
        ),
        (
            Transfer("x", 2, 3, 499, Kind.VOID_PENDING, "h"),
            PendingState.PENDING,
            "void_amount_mismatch",
        ),
        (
            Transfer("x", 2, 3, 500, Kind.POST_PENDING, "h"),
            PendingState.POSTED,
            "pending_already_posted",
        ),
        (
            Transfer("x", 2, 3, 500, Kind.VOID_PENDING, "h"),
            PendingState.VOIDED,
            "pending_already_voided",
        ),
        (Transfer("x", 3, 2, 500, Kind.POST_PENDING, "h"), PendingState.PENDING, "accounts_differ"),
        (
            Transfer("x", 2, 3, 500, Kind.POST_PENDING, "other"),
            PendingState.PENDING,
            "pending_not_found",
        ),
    ],
)
def test_refused_transfers_name_their_problem(transfer: Transfer, pending_state, code) -> None:
    # Given an account holding 500 and, for some cases, a hold "h" of 500 in a given state
    b = apply(Transfer("t1", 1, 2, 500), books(2, 3)).balances
    view = None
    if pending_state is not None:
        view = PendingView(Transfer("h", 2, 3, 500, Kind.PENDING), pending_state)
    # When a transfer breaking one rule is applied
    with pytest.raises(LedgerError) as e:
        apply(transfer, b, view)
    # Then it is refused with that rule's code
    assert e.value.code == code


def test_a_credit_limited_account_cannot_receive_more_than_it_paid() -> None:
    # Given an account whose credits may not exceed its debits, and which has paid nothing
    b = {1: Balance(1), 2: Balance(2, flags=int(Flag.CREDITS_MUST_NOT_EXCEED_DEBITS))}
    # When 1 fen is sent to it
    with pytest.raises(LedgerError) as e:
        apply(Transfer("x", 1, 2, 1), b)
    # Then the transfer is refused as exceeding its debits
    assert e.value.code == "exceeds_debits"


ops = st.lists(
    st.tuples(
        st.sampled_from(["post", "hold", "resolve_post", "resolve_void"]),
        st.integers(1, 4),
        st.integers(1, 4),
        st.integers(1, 2_000),
    ),
    max_size=60,
)


@settings(max_examples=300, deadline=None)
@given(ops)
def test_no_sequence_of_transfers_creates_money_or_overdraws(seq) -> None:
    """Whatever is tried, applied or refused: debits equal credits, and no limited account
    ever has less than nothing."""
    # Given the outside world and three limited accounts
    b = books(2, 3, 4)
    holds: list[PendingView] = []
    # When a random sequence of posts, holds and resolutions is applied, each kept or refused
    for n, (op, d, c, amount) in enumerate(seq):
        try:
            if op == "post":
                b = apply(Transfer(f"t{n}", d, c, amount), b).balances
            elif op == "hold":
                t = Transfer(f"t{n}", d, c, amount, Kind.PENDING)
                b = apply(t, b).balances
                holds.append(PendingView(t))
            elif holds:
                view = holds[amount % len(holds)]
                p = view.transfer
                kind = Kind.POST_PENDING if op == "resolve_post" else Kind.VOID_PENDING
                eff = apply(
                    Transfer(
                        f"t{n}", p.debit_account_id, p.credit_account_id, p.amount, kind, p.id
                    ),
                    b,
                    view,
                )
                b = eff.balances
                view.state = eff.resolved_pending[1]
        except LedgerError:
            pass
        # Then after every step debits equal credits and no limited account is overdrawn
        assert sum(x.debits_posted for x in b.values()) == sum(x.credits_posted for x in b.values())
        assert sum(x.debits_pending for x in b.values()) == sum(
            x.credits_pending for x in b.values()
        )
        for x in b.values():
            if x.flags & LIMITED:
                assert x.available >= 0
