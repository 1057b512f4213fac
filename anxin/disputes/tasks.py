"""Timers and mail: each loads by id and calls a service that re-reads the stored state."""

from __future__ import annotations

from django_tasks import task

from anxin.disputes import notices, services


@task()
def deadline_task(dispute_id: int) -> str:
    return services.deadline(dispute_id=dispute_id)


@task()
def pay_task(dispute_id: int) -> str:
    return services.pay(dispute_id=dispute_id)


@task()
def remind_task(dispute_id: int) -> str:
    return services.remind(dispute_id=dispute_id)


@task()
def email_task(notification_id: int) -> str:
    return notices.send_email(notification_id=notification_id)
