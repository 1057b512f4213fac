"""Each core.sql function called as its caller calls it, against the ORM call that does the
same thing."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any

from .fixtures import World
from .harness import Case
from .orm import (
    attname,
    orm_fetch_instance,
    orm_in,
    orm_insert_instance,
    orm_insert_instances,
    orm_insert_row,
    orm_insert_row_returning,
    orm_insert_row_unless_duplicate,
    orm_insert_rows,
    orm_insert_two,
    orm_insert_two_update,
    orm_update_where,
)


def statements(w: World, calls: int, chunk: int) -> list[Case]:
    from django.db import connection
    from django.utils import timezone
    from django_tasks_db.compat import normalize_json
    from django_tasks_db.models import DBTaskResult, get_date_max

    import anxin.disputes.writer as writer
    import anxin.orders.locks as locks
    import anxin.payments.providers.sandbox as sandbox
    import anxin.payments.services as payments
    from anxin.core import sql
    from anxin.disputes.models import Dispute, DisputeEvent
    from anxin.evidence import merkle
    from anxin.evidence import services as evidence
    from anxin.evidence.models import LogState, Record
    from anxin.ledger.models import Account, Transfer
    from anxin.orders.events import OrderEventKind, order_event_rows
    from anxin.orders.models import Order, OrderEvent
    from anxin.payments.models import (
        NotificationStatus,
        Payment,
        PaymentNotification,
        SandboxNotification,
        SandboxPayment,
    )

    order = w.shipped[0]
    pool = w.shipped[:chunk]

    def new_order(_: int) -> Order:
        now = timezone.now()
        return Order(
            **{
                f.attname: getattr(order, f.attname)
                for f in Order._meta.concrete_fields
                if f.name not in ("id", "number", "status", "idempotency_key", "evidence_head")
            }
            | {"idempotency_key": uuid.uuid4().hex, "created_at": now, "paid_at": None},
            evidence_head=uuid.uuid4().bytes * 2,
        )

    def task_row(_: int) -> DBTaskResult:
        return DBTaskResult(
            id=uuid.uuid4(),
            args_kwargs=normalize_json({"args": [order.pk], "kwargs": {}}),
            priority=0,
            task_path="anxin.orders.tasks.order_expire_task",
            queue_name="default",
            run_after=get_date_max(),
            backend_name="default",
        )

    def payment_row(_: int) -> Payment:
        return Payment(
            order=order,
            provider="sandbox",
            provider_payment_id="",
            amount_fen=order.amount_fen,
            currency=order.currency,
            pay_url="",
            created_at=timezone.now(),
        )

    def sandbox_notification(_: int) -> SandboxNotification:
        now = timezone.now()
        return SandboxNotification(
            event_id=f"evt_{uuid.uuid4().hex[:24]}",
            event_type="payment.succeeded",
            resource={
                "payment_id": "sbxpay_0",
                "merchant_ref": order.number,
                "amount_fen": order.amount_fen,
                "failure_reason": "",
            },
            deliver_after=now,
            created_at=now,
        )

    def record(i: int) -> dict[str, Any]:
        return evidence.prepare(
            chain=f"order:{order.number}",
            kind="order.review_reply",
            body={"order": order.number, "actor_role": "seller", "text": "谢谢惠顾"},
            at=timezone.now(),
            prev=uuid.uuid4().bytes * 2,
        )

    def notification(_: int) -> dict[str, Any]:
        return dict(
            provider="sandbox",
            notification_id=f"evt_{uuid.uuid4().hex[:24]}",
            event_type="payment.succeeded",
            status=NotificationStatus.APPLIED,
            reason="",
            body='{"id": "evt", "event_type": "payment.succeeded", "resource": {}}' * 4,
            times_received=1,
            received_at=timezone.now(),
        )

    def sandbox_payment(_: int) -> dict[str, Any]:
        pid = f"sbxpay_{uuid.uuid4().hex[:24]}"
        return {
            "id": pid,
            "merchant_ref": order.number,
            "idempotency_key": uuid.uuid4().hex,
            "amount_fen": order.amount_fen,
            "description": "测量商品",
            "status": "created",
            "failure_reason": "",
            "created_at": timezone.now(),
            "completed_at": None,
        }

    accounts = {
        a.code: a.pk
        for a in Account.objects.filter(
            code__in=[
                "provider:sandbox",
                f"buyer:{order.buyer_id}",
                f"seller:{order.seller_id}",
                "platform:fees",
            ]
        )
    }

    def transfers(_: int) -> list[dict[str, Any]]:
        chain = uuid.uuid4()
        now = timezone.now()
        legs = [
            ("provider:sandbox", f"buyer:{order.buyer_id}", "posted", None, "capture"),
            (
                f"buyer:{order.buyer_id}",
                f"seller:{order.seller_id}",
                "pending",
                "pending",
                "escrow_hold",
            ),
            (f"buyer:{order.buyer_id}", "platform:fees", "pending", "pending", "fee_hold"),
        ]
        return [
            dict(
                id=chain if i == 0 else uuid.uuid4(),
                debit_account=accounts[d],
                credit_account=accounts[c],
                amount=order.amount_fen,
                currency="CNY",
                kind=kind,
                pending=None,
                pending_state=state,
                code=code,
                ref=order.number,
                chain=chain,
                chain_index=i,
                chain_size=3,
                created_at=now,
            )
            for i, (d, c, kind, state, code) in enumerate(legs)
        ]

    def event_rows(i: int) -> tuple[dict[str, Any], dict[str, Any]]:
        o = pool[i % len(pool)]
        return order_event_rows(o, OrderEventKind.REVIEW_REPLY, actor=None, text="谢谢惠顾")

    def dispute_step(i: int) -> tuple[Any, dict[str, Any], dict[str, Any]]:
        d = w.disputes[i % len(w.disputes)]
        now = timezone.now()
        values = evidence.prepare(
            chain=f"dispute:{d.number}",
            kind="dispute.evidence",
            body={"case": d.number, "actor_role": "buyer", "text": "照片"},
            at=now,
            prev=d.evidence_head,
        )
        row = {
            "dispute": d.pk,
            "kind": "evidence",
            "actor": d.buyer_id,
            "actor_role": "buyer",
            "detail": {"text": "照片"},
            "at": now,
        }
        return d, values, row

    # The case fields the deadline batch writes, as it writes them.
    batch_fields = writer._BATCH_FIELDS

    def dispute_rows(n: int) -> Callable[[int], list[Any]]:
        def prepare(k: int) -> list[Any]:
            cases = list(Dispute.objects.filter(pk__in=[d.pk for d in w.disputes[:n]]))
            later = timezone.now() + dt.timedelta(days=3)
            for d in cases:
                d.due_at, d.evidence_head = later, uuid.uuid4().bytes * 2
            rows = [
                {"id": d.pk} | {f: getattr(d, attname(Dispute, f)) for f in batch_fields}
                for d in cases
            ]
            return [(cases, rows)] * k

        return prepare

    def per_row_update(x: Any) -> None:
        for r in x[1]:
            orm_update_where(Dispute, {"id": r["id"]}, **{f: r[f] for f in batch_fields})

    # The callers' own statements, measured as they are.
    by_id = sandbox._BY_ID + (" FOR UPDATE" if connection.features.has_select_for_update else "")
    by_provider = payments._PAYMENT_BY_PROVIDER_ID
    started = [p for o in w.awaiting for p in o.payments.all()]
    sandbox_ids = [p.provider_payment_id for p in started]
    lock_ids = [o.pk for o in pool]

    def c(name: str, use: str, prepare: Callable[[int], list[Any]], **variants: Any) -> Case:
        return Case(
            section="statements",
            name=name,
            use=use,
            prepare=prepare,
            variants={k: (v if isinstance(v, tuple) else (v, None)) for k, v in variants.items()},
            calls=calls,
            chunk=chunk,
        )

    def at_once(prep: Callable[[int], Any]) -> Callable[[int], list[Any]]:
        return lambda k: [prep(i) for i in range(k)]

    cases = [
        c(
            "insert_instance Order",
            "orders.events.order_created_record",
            at_once(new_order),
            compiled=sql.insert_instance,
            save_force_insert=orm_insert_instance,
        ),
        c(
            "insert_instance DBTaskResult",
            "core.tasks_backend (every enqueue)",
            at_once(task_row),
            compiled=sql.insert_instance,
            save_force_insert=orm_insert_instance,
        ),
        c(
            "insert_instances DBTaskResult x2",
            "core.tasks_backend.enqueued_together",
            at_once(lambda i: [task_row(i), task_row(i)]),
            compiled=sql.insert_instances,
            bulk_create=orm_insert_instances,
        ),
        c(
            "insert_instance Payment",
            "payments.services.payment_start",
            at_once(payment_row),
            compiled=sql.insert_instance,
            save_force_insert=orm_insert_instance,
        ),
        c(
            "insert_instance SandboxNotification",
            "payments.providers.sandbox._emit",
            at_once(sandbox_notification),
            compiled=sql.insert_instance,
            save_force_insert=orm_insert_instance,
        ),
        c(
            "insert_row OrderEvent",
            "insert_two on SQLite",
            at_once(lambda i: event_rows(i)[0]),
            compiled=lambda e: sql.insert_row(OrderEvent, **e),
            create=lambda e: orm_insert_row(OrderEvent, **e),
        ),
        c(
            "insert_row_returning Record",
            "evidence.services.append",
            at_once(record),
            compiled=lambda v: sql.insert_row_returning(Record, **v),
            create_pk=lambda v: orm_insert_row_returning(Record, **v),
        ),
        c(
            "insert_row_unless_duplicate PaymentNotification (new)",
            "payments.services.notification_receive",
            at_once(notification),
            compiled=lambda v: sql.insert_row_unless_duplicate(PaymentNotification, **v),
            savepoint_create=lambda v: orm_insert_row_unless_duplicate(PaymentNotification, **v),
        ),
        c(
            "insert_row_unless_duplicate SandboxPayment (new)",
            "payments.providers.sandbox.create_payment",
            at_once(sandbox_payment),
            compiled=lambda v: sql.insert_row_unless_duplicate(SandboxPayment, **v),
            savepoint_create=lambda v: orm_insert_row_unless_duplicate(SandboxPayment, **v),
        ),
        c(
            "insert_row_unless_duplicate LogState (exists)",
            "evidence.sequencer.integrate",
            at_once(lambda i: dict(id=1, size=0, root=merkle.EMPTY_ROOT, note="")),
            compiled=lambda v: sql.insert_row_unless_duplicate(LogState, **v),
            savepoint_create=lambda v: orm_insert_row_unless_duplicate(LogState, **v),
            get_or_create=lambda v: LogState.objects.get_or_create(
                pk=1, defaults={"size": 0, "root": v["root"], "note": ""}
            ),
        ),
        c(
            "insert_rows Transfer x3",
            "ledger.services.transfers_create",
            at_once(transfers),
            compiled=lambda rows: sql.insert_rows(Transfer, rows),
            bulk_create=lambda rows: orm_insert_rows(Transfer, rows),
        ),
        c(
            "update_where Order (status, head)",
            "orders.events.order_transition",
            at_once(lambda i: (pool[i % len(pool)], uuid.uuid4().bytes * 2)),
            compiled=lambda x: sql.update_where(
                Order,
                {"id": x[0].pk, "status": x[0].status},
                status=x[0].status,
                evidence_head=x[1],
            ),
            queryset_update=lambda x: orm_update_where(
                Order,
                {"id": x[0].pk, "status": x[0].status},
                status=x[0].status,
                evidence_head=x[1],
            ),
        ),
        c(
            "update_where Payment (transition)",
            "payments.services.payment_transition",
            at_once(lambda i: started[i % len(started)]),
            compiled=lambda p: sql.update_where(
                Payment,
                {"id": p.pk, "status": p.status},
                status="succeeded",
                failure_reason="",
                completed_at=timezone.now(),
            ),
            queryset_update=lambda p: orm_update_where(
                Payment,
                {"id": p.pk, "status": p.status},
                status="succeeded",
                failure_reason="",
                completed_at=timezone.now(),
            ),
        ),
        c(
            "update_where SandboxPayment",
            "payments.providers.sandbox.buyer_pays",
            at_once(lambda i: sandbox_ids[i % len(sandbox_ids)]),
            compiled=lambda pid: sql.update_where(
                SandboxPayment,
                {"id": pid},
                status="succeeded",
                failure_reason="",
                completed_at=timezone.now(),
            ),
            queryset_update=lambda pid: orm_update_where(
                SandboxPayment,
                {"id": pid},
                status="succeeded",
                failure_reason="",
                completed_at=timezone.now(),
            ),
        ),
        c(
            "fetch_instance Order lock",
            "orders.locks.order_lock",
            at_once(lambda i: lock_ids[i % len(lock_ids)]),
            compiled=locks.order_lock,
            raw=(locks.order_lock, lambda: orm_in(locks)),
        ),
        c(
            "fetch_instance Payment by provider id",
            "payments.services._apply",
            at_once(lambda i: started[i % len(started)].provider_payment_id),
            compiled=lambda pid: sql.fetch_instance(Payment, by_provider, ["sandbox", pid]),
            raw=lambda pid: orm_fetch_instance(Payment, by_provider, ["sandbox", pid]),
        ),
        c(
            "fetch_instance SandboxPayment by id, locked",
            "payments.providers.sandbox._payment",
            at_once(lambda i: sandbox_ids[i % len(sandbox_ids)]),
            compiled=lambda pid: sql.fetch_instance(SandboxPayment, by_id, [pid]),
            raw=lambda pid: orm_fetch_instance(SandboxPayment, by_id, [pid]),
            select_for_update_get=lambda pid: SandboxPayment.objects.select_for_update().get(
                pk=pid
            ),
        ),
        c(
            "insert_two OrderEvent + Record",
            "orders.events.order_event_write",
            at_once(event_rows),
            compiled=lambda x: sql.insert_two(OrderEvent, x[0], Record, x[1]),
            two_creates=lambda x: orm_insert_two(OrderEvent, x[0], Record, x[1]),
        ),
        c(
            "insert_two_update Record + DisputeEvent + Dispute",
            "disputes.writer.DisputeWriter.event",
            at_once(dispute_step),
            compiled=lambda x: sql.insert_two_update(
                Record,
                x[1],
                DisputeEvent,
                x[2],
                Dispute,
                {"id": x[0].pk},
                evidence_head=x[1]["commitment"],
            ),
            create_create_update=lambda x: orm_insert_two_update(
                Record,
                x[1],
                DisputeEvent,
                x[2],
                Dispute,
                {"id": x[0].pk},
                evidence_head=x[1]["commitment"],
            ),
        ),
    ]
    for n in (200, 20):
        n = min(n, len(w.disputes))
        case = c(
            f"update_rows Dispute x{n} (13 columns)",
            "disputes.writer.DisputeBatch.flush",
            dispute_rows(n),
            compiled=lambda x: sql.update_rows(Dispute, "id", x[1]),
            bulk_update=lambda x: Dispute.objects.bulk_update(x[0], batch_fields),
            update_per_row=per_row_update,
        )
        # Each call rewrites the same rows: one call a transaction, so every call finds them
        # as a batch does (one version each).
        case.calls, case.chunk, case.per = max(10, calls // 100), 1, "batch"
        cases.append(case)
    return cases
