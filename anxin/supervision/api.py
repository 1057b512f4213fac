"""/api/v1/complaints: complaints to the market regulator through the open channel: filed by
anyone with a verified phone number, decided by the regulator's staff, withdrawn by the
complainant. Each reader sees what the pages show it, and nothing of others'."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from ninja import Router, Schema, Status
from pydantic import Field, Strict

from anxin.api.auth import AuthedRequest
from anxin.api.types import INT_MAX, Whole
from anxin.supervision import selectors, services
from anxin.supervision.models import Complaint

router = Router(tags=["complaints"])


class ComplaintIn(Schema):
    seller_id: Annotated[int, Strict(), Field(ge=1, le=INT_MAX)] | None = None
    seller_name: str = ""
    seller_wechat: str = ""
    seller_platform: str = ""
    seller_link: str = ""
    seller_address: str = ""
    seller_region: str = ""
    complainant_name: str
    complainant_address: str
    request: str
    facts: str
    paid_fen: Whole = 0
    knew_at: dt.date
    handled_elsewhere: bool = False


class RefuseIn(Schema):
    ground: str
    note: str


class ComplaintOut(Schema):
    number: str
    status: str
    seller_id: int | None
    seller_name: str
    region: str
    region_basis: str
    regulator: str | None
    received_at: str
    decide_by: str
    request: str
    facts: str
    law: dict[str, Any]
    refusal_ground: str
    refusal_note: str
    # The complainant's identity: for the complainant and the regulator's staff only.
    complainant_name: str | None = None
    complainant_phone: str | None = None
    complainant_address: str | None = None


def _out(c: Complaint, role: str) -> ComplaintOut:
    private = role in ("complainant", "staff", "mediator")
    return ComplaintOut(
        number=c.number,
        status=c.status,
        seller_id=c.seller_id,
        seller_name=c.seller_name,
        region=c.region,
        region_basis=c.region_basis,
        regulator=c.regulator.name if c.regulator else None,
        received_at=c.received_at.isoformat(),
        decide_by=c.decide_by.isoformat(),
        request=c.request,
        facts=c.facts,
        law=c.law,
        refusal_ground=c.refusal_ground,
        refusal_note=c.refusal_note,
        complainant_name=c.complainant_name if private else None,
        complainant_phone=c.complainant_phone if role in ("staff", "mediator") else None,
        complainant_address=c.complainant_address if role in ("staff", "mediator") else None,
    )


@router.post("/complaints", response={201: ComplaintOut})
def complaint_file(request: AuthedRequest, payload: ComplaintIn):
    """Complain about a seller (on Anxin: `seller_id`; elsewhere: its names and `seller_region`,
    a six-digit administrative division code). Needs a verified phone number. The answer's
    `status` is `received` (the regulator decides by `decide_by`) or `refused` (the law does
    not let it be accepted: `law` gives the reasons and the other routes)."""
    p = payload
    c = services.complaint_file(
        actor=request.auth,
        seller=services.SellerNamed(
            seller_id=p.seller_id,
            name=p.seller_name,
            wechat=p.seller_wechat,
            platform=p.seller_platform,
            link=p.seller_link,
            address=p.seller_address,
            region=p.seller_region,
        ),
        materials=services.Materials(
            name=p.complainant_name,
            address=p.complainant_address,
            request=p.request,
            facts=p.facts,
            knew_at=p.knew_at,
            paid_fen=p.paid_fen,
            handled_elsewhere=p.handled_elsewhere,
        ),
    )
    return Status(201, _out(c, "complainant"))


@router.get("/complaints", response=list[ComplaintOut])
def complaints(request: AuthedRequest) -> list[ComplaintOut]:
    """Yours; for a regulator's staff, its office's as well; for a seller, those accepted
    against it."""
    out = [_out(c, "complainant") for c in selectors.complaints_of(request.auth)[:200]]
    org = selectors.organisation_of(request.auth)
    if org is not None:
        out += [_out(c, "staff") for c in selectors.complaints_for(org)[:500]]
    out += [_out(c, "seller") for c in selectors.complaints_against(request.auth)[:200]]
    return out


@router.get("/complaints/{number}", response=ComplaintOut)
def complaint(request: AuthedRequest, number: str) -> ComplaintOut:
    c, role = selectors.complaint_for_reader(request.auth, number)
    return _out(c, role)


@router.post("/complaints/{number}/admit", response=ComplaintOut)
def complaint_admit(request: AuthedRequest, number: str) -> ComplaintOut:
    """The regulator's staff accept the complaint."""
    services.complaint_admit(actor=request.auth, number=number)
    return complaint(request, number)


@router.post("/complaints/{number}/refuse", response=ComplaintOut)
def complaint_refuse(request: AuthedRequest, number: str, payload: RefuseIn) -> ComplaintOut:
    """The regulator's staff refuse it on a ground of the measures in force (`not_our_remit`,
    `not_consumer`, `materials`, `impersonation`, `other_law`), with reasons."""
    services.complaint_refuse(
        actor=request.auth, number=number, ground=payload.ground, note=payload.note
    )
    return complaint(request, number)


@router.post("/complaints/{number}/withdraw", response=ComplaintOut)
def complaint_withdraw(request: AuthedRequest, number: str) -> ComplaintOut:
    """The complainant withdraws a complaint the regulator has not decided."""
    services.complaint_withdraw(actor=request.auth, number=number)
    return complaint(request, number)
