"""The open complaint channel: anyone with a verified phone number complains about any seller,
on Anxin or not; the law engine decides whether the complaint is admissible and by when the
regulator must decide on it (claim kind `complaint_admissibility`); the regulator's staff
accept or refuse it; the complainant may withdraw it. Every step is a record on the
complaint's evidence chain, and the parties are told by notice.

A complaint about an order on Anxin does not come here: it starts at Anxin's own dispute desk
(disputes.services.dispute_file), which can pay the buyer back from escrow at once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from anxin.accounts.models import Role, SellerProfile, User
from anxin.core.divisions import division_clean
from anxin.core.errors import Conflict, Forbidden, NotFound, ValidationFailed, msg
from anxin.core.money import clean_fen
from anxin.core.text import clean_text
from anxin.core.uploads import checked_digest
from anxin.evidence import services as evidence
from anxin.law import engine
from anxin.law.days import BEIJING
from anxin.law.facts import FactsError
from anxin.notices.services import notice_send
from anxin.supervision import figures, routing
from anxin.supervision.models import (
    Complaint,
    ComplaintFile,
    ComplaintStatus,
    Organisation,
    OrgKind,
    OrgStaff,
    RegionBasis,
)

FILE_TYPES = frozenset({"image/jpeg", "image/png", "image/webp", "application/pdf"})
FILE_MAX_BYTES = 10 * 1024 * 1024
FILES_MAX = 6

# The refusal grounds of the measures in force (2026: Art. 16; the interim measures: Art. 15)
# that staff judge and the law engine cannot: the item of the article each is.
STAFF_GROUNDS = {
    "not_our_remit": 1,
    "not_consumer": 3,
    "materials": 5,
    "impersonation": 6,
    "other_law": 7,
}


def chain_of(c: Complaint) -> str:
    return f"complaint:{c.number}"


@dataclass(frozen=True)
class SellerNamed:
    """The seller as the complainant knows it: an Anxin seller's id, or its names."""

    seller_id: int | None = None
    name: str = ""
    wechat: str = ""
    platform: str = ""
    link: str = ""
    address: str = ""
    region: str = ""


@dataclass(frozen=True)
class Materials:
    """What the complaint-handling measures require of a complainant (2026: Art. 10)."""

    name: str
    address: str
    request: str
    facts: str
    knew_at: dt.date | None
    paid_fen: int | str = 0
    handled_elsewhere: bool = False


def _admissibility(received: dt.datetime, knew_at: dt.date, elsewhere: bool) -> dict[str, Any]:
    """The law engine's decision on the complaint (its JSON)."""
    day = timezone.localtime(received, BEIJING).date()
    try:
        out = engine.check(
            {
                "as_of": day.isoformat(),
                "complaint": {
                    "received_at": day.isoformat(),
                    "consumer_knew_at": knew_at.isoformat(),
                    "handled_elsewhere": elsewhere,
                },
                "claim": {"kind": "complaint_admissibility"},
            }
        )
    except FactsError as e:
        raise ValidationFailed(
            msg(
                "knew_at: the law cannot read these dates: {problems}",
                problems="; ".join(e.problems),
            ),
            field="knew_at",
        ) from e
    return dict(out["decisions"][0])


def _seller(named: SellerNamed) -> tuple[User | None, str, routing.Route | None]:
    """The Anxin seller named (or None), its shop name, and where its complaints go."""
    if named.seller_id is None:
        return None, clean_text(named.name, "seller_name", 80), None
    seller = User.objects.filter(pk=named.seller_id, role=Role.SELLER).first()
    if seller is None:
        raise NotFound(msg("seller {id}: not found", id=named.seller_id), field="seller_id")
    profile = SellerProfile.objects.filter(user=seller).first()
    shop = profile.shop_name if profile else seller.username
    return seller, shop, routing.route_for_seller(profile.address_region if profile else "")


def checked_files(files: Sequence[UploadedFile]) -> list[tuple[UploadedFile, str]]:
    """Evidence files given to supervision (a complaint's, a seller's answer to an order to
    correct), each with its SHA-256: at most FILES_MAX, each a photo or a PDF of at most
    FILE_MAX_BYTES whose first bytes are of its declared type (core.uploads); otherwise
    ValidationFailed naming `evidence`, before anything is stored."""
    if len(files) > FILES_MAX:
        raise ValidationFailed(
            msg("evidence: at most {most} files", most=FILES_MAX), field="evidence"
        )
    return [
        (
            f,
            checked_digest(
                f,
                field="evidence",
                types=FILE_TYPES,
                max_bytes=FILE_MAX_BYTES,
                refused="evidence: a photo (JPEG, PNG, WebP) or a PDF, not {type}",
                mismatch="evidence: the file is not the {type} it says it is",
            ),
        )
        for f in files
    ]


def evidence_fields(f: UploadedFile, digest: str) -> dict[str, Any]:
    """What is kept beside a checked evidence file (models.EvidenceFile's fields)."""
    return {
        "name": clean_text(f.name or "file", "evidence", 120),
        "content_type": f.content_type or "",
        "sha256": digest,
    }


def complaint_file(
    *,
    actor: User,
    seller: SellerNamed,
    materials: Materials,
    files: list[UploadedFile] | None = None,
) -> Complaint:
    """File a complaint. Refused without a verified phone number; decided inadmissible at once
    when the law says so (handled elsewhere, more than three years late), with the reasons and
    the other routes; otherwise waiting for the regulator's decision, due by the law's day."""
    if not actor.phone:
        raise Forbidden(
            "phone: a complaint needs a verified mobile number; add one to your account",
            code="phone_required",
            field="phone",
        )
    if actor.role not in (Role.BUYER, Role.SELLER):
        raise Forbidden("staff do not file complaints here", code="not_a_consumer")
    name = clean_text(materials.name, "complainant_name", 40)
    address = clean_text(materials.address, "complainant_address", 200)
    request = clean_text(materials.request, "request", 500, multiline=True)
    facts = clean_text(materials.facts, "facts", 3000, multiline=True)
    paid = clean_fen(materials.paid_fen, "paid_fen", most=10**10)
    now = timezone.now()
    today = timezone.localtime(now, BEIJING).date()
    if materials.knew_at is None or materials.knew_at > today:
        raise ValidationFailed(
            "knew_at: the day you knew of the harm, not in the future", field="knew_at"
        )
    found, shop, route = _seller(seller)
    if found is not None and found.pk == actor.pk:
        raise ValidationFailed("seller: you cannot complain about yourself", field="seller_id")
    if route is None:
        route = routing.Route(
            division_clean(seller.region, "seller_region"), RegionBasis.COMPLAINANT
        )
    checked = checked_files(files or [])
    law = _admissibility(now, materials.knew_at, materials.handled_elsewhere)
    admissible = law["outcome"] == "admissible"
    due = next((d["date"] for d in law["deadlines"] if d["what"] == "acceptance_decision_by"), None)
    decide_by = (
        dt.datetime.combine(dt.date.fromisoformat(due) + dt.timedelta(days=1), dt.time(), BEIJING)
        if due
        else now
    )
    with transaction.atomic():
        c = Complaint.objects.create(
            complainant=actor,
            complainant_name=name,
            complainant_phone=actor.phone,
            complainant_address=address,
            seller=found,
            seller_name=shop,
            seller_wechat=clean_text(seller.wechat, "seller_wechat", 64, required=False),
            seller_platform=clean_text(seller.platform, "seller_platform", 40, required=False),
            seller_link=clean_text(seller.link, "seller_link", 300, required=False),
            seller_address=clean_text(seller.address, "seller_address", 200, required=False),
            request=request,
            facts=facts,
            paid_fen=paid,
            knew_at=materials.knew_at,
            handled_elsewhere=materials.handled_elsewhere,
            region=route.region,
            region_basis=route.basis,
            regulator=routing.regulator_for(route.region),
            received_at=now,
            decide_by=decide_by,
            law=law,
            status=ComplaintStatus.RECEIVED if admissible else ComplaintStatus.REFUSED,
            decided_at=None if admissible else now,
        )
        for f, digest in checked:
            ComplaintFile.objects.create(complaint=c, file=f, **evidence_fields(f, digest))
        evidence.append(
            chain=chain_of(c),
            kind="complaint.filed",
            at=now,
            body={
                "complaint": c.number,
                "seller": found.pk if found else None,
                "seller_name": shop,
                "region": c.region,
                "request": request,
                "facts": facts,
                "paid_fen": paid,
                "knew_at": materials.knew_at.isoformat(),
                "handled_elsewhere": materials.handled_elsewhere,
                "files": [d for _, d in checked],
                "law": law["outcome"],
            },
        )
        if not admissible:
            evidence.append(
                chain=chain_of(c),
                kind="complaint.refused",
                at=now,
                body={"complaint": c.number, "by": "law", "decision": law["outcome"]},
            )
        elif c.regulator is not None:
            notice_send(
                staff_of(c.regulator_id),
                "complaint_received",
                subject=c,
                due_at=c.decide_by.isoformat(),
            )
        figures.complaints_changed([c.pk])
    return c


def staff_of(organisation_id: int | None) -> list[int]:
    if organisation_id is None:
        return []
    return list(
        OrgStaff.objects.filter(organisation_id=organisation_id).values_list("user_id", flat=True)
    )


def _locked(number: str) -> Complaint:
    c = Complaint.objects.select_for_update().filter(number=number).first()
    if c is None:
        raise NotFound(msg("complaint {number}: not found", number=number))
    return c


def _regulator_staff(actor: User, c: Complaint) -> None:
    staff = OrgStaff.objects.filter(user=actor).select_related("organisation").first()
    if (
        staff is None
        or staff.organisation.kind != OrgKind.REGULATOR
        or staff.organisation_id != c.regulator_id
    ):
        # Someone else's complaint reads as no complaint at all.
        raise NotFound(msg("complaint {number}: not found", number=c.number))


def _waiting(c: Complaint) -> None:
    if c.status != ComplaintStatus.RECEIVED:
        raise Conflict(
            msg(
                "complaint {number} is {status}: already decided", number=c.number, status=c.status
            ),
            code="complaint_decided",
        )


@transaction.atomic
def complaint_admit(*, actor: User, number: str) -> Complaint:
    """The regulator accepts the complaint (the measures in force: within 7 working days)."""
    c = _locked(number)
    _regulator_staff(actor, c)
    _waiting(c)
    now = timezone.now()
    c.status, c.decided_at, c.decided_by = ComplaintStatus.ADMITTED, now, actor
    c.save(update_fields=["status", "decided_at", "decided_by"])
    evidence.append(
        chain=chain_of(c),
        kind="complaint.admitted",
        at=now,
        body={"complaint": c.number, "by": actor.pk, "organisation": c.regulator_id},
    )
    notice_send([c.complainant_id, c.seller_id], "complaint_admitted", subject=c)
    figures.complaints_changed([c.pk])
    return c


@transaction.atomic
def complaint_refuse(*, actor: User, number: str, ground: str, note: str) -> Complaint:
    """The regulator refuses the complaint on a ground only it can judge (outside its remit,
    not a consumer's dispute, materials missing or false, a false identity, another law), with
    its reasons; the complainant is told the other routes of CRPL Art. 39."""
    c = _locked(number)
    _regulator_staff(actor, c)
    _waiting(c)
    if ground not in STAFF_GROUNDS:
        raise ValidationFailed(
            msg("ground: must be one of {join}", join=", ".join(STAFF_GROUNDS)), field="ground"
        )
    note = clean_text(note, "note", 500, multiline=True)
    now = timezone.now()
    c.status, c.decided_at, c.decided_by = ComplaintStatus.REFUSED, now, actor
    c.refusal_ground, c.refusal_note = ground, note
    c.save(update_fields=["status", "decided_at", "decided_by", "refusal_ground", "refusal_note"])
    evidence.append(
        chain=chain_of(c),
        kind="complaint.refused",
        at=now,
        body={"complaint": c.number, "by": actor.pk, "ground": ground, "note": note},
    )
    notice_send([c.complainant_id], "complaint_refused", subject=c)
    figures.complaints_changed([c.pk])
    return c


@transaction.atomic
def complaint_withdraw(*, actor: User, number: str) -> Complaint:
    """The complainant withdraws a complaint not yet decided."""
    c = _locked(number)
    if c.complainant_id != actor.pk:
        raise NotFound(msg("complaint {number}: not found", number=number))
    _waiting(c)
    now = timezone.now()
    c.status, c.decided_at = ComplaintStatus.WITHDRAWN, now
    c.save(update_fields=["status", "decided_at"])
    evidence.append(
        chain=chain_of(c), kind="complaint.withdrawn", at=now, body={"complaint": c.number}
    )
    notice_send(staff_of(c.regulator_id), "complaint_withdrawn", subject=c)
    figures.complaints_changed([c.pk])
    return c


def complaints_overdue(now: dt.datetime) -> int:
    """Complaints whose acceptance decision is past due and not yet decided: the regulator's
    staff are told once (the deadline runner calls this). Returns how many."""
    due = list(
        Complaint.objects.filter(
            status=ComplaintStatus.RECEIVED, decide_by__lte=now, overdue_noticed_at__isnull=True
        )[:500]
    )
    for c in due:
        notice_send(staff_of(c.regulator_id), "complaint_overdue", subject=c)
    Complaint.objects.filter(pk__in=[c.pk for c in due]).update(overdue_noticed_at=now)
    return len(due)


# --- organisations and their staff (the platform operator) ------------------------------------


def _operator(actor: User) -> None:
    if actor.role != Role.OPERATOR:
        raise Forbidden("only the platform operator manages organisations", code="not_operator")


@transaction.atomic
def organisation_create(*, actor: User, kind: str, name: str, region: str) -> Organisation:
    """A consumer association or market regulator at a division; one of each kind a division."""
    _operator(actor)
    if kind not in OrgKind.values:
        raise ValidationFailed(
            msg("kind: must be one of {join}", join=", ".join(OrgKind.values)), field="kind"
        )
    region = division_clean(region, "region")
    name = clean_text(name, "name", 80)
    if Organisation.objects.filter(kind=kind, region=region).exists():
        raise Conflict(
            "region: this division already has an organisation of this kind",
            code="organisation_exists",
            field="region",
        )
    return Organisation.objects.create(kind=kind, name=name, region=region)


STAFF_ROLES = {OrgKind.REGULATOR: Role.REGULATOR, OrgKind.ASSOCIATION: Role.MEDIATOR}


@transaction.atomic
def organisation_staff_add(*, actor: User, organisation_id: int, username: str) -> OrgStaff:
    """Add a staff account to an organisation: a regulator's staff have the regulator role, an
    association's the mediator role; an account serves one organisation at a time."""
    _operator(actor)
    org = Organisation.objects.filter(pk=organisation_id).first()
    if org is None:
        raise NotFound(msg("organisation {id}: not found", id=organisation_id))
    user = User.objects.filter(username=(username or "").strip()).first()
    if user is None:
        raise NotFound(msg("username {name}: no such account", name=username), field="username")
    if user.role != STAFF_ROLES[OrgKind(org.kind)]:
        raise ValidationFailed(
            msg(
                "username: {name} is not a {role} account",
                name=user.username,
                role=STAFF_ROLES[OrgKind(org.kind)],
            ),
            field="username",
        )
    if OrgStaff.objects.filter(user=user).exists():
        raise Conflict(
            "username: this account already serves an organisation; remove it there first",
            code="staff_elsewhere",
            field="username",
        )
    return OrgStaff.objects.create(user=user, organisation=org)


@transaction.atomic
def organisation_staff_remove(*, actor: User, staff_id: int) -> None:
    _operator(actor)
    OrgStaff.objects.filter(pk=staff_id).delete()
