"""A case's evidence bundle: one ZIP with the whole file, as both parties and the regulator
see it. Its manifest lists every file with its SHA-256; the evidence-log records carry their
salts, so each can be checked against its commitment in the log (`anxin verify`)."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpResponse
from django.utils import timezone

from anxin.accounts.models import User
from anxin.disputes import selectors
from anxin.disputes.schemas import case_out
from anxin.disputes.writer import chain
from anxin.evidence import bundles, spans
from anxin.evidence.models import Record
from anxin.orders.events import order_chain


def build(user: User, number: str) -> bytes:
    f = selectors.case_file(user, number)
    d = f["case"]
    files: dict[str, bytes] = {}
    files["case.json"] = json.dumps(
        case_out(f).model_dump(mode="json"), ensure_ascii=False, indent=2, sort_keys=True
    ).encode()
    chains = [chain(d)]
    if d.order_id:
        chains.append(order_chain(d.order))
    records = list(Record.objects.filter(chain__in=chains).order_by("id"))
    indices = spans.index_of(r.pk for r in records)
    for n, r in enumerate(records, 1):
        files[f"records/{n:04d}-{r.kind}.json"] = _record(r, indices.get(r.pk))
    given: dict[str, str] = {}
    for e in f["evidence"]:
        if e.file:
            name = bundles.member("evidence", e.sha256, e.content_type, n=e.pk)
            with e.file.open("rb") as fh:
                files[name] = fh.read()
            given[name] = e.file_name
    manifest = {"case": d.number, "made_at": timezone.now().isoformat(), "made_for": user.username}
    return bundles.pack(d.number, files, manifest, original_names=given)


def _record(r: Record, index: int | None) -> bytes:
    doc: dict[str, Any] = {
        "chain": r.chain,
        "log_index": index,  # None while the record waits for the log
        "record": json.loads(r.body),
        "salt": bytes(r.salt).hex() if r.salt is not None else None,
        "commitment": bytes(r.commitment).hex(),
    }
    return json.dumps(doc, ensure_ascii=False, indent=2, sort_keys=True).encode()


def response(user: User, number: str) -> HttpResponse:
    data = build(user, number)
    resp = HttpResponse(data, content_type="application/zip")
    resp["Content-Disposition"] = f'attachment; filename="anxin-case-{number}.zip"'
    return resp
