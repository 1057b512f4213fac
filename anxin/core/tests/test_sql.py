"""The compiled statements write exactly what the ORM writes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult

from anxin.conftest import place_order
from anxin.core.sql import insert_row, update_where
from anxin.core.worker import run_due_tasks
from anxin.orders.models import OrderEvent
from anxin.orders.tasks import order_expire_task

pytestmark = pytest.mark.django_db


def test_insert_row_stores_json_text_and_times_like_the_orm(buyer, listing) -> None:
    # Given an order, a time with microseconds, and a detail with Chinese text and nesting
    order = place_order(buyer, listing)
    at = timezone.now().replace(microsecond=123456)
    detail = {"reason": "茶叶受潮", "n": 2, "nested": {"ok": True}}
    # When one event is inserted by insert_row and another by the ORM
    insert_row(
        OrderEvent,
        order=order.pk,
        kind="k1",
        from_status="",
        to_status="",
        actor=None,
        actor_role="system",
        detail=detail,
        at=at,
    )
    orm = OrderEvent.objects.create(
        order=order, kind="k2", actor_role="system", detail=detail, at=at
    )
    # Then both read back with the same detail, time and actor, the time the one given
    raw = OrderEvent.objects.get(kind="k1")
    orm.refresh_from_db()
    assert raw.detail == orm.detail
    assert raw.at == orm.at
    assert raw.actor_id == orm.actor_id
    assert raw.at == at


def test_update_where_reports_the_rows_it_changed(buyer, listing) -> None:
    # Given an order awaiting payment
    order = place_order(buyer, listing)
    later = timezone.now() + dt.timedelta(days=1)
    # When an update is conditioned on a status the order does not have
    # Then it reports no row changed
    assert update_where(type(order), {"id": order.pk, "status": "paid"}, carrier="x") == 0
    # When the condition holds
    # Then it reports one row changed, and the order holds the new values
    assert (
        update_where(
            type(order),
            {"id": order.pk, "status": order.status},
            carrier="顺丰",
            auto_confirm_at=later,
        )
        == 1
    )
    order.refresh_from_db()
    assert order.carrier == "顺丰"
    assert order.auto_confirm_at == later


def test_the_compiled_task_backend_writes_the_stock_backends_row(buyer, listing) -> None:
    # Given three orders, and no task due yet
    o1, o2, o3 = (place_order(buyer, listing).pk for _ in range(3))
    run_due_tasks()  # nothing is due yet: the orders' payment windows are open
    # When one expiry task is enqueued by Anxin's backend and one by the stock backend
    ours = order_expire_task.using(run_after=timezone.now()).enqueue(o1)
    stock = DatabaseBackend(
        "default", {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": [], "OPTIONS": {}}
    )
    theirs = stock.enqueue(order_expire_task.using(run_after=timezone.now()), (o2,), {})
    # Then both rows are alike but for id, times and arguments, and ours holds its argument
    a, b = DBTaskResult.objects.get(id=ours.id), DBTaskResult.objects.get(id=theirs.id)
    skip = {"id", "enqueued_at", "run_after", "args_kwargs"}
    for f in DBTaskResult._meta.concrete_fields:
        if f.name not in skip:
            assert getattr(a, f.name) == getattr(b, f.name), f.name
    assert a.args_kwargs == {"args": [o1], "kwargs": {}}
    # When a third is enqueued with no run_after
    never = order_expire_task.enqueue(o3)  # no run_after: runs as soon as a worker is free
    # Then it is ready at once
    assert DBTaskResult.objects.get(id=never.id).status == "READY"
    # When the due tasks run
    # Then all three run, each answering "not due" as the stored deadline says
    assert run_due_tasks() == 3  # each says "not due": the stored deadline decides
    assert {
        r.return_value for r in DBTaskResult.objects.filter(id__in=[ours.id, theirs.id, never.id])
    } == {"not due"}


def test_fetch_instance_builds_what_raw_builds(buyer, listing) -> None:
    from django.db import connection

    from anxin.core.sql import fetch_instance
    from anxin.orders.models import Order

    # Given an order, and a query for it with one extra column last
    order = place_order(buyer, listing)
    sql = "SELECT o.*, 1 AS marked FROM orders_order o WHERE o.id = %s"  # extra column last
    # When fetch_instance and raw() build the order from it, twice
    for _ in range(2):  # the second call reuses the row's plan
        ours = fetch_instance(Order, sql, [order.pk])
        theirs = next(iter(Order.objects.raw(sql, [order.pk])))
        # Then they agree on every field and the extra column, and the instance is a saved one
        for f in Order._meta.concrete_fields:
            assert getattr(ours, f.attname) == getattr(theirs, f.attname), f.name
        assert ours.marked == theirs.marked == 1
        assert not ours._state.adding
        assert ours._state.db == connection.alias
    # And its times were converted
    assert ours.created_at.tzinfo is not None  # converters applied (SQLite stores text)
    # When no row matches
    # Then there is no instance
    assert fetch_instance(Order, sql, [order.pk + 1000]) is None
    # When the query lacks the primary key
    # Then it is refused
    with pytest.raises(ValueError, match="primary key"):
        fetch_instance(Order, "SELECT number FROM orders_order WHERE id = %s", [order.pk])


def test_tasks_enqueued_together_are_one_statement_or_none(buyer, listing) -> None:
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from anxin.core.tasks_backend import enqueued_together

    # Given two orders
    o1, o2 = (place_order(buyer, listing).pk for _ in range(2))
    # When two expiry tasks are enqueued together, one block nested in the other
    with CaptureQueriesContext(connection) as queries, enqueued_together():
        a = order_expire_task.enqueue(o1)
        with enqueued_together():  # nested: the outer block writes
            b = order_expire_task.enqueue(o2)
        # Then nothing is written before the outer block ends
        assert not DBTaskResult.objects.filter(id__in=[a.id, b.id]).exists()
    # And then both are written in one INSERT
    inserts = [q for q in queries.captured_queries if q["sql"].startswith("INSERT")]
    assert len(inserts) == 1
    assert DBTaskResult.objects.filter(id__in=[a.id, b.id]).count() == 2

    # When a block enqueues a task and its transaction fails
    queued: list[int] = []

    def enqueue_then_fail() -> None:
        with transaction.atomic(), enqueued_together():
            queued.append(order_expire_task.enqueue(o1).id)
            raise RuntimeError("the shipment failed")

    with pytest.raises(RuntimeError, match="shipment failed"):
        enqueue_then_fail()
    # Then the task was never written
    assert not DBTaskResult.objects.filter(id=queued[0]).exists()


def test_update_rows_gives_each_row_its_own_values(buyer, listing) -> None:
    from anxin.core.sql import update_rows
    from anxin.orders.models import Order

    # Given two orders
    a, b = (place_order(buyer, listing) for _ in range(2))
    later = timezone.now() + dt.timedelta(days=3)
    # When update_rows gives each its own carrier, deadline and note
    update_rows(
        Order,
        "id",
        [
            {"id": a.pk, "carrier": "顺丰", "auto_confirm_at": later, "buyer_note": ""},
            {"id": b.pk, "carrier": "中通", "auto_confirm_at": None, "buyer_note": "放门口"},
        ],
    )
    # Then each holds its own values
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.carrier == "顺丰"
    assert a.auto_confirm_at == later
    assert a.buyer_note == ""
    assert b.carrier == "中通"
    assert b.auto_confirm_at is None
    assert b.buyer_note == "放门口"


def test_a_task_a_killed_inline_runner_held_runs_again(buyer, listing) -> None:
    from anxin.core.worker import reclaim_inline

    # Given a due task claimed by an inline runner that was then killed
    order = place_order(buyer, listing)
    held = order_expire_task.using(run_after=timezone.now()).enqueue(order.pk)
    row = DBTaskResult.objects.get(id=held.id)
    row.claim("inline")  # claimed, then the runner was killed before it finished
    assert DBTaskResult.objects.get(id=held.id).status == "RUNNING"
    due = DBTaskResult.objects.ready().count()  # due now, besides the held one
    # When the due tasks run
    # Then the held task is reclaimed and run, with whatever else was due
    assert run_due_tasks() == due + 1  # reclaimed and run, with whatever else was due
    assert DBTaskResult.objects.get(id=held.id).status == "SUCCESSFUL"
    # And no task is left for an inline reclaim
    assert reclaim_inline() == 0


def test_a_task_a_dead_worker_held_too_long_goes_back_to_the_queue(buyer, listing) -> None:
    import datetime as dt

    from anxin.core.worker import reclaim_stale

    # Given a task a lost worker claimed 31 minutes ago, and one a busy worker just claimed
    order = place_order(buyer, listing)
    stuck = order_expire_task.using(run_after=timezone.now()).enqueue(order.pk)
    busy = order_expire_task.using(run_after=timezone.now()).enqueue(order.pk)
    DBTaskResult.objects.get(id=stuck.id).claim("worker-on-a-lost-machine")
    DBTaskResult.objects.get(id=busy.id).claim("worker-still-at-it")
    DBTaskResult.objects.filter(id=stuck.id).update(
        started_at=timezone.now() - dt.timedelta(minutes=31)
    )
    # When stale tasks are reclaimed
    # Then only the lost worker's goes back to the queue
    assert reclaim_stale() == 1
    assert DBTaskResult.objects.get(id=stuck.id).status == "READY"
    assert DBTaskResult.objects.get(id=busy.id).status == "RUNNING"  # 30 minutes not yet up
