"""Seller payouts: what may be withdrawn, the request and its provider call, the provider's
answers (paid, failed, returned) and the money in the ledger, audited after each."""

from __future__ import annotations

import pytest

from anxin.conftest import deliver_all
from anxin.core.errors import Conflict, Forbidden, ValidationFailed
from anxin.ledger.models import Account
from anxin.ledger.services import payout_clearing_account, seller_account
from anxin.ops.audits import books_audit
from anxin.payments.models import SandboxPayout
from anxin.payouts.audit import payouts_audit
from anxin.payouts.models import Payout, PayoutStatus
from anxin.payouts.selectors import payout_balance
from anxin.payouts.services import payout_request
from anxin.payouts.submission import payout_account_open
from anxin.payouts.tests.helpers import (
    PAST_WINDOW,
    REFUSED_CARD,
    RETURN,
    RETURNED_CARD,
    SETTLE,
    card,
    settled_order,
)
from anxin.reputation.models import BlacklistEntry, Ground

pytestmark = pytest.mark.django_db


def _available(seller) -> int:
    return Account.objects.get(code=seller_account(seller.pk)).available


def _clean() -> None:
    assert books_audit() == []


def test_money_is_held_until_the_after_sales_window_has_passed(
    clock, buyer, seller, listing
) -> None:
    # Given an order the buyer has just confirmed
    order = settled_order(buyer, seller, listing, "SF1000000001")
    # When the seller looks at its balance
    bal = payout_balance(seller.pk)
    # Then the money is in the balance but held, nothing withdrawable
    assert bal.balance_fen == order.seller_share_fen
    assert bal.held_fen == order.seller_share_fen
    assert bal.withdrawable_fen == 0
    # When the after-sales window has passed
    clock.shift(PAST_WINDOW)
    # Then all of it is withdrawable
    assert payout_balance(seller.pk).withdrawable_fen == order.seller_share_fen


def test_an_open_after_sales_request_holds_the_orders_money(clock, buyer, seller, listing) -> None:
    from anxin.aftersales.services import aftersale_request

    # Given an order whose window has passed, and the buyer asks for a repair
    order = settled_order(buyer, seller, listing, "SF1000000002")
    clock.shift(PAST_WINDOW)
    aftersale_request(actor=buyer, number=order.number, kind="repair", reason="坏了")
    # When the seller looks at its balance
    # Then the order's money is held while the request is open
    assert payout_balance(seller.pk).withdrawable_fen == 0


def test_a_blacklisting_notice_stops_withdrawals(clock, buyer, seller, listing) -> None:
    # Given withdrawable money and a card
    settled_order(buyer, seller, listing, "SF1000000003")
    clock.shift(PAST_WINDOW)
    account = card(seller)
    # When a blacklisting notice is opened against the seller
    from django.utils import timezone

    BlacklistEntry.objects.create(
        seller=seller,
        number_index="x",
        ground=Ground.RUNAWAY,
        reasons="测试",
        noticed_at=timezone.now(),
        appeal_by=timezone.now(),
    )
    # Then nothing is withdrawable and a request is refused
    assert payout_balance(seller.pk).withdrawable_fen == 0
    with pytest.raises(Conflict) as e:
        payout_request(actor=seller, amount_fen=100, account_id=account.pk, key="k")
    assert e.value.code == "payouts_blocked"
    assert not Payout.objects.exists()


def test_a_payout_is_held_then_paid_once(clock, buyer, seller, listing) -> None:
    # Given withdrawable money and a card
    order = settled_order(buyer, seller, listing, "SF1000000004")
    clock.shift(PAST_WINDOW)
    account = card(seller)
    share = order.seller_share_fen
    # When the seller withdraws part of it, twice with one key
    p = payout_request(actor=seller, amount_fen=share - 100, account_id=account.pk, key="w1")
    again = payout_request(actor=seller, amount_fen=share - 100, account_id=account.pk, key="w1")
    # Then one payout is recorded, its money held out of the balance
    assert again.pk == p.pk
    assert p.status == PayoutStatus.PROCESSING
    assert _available(seller) == 100
    assert payout_balance(seller.pk).withdrawable_fen == 100
    _clean()
    # When the submission task runs
    deliver_all()
    # Then the provider has it once, processing
    p.refresh_from_db()
    assert p.submitted_at is not None
    assert SandboxPayout.objects.get(payout_key=p.payout_key).status == "processing"
    # When the bank pays it and the notification arrives
    clock.shift(SETTLE)
    deliver_all()
    # Then the payout is paid, the money left the books, the clearing account is empty
    p.refresh_from_db()
    assert p.status == PayoutStatus.SUCCEEDED
    assert p.provider_payout_id.startswith("sbxpo_")
    clearing = Account.objects.get(code=payout_clearing_account())
    assert clearing.credits_pending == 0
    assert clearing.credits_posted == clearing.debits_posted == share - 100
    assert _available(seller) == 100
    _clean()


def test_the_same_key_for_another_withdrawal_is_refused(clock, buyer, seller, listing) -> None:
    # Given a withdrawal made with a key
    settled_order(buyer, seller, listing, "SF1000000005")
    clock.shift(PAST_WINDOW)
    account = card(seller)
    payout_request(actor=seller, amount_fen=100, account_id=account.pk, key="w")
    # When the key is used for another amount
    # Then it is refused
    with pytest.raises(Conflict):
        payout_request(actor=seller, amount_fen=200, account_id=account.pk, key="w")


def test_more_than_is_withdrawable_is_refused(clock, buyer, seller, listing) -> None:
    # Given withdrawable money
    order = settled_order(buyer, seller, listing, "SF1000000006")
    clock.shift(PAST_WINDOW)
    account = card(seller)
    # When the seller asks for one fen more
    # Then the request is refused and nothing is held
    with pytest.raises(ValidationFailed):
        payout_request(
            actor=seller, amount_fen=order.seller_share_fen + 1, account_id=account.pk, key="w"
        )
    assert _available(seller) == order.seller_share_fen
    assert not Payout.objects.exists()


def test_a_buyer_cannot_withdraw(buyer) -> None:
    # Given a buyer
    # When she asks for a payout
    # Then she is refused
    with pytest.raises(Forbidden):
        payout_request(actor=buyer, amount_fen=100, account_id=1, key="w")


def test_a_refused_payout_goes_back_to_the_balance(clock, buyer, seller, listing) -> None:
    # Given a withdrawal to the card the sandbox's bank refuses
    order = settled_order(buyer, seller, listing, "SF1000000007")
    clock.shift(PAST_WINDOW)
    account = card(seller, REFUSED_CARD)
    p = payout_request(
        actor=seller, amount_fen=order.seller_share_fen, account_id=account.pk, key="w"
    )
    assert _available(seller) == 0
    # When the bank refuses it
    deliver_all()
    clock.shift(SETTLE)
    deliver_all()
    # Then it failed with the bank's reason and the money is back in the balance
    p.refresh_from_db()
    assert p.status == PayoutStatus.FAILED
    assert p.failure_reason == "account refused by the bank"
    assert _available(seller) == order.seller_share_fen
    assert payout_balance(seller.pk).withdrawable_fen == order.seller_share_fen
    # and the seller is told, with a link to its payouts
    from anxin.notices.models import Notification

    notice = Notification.objects.get(user=seller, kind="payout_failed")
    assert notice.params["reason"] == "account refused by the bank"
    _clean()


def test_a_returned_payout_comes_back_to_the_balance(clock, buyer, seller, listing) -> None:
    # Given a withdrawal to the card whose money the bank sends back, paid
    order = settled_order(buyer, seller, listing, "SF1000000008")
    clock.shift(PAST_WINDOW)
    account = card(seller, RETURNED_CARD)
    p = payout_request(
        actor=seller, amount_fen=order.seller_share_fen, account_id=account.pk, key="w"
    )
    deliver_all()
    clock.shift(SETTLE)
    deliver_all()
    p.refresh_from_db()
    assert p.status == PayoutStatus.SUCCEEDED
    assert _available(seller) == 0
    # When the bank returns it
    clock.shift(RETURN)
    deliver_all()
    # Then the payout is returned and its money is back in the balance, once
    p.refresh_from_db()
    assert p.status == PayoutStatus.RETURNED
    assert _available(seller) == order.seller_share_fen
    _clean()


def test_a_return_notified_before_its_success_applies_both_once(
    clock, buyer, seller, listing
) -> None:
    from anxin.payouts.services import payout_completed

    # Given a processing payout
    order = settled_order(buyer, seller, listing, "SF1000000009")
    clock.shift(PAST_WINDOW)
    account = card(seller)
    share = order.seller_share_fen
    p = payout_request(actor=seller, amount_fen=share, account_id=account.pk, key="w")
    said = {"provider": "sandbox"}
    # When the return arrives first, then the success, then the return again
    first = payout_completed(
        payout_key=p.payout_key,
        event="returned",
        provider_payout_id="x",
        amount_fen=share,
        reason="closed",
        notification=said,
    )
    late = payout_completed(
        payout_key=p.payout_key,
        event="succeeded",
        provider_payout_id="x",
        amount_fen=share,
        reason="",
        notification=said,
    )
    # Then the first applies paid-and-returned, the late success changes nothing
    assert first is not None
    assert first[0] == "applied"
    assert late is not None
    assert late[0] == "ignored"
    p.refresh_from_db()
    assert p.status == PayoutStatus.RETURNED
    assert _available(seller) == share
    _clean()


def test_an_account_number_is_sealed_and_shown_masked(seller) -> None:
    # Given a card the seller added
    account = card(seller)
    # When it is stored
    # Then its number is not in the clear, only its tail, and it opens to the full number
    assert b"6222020200112233445" not in bytes(account.number_sealed)
    assert account.masked == "工商银行 ****3445"
    assert payout_account_open(account).number == "6222020200112233445"


def test_the_audit_finds_a_payout_whose_money_is_not_where_its_status_says(
    clock, buyer, seller, listing
) -> None:
    # Given a payout the bank paid, audited clean
    order = settled_order(buyer, seller, listing, "SF1000000010")
    clock.shift(PAST_WINDOW)
    account = card(seller)
    p = payout_request(
        actor=seller, amount_fen=order.seller_share_fen, account_id=account.pk, key="w"
    )
    deliver_all()
    clock.shift(SETTLE)
    deliver_all()
    _clean()
    # When its record says it is still on its way (as a lost update would leave it)
    Payout.objects.filter(pk=p.pk).update(status=PayoutStatus.PROCESSING)
    # Then the audit names the payout and the clearing account
    problems = payouts_audit()
    assert any(p.payout_key in line and "expected" in line for line in problems)
    assert any("processing payouts add up to" in line for line in problems)


def test_a_submission_that_failed_is_made_again_by_the_deadlines_run(
    clock, buyer, seller, listing, monkeypatch
) -> None:
    import datetime as dt

    from anxin.core.worker import TaskFailed
    from anxin.ops.deadlines import deadlines_run
    from anxin.payments.providers.sandbox import SandboxProvider
    from anxin.payouts import submission

    class Down(SandboxProvider):
        def payout(self, **kwargs):  # type: ignore[no-untyped-def]
            raise ConnectionError("provider unreachable")

    # Given a payout whose submission failed: the provider was down
    order = settled_order(buyer, seller, listing, "SF1000000011")
    clock.shift(PAST_WINDOW)
    account = card(seller)
    p = payout_request(
        actor=seller, amount_fen=order.seller_share_fen, account_id=account.pk, key="w"
    )
    monkeypatch.setattr(submission, "get_provider", lambda name=None: Down())
    with pytest.raises(TaskFailed):
        deliver_all()
    p.refresh_from_db()
    assert p.submitted_at is None
    assert p.attempts == 1
    # When the provider is back, and the deadlines run after the retry's wait
    monkeypatch.setattr(submission, "get_provider", lambda name=None: SandboxProvider())
    clock.shift(dt.timedelta(seconds=submission.SUBMIT_RETRY_SECONDS[0] + 1))
    assert deadlines_run()["tasks_reclaimed"] >= 1
    deliver_all()
    # Then the payout is submitted once and paid
    clock.shift(SETTLE)
    deliver_all()
    p.refresh_from_db()
    assert p.status == PayoutStatus.SUCCEEDED
    assert SandboxPayout.objects.filter(payout_key=p.payout_key).count() == 1
    _clean()


def test_a_closing_shop_withdraws_nothing_until_the_closure_is_over(
    clock, buyer, seller, listing
) -> None:
    from anxin.sellers.services import shop_closure_announce

    # Given withdrawable money and a card, and the seller announces its shop's closure
    order = settled_order(buyer, seller, listing, "SF1000000099")
    clock.shift(PAST_WINDOW)
    account = card(seller)
    assert payout_balance(seller.pk).withdrawable_fen == order.seller_share_fen
    shop_closure_announce(actor=seller)
    # When it asks to withdraw
    # Then withdrawals are stopped while the closure is under way
    assert payout_balance(seller.pk).blocked == "closure"
    assert payout_balance(seller.pk).withdrawable_fen == 0
    with pytest.raises(Conflict) as e:
        payout_request(actor=seller, amount_fen=100, account_id=account.pk, key="c1")
    assert e.value.code == "payouts_blocked_closure"
    # When the shop has closed, but an order placed while it traded is still running
    from anxin.conftest import place_order

    running = place_order(buyer, listing)
    clock.shift(__import__("datetime").timedelta(days=31))
    # Then withdrawals stay stopped
    assert payout_balance(seller.pk).blocked == "closure"
    # When that order ends (cancelled unpaid) and nothing is held any more
    from anxin.orders.services import order_cancel

    order_cancel(actor=buyer, number=running.number, reason="不要了")
    # Then the rest of the balance may be withdrawn
    bal = payout_balance(seller.pk)
    assert bal.blocked == ""
    assert bal.withdrawable_fen == order.seller_share_fen
    p = payout_request(
        actor=seller, amount_fen=order.seller_share_fen, account_id=account.pk, key="c2"
    )
    assert p.status == PayoutStatus.PROCESSING
    _clean()
