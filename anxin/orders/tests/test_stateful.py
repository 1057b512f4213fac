"""Random sequences of everything that can happen to orders, with the books checked after
every step: pay, notifications (duplicated, reordered, late), ship, confirm, cancel, refund,
refund requests and the passing of time that fires the timers."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
import time_machine
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from anxin.conftest import START, make_listing, make_user, place_order
from anxin.core.errors import DomainError
from anxin.core.worker import run_due_tasks
from anxin.ledger.audit import ledger_audit
from anxin.orders import services
from anxin.orders.audit import orders_audit
from anxin.orders.models import Order, OrderStatus
from anxin.payments.models import Refund, SandboxNotification, SandboxPayment
from anxin.payments.providers.sandbox import ProviderError, SandboxProvider, sign
from anxin.payments.services import notification_receive

S = OrderStatus


class OrderBooks(RuleBasedStateMachine):
    orders = Bundle("orders")

    @initialize()
    def world(self) -> None:
        self.clock = time_machine.travel(START, tick=False)
        self.traveller = self.clock.start()
        tag = uuid.uuid4().hex[:6]
        self.seller = make_user(f"s-{tag}", "seller")
        self.buyers = [make_user(f"b{i}-{tag}", "buyer") for i in range(2)]
        self.listing = make_listing(self.seller, price_fen=10_000, stock=1000)
        self.provider = SandboxProvider()
        self.completed_by: dict[int, str] = {}
        last = SandboxNotification.objects.order_by("-pk").first()
        self.first_row = last.pk if last else 0

    def teardown(self) -> None:
        if hasattr(self, "clock"):
            self.clock.stop()

    def _try(self, fn, *args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except DomainError:
            return None  # refused by the rules: fine, as long as the books still balance

    @rule(target=orders, buyer=st.integers(0, 1), quantity=st.integers(1, 3))
    def create(self, buyer: int, quantity: int) -> int:
        return place_order(self.buyers[buyer], self.listing, quantity=quantity).pk

    @rule(order=orders, succeed=st.booleans())
    def pay_at_cashier(self, order: int, succeed: bool) -> None:
        o = Order.objects.get(pk=order)
        payment = self._try(services.order_payment_start, actor=o.buyer, number=o.number)
        if payment is not None:
            try:
                self.provider.buyer_pays(payment.provider_payment_id, succeed=succeed)
            except ProviderError:
                pass

    @rule(pick=st.integers(0, 10_000))
    def deliver_any_notification(self, pick: int) -> None:
        """Any notification of this run, delivered or not: duplicates and reordering."""
        rows = list(SandboxNotification.objects.filter(pk__gt=self.first_row).order_by("pk"))
        if rows:
            row = rows[pick % len(rows)]
            body = self.provider.body_for(row)
            notification_receive(provider_name="sandbox", body=body, headers=sign(body))

    @rule(order=orders)
    def ship(self, order: int) -> None:
        o = Order.objects.get(pk=order)
        self._try(
            services.order_ship,
            actor=o.seller,
            number=o.number,
            carrier="顺丰速运",
            tracking_number=f"SF{order:010d}",
        )

    @rule(order=orders)
    def confirm(self, order: int) -> None:
        o = Order.objects.get(pk=order)
        if self._try(services.order_confirm, actor=o.buyer, number=o.number):
            self.completed_by[order] = "buyer"

    @rule(order=orders, who=st.sampled_from(["buyer", "seller"]))
    def cancel(self, order: int, who: str) -> None:
        o = Order.objects.get(pk=order)
        self._try(services.order_cancel, actor=getattr(o, who), number=o.number, reason="r")

    @rule(order=orders)
    def refund(self, order: int) -> None:
        o = Order.objects.get(pk=order)
        self._try(services.order_refund, actor=o.seller, number=o.number, reason="r")

    @rule(order=orders, approve=st.booleans())
    def refund_request_and_answer(self, order: int, approve: bool) -> None:
        o = Order.objects.get(pk=order)
        if self._try(services.order_refund_request, actor=o.buyer, number=o.number, reason="r"):
            self._try(
                services.order_refund_request_decide,
                actor=o.seller,
                number=o.number,
                approve=approve,
                reason="r",
            )

    @rule(hours=st.sampled_from([1, 12, 24 * 3, 24 * 11]))
    def time_passes(self, hours: int) -> None:
        self.traveller.shift(dt.timedelta(hours=hours))
        run_due_tasks()

    @invariant()
    def books_balance(self) -> None:
        if hasattr(self, "clock"):
            assert ledger_audit() == []
            assert orders_audit() == []

    @invariant()
    def escrow_matches_status(self) -> None:
        for o in Order.objects.filter(pk__in=self.completed_by):
            assert o.status == S.COMPLETED
        # A refund per cause, never two.
        keys = list(Refund.objects.values_list("key", flat=True))
        assert len(keys) == len(set(keys))
        # What the provider took from buyers equals what Anxin captured.
        paid = sum(
            SandboxPayment.objects.filter(status="succeeded").values_list("amount_fen", flat=True)
        )
        delivered = SandboxNotification.objects.filter(
            event_type="payment.succeeded", delivered_at__isnull=True
        ).exists()
        from anxin.payments.models import Payment

        captured = sum(
            Payment.objects.filter(status="succeeded").values_list("amount_fen", flat=True)
        )
        if not delivered:
            assert captured <= paid


@pytest.mark.django_db
def test_random_order_lives_keep_the_books_balanced() -> None:
    run_state_machine_as_test(
        OrderBooks,
        settings=settings(
            max_examples=40,
            stateful_step_count=30,
            deadline=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        ),
    )
