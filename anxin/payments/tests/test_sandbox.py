"""The sandbox provider: idempotent calls, signatures, and its simulated books never relaxing
Anxin's own durability."""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from anxin.conftest import place_order
from anxin.orders import services
from anxin.payments.providers.sandbox import ProviderError, SandboxProvider

pytestmark = pytest.mark.django_db


def _sync_commit() -> str:
    with connection.cursor() as cur:
        cur.execute("SHOW synchronous_commit")
        return cur.fetchone()[0]


def test_create_payment_is_idempotent_and_refuses_a_changed_request() -> None:
    # Given the sandbox provider
    sandbox = SandboxProvider()
    # When the same payment is created twice with one idempotency key
    a = sandbox.create_payment(
        merchant_ref="AX1", amount_fen=100, description="茶", idempotency_key="k"
    )
    b = sandbox.create_payment(
        merchant_ref="AX1", amount_fen=100, description="茶", idempotency_key="k"
    )
    # Then both answers are the same payment
    assert a == b
    # When the key is used again for another amount
    # Then the call is refused
    with pytest.raises(ProviderError):
        sandbox.create_payment(
            merchant_ref="AX1", amount_fen=101, description="茶", idempotency_key="k"
        )


def test_a_payment_can_be_paid_once(buyer, listing) -> None:
    # Given a payment the buyer has paid at the sandbox
    order = place_order(buyer, listing)
    p = services.order_payment_start(actor=buyer, number=order.number)
    sandbox = SandboxProvider()
    sandbox.buyer_pays(p.provider_payment_id)
    # When she pays it again
    # Then she is refused and the payment stays succeeded
    with pytest.raises(ProviderError):
        sandbox.buyer_pays(p.provider_payment_id)
    assert sandbox.query_payment(p.provider_payment_id).status == "succeeded"


@pytest.mark.django_db(transaction=True)
def test_the_sandbox_never_relaxes_anxins_commits(buyer, listing) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("synchronous_commit is PostgreSQL's")
    # Given a started payment, on PostgreSQL
    order = place_order(buyer, listing)
    p = services.order_payment_start(actor=buyer, number=order.number)
    # When the buyer pays inside an Anxin transaction
    # Then that transaction still commits synchronously, during and after the call
    with transaction.atomic():  # an Anxin transaction that calls into the sandbox
        SandboxProvider().buyer_pays(p.provider_payment_id)
        assert _sync_commit() == "on"
    assert _sync_commit() == "on"  # and the sandbox's own SET LOCAL ended with its transaction


@pytest.mark.django_db(transaction=True)
def test_the_sandbox_relaxes_its_own_transactions_inside_their_first_statement(
    buyer, listing
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("synchronous_commit is PostgreSQL's")
    from anxin.payments.models import SandboxNotification
    from anxin.payments.providers.sandbox import _DELIVERED

    # Given a started payment, on PostgreSQL
    order = place_order(buyer, listing)
    p = services.order_payment_start(actor=buyer, number=order.number)
    sandbox = SandboxProvider()
    # When the sandbox locks the payment with relaxing, in a transaction of its own
    # Then that transaction commits asynchronously, and the next one synchronously again
    with transaction.atomic():  # what buyer_pays opens: the payment's lock relaxes it
        sandbox._payment(p.provider_payment_id, lock=True, relax=True)
        assert _sync_commit() == "off"
    assert _sync_commit() == "on"
    # When the buyer pays and the delivery's statement marks the notification delivered after
    # 3 attempts
    row = sandbox.buyer_pays(p.provider_payment_id).emitted[0]
    with transaction.atomic():  # the delivery's one statement relaxes its own transaction
        with connection.cursor() as cur:
            cur.execute(_DELIVERED, [3, row.created_at, row.pk])
        # Then its transaction too commits asynchronously, and only that one
        assert _sync_commit() == "off"
    assert _sync_commit() == "on"
    # Then the 3 attempts are stored, and delivering it again has nothing to do
    assert SandboxNotification.objects.get(pk=row.pk).attempts == 3
    assert sandbox.deliver(row.pk) is True  # delivered already: nothing to do


@pytest.mark.django_db(transaction=True)
def test_the_sandbox_creates_a_payment_in_one_relaxed_statement_outside_anxins_transactions(
    buyer, listing
) -> None:
    # Given a payment started by Anxin, whose outbox called the sandbox after its commit
    if connection.vendor != "postgresql":
        pytest.skip("synchronous_commit is PostgreSQL's")
    from anxin.payments.models import SandboxPayment
    from anxin.payments.providers.sandbox import _INSERT_RELAXED, _PAYMENT_COLUMNS

    order = place_order(buyer, listing)
    p = services.order_payment_start(actor=buyer, number=order.number)
    stored = SandboxPayment.objects.get(pk=p.provider_payment_id)
    # When the same call is made again with its idempotency key
    again = SandboxProvider().create_payment(
        merchant_ref=stored.merchant_ref,
        amount_fen=stored.amount_fen,
        description="again",
        idempotency_key=stored.idempotency_key,
    )
    # Then the sandbox answers with the first payment, every column in its place
    assert again.provider_payment_id == stored.pk
    assert stored.merchant_ref == order.number
    assert stored.amount_fen == order.amount_fen
    assert stored.status == "created"
    assert stored.completed_at is None
    # And the statement relaxes only the transaction it runs in
    values = {name: getattr(stored, name) for name in _PAYMENT_COLUMNS} | {"id": "sbxpay_x"}
    with transaction.atomic():
        with connection.cursor() as cur:
            cur.execute(_INSERT_RELAXED, [values[name] for name in _PAYMENT_COLUMNS])
            assert cur.rowcount == 0  # the same idempotency key: nothing inserted
        assert _sync_commit() == "off"
    assert _sync_commit() == "on"
