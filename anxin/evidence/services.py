"""Writing evidence. `append` runs inside the business transaction that did what the record
says, so the record exists exactly when the change does; the sequencer (sequencer.py) later
puts it in the log. Records of one chain (one order, say) are linked: each holds the commitment
of the one before, so a voucher for the latest record proves the whole history.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from anxin.core.sql import insert_row_returning
from anxin.evidence import record as rec
from anxin.evidence.models import Record

_HEAD = (
    f"SELECT commitment FROM {Record._meta.db_table} WHERE chain = %s "  # noqa: S608
    "ORDER BY id DESC LIMIT 1"
)
ERASED = "erased"


def iso(at: dt.datetime) -> str:
    return at.astimezone(dt.UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def prepare(
    *,
    chain: str,
    kind: str,
    body: dict[str, Any],
    at: dt.datetime,
    prev: bytes | memoryview | None,
) -> dict[str, Any]:
    """The column values of a new record whose chain's latest commitment is `prev` (the
    caller holds the lock that orders the chain). Its commitment is `values["commitment"]`."""
    record: dict[str, Any] = {"kind": kind, "at": iso(at), **body}
    if prev is not None:
        record["prev"] = bytes(prev).hex()
    salt = rec.new_salt()
    canonical, commitment, entry = rec.seal(record, salt)
    return {
        "chain": chain,
        "kind": kind,
        "at": at,
        "body": canonical.decode(),
        "salt": salt,
        "commitment": commitment,
        "entry": entry,
    }


def append(*, chain: str, kind: str, body: dict[str, Any], at: dt.datetime | None = None) -> int:
    """Store one evidence record in the current transaction and return its id. The caller
    holds the lock that orders the chain (for "order:N", the order row), so `prev` is the
    record committed just before this one."""
    if not connection.in_atomic_block:
        raise RuntimeError("evidence.append must run inside the business transaction")
    with connection.cursor() as cur:
        cur.execute(_HEAD, [chain])
        head = cur.fetchone()
    values = prepare(
        chain=chain,
        kind=kind,
        body=body,
        at=at or timezone.now(),
        prev=bytes(head[0]) if head is not None else None,
    )
    return int(insert_row_returning(Record, **values))


@transaction.atomic
def erase(*, chains: list[str], now: dt.datetime | None = None) -> int:
    """Replace the stored records of these chains by a tombstone and forget their salts
    (PIPL Art. 47). The log entries stay: they hold only commitments, so the log and every
    voucher already issued stay valid. The caller decides that the retention period is over.
    Returns how many records were erased."""
    now = now or timezone.now()
    n = 0
    for r in Record.objects.select_for_update().filter(chain__in=chains, erased_at=None):
        r.body = json.dumps({ERASED: True, "kind": r.kind}, sort_keys=True, separators=(",", ":"))
        r.salt = None
        r.erased_at = now
        r.save(update_fields=["body", "salt", "erased_at"])
        n += 1
    return n
