"""Debt collections queued before seller debts moved to remedies were queued under the
after-sales app's task (anxin.aftersales.tasks.debts_collect_task, same argument): those still
waiting run as the remedies app's task after an upgrade."""

from django.db import migrations

OLD, NEW = "anxin.aftersales.tasks.debts_collect_task", "anxin.remedies.tasks.debts_collect_task"


def forward(apps, schema_editor):
    queued = apps.get_model("django_tasks_database", "DBTaskResult").objects
    queued.filter(task_path=OLD, status="READY").update(task_path=NEW)


def backward(apps, schema_editor):
    queued = apps.get_model("django_tasks_database", "DBTaskResult").objects
    queued.filter(task_path=NEW, status="READY").update(task_path=OLD)


class Migration(migrations.Migration):
    dependencies = [
        ("remedies", "0002_sellerdebt_own_table"),
        ("django_tasks_database", "0021_conditional_partial_index_ordering"),
    ]

    operations = [migrations.RunPython(forward, backward)]
