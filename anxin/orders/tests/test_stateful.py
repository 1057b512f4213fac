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
    multiple,
    rule,
    run_state_machine_as_test,
)

from anxin.conftest import START, make_listing, make_user, place_order
from anxin.core.errors import DomainError
from anxin.core.worker import run_due_tasks
from anxin.ops.audits import books_audit
from anxin.orders import services
from anxin.orders.models import Order, OrderStatus
from anxin.payments.models import Refund, SandboxNotification, SandboxPayment
from anxin.payments.providers.sandbox import ProviderError, SandboxProvider, sign
from anxin.payments.services import notification_receive


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
        from anxin.payouts.services import payout_account_add

        # The seller's cards: one the sandbox's bank pays, one it refuses, one it pays and
        # then sends back.
        self.cards = [
            payout_account_add(
                actor=self.seller, kind="bank_card", holder_name="张三", number=number
            ).pk
            for number in ("6222020200112233445", "6222020200110002", "6222020200110003")
        ]
        self.withdrawals = 0

    def teardown(self) -> None:
        if hasattr(self, "clock"):
            self.clock.stop()

    def _try(self, fn, *args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except DomainError:
            return None  # refused by the rules: fine, as long as the books still balance

    @rule(target=orders, buyer=st.integers(0, 1), quantity=st.integers(1, 3))
    def create(self, buyer: int, quantity: int):
        # Refused past the unpaid-orders cap (a buyer cannot hoard stock): nothing to add.
        order = self._try(place_order, self.buyers[buyer], self.listing, quantity=quantity)
        return order.pk if order is not None else multiple()

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

    @rule(
        order=orders,
        category=st.sampled_from(["quality_defect", "counterfeit"]),
        times=st.sampled_from([1, 4]),
    )
    def complain(self, order: int, category: str, times: int) -> None:
        """A complaint (for the price, or the price and damages), which the seller may let
        default while refunding the order: a remedy and a refund on one order."""
        from anxin.disputes import services as disputes

        o = Order.objects.get(pk=order)
        self._try(
            disputes.dispute_file,
            actor=o.buyer,
            number=o.number,
            category=category,
            claim="有问题",
            claimed_fen=o.amount_fen * times,
        )

    @rule(
        target=orders,
        buyer=st.integers(0, 1),
        category=st.sampled_from(["quality_defect", "counterfeit"]),
        times=st.sampled_from([1, 4]),
    )
    def shipped_then_complained(self, buyer: int, category: str, times: int):
        """The usual road to a case, in one step, so that the runs reach what follows it
        (a refund, an after-sales request, a default) often."""
        from anxin.conftest import pay

        order = self._try(place_order, self.buyers[buyer], self.listing)
        if order is None:
            return multiple()
        pay(order)
        self.ship(order.pk)
        self.complain(order.pk, category, times)
        return order.pk

    @rule(order=orders, offer=st.sampled_from([0, 1, 2]))
    def seller_answers(self, order: int, offer: int) -> None:
        from anxin.disputes import services as disputes
        from anxin.disputes.models import Dispute

        d = Dispute.objects.filter(order_id=order, closed_at__isnull=True).first()
        if d is not None:
            o = Order.objects.get(pk=order)
            amount = o.amount_fen * offer // 2  # nothing, half, or the price
            self._try(
                disputes.dispute_answer, actor=o.seller, number=d.number, offer_fen=amount, text="t"
            )

    @rule(target=orders, buyer=st.integers(0, 1))
    def settled(self, buyer: int):
        """An order paid, shipped and confirmed in one step, so that the runs reach the
        seller's withdrawals (its money withdrawable once its after-sales window passes)."""
        from anxin.conftest import pay

        order = self._try(place_order, self.buyers[buyer], self.listing)
        if order is None:
            return multiple()
        pay(order)
        self.ship(order.pk)
        self.confirm(order.pk)
        return order.pk

    @rule(card=st.integers(0, 2), share=st.sampled_from([1, 2, 4]), wait=st.booleans())
    def withdraw(self, card: int, share: int, wait: bool) -> None:
        """The seller withdraws all, half or a quarter of what it may, to one of its cards;
        the provider's answer comes as time passes (and its notifications are redelivered
        by deliver_any_notification)."""
        from anxin.payouts.selectors import payout_balance
        from anxin.payouts.services import payout_request
        from anxin.payouts.submission import payout_submit

        if wait:
            # The after-sales windows pass first (and every timer due by then fires), so that
            # the runs withdraw settled money often.
            self.traveller.shift(dt.timedelta(days=20))
            run_due_tasks()
        amount = payout_balance(self.seller.pk).withdrawable_fen // share
        self.withdrawals += 1
        p = self._try(
            payout_request,
            actor=self.seller,
            amount_fen=amount,
            account_id=self.cards[card],
            key=f"w{self.withdrawals}",
        )
        if p is not None:
            payout_submit(payout_id=p.pk)

    @rule(hours=st.sampled_from([1, 12, 24 * 3, 24 * 11]))
    def time_passes(self, hours: int) -> None:
        self.traveller.shift(dt.timedelta(hours=hours))
        run_due_tasks()

    @invariant()
    def books_balance(self) -> None:
        if hasattr(self, "clock"):
            assert books_audit() == []

    @invariant()
    def escrow_matches_status(self) -> None:
        # A completed order stays completed, unless the buyer was refunded after it (an
        # after-sales refund, or a complaint decided against the seller).
        for o in Order.objects.filter(pk__in=self.completed_by):
            assert o.status in (OrderStatus.COMPLETED, OrderStatus.REFUNDED)
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
    # Given a seller, two buyers and a listing of 1000 items
    # When random sequences of orders, payments, notifications, shipping, confirmations,
    # cancellations, refunds, complaints, the seller's withdrawals and the passing of time run
    # Then the machine's invariants hold after every step: the books balance, one refund per
    # cause, and no more captured than buyers paid
    run_state_machine_as_test(
        OrderBooks,
        settings=settings(
            max_examples=40,
            stateful_step_count=30,
            deadline=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        ),
    )
