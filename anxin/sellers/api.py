from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from anxin.api.auth import AuthedRequest
from anxin.api.types import Id
from anxin.core.errors import Forbidden
from anxin.sellers import services
from anxin.sellers.models import Level, Licence, Verification

router = Router(tags=["sellers"])


class VerifyIn(Schema):
    kind: str
    name: str
    number: str
    address: str
    contact: str


class LicenceIn(Schema):
    kind: str
    number: str
    valid_until: dt.date


class ReviewIn(Schema):
    approve: bool
    reason: str = ""


class IdentityIn(Schema):
    reference: str = ""


def _status(user: Any) -> dict[str, Any]:
    v = Verification.objects.filter(seller=user).first()
    return {
        "level": int(services.seller_level(user)),
        "level_label": str(Level(services.seller_level(user)).label),
        "kind": v.kind if v else None,
        "status": v.status if v else None,
        "number": v.number_masked if v else None,
        "verified_at": v.verified_at.isoformat() if v else None,
        "reverify_by": v.reverify_by.isoformat() if v else None,
        "licences": [
            {
                "id": lic.pk,
                "kind": lic.kind,
                "number": lic.number,
                "status": lic.status,
                "valid_until": lic.valid_until.isoformat(),
            }
            for lic in Licence.objects.filter(seller=user).order_by("pk")
        ],
        "registration_duty": services.seller_registration_duty(user) if v else [],
    }


@router.get("/seller/verification", response=dict[str, Any])
def verification(request: AuthedRequest) -> dict[str, Any]:
    """Your verification: level, masked number, when to re-verify, licences, and whether the
    law requires you to register as a business."""
    if request.auth.role != "seller":
        raise Forbidden("only sellers are verified", code="not_a_seller")
    return _status(request.auth)


@router.post("/seller/verification", response=dict[str, Any])
def verify(
    request: AuthedRequest,
    payload: Form[VerifyIn],
    licence_file: UploadedFile | None = File(None),  # noqa: B008 - ninja's parameter marker
) -> dict[str, Any]:
    """Verify or re-verify (multipart; a business adds its licence file)."""
    services.seller_verify(
        actor=request.auth,
        kind=payload.kind,
        name=payload.name,
        number=payload.number,
        address=payload.address,
        contact=payload.contact,
        licence_file=licence_file,
    )
    return _status(request.auth)


@router.post("/seller/licences", response={201: dict[str, Any]})
def licence(
    request: AuthedRequest, payload: Form[LicenceIn], document: File[UploadedFile]
) -> Status[dict[str, Any]]:
    services.licence_submit(
        actor=request.auth,
        kind=payload.kind,
        number=payload.number,
        valid_until=payload.valid_until,
        document=document,
    )
    return Status(201, _status(request.auth))


@router.post("/licences/{licence_id}/review", response=dict[str, Any])
def review(request: AuthedRequest, licence_id: Id, payload: ReviewIn) -> dict[str, Any]:
    lic = services.licence_review(
        actor=request.auth, licence_id=licence_id, approve=payload.approve, reason=payload.reason
    )
    return {"id": lic.pk, "status": lic.status}


@router.get("/sellers/{seller_id}/identity", response=dict[str, str])
def identity(request: AuthedRequest, seller_id: Id, q: Query[IdentityIn]) -> dict[str, str]:
    """A seller's real name, address and contact, for a buyer of theirs naming the order or
    case (CRPL 44), a regulator or the operator. Every disclosure is recorded."""
    return services.seller_identity_disclose(
        actor=request.auth, seller_id=seller_id, reference=q.reference
    )


class ClosureIn(Schema):
    reason: str = ""


def _closure(c: Any) -> dict[str, Any]:
    return {
        "announced_at": c.announced_at,
        "closes_at": c.closes_at,
        "reason": c.reason,
        "cancelled_at": c.cancelled_at,
    }


@router.get("/seller/closure", response=dict[str, Any])
def closure(request: AuthedRequest) -> dict[str, Any]:
    """The seller's closure under way (null fields when there is none), and the notice the
    law asks for, in days."""
    if request.auth.role != "seller":
        raise Forbidden("only sellers close shops", code="not_a_seller")
    c = services.shop_closure_of(request.auth.pk)
    return {
        "closure": _closure(c) if c is not None else None,
        "notice_days": services.shop_closure_notice_days(),
    }


@router.post("/seller/closure", response={201: dict[str, Any]})
def closure_announce(request: AuthedRequest, payload: ClosureIn) -> Status[dict[str, Any]]:
    """Announce that the shop stops trading (ECL 16): it closes after the notice days, and
    withdrawals stop until the closure is over."""
    c = services.shop_closure_announce(actor=request.auth, reason=payload.reason)
    return Status(201, _closure(c))


@router.delete("/seller/closure", response=dict[str, Any])
def closure_cancel(request: AuthedRequest) -> dict[str, Any]:
    """Call the closure off, before the shop has closed."""
    return _closure(services.shop_closure_cancel(actor=request.auth))
