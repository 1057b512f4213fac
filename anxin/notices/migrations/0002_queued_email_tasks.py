"""Notice e-mails queued before notices had an app of their own were queued under the disputes
app's task (anxin.disputes.tasks.email_task, same argument): those still waiting run as the
notices app's task, so an upgrade sends them instead of failing on a task that no longer exists."""

from django.db import migrations

OLD, NEW = "anxin.disputes.tasks.email_task", "anxin.notices.tasks.notice_email_task"


def forward(apps, schema_editor):
    queued = apps.get_model("django_tasks_database", "DBTaskResult").objects
    queued.filter(task_path=OLD, status="READY").update(task_path=NEW)


def backward(apps, schema_editor):
    queued = apps.get_model("django_tasks_database", "DBTaskResult").objects
    queued.filter(task_path=NEW, status="READY").update(task_path=OLD)


class Migration(migrations.Migration):
    dependencies = [
        ("notices", "0001_initial"),
        ("django_tasks_database", "0021_conditional_partial_index_ordering"),
    ]

    operations = [migrations.RunPython(forward, backward)]
