"""The log's positions move from a column on every record to one Span row per batch, and the
records waiting for a position get a queue filled by a trigger (see evidence.models).

On PostgreSQL an exclusion constraint refuses two spans that share an index (what the unique
index on the old column refused), and a check an empty span.

Forward: every indexed record goes into spans (consecutive indices whose record ids ascend
form one span), every record without an index into the queue, then the column goes. Backward
restores the column from the spans. The records table is locked for the move, so no record is
inserted between reading it and installing the trigger.
"""

from array import array

from django.db import migrations, models

CHUNK = 20_000

PG_TRIGGER = """
CREATE FUNCTION evidence_record_enqueue() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO evidence_pending (id, entry) SELECT id, entry FROM inserted;
    RETURN NULL;
END $$;
CREATE TRIGGER evidence_record_enqueue AFTER INSERT ON evidence_record
    REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT
    EXECUTE FUNCTION evidence_record_enqueue();
ALTER TABLE evidence_span ALTER COLUMN ids SET STORAGE EXTERNAL;
ALTER TABLE evidence_span ADD CONSTRAINT evidence_span_indices_disjoint
    EXCLUDE USING gist (int8range(first_idx, first_idx + count) WITH &&);
ALTER TABLE evidence_span ADD CONSTRAINT evidence_span_not_empty CHECK (count > 0);
"""
PG_DROP = """
ALTER TABLE evidence_span DROP CONSTRAINT evidence_span_indices_disjoint;
ALTER TABLE evidence_span DROP CONSTRAINT evidence_span_not_empty;
DROP TRIGGER evidence_record_enqueue ON evidence_record;
DROP FUNCTION evidence_record_enqueue();
"""
SQLITE_TRIGGER = """
CREATE TRIGGER evidence_record_enqueue AFTER INSERT ON evidence_record
BEGIN
    INSERT INTO evidence_pending (id, entry) VALUES (NEW.id, NEW.entry);
END
"""
SQLITE_DROP = "DROP TRIGGER evidence_record_enqueue"


def _run(schema_editor, pg: str, sqlite: str) -> None:
    sql = pg if schema_editor.connection.vendor == "postgresql" else sqlite
    with schema_editor.connection.cursor() as cur:
        cur.execute(sql)


def lock(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cur:
            cur.execute("LOCK TABLE evidence_record IN SHARE ROW EXCLUSIVE MODE")


def to_spans(apps, schema_editor):
    Record = apps.get_model("evidence", "Record")
    Pending = apps.get_model("evidence", "Pending")
    Span = apps.get_model("evidence", "Span")
    spans, ids, first = [], array("q"), 0

    def close() -> None:
        if ids:
            spans.append(
                Span(
                    first_idx=first, count=len(ids), first_id=ids[0], last_id=ids[-1],
                    ids=ids.tobytes(),
                )
            )

    rows = Record.objects.filter(idx__isnull=False).order_by("idx").values_list("id", "idx")
    for pk, idx in rows.iterator(chunk_size=CHUNK):
        if ids and (idx != first + len(ids) or pk < ids[-1] or len(ids) >= CHUNK):
            close()
            ids = array("q")
        if not ids:
            first = idx
        ids.append(pk)
        if len(spans) >= 100:
            Span.objects.bulk_create(spans)
            spans.clear()
    close()
    Span.objects.bulk_create(spans)
    waiting = Record.objects.filter(idx__isnull=True).order_by("id").values_list("id", "entry")
    Pending.objects.bulk_create(
        (Pending(id=pk, entry=entry) for pk, entry in waiting.iterator(chunk_size=CHUNK)),
        batch_size=1000,
    )


def from_spans(apps, schema_editor):
    Record = apps.get_model("evidence", "Record")
    for span in apps.get_model("evidence", "Span").objects.order_by("first_idx").iterator():
        ids = array("q")
        ids.frombytes(bytes(span.ids))
        for i, pk in enumerate(ids):
            Record.objects.filter(pk=pk).update(idx=span.first_idx + i)


def trigger(apps, schema_editor):
    _run(schema_editor, PG_TRIGGER, SQLITE_TRIGGER)


def untrigger(apps, schema_editor):
    _run(schema_editor, PG_DROP, SQLITE_DROP)


class Migration(migrations.Migration):
    dependencies = [("evidence", "0002_log_state")]

    operations = [
        migrations.RunPython(lock, migrations.RunPython.noop),
        # First, as the new table takes the old partial index's name.
        migrations.RemoveIndex(model_name="record", name="evidence_pending"),
        migrations.CreateModel(
            name="Pending",
            fields=[
                ("id", models.BigIntegerField(primary_key=True, serialize=False)),
                ("entry", models.BinaryField(max_length=512)),
            ],
        ),
        migrations.CreateModel(
            name="Span",
            fields=[
                ("first_idx", models.BigIntegerField(primary_key=True, serialize=False)),
                ("count", models.PositiveIntegerField()),
                ("first_id", models.BigIntegerField()),
                ("last_id", models.BigIntegerField()),
                ("ids", models.BinaryField()),
            ],
        ),
        migrations.AddIndex(
            model_name="span",
            index=models.Index(fields=["last_id"], name="evidence_span_last_id"),
        ),
        migrations.RunPython(to_spans, from_spans),
        migrations.RemoveField(model_name="record", name="idx"),
        migrations.RunPython(trigger, untrigger),
    ]
