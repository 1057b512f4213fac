"""A market regulator's acts through the API: interviews, warnings, orders to correct, penalty
decisions (within the law's band) and their publication, referrals to the blacklist, and data
requests to the platform; the seller's answer to an order to correct; the operator's answer to
a data request; and the public penalties. The same services as the pages: whoever may not act
gets 404 and nothing changes."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.http.response import HttpResponseBase
from ninja import Router, Schema, Status

from anxin.api.auth import AuthedRequest
from anxin.api.types import Id, Whole
from anxin.core import media
from anxin.core.errors import NotFound, ValidationFailed, msg
from anxin.evidence.services import iso
from anxin.supervision import regulator as reg
from anxin.supervision.models_regulator import DataRequest, RegulatorAction
from anxin.supervision.services import FILE_MAX_BYTES, FILES_MAX

router = Router(tags=["supervision"])


class ActIn(Schema):
    kind: str  # interview | warning | correction
    seller_id: Whole | None = None
    complaint: str = ""
    summary: str
    correct_days: Whole | None = None


class PenaltyIn(Schema):
    seller_id: Whole | None = None
    complaint: str = ""
    summary: str
    offence: str  # crpl_56 | ecl_76
    committed_at: dt.date
    illegal_gains_fen: Whole = 0
    fine_fen: Whole
    minor: bool = False


class ReferralIn(Schema):
    seller_id: Whole
    summary: str
    evidence: list[str] = []


class NoteIn(Schema):
    note: str = ""


class DataRequestIn(Schema):
    seller_id: Whole
    purpose: str
    period_from: dt.date
    period_to: dt.date


def _when(value: dt.datetime | None) -> str | None:
    return iso(value) if value else None


def action_out(a: RegulatorAction) -> dict[str, Any]:
    law = a.law or {}
    return {
        "number": a.number,
        "kind": a.kind,
        "organisation": a.organisation.name,
        "seller_id": a.seller_id,
        "seller_name": a.seller_name,
        "complaint": a.complaint.number if a.complaint else None,
        "summary": a.summary,
        "recorded_at": iso(a.recorded_at),
        "status": a.status,
        "correct_by": _when(a.correct_by),
        "answered_at": _when(a.answered_at),
        "answer_note": a.answer_note,
        "answer_files": [
            {"id": f.pk, "name": f.name, "content_type": f.content_type, "sha256": f.sha256}
            for f in a.answer_files.order_by("pk")
        ],
        "defaulted_at": _when(a.defaulted_at),
        "offence": a.offence or None,
        "illegal_gains_fen": a.illegal_gains_fen,
        "fine_fen": a.fine_fen,
        "penalties": law.get("penalties", []),
        "minor": a.minor,
        "publish_by": _when(a.publish_by),
        "published_at": _when(a.published_at),
        "shown_until": _when(a.shown_until),
        "blacklist_entry": a.blacklist_entry_id,
    }


def request_out(r: DataRequest) -> dict[str, Any]:
    return {
        "number": r.number,
        "organisation": r.organisation.name,
        "seller_id": r.seller_id,
        "purpose": r.purpose,
        "period_from": r.period_from.isoformat(),
        "period_to": r.period_to.isoformat(),
        "asked_at": iso(r.asked_at),
        "answer_by": iso(r.answer_by),
        "status": r.status,
        "answered_at": _when(r.answered_at),
        "rows": r.rows,
        "sha256": r.sha256 or None,
        "files": r.files,
    }


def _target(seller_id: int | None, complaint: str) -> reg.Target:
    return reg.Target(seller_id=seller_id, complaint=complaint.strip())


@router.post("/supervision/actions", response={201: dict[str, Any]})
def act(request: AuthedRequest, payload: ActIn) -> Status[dict[str, Any]]:
    """An interview, a warning, or an order to correct within `correct_days` (the regulator's
    staff of the seller's region)."""
    a = reg.action_record(
        actor=request.auth,
        target=_target(payload.seller_id, payload.complaint),
        kind=payload.kind,
        summary=payload.summary,
        correct_days=payload.correct_days,
    )
    return Status(201, action_out(a))


@router.post("/supervision/penalties", response={201: dict[str, Any]})
def penalty(request: AuthedRequest, payload: PenaltyIn) -> Status[dict[str, Any]]:
    """A penalty decision: a fine outside the law's band is refused with the band named."""
    a = reg.penalty_decide(
        actor=request.auth,
        target=_target(payload.seller_id, payload.complaint),
        summary=payload.summary,
        terms=reg.PenaltyTerms(
            offence=payload.offence,
            committed_at=payload.committed_at,
            illegal_gains_fen=payload.illegal_gains_fen,
            fine_fen=payload.fine_fen,
            minor=payload.minor,
        ),
    )
    return Status(201, action_out(a))


@router.post("/supervision/referrals", response={201: dict[str, Any]})
def referral(request: AuthedRequest, payload: ReferralIn) -> Status[dict[str, Any]]:
    """A referral to the blacklist: its due process (notice, appeal, decision) follows."""
    a = reg.referral_make(
        actor=request.auth,
        target=reg.Target(seller_id=payload.seller_id),
        summary=payload.summary,
        evidence_refs=payload.evidence,
    )
    return Status(201, action_out(a))


def _action(request: AuthedRequest, number: str) -> dict[str, Any]:
    a = (
        RegulatorAction.objects.filter(number=number)
        .select_related("organisation", "complaint")
        .first()
    )
    if a is None or reg.action_role(request.auth, a) is None:
        raise NotFound(msg("action {number}: not found", number=number))
    return action_out(a)


@router.get("/supervision/actions/{number}", response=dict[str, Any])
def action_get(request: AuthedRequest, number: str) -> dict[str, Any]:
    """An act: for the office that recorded it and the seller it is about."""
    return _action(request, number)


@router.post("/supervision/actions/{number}/publish", response=dict[str, Any])
def publish(request: AuthedRequest, number: str) -> dict[str, Any]:
    reg.penalty_publish(actor=request.auth, number=number)
    return _action(request, number)


# The answer's body: JSON with the note alone, or a multipart form with the note and the
# evidence files (as a dispute's evidence, disputes.api): both documented here, read by
# _answer_body.
ANSWER_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "properties": {"note": {"type": "string", "maxLength": 1000}},
                    "required": ["note"],
                }
            },
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "note": {"type": "string", "maxLength": 1000},
                        "evidence": {
                            "type": "array",
                            "items": {"type": "string", "format": "binary"},
                            "maxItems": FILES_MAX,
                            "description": "Photos (JPEG, PNG, WebP) or PDFs, each at most "
                            f"{FILE_MAX_BYTES // (1024 * 1024)} MiB",
                        },
                    },
                    "required": ["note"],
                }
            },
        },
    }
}


def _answer_body(request: AuthedRequest) -> tuple[str, list[UploadedFile]]:
    """The note and the files of a seller's answer, from a multipart form or from JSON."""
    if request.content_type == "multipart/form-data":
        return request.POST.get("note", ""), request.FILES.getlist("evidence")
    try:
        body = json.loads(request.body or b"{}")
    except ValueError:
        body = None
    if not isinstance(body, dict) or not isinstance(body.get("note", ""), str):
        raise ValidationFailed("note: what you corrected, as text", field="note")
    return body.get("note", ""), []


@router.post(
    "/supervision/actions/{number}/answer", response=dict[str, Any], openapi_extra=ANSWER_BODY
)
def answer(request: AuthedRequest, number: str) -> dict[str, Any]:
    """The seller says it has corrected, before the deadline: a note, and (multipart) up to
    six photos or PDFs showing it, checked as every evidence upload; each file's digest is on
    the act's evidence chain, and the office opens them from the act's page."""
    note, files = _answer_body(request)
    reg.correction_answer(actor=request.auth, number=number, note=note, files=files)
    return _action(request, number)


@router.get("/supervision/actions/{number}/files/{file_id}")
def answer_file(request: AuthedRequest, number: str, file_id: Id) -> HttpResponseBase:
    """A file of the seller's answer (`answer_files`): for the office and the seller."""
    f = reg.answer_file_for(request.auth, number, file_id)
    return media.file_response(f.file, content_type=f.content_type, sha256=f.sha256, public=False)


@router.post("/supervision/data-requests", response={201: dict[str, Any]})
def data_request(request: AuthedRequest, payload: DataRequestIn) -> Status[dict[str, Any]]:
    """A regulator asks the platform for a seller's orders in a period (OTSM Art. 34)."""
    r = reg.data_request_make(
        actor=request.auth,
        seller_id=payload.seller_id,
        purpose=payload.purpose,
        period_from=payload.period_from,
        period_to=payload.period_to,
    )
    return Status(201, request_out(r))


@router.post("/supervision/data-requests/{number}/answer", response=dict[str, Any])
def data_request_answer(request: AuthedRequest, number: str, payload: NoteIn) -> dict[str, Any]:
    """The operator answers with the export; its digest goes to the evidence log."""
    r = reg.data_request_answer(actor=request.auth, number=number, note=payload.note)
    return request_out(r)


@router.get("/supervision/data-requests/{number}", response=dict[str, Any])
def data_request_get(request: AuthedRequest, number: str) -> dict[str, Any]:
    """A data request: for the office that asked and the platform's operators."""
    r, _role = reg.request_for_reader(request.auth, number)
    return request_out(r)


@router.get("/supervision/data-requests/{number}/file")
def data_request_file(request: AuthedRequest, number: str) -> HttpResponseBase:
    """The answer's ZIP (orders, payments, shipments, after-sales, and a manifest of their
    SHA-256): for the staff of the office that asked only; its digest is `sha256`."""
    r = reg.request_export(request.auth, number)
    return media.file_response(
        r.file, content_type=reg.export_type(r), sha256=r.sha256, public=False
    )


@router.get("/penalties", response=list[dict[str, Any]], auth=None)
def penalties(request: AuthedRequest) -> list[dict[str, Any]]:
    """The penalties published and still shown (PDR Arts. 9, 13): public."""
    return [
        {
            "number": a.number,
            "seller_name": a.seller_name,
            "organisation": a.organisation.name,
            "decided_at": iso(a.recorded_at),
            "offence": a.offence,
            "fine_fen": a.fine_fen,
            "summary": a.summary,
            "published_at": _when(a.published_at),
            "shown_until": _when(a.shown_until),
        }
        for a in reg.penalties_shown().select_related("organisation")[:200]
    ]
