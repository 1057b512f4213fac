"""The payment provider is called outside every order lock, through the outbox.

A provider that hangs (its answer held back by the test, as a slow network would hold it)
must not hold up anybody else's request on the same order; a call left undelivered by a crash
or a failure is delivered later, once.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import connection, transaction

from anxin.conftest import deliver_all, pay, place_order
from anxin.ops.deadlines import deadlines_run
from anxin.orders import services as orders
from anxin.orders.chat import message_post
from anxin.orders.models import OrderStatus
from anxin.payments import services
from anxin.payments.models import (
    Payment,
    PaymentStatus,
    ProviderCall,
    ProviderCallKind,
    Refund,
    SandboxPayment,
)
from anxin.payments.providers.sandbox import SandboxProvider

# How long a second request may take while the provider hangs: far more than it needs, far
# less than the hang.
QUICK_SECONDS = 5
# How long the provider hangs at most, so that a regression fails the test instead of hanging it.
HANG_SECONDS = 30


class HangingSandbox(SandboxProvider):
    """The sandbox behind a network that holds every merchant call until `answer` is set."""

    def __init__(self) -> None:
        self.entered = threading.Event()
        self.answer = threading.Event()

    def _hang(self) -> None:
        self.entered.set()
        assert self.answer.wait(HANG_SECONDS), "the test never let the provider answer"

    def create_payment(self, **kwargs: Any) -> Any:
        self._hang()
        return super().create_payment(**kwargs)

    def refund(self, **kwargs: Any) -> Any:
        self._hang()
        return super().refund(**kwargs)

    def close_payment(self, provider_payment_id: str) -> Any:
        self._hang()
        return super().close_payment(provider_payment_id)


class DownSandbox(SandboxProvider):
    """The sandbox behind a network that is down for the first `failures` merchant calls."""

    def __init__(self, failures: int) -> None:
        self.failures = failures

    def _maybe_fail(self) -> None:
        if self.failures:
            self.failures -= 1
            raise ConnectionError("provider unreachable")

    def create_payment(self, **kwargs: Any) -> Any:
        self._maybe_fail()
        return super().create_payment(**kwargs)

    def refund(self, **kwargs: Any) -> Any:
        self._maybe_fail()
        return super().refund(**kwargs)


def _use(monkeypatch: pytest.MonkeyPatch, provider: SandboxProvider) -> None:
    monkeypatch.setattr(services, "get_provider", lambda name=None: provider)


@pytest.fixture
def hanging(monkeypatch: pytest.MonkeyPatch) -> Iterator[HangingSandbox]:
    """The hanging provider in place; whatever the test's outcome, it answers in the end and
    every thread is joined, so that a failure does not leave a request holding the database."""
    provider = HangingSandbox()
    _use(monkeypatch, provider)
    yield provider
    provider.answer.set()
    for thread in _threads:
        thread.join(HANG_SECONDS)
    _threads.clear()


_threads: list[threading.Thread] = []


def _in_thread(work: Callable[[], Any]) -> tuple[threading.Thread, dict[str, Any]]:
    """Run `work` in a thread of its own, with its own database connection, as another request
    would; the box receives its result or its error."""
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["result"] = work()
        except BaseException as e:
            box["error"] = e
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    _threads.append(thread)
    return thread, box


@pytest.mark.django_db(transaction=True)
def test_a_buyer_can_cancel_while_the_provider_hangs_creating_the_payment(
    hanging, buyer, listing
) -> None:
    # Given an order whose payment start hangs at the provider
    order = place_order(buyer, listing)
    provider = hanging
    start, started = _in_thread(
        lambda: orders.order_payment_start(actor=buyer, number=order.number)
    )
    assert provider.entered.wait(QUICK_SECONDS)
    # When the buyer cancels the order meanwhile
    cancel, cancelled = _in_thread(
        lambda: orders.order_cancel(actor=buyer, number=order.number, reason="changed my mind")
    )
    cancel.join(QUICK_SECONDS)
    # Then the cancellation is done while the provider still hangs
    assert not cancel.is_alive()
    assert start.is_alive()
    assert "error" not in cancelled
    provider.answer.set()
    start.join(HANG_SECONDS)
    # And the payment the provider then created is recorded, closed here and at the provider
    assert "error" not in started
    payment = Payment.objects.get(order=order)
    assert payment.provider_payment_id == started["result"].provider_payment_id
    assert payment.status == PaymentStatus.CLOSED
    deliver_all()
    assert SandboxPayment.objects.get(pk=payment.provider_payment_id).status == "closed"
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED


@pytest.mark.django_db(transaction=True)
def test_the_seller_can_write_while_the_provider_hangs_on_a_refund(
    request, buyer, seller, listing
) -> None:
    # Given a paid order, cancelled, whose refund hangs at the provider
    order = place_order(buyer, listing)
    pay(order)
    orders.order_cancel(actor=buyer, number=order.number, reason="changed my mind")
    provider = request.getfixturevalue("hanging")
    call = ProviderCall.objects.get(kind=ProviderCallKind.REFUND)
    refund, refunded = _in_thread(lambda: services.provider_call_deliver(call_id=call.pk))
    assert provider.entered.wait(QUICK_SECONDS)
    # When the seller writes to the buyer on the order meanwhile
    write, written = _in_thread(
        lambda: message_post(actor=seller, number=order.number, text="已为您退款")
    )
    write.join(QUICK_SECONDS)
    # Then the message is posted while the provider still hangs
    assert not write.is_alive()
    assert refund.is_alive()
    assert "error" not in written
    provider.answer.set()
    refund.join(HANG_SECONDS)
    # And the refund is submitted once the provider answers
    assert refunded == {"result": "delivered"}
    assert Refund.objects.get(order=order).provider_refund_id != ""


@pytest.mark.django_db
def test_a_payment_start_the_provider_failed_is_delivered_on_the_next_tap(
    monkeypatch, buyer, listing
) -> None:
    # Given a payment start that reached no provider
    order = place_order(buyer, listing)
    _use(monkeypatch, DownSandbox(failures=1))
    with pytest.raises(ConnectionError):
        orders.order_payment_start(actor=buyer, number=order.number)
    call = ProviderCall.objects.get(kind=ProviderCallKind.PAYMENT_START)
    assert call.delivered_at is None
    assert call.attempts == 1
    assert call.last_error == "ConnectionError: provider unreachable"
    # When the buyer taps "pay" again
    payment = orders.order_payment_start(actor=buyer, number=order.number)
    # Then the same payment is created at the provider, once
    assert Payment.objects.get(order=order).pk == payment.pk
    assert payment.pay_url == f"/sandbox/pay/{payment.provider_payment_id}"
    assert SandboxPayment.objects.filter(merchant_ref=order.number).count() == 1
    call.refresh_from_db()
    assert call.delivered_at is not None


@pytest.mark.django_db
def test_the_deadlines_run_delivers_a_start_a_crash_left_behind(clock, buyer, listing) -> None:
    # Given a payment start whose process died after the commit, after the provider answered
    order = place_order(buyer, listing)
    with transaction.atomic():
        payment = orders.order_payment_start.__wrapped__(actor=buyer, number=order.number)  # type: ignore[attr-defined]
    call = ProviderCall.objects.get(kind=ProviderCallKind.PAYMENT_START)
    answered = SandboxProvider().create_payment(
        merchant_ref=order.number,
        amount_fen=payment.amount_fen,
        description=call.description,
        idempotency_key=call.idempotency_key,
    )
    # When the deadlines run after the grace period, and the queue runs
    clock.shift(dt.timedelta(seconds=services.CALL_GRACE_SECONDS))
    assert deadlines_run()["tasks_reclaimed"] == 1
    deliver_all()
    # Then the payment records the provider's answer, and the provider made one payment
    payment.refresh_from_db()
    assert payment.provider_payment_id == answered.provider_payment_id
    assert payment.pay_url == answered.pay_url
    assert SandboxPayment.objects.filter(merchant_ref=order.number).count() == 1
    assert deadlines_run()["tasks_reclaimed"] == 0


@pytest.mark.django_db
def test_closing_a_payment_never_created_at_the_provider_creates_then_closes_it(
    buyer, listing
) -> None:
    # Given a payment start whose process died before it reached the provider
    order = place_order(buyer, listing)
    with transaction.atomic():
        orders.order_payment_start.__wrapped__(actor=buyer, number=order.number)  # type: ignore[attr-defined]
    # When the buyer cancels and the queue runs
    orders.order_cancel(actor=buyer, number=order.number, reason="changed my mind")
    deliver_all()
    # Then the provider holds that payment, closed: the pay link nobody saw cannot be paid
    payment = Payment.objects.get(order=order)
    assert SandboxPayment.objects.get(pk=payment.provider_payment_id).status == "closed"
    assert not ProviderCall.objects.filter(delivered_at__isnull=True).exists()


@pytest.mark.django_db
def test_a_refund_the_provider_failed_is_retried_by_the_deadlines_run(
    monkeypatch, clock, buyer, listing
) -> None:
    # Given a cancelled paid order whose refund reached no provider
    order = place_order(buyer, listing)
    pay(order)
    orders.order_cancel(actor=buyer, number=order.number, reason="changed my mind")
    _use(monkeypatch, DownSandbox(failures=1))
    call = ProviderCall.objects.get(kind=ProviderCallKind.REFUND)
    with pytest.raises(ConnectionError):
        services.provider_call_deliver(call_id=call.pk)
    # When the deadlines run once the retry is due, and the queue runs
    clock.shift(dt.timedelta(seconds=services.CALL_RETRY_SECONDS[0]))
    deadlines_run()
    deliver_all()
    # Then the refund is submitted and completed
    refund = Refund.objects.get(order=order)
    assert refund.status == "succeeded"
    call.refresh_from_db()
    assert call.attempts == 2
