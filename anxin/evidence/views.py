"""The published log (C2SP tlog-tiles): /log/checkpoint, /log/tile/..., /log/key, and a public
page, reached from a voucher's QR code, that shows an entry is in the log. Nothing here is
personal: entries hold only a kind, a time and a commitment. The voucher's QR code also
carries its record's salt, which opens the record: with it, the page says which order the
record is of (order number, item, amount, shop), as the voucher does."""

from __future__ import annotations

import hmac
import json
import re
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from anxin.core import hooks
from anxin.core.errors import NotFound
from anxin.evidence import keys, merkle, spans, store
from anxin.evidence.mirror import BINARY, FINAL, FRESH, PARTIAL, TEXT
from anxin.evidence.models import Record
from anxin.evidence.tiles import WIDTH, parse_tile_path


@require_GET
def checkpoint(request: HttpRequest) -> HttpResponse:
    resp = HttpResponse(store.head().note, content_type=TEXT)
    resp["Cache-Control"] = FRESH
    return resp


@require_GET
def key(request: HttpRequest) -> HttpResponse:
    resp = HttpResponse(keys.log_verifier().vkey() + "\n", content_type=TEXT)
    resp["Cache-Control"] = "public, max-age=3600"
    return resp


@require_GET
def tile(request: HttpRequest, path: str) -> HttpResponse:
    try:
        level, index, width = parse_tile_path(path)
    except ValueError as e:
        raise Http404(str(e)) from None
    try:
        data = store.entries(index, width) if level is None else store.tile(level, index, width)
    except NotFound as e:
        raise Http404(e.detail) from None
    resp = HttpResponse(data, content_type=BINARY)
    # A full tile, and any prefix of a tile, never changes once published (as in the mirror).
    resp["Cache-Control"] = FINAL if width == WIDTH else PARTIAL
    return resp


@require_GET
def entry(request: HttpRequest, idx: int) -> HttpResponse:
    """Is entry `idx` in the log, and is its leaf the one the voucher names?"""
    h = store.head()
    pk = spans.record_at(idx) if idx < h.size else None
    row = Record.objects.filter(pk=pk or 0).values_list("entry", "chain", "salt").first()
    if row is None:
        return render(request, "evidence/entry.html", {"idx": idx, "found": False}, status=404)
    data = bytes(row[0])
    leaf = merkle.leaf_hash(data)
    _, proof = store.inclusion(idx, h)
    ctx = {
        "idx": idx,
        "found": True,
        "entry": json.loads(data),
        "leaf": leaf.hex(),
        "claimed": request.GET.get("leaf", ""),
        "matches": request.GET.get("leaf", "") == leaf.hex(),
        "included": merkle.verify_inclusion(idx, h.size, leaf, proof, h.root),
        "size": h.size,
        "checkpoint": h.note,
        "vkey": keys.log_verifier().vkey(),
        "subject": _opened(request.GET.get("open", ""), chain=row[1], salt=row[2]),
    }
    return render(request, "evidence/entry.html", ctx)


def _opened(
    opening: str, *, chain: str, salt: bytes | memoryview | None
) -> list[tuple[Any, str]] | None:
    """What the record is about, when the visitor holds its salt (the voucher's QR code carries
    it: whoever has the voucher may read what it proves); None otherwise, or once the record
    was erased. The log alone shows nobody what an entry is about."""
    if salt is None or not re.fullmatch(r"[0-9a-f]{64}", opening):
        return None
    if not hmac.compare_digest(bytes(salt), bytes.fromhex(opening)):
        return None
    subject: list[tuple[Any, str]] | None = hooks.ask(hooks.RECORD_SUBJECT, chain=chain)
    return subject
