"""Child processes for the race and crash tests: real, separate OS processes with their own
database connections.

    python -m anxin.orders.tests.procs race GO_FILE ACTION ORDER USERNAME
    python -m anxin.orders.tests.procs drive ORDER [ORDER ...]

`race` prints "ready", waits for GO_FILE to appear (so all racers start together), performs
one action and prints its outcome as JSON. `drive` pushes each order through its whole life,
idempotently, from whatever state it is in: run it again after a crash and it finishes the job.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "anxin.settings")
    import django

    django.setup()


def race(go_file: str, action: str, number: str, username: str) -> None:
    from anxin.accounts.models import User
    from anxin.aftersales import services as aftersales
    from anxin.core.errors import DomainError
    from anxin.disputes import deadlines as dispute_deadlines
    from anxin.disputes import services as disputes
    from anxin.disputes.models import Dispute
    from anxin.orders import services

    actor = User.objects.get(username=username)
    calls = {
        "refund": lambda: services.order_refund(actor=actor, number=number, reason="race"),
        "cancel": lambda: services.order_cancel(actor=actor, number=number, reason="race"),
        "confirm": lambda: services.order_confirm(actor=actor, number=number),
        "approve": lambda: services.order_refund_request_decide(
            actor=actor, number=number, approve=True, reason="race"
        ),
        "buy": lambda: _buy(actor, number),
        "as-approve": lambda: aftersales.aftersale_answer(actor=actor, number=number, approve=True),
        "as-refuse": lambda: aftersales.aftersale_answer(
            actor=actor, number=number, approve=False, reason="race refusal"
        ),
        "as-received": lambda: aftersales.aftersale_confirm_received(actor=actor, number=number),
        "deliver": lambda: _deliver_all(),
        "ds-accept": lambda: disputes.dispute_accept_decision(actor=actor, number=number),
        "ds-deadline": lambda: dispute_deadlines.dispute_deadline(
            dispute_id=Dispute.objects.get(number=number).pk
        ),
        "ds-pay": lambda: dispute_deadlines.dispute_pay(
            dispute_id=Dispute.objects.get(number=number).pk
        ),
        "verify": lambda: _verify(actor, int(number)),
    }
    print("ready", flush=True)
    go = Path(go_file)
    while not go.exists():
        time.sleep(0.001)
    try:
        result = calls[action]()
        print(json.dumps({"ok": True, "result": str(result)}), flush=True)
    except DomainError as e:
        print(json.dumps({"ok": False, "code": e.code}), flush=True)


def _verify(actor, n: int):
    from anxin.bench.synthetic import id_number
    from anxin.sellers import services as sellers

    return sellers.seller_verify(
        actor=actor,
        kind="individual",
        name="张三",
        number=id_number(n),
        address="杭州市西湖区",
        contact="13900001111",
    )


def _buy(actor, listing_code: str):
    from anxin.catalog.models import Listing
    from anxin.orders.services import order_create

    listing = Listing.objects.get(code=listing_code)
    return order_create(
        buyer=actor,
        listing_code=listing_code,
        snapshot_id=listing.current_snapshot_id or 0,
        quantity=1,
        recipient_name="买家",
        recipient_phone="13900001111",
        shipping_address="杭州",
        idempotency_key=f"race-{os.getpid()}",
    )


def _deliver_all() -> str:
    from anxin.payments.models import SandboxNotification
    from anxin.payments.providers.sandbox import SandboxProvider, sign
    from anxin.payments.services import notification_receive

    outcomes = []
    provider = SandboxProvider()
    for row in SandboxNotification.objects.order_by("pk"):
        body = provider.body_for(row)
        outcomes.append(
            notification_receive(provider_name="sandbox", body=body, headers=sign(body))
        )
    return ",".join(outcomes)


def drive(numbers: list[str]) -> None:
    """Pay, ship and confirm (or, for every third order, pay and cancel) each order."""
    from anxin.core.worker import run_due_tasks
    from anxin.orders import services
    from anxin.orders.models import Order
    from anxin.payments.models import SandboxNotification, SandboxPayment
    from anxin.payments.providers.sandbox import SandboxProvider

    provider = SandboxProvider()
    for i, number in enumerate(numbers):
        order = Order.objects.select_related("buyer", "seller").get(number=number)
        if order.status == "awaiting_payment":
            payment = services.order_payment_start(actor=order.buyer, number=number)
            if SandboxPayment.objects.get(pk=payment.provider_payment_id).status == "created":
                provider.buyer_pays(payment.provider_payment_id)
            for row in SandboxNotification.objects.filter(delivered_at__isnull=True):
                provider.deliver(row.pk)
            order.refresh_from_db()
        if order.status == "paid" and i % 3 == 2:
            services.order_cancel(actor=order.buyer, number=number, reason="crash test")
        elif order.status == "paid":
            services.order_ship(
                actor=order.seller,
                number=number,
                carrier="顺丰速运",
                tracking_number=f"SF{order.pk:010d}",
            )
            order.refresh_from_db()
        if order.status == "shipped":
            services.order_confirm(actor=order.buyer, number=number)
        # Refund submissions and their notifications.
        run_due_tasks()
        for row in SandboxNotification.objects.filter(delivered_at__isnull=True):
            provider.deliver(row.pk)
        print(f"order {number}", flush=True)
    print("done", flush=True)


if __name__ == "__main__":
    _setup()
    if sys.argv[1] == "race":
        race(*sys.argv[2:6])
    elif sys.argv[1] == "drive":
        drive(sys.argv[2:])
    else:
        raise SystemExit(f"unknown command {sys.argv[1]}")
