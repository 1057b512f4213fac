"""Notice e-mails, sent by a worker: loads the notice by id and sends it once."""

from __future__ import annotations

from django_tasks import task

from anxin.notices.mail import notice_email


@task()
def notice_email_task(notification_id: int) -> str:
    return notice_email(notification_id=notification_id)
