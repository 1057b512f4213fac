"""Where the evidence log lives in the database.

- Record: one piece of evidence: the canonical record (which may hold personal data), its salt,
  and the log entry that commits to it. Business transactions insert records; records are
  never updated except, after the retention period, to have their personal data erased.
- Pending: the records waiting for their place in the log, with their leaf hashes. A database
  trigger on Record fills it in the inserting transaction (so no path that inserts a record
  can forget it), hashing the entry there (so the sequencer, which runs one batch at a time,
  does not); the sequencer takes from it.
- Span: where the sequencer put one batch: log indices first_idx … first_idx+count-1 hold the
  records whose ids are `ids` (packed, ascending), in that order. A record's index is found
  from the span that holds its id, an index's record from the span that covers it. Writing one
  row per batch instead of one index per record is what lets the sequencer keep up with bulk
  loads (the design of Trillian's SequencedLeafData, kept as ranges).
- Tile: the published hash tiles (C2SP tlog-tiles). Full tiles never change; the partial tile
  at the right edge of each level is rewritten as the tree grows.
- Checkpoint: every signed tree head the log has published.
- LogState: one row, the current size, root and checkpoint; the sequencer's lock.
- Attachment: files that are evidence (chat images), stored by their SHA-256.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Record(models.Model):
    chain = models.CharField(max_length=64)  # "order:<id>": records of one subject, in order
    kind = models.CharField(max_length=60)
    at = models.DateTimeField()
    body = models.TextField()  # the canonical JSON of the record
    salt = models.BinaryField(max_length=32, null=True)  # None once erased
    commitment = models.BinaryField(max_length=32)
    entry = models.BinaryField(max_length=512)
    erased_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["chain", "id"], name="evidence_record_chain")]

    def __str__(self) -> str:
        return f"{self.chain} {self.kind} ({self.pk})"


class Pending(models.Model):
    """A record waiting for its index; filled by the trigger of migrations 0003 and 0004."""

    id = models.BigIntegerField(primary_key=True)  # the Record's id
    leaf = models.BinaryField(max_length=32)  # merkle.leaf_hash of the Record's entry

    def __str__(self) -> str:
        return f"pending record {self.pk}"


class Span(models.Model):
    """One batch's place in the log (see the module docstring)."""

    first_idx = models.BigIntegerField(primary_key=True)
    count = models.PositiveIntegerField()
    first_id = models.BigIntegerField()
    last_id = models.BigIntegerField()
    ids = models.BinaryField()  # the records' ids, signed 64-bit little-endian, ascending

    class Meta:
        indexes = [models.Index(fields=["last_id"], name="evidence_span_last_id")]

    def __str__(self) -> str:
        return f"entries {self.first_idx}–{self.first_idx + self.count - 1}"


class Tile(models.Model):
    level = models.PositiveSmallIntegerField()
    index = models.BigIntegerField()
    data = models.BinaryField(max_length=8192)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["level", "index"], name="evidence_tile_unique")
        ]

    def __str__(self) -> str:
        return f"tile {self.level}/{self.index} ({len(self.data) // 32})"


class Checkpoint(models.Model):
    size = models.BigIntegerField(unique=True)
    root = models.BinaryField(max_length=32)
    note = models.TextField()
    at = models.DateTimeField()

    def __str__(self) -> str:
        return f"checkpoint {self.size}"


class LogState(models.Model):
    size = models.BigIntegerField(default=0)
    root = models.BinaryField(max_length=32)
    note = models.TextField(blank=True)  # the latest signed checkpoint; empty before the first

    def __str__(self) -> str:
        return f"log of {self.size}"


def attachment_upload_to(instance: Attachment, filename: str) -> str:
    return f"evidence/{instance.sha256[:2]}/{instance.sha256}.{instance.extension}"


class Attachment(models.Model):
    """A file that is evidence. Served only to those who may see what it is attached to."""

    sha256 = models.CharField(max_length=64)
    file = models.FileField(upload_to=attachment_upload_to, max_length=200)
    content_type = models.CharField(max_length=40)
    extension = models.CharField(max_length=8)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField()
    erased_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.sha256[:12]} {self.content_type}"
