# Notices moved to their own app (anxin.notices), which every app sends through. A notice
# names its subject as "dispute:<number>" instead of a foreign key to the case, so the rows
# are copied (ids kept) rather than the table renamed; the id sequence is moved past them.

from django.core.management.color import no_style
from django.db import migrations


def _copy(schema_editor, sql, model):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        cursor.execute(sql)
        for statement in connection.ops.sequence_reset_sql(no_style(), [model]):
            cursor.execute(statement)


def to_notices(apps, schema_editor):
    old = apps.get_model("disputes", "Notification")._meta.db_table
    new_model = apps.get_model("notices", "Notification")
    case = apps.get_model("disputes", "Dispute")._meta.db_table
    _copy(
        schema_editor,
        f"INSERT INTO {new_model._meta.db_table} "  # noqa: S608 - table names from _meta
        "(id, user_id, subject, kind, params, created_at, read_at, emailed_at) "
        "SELECT n.id, n.user_id, "
        "CASE WHEN d.number IS NULL THEN '' ELSE 'dispute:' || d.number END, "
        "n.kind, n.params, n.created_at, n.read_at, n.emailed_at "
        f"FROM {old} n LEFT JOIN {case} d ON d.id = n.dispute_id",
        new_model,
    )


def back_to_disputes(apps, schema_editor):
    old_model = apps.get_model("disputes", "Notification")
    new = apps.get_model("notices", "Notification")._meta.db_table
    case = apps.get_model("disputes", "Dispute")._meta.db_table
    _copy(
        schema_editor,
        f"INSERT INTO {old_model._meta.db_table} "  # noqa: S608 - table names from _meta
        "(id, user_id, dispute_id, kind, params, created_at, read_at, emailed_at) "
        "SELECT n.id, n.user_id, d.id, n.kind, n.params, n.created_at, n.read_at, n.emailed_at "
        f"FROM {new} n LEFT JOIN {case} d ON 'dispute:' || d.number = n.subject",
        old_model,
    )


class Migration(migrations.Migration):

    dependencies = [
        ('disputes', '0003_admission'),
        ('notices', '0001_initial'),
    ]

    operations = [
        migrations.RunPython(to_notices, back_to_disputes),
        migrations.DeleteModel(name='Notification'),
    ]
