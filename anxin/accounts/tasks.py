"""Mail: loads by id and calls the service, which makes the reset link when it sends it."""

from __future__ import annotations

from django_tasks import task

from anxin.accounts.reset_mail import password_reset_mail


@task()
def password_reset_mail_task(user_id: int) -> str:
    return password_reset_mail(user_id=user_id)
