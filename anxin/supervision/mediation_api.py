"""/api/v1/mediations and /api/v1/referrals: the consumer association's work through the JSON
API, with the same rules as its pages (the parties and the association's staff only)."""

from __future__ import annotations

from django.http import HttpResponse
from ninja import Router, Schema, Status

from anxin.api.auth import AuthedRequest
from anxin.api.types import Whole
from anxin.supervision import mediation
from anxin.supervision.models import OrgKind
from anxin.supervision.models_association import Mediation, Referral

router = Router(tags=["mediation"])


class StartIn(Schema):
    complaint: str = ""
    case: str = ""
    entrust: str = ""
    parties_agree: bool = False


class TestingIn(Schema):
    start: bool
    note: str = ""


class EndIn(Schema):
    agreed: bool
    text: str
    settled_fen: Whole = 0


class MediationOut(Schema):
    number: str
    association: str
    origin: str
    status: str
    seller_name: str
    complaint: str | None
    case: str | None
    request: str
    claimed_fen: int
    started_at: str
    ends_at: str
    paused_days: int
    agreement: str
    settled_fen: int
    note: str


class ReferralIn(Schema):
    seller_name: str
    text: str
    cases: list[str] = []


class AnswerIn(Schema):
    answer: str


class ReferralOut(Schema):
    number: str
    association: str
    regulator: str
    seller_name: str
    text: str
    cases: list[str]
    answer_by: str
    answered_at: str | None
    answer: str


def _out(m: Mediation) -> MediationOut:
    return MediationOut(
        number=m.number,
        association=m.association.name,
        origin=m.origin,
        status=m.status,
        seller_name=m.seller_name,
        complaint=m.complaint.number if m.complaint else None,
        case=m.case_number or None,
        request=m.request,
        claimed_fen=m.claimed_fen,
        started_at=m.started_at.isoformat(),
        ends_at=m.ends_at.isoformat(),
        paused_days=m.paused_days,
        agreement=m.agreement,
        settled_fen=m.settled_fen,
        note=m.note,
    )


@router.post("/mediations", response={201: MediationOut})
def mediation_start(request: AuthedRequest, payload: StartIn):
    """Start a mediation: `complaint` (the complainant asks), `case` (a buyer hands over a desk
    case with its whole file) or `entrust` with `parties_agree` (the regulator's staff)."""
    if payload.case:
        m = mediation.mediation_from_case(actor=request.auth, case_number=payload.case)
    elif payload.entrust:
        m = mediation.mediation_entrust(
            actor=request.auth,
            complaint_number=payload.entrust,
            parties_agree=payload.parties_agree,
        )
    else:
        m = mediation.mediation_ask(actor=request.auth, complaint_number=payload.complaint)
    return Status(201, _out(m))


@router.get("/mediations", response=list[MediationOut])
def mediations(request: AuthedRequest) -> list[MediationOut]:
    """Yours, as consumer or seller; for an association's staff, its own as well."""
    org = mediation.staff_org(request.auth, OrgKind.ASSOCIATION)
    rows = Mediation.objects.filter(consumer=request.auth) | Mediation.objects.filter(
        seller=request.auth
    )
    if org is not None:
        rows = rows | Mediation.objects.filter(association=org)
    return [
        _out(m)
        for m in rows.select_related("association", "complaint").order_by("-started_at")[:300]
    ]


@router.get("/mediations/{number}", response=MediationOut)
def mediation_read(request: AuthedRequest, number: str) -> MediationOut:
    return _out(mediation.mediation_for_reader(request.auth, number)[0])


@router.post("/mediations/{number}/testing", response=MediationOut)
def mediation_testing(request: AuthedRequest, number: str, payload: TestingIn) -> MediationOut:
    """Appraisal or testing begins (`start`: the limit stops) or ends (it runs again, later
    by the days it took)."""
    mediation.mediation_testing(
        actor=request.auth, number=number, start=payload.start, note=payload.note
    )
    return mediation_read(request, number)


@router.post("/mediations/{number}/end", response=MediationOut)
def mediation_end(request: AuthedRequest, number: str, payload: EndIn) -> MediationOut:
    """The association's staff record the outcome: `agreed` with its terms, or not."""
    mediation.mediation_end(
        actor=request.auth,
        number=number,
        agreed=payload.agreed,
        text=payload.text,
        settled_fen=payload.settled_fen,
    )
    return mediation_read(request, number)


@router.get("/mediations/{number}/package/{route}", response={200: None})
def mediation_package(request: AuthedRequest, number: str, route: str):
    """After a failed mediation: the signed ZIP for `regulator` or `court`."""
    data = mediation.package(actor=request.auth, number=number, route=route)
    resp = HttpResponse(data, content_type="application/zip")
    resp["Content-Disposition"] = f'attachment; filename="anxin-{route}-{number}.zip"'
    return resp


def _referral(r: Referral) -> ReferralOut:
    return ReferralOut(
        number=r.number,
        association=r.association.name,
        regulator=r.regulator.name,
        seller_name=r.seller_name,
        text=r.text,
        cases=r.cases,
        answer_by=r.answer_by.isoformat(),
        answered_at=r.answered_at.isoformat() if r.answered_at else None,
        answer=r.answer,
    )


@router.post("/referrals", response={201: ReferralOut})
def referral_make(request: AuthedRequest, payload: ReferralIn):
    """An association's staff report a problem to their region's regulator."""
    r = mediation.referral_make(
        actor=request.auth, seller_name=payload.seller_name, text=payload.text, cases=payload.cases
    )
    return Status(201, _referral(r))


@router.get("/referrals", response=list[ReferralOut])
def referrals(request: AuthedRequest) -> list[ReferralOut]:
    """The referrals an association made, or a regulator received."""
    org = mediation.staff_org(request.auth, OrgKind.ASSOCIATION)
    regulator = mediation.staff_org(request.auth, OrgKind.REGULATOR)
    rows = Referral.objects.none()
    if org is not None:
        rows = Referral.objects.filter(association=org)
    elif regulator is not None:
        rows = Referral.objects.filter(regulator=regulator)
    return [_referral(r) for r in rows.select_related("association", "regulator")[:300]]


@router.post("/referrals/{number}/answer", response=ReferralOut)
def referral_answer(request: AuthedRequest, number: str, payload: AnswerIn) -> ReferralOut:
    """The regulator's staff answer a referral."""
    r = mediation.referral_answer(actor=request.auth, number=number, answer=payload.answer)
    return _referral(r)
