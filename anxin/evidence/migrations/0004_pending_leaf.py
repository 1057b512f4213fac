"""The queue holds each waiting record's leaf hash instead of its entry: the database computes
it (SHA-256 of 0x00 and the entry, RFC 6962) in the transaction that inserts the record, as
Trillian's front end hashes a leaf when it queues it. The sequencer, the one step of the log
that cannot run in parallel, then reads 32 bytes a record and hashes only interior nodes.

SQLite has no SHA-256 in SQL: its trigger calls `anxin_leaf_hash`, which the evidence app
registers on every SQLite connection (see evidence.apps).

Forward and backward replace the trigger and move the queue's rows from one column to the
other, with the records table locked so that no record is queued by the old trigger after its
rows were moved.
"""

from django.db import migrations, models

from anxin.evidence import merkle

CHUNK = 20_000

PG_OLD = """
CREATE OR REPLACE FUNCTION evidence_record_enqueue() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO evidence_pending (id, entry) SELECT id, entry FROM inserted;
    RETURN NULL;
END $$;
"""
PG_NEW = """
CREATE OR REPLACE FUNCTION evidence_record_enqueue() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO evidence_pending (id, leaf)
        SELECT id, sha256('\\x00'::bytea || entry) FROM inserted;
    RETURN NULL;
END $$;
"""
SQLITE_OLD = """
CREATE TRIGGER evidence_record_enqueue AFTER INSERT ON evidence_record
BEGIN
    INSERT INTO evidence_pending (id, entry) VALUES (NEW.id, NEW.entry);
END
"""
SQLITE_NEW = """
CREATE TRIGGER evidence_record_enqueue AFTER INSERT ON evidence_record
BEGIN
    INSERT INTO evidence_pending (id, leaf) VALUES (NEW.id, anxin_leaf_hash(NEW.entry));
END
"""


def _sqlite(schema_editor, sql: str) -> None:
    if schema_editor.connection.vendor == "sqlite":
        with schema_editor.connection.cursor() as cur:
            cur.execute(sql)


def _pg(schema_editor, sql: str) -> None:
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cur:
            cur.execute(sql)


def lock(apps, schema_editor):
    _pg(schema_editor, "LOCK TABLE evidence_record IN SHARE ROW EXCLUSIVE MODE")


# SQLite rebuilds a table to change its columns, and refuses to while a trigger names it: its
# trigger is dropped before the queue's columns change and created after.
def drop_old(apps, schema_editor):
    _sqlite(schema_editor, "DROP TRIGGER evidence_record_enqueue")


def create_old(apps, schema_editor):
    _sqlite(schema_editor, SQLITE_OLD)
    _pg(schema_editor, PG_OLD)


def create_new(apps, schema_editor):
    _sqlite(schema_editor, SQLITE_NEW)
    _pg(schema_editor, PG_NEW)


def drop_new(apps, schema_editor):
    _sqlite(schema_editor, "DROP TRIGGER evidence_record_enqueue")


def _fill(apps, column: str, value) -> None:
    Pending = apps.get_model("evidence", "Pending")
    Record = apps.get_model("evidence", "Record")
    ids = list(Pending.objects.order_by("id").values_list("id", flat=True))
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        rows = Record.objects.filter(pk__in=chunk).values_list("id", "entry")
        Pending.objects.bulk_update(
            [Pending(id=pk, **{column: value(bytes(entry))}) for pk, entry in rows],
            [column],
            batch_size=1000,
        )


def leaves(apps, schema_editor):
    _fill(apps, "leaf", merkle.leaf_hash)


def entries(apps, schema_editor):
    _fill(apps, "entry", lambda entry: entry)


class Migration(migrations.Migration):
    dependencies = [("evidence", "0003_spans")]

    operations = [
        migrations.RunPython(lock, lock),
        migrations.RunPython(drop_old, create_old),
        migrations.AddField(
            model_name="pending", name="leaf", field=models.BinaryField(max_length=32, null=True)
        ),
        migrations.AlterField(
            model_name="pending", name="entry", field=models.BinaryField(max_length=512, null=True)
        ),
        migrations.RunPython(leaves, entries),
        migrations.RemoveField(model_name="pending", name="entry"),
        migrations.AlterField(
            model_name="pending", name="leaf", field=models.BinaryField(max_length=32)
        ),
        migrations.RunPython(create_new, drop_new),
    ]
