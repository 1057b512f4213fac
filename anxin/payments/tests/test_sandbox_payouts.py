"""The sandbox's payouts behave like a real provider's: accepted as processing, idempotent by
key, the result notified later with a signature, a refused account and a returned payout."""

from __future__ import annotations

import datetime as dt

import pytest

from anxin.conftest import deliver_all
from anxin.payments.models import PaymentNotification, SandboxNotification
from anxin.payments.providers.base import NotificationRejected, PayoutAccount
from anxin.payments.providers.sandbox import ProviderError, SandboxProvider, sign

pytestmark = pytest.mark.django_db

CARD = PayoutAccount("bank_card", "张三", "6222020200112233445", "工商银行")
REFUSED = PayoutAccount("bank_card", "张三", "6222020200110002", "工商银行")
RETURNED = PayoutAccount("bank_card", "张三", "6222020200110003", "工商银行")


def _events() -> list[tuple[str, str]]:
    return [
        (n.event_type, n.resource["payout_key"])
        for n in SandboxNotification.objects.filter(event_type__startswith="payout.").order_by("pk")
    ]


def test_a_payout_is_accepted_as_processing_and_is_idempotent_by_key(clock) -> None:
    # Given the sandbox
    sandbox = SandboxProvider()
    # When a payout is asked for twice with one key
    a = sandbox.payout(payout_key="po-1", amount_fen=5000, account=CARD, description="提现")
    b = sandbox.payout(payout_key="po-1", amount_fen=5000, account=CARD, description="提现")
    # Then it is one payout, processing, and nothing is notified yet
    assert a == b
    assert a.status == "processing"
    assert a.provider_payout_id.startswith("sbxpo_")
    assert sandbox.query_payout("po-1") == a
    assert _events() == []
    # When the key is used again for another amount
    # Then the provider refuses it
    with pytest.raises(ProviderError) as e:
        sandbox.payout(payout_key="po-1", amount_fen=5001, account=CARD, description="提现")
    assert e.value.code == "idempotency_mismatch"


def test_a_payout_succeeds_later_and_is_notified_once(clock) -> None:
    # Given a payout accepted by the sandbox
    sandbox = SandboxProvider()
    sandbox.payout(payout_key="po-2", amount_fen=5000, account=CARD, description="提现")
    # When the bank's time passes and due tasks run (twice: the second finds nothing to do)
    clock.shift(dt.timedelta(seconds=SandboxProvider.PAYOUT_SETTLE_SECONDS + 1))
    deliver_all()
    deliver_all()
    # Then the payout succeeded and one notification of it was emitted and delivered
    assert sandbox.query_payout("po-2").status == "succeeded"
    assert _events() == [("payout.succeeded", "po-2")]
    # and it reached Anxin as an authentic notification
    received = PaymentNotification.objects.get(event_type="payout.succeeded")
    assert received.status != "rejected"


def test_a_refused_account_fails_and_a_returning_one_comes_back(clock) -> None:
    # Given payouts to the account the sandbox refuses and to the one whose money comes back
    sandbox = SandboxProvider()
    sandbox.payout(payout_key="po-r", amount_fen=700, account=REFUSED, description="提现")
    sandbox.payout(payout_key="po-b", amount_fen=800, account=RETURNED, description="提现")
    # When the bank answers
    clock.shift(dt.timedelta(seconds=SandboxProvider.PAYOUT_SETTLE_SECONDS + 1))
    deliver_all()
    # Then the first failed with a reason and the second was paid
    refused = sandbox.query_payout("po-r")
    assert (refused.status, refused.failure_reason) == ("failed", "account refused by the bank")
    assert sandbox.query_payout("po-b").status == "succeeded"
    # When the return comes back later
    clock.shift(dt.timedelta(seconds=SandboxProvider.PAYOUT_RETURN_SECONDS + 1))
    deliver_all()
    # Then the paid one is returned, each change notified once, in order
    assert sandbox.query_payout("po-b").status == "returned"
    assert _events() == [
        ("payout.failed", "po-r"),
        ("payout.succeeded", "po-b"),
        ("payout.returned", "po-b"),
    ]


def test_a_payout_notification_is_signed_and_parsed(clock) -> None:
    # Given a payout the sandbox has settled
    sandbox = SandboxProvider()
    accepted = sandbox.payout(payout_key="po-s", amount_fen=900, account=CARD, description="提现")
    clock.shift(dt.timedelta(seconds=SandboxProvider.PAYOUT_SETTLE_SECONDS + 1))
    sandbox.payout_settle(accepted.provider_payout_id)
    row = SandboxNotification.objects.get(event_type="payout.succeeded")
    body = sandbox.body_for(row)
    # When its body is parsed with the sandbox's signature
    n = sandbox.parse_notification(body, sign(body))
    # Then it names the payout by key and id
    assert (n.event_type, n.payout_key, n.provider_payout_id, n.amount_fen) == (
        "payout.succeeded",
        "po-s",
        accepted.provider_payout_id,
        900,
    )
    # When the body is changed after signing, or the signature is old
    # Then it is refused
    with pytest.raises(NotificationRejected):
        sandbox.parse_notification(body.replace(b"900", b"990"), sign(body))
    old = sign(body, at=dt.datetime.now(dt.UTC) - dt.timedelta(hours=1))
    with pytest.raises(NotificationRejected):
        sandbox.parse_notification(body, old)


def test_a_payout_with_no_account_or_amount_is_refused_at_once() -> None:
    # Given the sandbox
    sandbox = SandboxProvider()
    # When a payout names no holder, or no amount
    # Then it is refused synchronously, as a real provider answers 400
    with pytest.raises(ProviderError):
        sandbox.payout(
            payout_key="x",
            amount_fen=100,
            account=PayoutAccount("bank_card", "", "6222"),
            description="",
        )
    with pytest.raises(ProviderError):
        sandbox.payout(payout_key="y", amount_fen=0, account=CARD, description="")
