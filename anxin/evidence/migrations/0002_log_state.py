import hashlib

from django.db import migrations


def create_state(apps, schema_editor):
    # The one row the sequencer locks: the empty log.
    apps.get_model("evidence", "LogState").objects.create(
        pk=1, size=0, root=hashlib.sha256(b"").digest(), note=""
    )


class Migration(migrations.Migration):
    dependencies = [("evidence", "0001_initial")]

    operations = [migrations.RunPython(create_state, migrations.RunPython.noop)]
