"""What a market regulator does about a seller: an interview (约谈), a warning, an order to
correct with a deadline (tracked; defaulted when it passes unanswered), a penalty decision whose
fine the law engine bounds (claim kind `penalty_band`), the publication of a penalty (by 20
working days after the decision; shown 3 years, or 3 months for a minor one: PDR Arts. 9, 13),
a referral to the blacklist through its own due process, and data requests to the platform
(OTSM Art. 34).

Only the staff of a regulator whose region covers the seller act: the seller's route
(routing.route_for_seller) for an Anxin seller, the complaint's region for a seller named in a
complaint. For anyone else the seller or complaint reads as not found and nothing changes.
Every act is a record on its own evidence chain, and an Anxin seller is told by notice."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.files.base import File
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from anxin.accounts.models import Role, SellerProfile, User
from anxin.core.divisions import division_chain
from anxin.core.errors import Conflict, NotFound, ValidationFailed, msg
from anxin.core.money import clean_fen
from anxin.core.text import clean_text, is_whole
from anxin.evidence import services as evidence
from anxin.law import engine, params
from anxin.law.days import BEIJING, DayKind, due_at, months_after
from anxin.law.facts import FactsError
from anxin.notices.services import notice_send
from anxin.reputation import blacklist
from anxin.reputation.models import Ground
from anxin.supervision import data_export, routing
from anxin.supervision.models import Complaint, Organisation, OrgKind, OrgStaff
from anxin.supervision.models_regulator import (
    ActionKind,
    ActionStatus,
    CorrectionFile,
    DataRequest,
    OffenceKind,
    RegulatorAction,
    RequestStatus,
)
from anxin.supervision.services import checked_files, evidence_fields, staff_of

SIMPLE_KINDS = (ActionKind.INTERVIEW, ActionKind.WARNING, ActionKind.CORRECTION)
NOTICE_OF = {
    ActionKind.INTERVIEW: "regulator_interview",
    ActionKind.WARNING: "regulator_warning",
    ActionKind.CORRECTION: "regulator_correction",
}


def chain_of(a: RegulatorAction) -> str:
    return f"regulator:{a.number}"


def request_chain(r: DataRequest) -> str:
    return f"data-request:{r.number}"


@dataclass(frozen=True)
class Target:
    """The seller acted on: an Anxin seller's id, or the complaint that names it."""

    seller_id: int | None = None
    complaint: str = ""


@dataclass(frozen=True)
class Resolved:
    seller: User | None
    name: str
    region: str
    complaint: Complaint | None


def office_of(actor: User) -> Organisation | None:
    """The regulator's office the actor works for, or None (not a regulator's staff)."""
    staff = OrgStaff.objects.filter(user_id=actor.pk).select_related("organisation").first()
    if staff is None or staff.organisation.kind != OrgKind.REGULATOR:
        return None
    return staff.organisation


def covers(office: Organisation, region: str) -> bool:
    """Whether the office's region is the seller's county, its city or its province."""
    return bool(region) and office.region in division_chain(region)


def seller_region(seller_id: int) -> str:
    profile = SellerProfile.objects.filter(user_id=seller_id).first()
    route = routing.route_for_seller(profile.address_region if profile else "")
    return route.region if route else ""


def _not_found(target: Target) -> NotFound:
    if target.complaint:
        return NotFound(msg("complaint {number}: not found", number=target.complaint))
    return NotFound(msg("seller {id}: not found", id=target.seller_id), field="seller_id")


def _resolve(actor: User, target: Target) -> tuple[Organisation, Resolved]:
    """The actor's office and the seller, when the office covers it; otherwise not found."""
    office = office_of(actor)
    if target.complaint:
        c = Complaint.objects.filter(number=target.complaint).select_related("seller").first()
        if office is None or c is None or not covers(office, c.region):
            raise _not_found(target)
        return office, Resolved(c.seller, c.seller_name, c.region, c)
    if target.seller_id is None:
        raise ValidationFailed("seller_id: name a seller or a complaint", field="seller_id")
    seller = User.objects.filter(pk=target.seller_id, role=Role.SELLER).first()
    region = seller_region(seller.pk) if seller else ""
    if office is None or seller is None or not covers(office, region):
        raise _not_found(target)
    profile = SellerProfile.objects.filter(user=seller).first()
    return office, Resolved(seller, profile.shop_name if profile else seller.username, region, None)


def _record(a: RegulatorAction, kind: str, **body: Any) -> None:
    evidence.append(chain=chain_of(a), kind=f"regulator.{kind}", body={"action": a.number, **body})


def _create(
    actor: User, office: Organisation, who: Resolved, kind: str, summary: str, **fields: Any
) -> RegulatorAction:
    a = RegulatorAction.objects.create(
        kind=kind,
        organisation=office,
        recorded_by=actor,
        seller=who.seller,
        seller_name=who.name,
        complaint=who.complaint,
        summary=summary,
        **fields,
    )
    # Lock the new row: it orders its chain.
    RegulatorAction.objects.select_for_update().filter(pk=a.pk).first()
    _record(
        a,
        kind,
        organisation=office.pk,
        by=actor.pk,
        seller=who.seller.pk if who.seller else None,
        seller_name=who.name,
        complaint=who.complaint.number if who.complaint else None,
        summary=summary,
        correct_by=evidence.iso(a.correct_by) if a.correct_by else None,
    )
    return a


@transaction.atomic
def action_record(
    *, actor: User, target: Target, kind: str, summary: str, correct_days: int | None = None
) -> RegulatorAction:
    """An interview, a warning or an order to correct (with its days, counted by `due_at`
    from the next day). The seller, when on Anxin, is told."""
    office, who = _resolve(actor, target)
    if kind not in SIMPLE_KINDS:
        raise ValidationFailed(
            msg("kind: must be one of {join}", join=", ".join(SIMPLE_KINDS)), field="kind"
        )
    summary = clean_text(summary, "summary", 3000, multiline=True)
    extra: dict[str, Any] = {}
    now = timezone.now()
    if kind == ActionKind.CORRECTION:
        most = settings.ANXIN_CORRECTION_MAX_DAYS
        if correct_days is None or not is_whole(correct_days) or not 1 <= correct_days <= most:
            raise ValidationFailed(
                msg("correct_days: 1 to {most} days", most=most), field="correct_days"
            )
        extra = {"correct_by": due_at(now, correct_days), "status": ActionStatus.OPEN}
    a = _create(actor, office, who, kind, summary, recorded_at=now, **extra)
    words: dict[str, Any] = {"due_at": a.correct_by.isoformat()} if a.correct_by else {}
    notice_send([a.seller_id], NOTICE_OF[ActionKind(kind)], subject=a, **words)
    return a


def _locked(number: str) -> RegulatorAction:
    a = RegulatorAction.objects.select_for_update().filter(number=number).first()
    if a is None:
        raise NotFound(msg("action {number}: not found", number=number))
    return a


def _own(actor: User, a: RegulatorAction) -> None:
    office = office_of(actor)
    if office is None or office.pk != a.organisation_id:
        raise NotFound(msg("action {number}: not found", number=a.number))


@transaction.atomic
def correction_answer(
    *, actor: User, number: str, note: str, files: Sequence[UploadedFile] = ()
) -> RegulatorAction:
    """The seller says it has corrected, with a note of what it did and, if it likes, photos
    or PDFs showing it (checked as a complaint's evidence: services.checked_files), before the
    deadline. Each file's digest is on the act's chain."""
    a = _locked(number)
    if a.kind != ActionKind.CORRECTION or a.seller_id is None or a.seller_id != actor.pk:
        raise NotFound(msg("action {number}: not found", number=number))
    if a.status != ActionStatus.OPEN:
        raise Conflict(
            msg("action {number} is {status}: no longer open", number=number, status=a.status),
            code="not_open",
        )
    now = timezone.now()
    assert a.correct_by is not None
    if now > a.correct_by:
        raise Conflict("the time to correct has passed", code="correction_late")
    a.answer_note = clean_text(note, "note", 1000, multiline=True)
    checked = checked_files(files)
    a.status, a.answered_at = ActionStatus.CORRECTED, now
    a.save()
    for f, digest in checked:
        CorrectionFile.objects.create(
            action=a,
            file=File(f, name=f"{a.number}-{digest[:16]}"),
            uploaded_at=now,
            **evidence_fields(f, digest),
        )
    _record(a, "corrected", by=actor.pk, note=a.answer_note, files=[d for _, d in checked])
    notice_send(staff_of(a.organisation_id), "regulator_corrected", subject=a)
    return a


def penalty_band(offence: str, committed_at: dt.date, gains_fen: int) -> dict[str, Any]:
    """The law engine's decision on the fine band (its JSON)."""
    today = timezone.localtime(timezone.now(), BEIJING).date()
    try:
        out = engine.check(
            {
                "as_of": today.isoformat(),
                "offence": {
                    "kind": offence,
                    "committed_at": committed_at.isoformat(),
                    "illegal_gains_fen": gains_fen,
                },
                "claim": {"kind": "penalty_band"},
            }
        )
    except FactsError as e:
        raise ValidationFailed(
            msg(
                "committed_at: the law cannot read this offence: {problems}",
                problems="; ".join(e.problems),
            ),
            field="committed_at",
        ) from e
    return dict(out["decisions"][0])


def yuan(fen: int) -> str:
    return f"{fen / 100:.2f}"


@dataclass(frozen=True)
class PenaltyTerms:
    offence: str
    committed_at: dt.date | None
    illegal_gains_fen: int | str
    fine_fen: int | str
    minor: bool = False


@transaction.atomic
def penalty_decide(
    *, actor: User, target: Target, summary: str, terms: PenaltyTerms
) -> RegulatorAction:
    """A penalty decision: a fine within the band the law engine gives for the offence (a fine
    outside it is refused with the band named); to be published by the PDR's working days."""
    office, who = _resolve(actor, target)
    summary = clean_text(summary, "summary", 3000, multiline=True)
    if terms.offence not in OffenceKind.values:
        raise ValidationFailed(
            msg("offence: must be one of {join}", join=", ".join(OffenceKind.values)),
            field="offence",
        )
    if terms.committed_at is None:
        raise ValidationFailed("committed_at: the day of the act", field="committed_at")
    gains = clean_fen(terms.illegal_gains_fen, "illegal_gains_fen", most=10**12)
    fine = clean_fen(terms.fine_fen, "fine_fen", most=10**13)
    law = penalty_band(terms.offence, terms.committed_at, gains)
    if law["outcome"] != "violation":
        # An act before the article's first version that Anxin holds.
        raise ValidationFailed(
            msg(
                "committed_at: Anxin holds no fine for this offence on {day}",
                day=terms.committed_at.isoformat(),
            ),
            field="committed_at",
        )
    band = law["penalties"][0]
    if not band["min_fen"] <= fine <= band["max_fen"]:
        raise ValidationFailed(
            msg(
                "fine_fen: the law allows {low} to {high} yuan for this offence ({statute} "
                "Art. {article})",
                low=yuan(band["min_fen"]),
                high=yuan(band["max_fen"]),
                statute=band["statute"],
                article=band["article"],
            ),
            field="fine_fen",
            code="outside_band",
        )
    now = timezone.now()
    days = params.get("penalty.publication_working_days", timezone.localdate(now))
    a = _create(
        actor,
        office,
        who,
        ActionKind.PENALTY,
        summary,
        recorded_at=now,
        offence=terms.offence,
        illegal_gains_fen=gains,
        fine_fen=fine,
        law=law,
        minor=terms.minor,
        publish_by=due_at(now, days.value, DayKind.WORKING),
    )
    _record(a, "penalty.band", band=band, fine_fen=fine, minor=terms.minor)
    notice_send([a.seller_id], "regulator_penalty", subject=a, amount=yuan(fine))
    return a


def shown_until(published: dt.datetime, minor: bool) -> dt.datetime:
    """The end of a publication: 3 years, or 3 months for a public criticism or a lower fine
    (PDR Art. 13), counted from the day after it began."""
    day = timezone.localtime(published, BEIJING).date()
    name = "penalty.display_months_minor" if minor else "penalty.display_years"
    n = params.value(name, day)
    last = months_after(day, n if minor else n * 12)
    return dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), BEIJING)


@transaction.atomic
def penalty_publish(*, actor: User, number: str) -> RegulatorAction:
    """Publish a penalty decision of the actor's office on the public penalties page."""
    a = _locked(number)
    _own(actor, a)
    if a.kind != ActionKind.PENALTY:
        raise Conflict(msg("action {number}: not a penalty", number=number), code="not_penalty")
    if a.published_at is not None:
        raise Conflict(msg("action {number}: already published", number=number), code="published")
    now = timezone.now()
    a.published_at, a.shown_until = now, shown_until(now, a.minor)
    a.save(update_fields=["published_at", "shown_until"])
    _record(a, "published", by=actor.pk, shown_until=evidence.iso(a.shown_until))
    notice_send([a.seller_id], "regulator_penalty_published", subject=a)
    return a


@transaction.atomic
def referral_make(
    *, actor: User, target: Target, summary: str, evidence_refs: list[str]
) -> RegulatorAction:
    """Refer an Anxin seller to the blacklist: the blacklist's own due process opens (notice
    to the seller, its appeal window, then a decision), with this referral as its evidence."""
    office, who = _resolve(actor, target)
    if who.seller is None:
        raise ValidationFailed(
            "seller_id: only a seller on Anxin can be put on its blacklist", field="seller_id"
        )
    summary = clean_text(summary, "summary", 3000, multiline=True)
    a = _create(actor, office, who, ActionKind.REFERRAL, summary)
    refs = [a.number, *[clean_text(r, "evidence", 40) for r in evidence_refs if r.strip()]]
    entry = blacklist.open_entry(
        actor=actor,
        seller_id=who.seller.pk,
        ground=Ground.PENALTY,
        reasons=summary,
        evidence_refs=refs,
    )
    a.blacklist_entry = entry
    a.save(update_fields=["blacklist_entry"])
    _record(a, "referral.opened", entry=entry.pk)
    return a


# --- data requests (OTSM Art. 34) -------------------------------------------------------------


def operators() -> list[int]:
    return list(
        User.objects.filter(role=Role.OPERATOR, is_active=True).values_list("pk", flat=True)
    )


@transaction.atomic
def data_request_make(
    *,
    actor: User,
    seller_id: int,
    purpose: str,
    period_from: dt.date | None,
    period_to: dt.date | None,
) -> DataRequest:
    """A regulator asks the platform for data about an Anxin seller's trade in a period (its
    orders, payments, shipments and after-sales requests); the platform answers within
    ANXIN_DATA_REQUEST_WORKING_DAYS."""
    office, who = _resolve(actor, Target(seller_id=seller_id))
    assert who.seller is not None
    purpose = clean_text(purpose, "purpose", 500, multiline=True)
    if period_from is None or period_to is None or period_from > period_to:
        raise ValidationFailed(
            "period_from: a period whose start is not after its end", field="period_from"
        )
    now = timezone.now()
    r = DataRequest.objects.create(
        organisation=office,
        asked_by=actor,
        seller=who.seller,
        purpose=purpose,
        period_from=period_from,
        period_to=period_to,
        asked_at=now,
        answer_by=due_at(now, settings.ANXIN_DATA_REQUEST_WORKING_DAYS, DayKind.WORKING),
    )
    DataRequest.objects.select_for_update().filter(pk=r.pk).first()
    evidence.append(
        chain=request_chain(r),
        kind="data_request.made",
        at=now,
        body={
            "request": r.number,
            "organisation": office.pk,
            "by": actor.pk,
            "seller": who.seller.pk,
            "purpose": purpose,
            "period": [period_from.isoformat(), period_to.isoformat()],
            "answer_by": evidence.iso(r.answer_by),
        },
    )
    notice_send(operators(), "data_request_made", subject=r, due_at=r.answer_by.isoformat())
    return r


@transaction.atomic
def data_request_answer(*, actor: User, number: str, note: str = "") -> DataRequest:
    """The platform's operator answers: the ZIP of the seller's data (data_export) is made and
    stored, its digest and each file's committed to the request's evidence chain, and the
    regulator told."""
    r = DataRequest.objects.select_for_update().filter(number=number).first()
    if r is None or actor.role != Role.OPERATOR:
        raise NotFound(msg("data request {number}: not found", number=number))
    if r.status != RequestStatus.OPEN:
        raise Conflict(
            msg("data request {number}: already answered", number=number), code="answered"
        )
    answer_note = clean_text(note, "note", 500, multiline=True, required=False)
    now = timezone.now()
    out = data_export.build(r, now)
    with out.file:
        r.file.save(f"{r.number}.zip", File(out.file), save=False)
    r.status, r.answered_by, r.answered_at = RequestStatus.ANSWERED, actor, now
    r.answer_note = answer_note
    r.sha256, r.rows, r.files = out.sha256, out.rows, out.files
    r.save()
    evidence.append(
        chain=request_chain(r),
        kind="data_request.answered",
        at=now,
        body={
            "request": r.number,
            "by": actor.pk,
            "sha256": out.sha256,
            "rows": out.rows,
            "files": {f["name"]: f["sha256"] for f in out.files},
            "note": r.answer_note,
            "late": now > r.answer_by,
        },
    )
    notice_send(staff_of(r.organisation_id), "data_request_answered", subject=r)
    return r


def answer_file_for(user: User, number: str, file_id: int) -> CorrectionFile:
    """A file of a seller's answer to an order to correct, for those who read the act (the
    office that recorded it, the seller); for anyone else, not found."""
    f = CorrectionFile.objects.filter(pk=file_id, action__number=number).select_related("action")
    found = f.first()
    if found is None or action_role(user, found.action) is None:
        raise NotFound(msg("action {number}: not found", number=number))
    return found


def request_role(user: User, r: DataRequest) -> str | None:
    """staff (of the office that asked) | operator (the platform, which answers) | None."""
    office = office_of(user)
    if office is not None and office.pk == r.organisation_id:
        return "staff"
    if user.role == Role.OPERATOR:
        return "operator"
    return None


def request_for_reader(user: User, number: str) -> tuple[DataRequest, str]:
    """A data request and the reader's role in it (request_role); not found for anyone else."""
    r = DataRequest.objects.filter(number=number).select_related("organisation", "seller").first()
    role = request_role(user, r) if r is not None else None
    if r is None or role is None:
        raise NotFound(msg("data request {number}: not found", number=number))
    return r, role


def request_export(user: User, number: str) -> DataRequest:
    """An answered request whose export the user may download: only the staff of the office
    that asked (the platform keeps its digest, not a reader's copy); for anyone else, or before
    the answer, not found."""
    r = DataRequest.objects.filter(number=number).first()
    if r is None or not r.file or request_role(user, r) != "staff":
        raise NotFound(msg("data request {number}: not found", number=number))
    return r


def export_type(r: DataRequest) -> str:
    """The export's type: a ZIP; a CSV for a request answered before the ZIP."""
    return "text/csv" if r.file.name.endswith(".csv") else "application/zip"


# --- deadlines (anxin/ops/deadlines.py) -------------------------------------------------------


def corrections_default(now: dt.datetime) -> int:
    """Orders to correct whose deadline passed unanswered: defaulted, on their chain; the
    office and the seller told."""
    n = 0
    for pk in list(
        RegulatorAction.objects.filter(
            kind=ActionKind.CORRECTION, status=ActionStatus.OPEN, correct_by__lte=now
        ).values_list("pk", flat=True)[:500]
    ):
        with transaction.atomic():
            a = RegulatorAction.objects.select_for_update().get(pk=pk)
            if a.status != ActionStatus.OPEN:
                continue
            a.status, a.defaulted_at = ActionStatus.DEFAULTED, now
            a.save(update_fields=["status", "defaulted_at"])
            assert a.correct_by is not None  # an order to correct always has its deadline
            _record(a, "defaulted", correct_by=evidence.iso(a.correct_by))
            notice_send(staff_of(a.organisation_id), "regulator_correction_defaulted", subject=a)
            notice_send([a.seller_id], "regulator_correction_defaulted", subject=a)
            n += 1
    return n


def publications_overdue(now: dt.datetime) -> int:
    """Penalties past their publication day and not published: the office is told once."""
    due = list(
        RegulatorAction.objects.filter(
            kind=ActionKind.PENALTY,
            published_at__isnull=True,
            publish_by__lte=now,
            publication_overdue_at__isnull=True,
        )[:500]
    )
    for a in due:
        notice_send(staff_of(a.organisation_id), "regulator_publication_overdue", subject=a)
    RegulatorAction.objects.filter(pk__in=[a.pk for a in due]).update(publication_overdue_at=now)
    return len(due)


def data_requests_overdue(now: dt.datetime) -> int:
    """Data requests past their answer day: the operators and the office are told once."""
    due = list(
        DataRequest.objects.filter(
            status=RequestStatus.OPEN, answer_by__lte=now, overdue_noticed_at__isnull=True
        )[:500]
    )
    ops = operators()
    for r in due:
        notice_send([*ops, *staff_of(r.organisation_id)], "data_request_overdue", subject=r)
    DataRequest.objects.filter(pk__in=[r.pk for r in due]).update(overdue_noticed_at=now)
    return len(due)


# --- what each reader sees ---------------------------------------------------------------------


def penalties_shown(now: dt.datetime | None = None) -> QuerySet[RegulatorAction]:
    """The public penalties page: published, and not past the end of their showing (PDR Art.
    13); a decision not yet published, or no longer shown, is on no public page."""
    now = now or timezone.now()
    return RegulatorAction.objects.filter(
        kind=ActionKind.PENALTY, published_at__lte=now, shown_until__gt=now
    ).order_by("-published_at")


def actions_of(office: Organisation) -> QuerySet[RegulatorAction]:
    return RegulatorAction.objects.filter(organisation=office).order_by("-recorded_at")


def actions_against(seller: User) -> QuerySet[RegulatorAction]:
    return RegulatorAction.objects.filter(seller=seller).order_by("-recorded_at")


def action_role(user: User, a: RegulatorAction) -> str | None:
    """staff (of the office that recorded it) | seller (the Anxin seller it is about) | None."""
    office = office_of(user)
    if office is not None and office.pk == a.organisation_id:
        return "staff"
    if a.seller_id is not None and a.seller_id == user.pk:
        return "seller"
    return None
