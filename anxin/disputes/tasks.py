"""Timers: each loads by id and calls a service that re-reads the stored state."""

from __future__ import annotations

from django_tasks import task

from anxin.disputes import deadlines


@task()
def deadline_task(dispute_id: int) -> str:
    return deadlines.dispute_deadline(dispute_id=dispute_id)


@task()
def pay_task(dispute_id: int) -> str:
    return deadlines.dispute_pay(dispute_id=dispute_id)


@task()
def remind_task(dispute_id: int) -> str:
    return deadlines.dispute_remind(dispute_id=dispute_id)
