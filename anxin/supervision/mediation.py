"""A consumer association's work: mediation and the routes a dispute takes, and referrals to
the regulator.

Routes, each a transfer with the whole file and itself a record on the evidence log:
Anxin's desk -> the association's mediation (free) -> a complaint to the regulator (a
package with every field the measures require, signed) -> a court (the claim and its
evidence, with the association's support). Mediation ends at the legal limit counted by
`anxin.law.complaints.mediation_ends`; appraisal and testing time is not counted."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import secrets
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from anxin.accounts.models import SellerProfile, User
from anxin.core.errors import Conflict, NotFound, ValidationFailed, msg
from anxin.core.money import clean_fen
from anxin.core.text import clean_text
from anxin.disputes import bundle as case_bundle
from anxin.disputes.models import Dispute
from anxin.evidence import bundles
from anxin.evidence import services as evidence
from anxin.evidence.models import Record
from anxin.law.complaints import mediation_ends
from anxin.law.days import DayKind, due_at
from anxin.notices.services import notice_send
from anxin.supervision import figures, routing
from anxin.supervision.models import Complaint, ComplaintStatus, Organisation, OrgKind, OrgStaff
from anxin.supervision.models_association import (
    Mediation,
    MediationOrigin,
    MediationStatus,
    Referral,
    TypicalCase,
)

OPEN_STATES = (MediationStatus.OPEN, MediationStatus.TESTING)


def _figures(m: Mediation) -> None:
    """The public figures of the complaint mediated follow its mediation, in this
    transaction."""
    if m.complaint_id is not None:
        figures.complaints_changed([m.complaint_id])


def chain_of(m: Mediation) -> str:
    return f"mediation:{m.number}"


def staff_org(actor: User, kind: str) -> Organisation | None:
    s = OrgStaff.objects.filter(user_id=actor.pk).select_related("organisation").first()
    return s.organisation if s is not None and s.organisation.kind == kind else None


def _staff_ids(org_id: int) -> list[int]:
    return list(OrgStaff.objects.filter(organisation_id=org_id).values_list("user_id", flat=True))


def _association(region: str) -> Organisation:
    org = routing.association_for(region)
    if org is None:
        raise NotFound(
            "association: no consumer association in Anxin serves this region yet",
            code="no_association",
        )
    return org


def _open(
    *,
    association: Organisation,
    origin: str,
    consumer_id: int,
    seller_id: int | None,
    seller_name: str,
    region: str,
    request: str,
    facts: str,
    claimed_fen: int,
    counted_from: dt.datetime,
    complaint: Complaint | None = None,
    case_number: str = "",
    bundle: bytes | None = None,
) -> Mediation:
    now = timezone.now()
    ends, cites = mediation_ends(counted_from)
    m = Mediation(
        association=association,
        origin=origin,
        consumer_id=consumer_id,
        seller_id=seller_id,
        seller_name=seller_name,
        region=region,
        complaint=complaint,
        case_number=case_number,
        request=request,
        facts=facts,
        claimed_fen=claimed_fen,
        started_at=now,
        counted_from=counted_from,
        ends_at=ends,
    )
    if bundle is not None:
        m.bundle_sha256 = hashlib.sha256(bundle).hexdigest()
        m.bundle.save(f"{m.number}.zip", ContentFile(bundle), save=False)
    m.save()
    evidence.append(
        chain=chain_of(m),
        kind="mediation.opened",
        at=now,
        body={
            "mediation": m.number,
            "origin": origin,
            "association": association.pk,
            "complaint": complaint.number if complaint else None,
            "case": case_number or None,
            "bundle_sha256": m.bundle_sha256 or None,
            "ends_at": ends.isoformat(),
            "law": [str(c) for c in cites],
        },
    )
    _figures(m)
    notice_send(_staff_ids(association.pk), "mediation_opened", subject=m)
    notice_send([consumer_id, seller_id], "mediation_started", subject=m)
    return m


@transaction.atomic
def mediation_ask(*, actor: User, complaint_number: str) -> Mediation:
    """The complainant asks the consumer association of the seller's region to mediate
    (CRPL Art. 39 (2)): free, and open to a complaint the regulator refused as well."""
    c = Complaint.objects.select_for_update().filter(number=complaint_number).first()
    if c is None or c.complainant_id != actor.pk:
        raise NotFound(msg("complaint {number}: not found", number=complaint_number))
    if c.status == ComplaintStatus.WITHDRAWN:
        raise Conflict("complaint: withdrawn; file it again first", code="complaint_withdrawn")
    if c.mediations.filter(status__in=OPEN_STATES).exists():
        raise Conflict("complaint: already in mediation", code="mediation_open")
    return _open(
        association=_association(c.region),
        origin=MediationOrigin.CONSUMER,
        consumer_id=c.complainant_id,
        seller_id=c.seller_id,
        seller_name=c.seller_name,
        region=c.region,
        request=c.request,
        facts=c.facts,
        claimed_fen=c.paid_fen,
        counted_from=timezone.now(),
        complaint=c,
    )


@transaction.atomic
def mediation_entrust(*, actor: User, complaint_number: str, parties_agree: bool) -> Mediation:
    """The regulator entrusts an accepted complaint to the association, both parties agreeing
    (CRM 2026 Art. 19); the limit still counts from the complaint's acceptance."""
    c = Complaint.objects.select_for_update().filter(number=complaint_number).first()
    org = staff_org(actor, OrgKind.REGULATOR)
    if c is None or org is None or c.regulator_id != org.pk:
        raise NotFound(msg("complaint {number}: not found", number=complaint_number))
    if c.status != ComplaintStatus.ADMITTED or c.decided_at is None:
        raise Conflict("complaint: only an accepted complaint is entrusted", code="not_admitted")
    if not parties_agree:
        raise ValidationFailed(
            "parties_agree: both the complainant and the seller must agree to the association "
            "mediating",
            field="parties_agree",
        )
    if c.mediations.filter(status__in=OPEN_STATES).exists():
        raise Conflict("complaint: already in mediation", code="mediation_open")
    return _open(
        association=_association(c.region),
        origin=MediationOrigin.ENTRUSTED,
        consumer_id=c.complainant_id,
        seller_id=c.seller_id,
        seller_name=c.seller_name,
        region=c.region,
        request=c.request,
        facts=c.facts,
        claimed_fen=c.paid_fen,
        counted_from=c.decided_at,
        complaint=c,
    )


@transaction.atomic
def mediation_from_case(*, actor: User, case_number: str) -> Mediation:
    """The buyer takes a case of Anxin's desk to the consumer association of the seller's
    region, with its whole file (the case's evidence bundle, kept with its SHA-256)."""
    d = Dispute.objects.select_for_update().filter(number=case_number).first()
    if d is None or d.buyer_id != actor.pk:
        raise NotFound(msg("case {number}: not found", number=case_number))
    if Mediation.objects.filter(case_number=d.number, status__in=OPEN_STATES).exists():
        raise Conflict("case: already with the consumer association", code="mediation_open")
    profile = SellerProfile.objects.filter(user_id=d.seller_id).first()
    route = routing.route_for_seller(profile.address_region if profile else "")
    if route is None:
        raise NotFound(
            "association: no consumer association in Anxin serves this region yet",
            code="no_association",
        )
    return _open(
        association=_association(route.region),
        origin=MediationOrigin.DESK,
        consumer_id=d.buyer_id,
        seller_id=d.seller_id,
        seller_name=profile.shop_name if profile else "",
        region=route.region,
        request=d.claim[:500],
        facts=d.claim,
        claimed_fen=d.claimed_fen,
        counted_from=timezone.now(),
        case_number=d.number,
        bundle=case_bundle.build(actor, d.number),
    )


def _mine(actor: User, number: str) -> Mediation:
    """The mediation, locked, for its association's staff; not found for anyone else."""
    m = Mediation.objects.select_for_update().filter(number=number).first()
    org = staff_org(actor, OrgKind.ASSOCIATION)
    if m is None or org is None or m.association_id != org.pk:
        raise NotFound(msg("mediation {number}: not found", number=number))
    return m


def mediation_for_reader(actor: User, number: str) -> tuple[Mediation, str]:
    """The mediation and the reader's role in it (staff of its association, the consumer, the
    seller); not found for anyone else."""
    m = Mediation.objects.filter(number=number).select_related("association", "complaint").first()
    org = staff_org(actor, OrgKind.ASSOCIATION)
    if m is not None and org is not None and org.pk == m.association_id:
        return m, "staff"
    if m is not None and m.consumer_id == actor.pk:
        return m, "consumer"
    if m is not None and m.seller_id == actor.pk:
        return m, "seller"
    raise NotFound(msg("mediation {number}: not found", number=number))


def _running(m: Mediation) -> None:
    if m.status not in OPEN_STATES:
        raise Conflict(msg("mediation {number} has ended", number=m.number), code="mediation_ended")


@transaction.atomic
def mediation_testing(*, actor: User, number: str, start: bool, note: str = "") -> Mediation:
    """Appraisal or testing begins (the limit stops) or ends (it runs again, pushed back by
    the days it took, each day begun counted)."""
    m = _mine(actor, number)
    _running(m)
    now = timezone.now()
    if start:
        if m.status == MediationStatus.TESTING:
            raise Conflict("mediation: testing has already begun", code="testing")
        m.status, m.testing_since = MediationStatus.TESTING, now
        body: dict[str, Any] = {"note": clean_text(note, "note", 500, required=False)}
    else:
        if m.status != MediationStatus.TESTING or m.testing_since is None:
            raise Conflict("mediation: no testing is under way", code="not_testing")
        took = math.ceil((now - m.testing_since) / dt.timedelta(days=1))
        m.paused_days += took
        m.status, m.testing_since = MediationStatus.OPEN, None
        m.ends_at = mediation_ends(m.counted_from, m.paused_days)[0]
        body = {"days": took, "ends_at": m.ends_at.isoformat()}
    m.mediator = actor
    m.save()
    kind = "mediation.testing_started" if start else "mediation.testing_ended"
    evidence.append(chain=chain_of(m), kind=kind, at=now, body={"mediation": m.number, **body})
    return m


@transaction.atomic
def mediation_end(
    *, actor: User, number: str, agreed: bool, text: str, settled_fen: int | str = 0
) -> Mediation:
    """The mediator records the outcome: an agreement (its terms, what the seller pays) or
    none (the reasons); both parties are told."""
    m = _mine(actor, number)
    _running(m)
    now = timezone.now()
    text = clean_text(
        text, "agreement" if agreed else "note", 2000 if agreed else 500, multiline=True
    )
    m.status = MediationStatus.AGREED if agreed else MediationStatus.FAILED
    m.ended_at, m.mediator = now, actor
    if agreed:
        m.agreement = text
        m.settled_fen = clean_fen(settled_fen, "settled_fen", most=10**10)
    else:
        m.note = text
    m.save()
    evidence.append(
        chain=chain_of(m),
        kind="mediation.agreed" if agreed else "mediation.failed",
        at=now,
        body={"mediation": m.number, "text": text, "settled_fen": m.settled_fen},
    )
    _figures(m)
    notice_send([m.consumer_id, m.seller_id], "mediation_ended", subject=m)
    return m


def mediations_due(now: dt.datetime) -> int:
    """Mediations past their legal limit without an agreement end (the deadline runner calls
    this; testing time has already moved their limit). Returns how many ended."""
    ended = 0
    for pk in Mediation.objects.filter(status=MediationStatus.OPEN, ends_at__lte=now).values_list(
        "pk", flat=True
    )[:500]:
        with transaction.atomic():
            m = Mediation.objects.select_for_update().get(pk=pk)
            if m.status != MediationStatus.OPEN or m.ends_at > now:
                continue
            m.status, m.ended_at = MediationStatus.FAILED, now
            m.note = "调解期限届满，未达成调解协议。"
            m.save(update_fields=["status", "ended_at", "note"])
            evidence.append(
                chain=chain_of(m),
                kind="mediation.failed",
                at=now,
                body={"mediation": m.number, "by": "limit", "ends_at": m.ends_at.isoformat()},
            )
            _figures(m)
            notice_send([m.consumer_id, m.seller_id], "mediation_ended", subject=m)
            ended += 1
    return ended


# --- the next routes: packages for the regulator and for a court ----------------------------


def _readable(actor: User, number: str) -> Mediation:
    m = Mediation.objects.filter(number=number).select_related("association").first()
    org = staff_org(actor, OrgKind.ASSOCIATION)
    if m is None or not (
        m.consumer_id == actor.pk or (org is not None and org.pk == m.association_id)
    ):
        raise NotFound(msg("mediation {number}: not found", number=number))
    return m


def _records(m: Mediation) -> dict[str, bytes]:
    out = {}
    chains = [chain_of(m)] + ([f"complaint:{m.complaint.number}"] if m.complaint else [])
    for n, r in enumerate(Record.objects.filter(chain__in=chains).order_by("id"), 1):
        out[f"records/{n:04d}-{r.kind}.json"] = json.dumps(
            {
                "chain": r.chain,
                "record": json.loads(r.body),
                "salt": bytes(r.salt).hex() if r.salt is not None else None,
                "commitment": bytes(r.commitment).hex(),
            },
            ensure_ascii=False,
            indent=2,
            sort_keys=True,
        ).encode()
    return out


def package(*, actor: User, number: str, route: str) -> bytes:
    """The whole file for the next route, as one signed ZIP: `regulator` (the complaint with
    every field the complaint-handling measures require: who complains, against whom, what is
    asked and the facts, the evidence) or `court` (the claim, its facts and evidence, and the
    association's support). Only after a mediation ended without agreement."""
    m = _readable(actor, number)
    if m.status != MediationStatus.FAILED:
        raise Conflict(
            "mediation: the next route opens once mediation has ended without agreement",
            code="mediation_not_failed",
        )
    if route not in ("regulator", "court"):
        raise NotFound(msg("mediation {number}: not found", number=number))
    consumer = User.objects.get(pk=m.consumer_id)
    c = m.complaint
    form = {
        "complainant": {
            "name": c.complainant_name if c else str(consumer),
            "phone": consumer.phone or "",
            "address": c.complainant_address if c else "",
        },
        "respondent": {
            "name": m.seller_name,
            "address": c.seller_address if c else "",
            "wechat": c.seller_wechat if c else "",
            "platform": c.seller_platform if c else "",
        },
        "request": m.request,
        "facts": m.facts,
        "claimed_fen": m.claimed_fen,
        "mediation": {
            "number": m.number,
            "association": m.association.name,
            "started_at": m.started_at.isoformat(),
            "ended_at": m.ended_at.isoformat() if m.ended_at else None,
            "outcome": m.note,
        },
        "complaint": c.number if c else None,
        "case": m.case_number or None,
    }
    files = {f"{route}.json": json.dumps(form, ensure_ascii=False, indent=2).encode()}
    if route == "court":
        files["civil-complaint-draft.txt"] = _court_claim(form, m).encode()
        files["association-support.txt"] = _support_letter(form, m).encode()
    files.update(_records(m))
    if m.bundle:
        with m.bundle.open("rb") as fh:
            files["case-bundle/case.zip"] = fh.read()
    if c is not None:
        for f in c.files.all():
            with f.file.open("rb") as fh:
                files[bundles.member("evidence", f.sha256, f.content_type, n=f.pk)] = fh.read()
    made = {"route": route, "mediation": m.number, "made_at": timezone.now().isoformat()}
    return bundles.pack(f"{route}-{m.number}", files, made, signed=True)


def _yuan(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}"


def _court_claim(form: dict[str, Any], m: Mediation) -> str:
    """A draft civil complaint (民事起诉状) in the layout courts publish for consumers: the
    parties, the claims, the facts and reasons, the evidence. The consumer checks and signs
    it; small claims may go to the people's court of the seller's domicile or where the
    contract was performed (Civil Procedure Law)."""
    evidence = "\n".join(
        f"{n}. {name}"
        for n, name in enumerate(
            ["调解过程记录（安心证据日志，含可核验的承诺值）", "投诉材料及所附证据"]
            + (["安心纠纷案件全部材料"] if m.case_number else []),
            1,
        )
    )
    return (
        "民事起诉状（草稿，请核对后签名）\n\n"
        f"原告：{form['complainant']['name']}，联系电话：{form['complainant']['phone']}，"
        f"住址：{form['complainant']['address']}\n"
        f"被告：{form['respondent']['name']}，"
        f"住址：{form['respondent']['address'] or '（待补充）'}\n\n"
        "诉讼请求：\n"
        f"一、{form['request']}\n"
        "二、本案诉讼费用由被告承担。\n\n"
        "事实和理由：\n"
        f"{form['facts']}\n"
        f"原告曾请求{form['mediation']['association']}调解（调解编号 {m.number}），"
        f"调解未能达成协议：{form['mediation']['outcome']}\n"
        "依据《中华人民共和国消费者权益保护法》第三十九条，原告依法提起诉讼。\n\n"
        f"证据清单：\n{evidence}\n\n"
        "此致\n人民法院\n\n具状人：\n日期：\n"
    )


def _support_letter(form: dict[str, Any], m: Mediation) -> str:
    """The association's letter supporting the consumer's suit (CRPL Art. 37 (7))."""
    return (
        "支持起诉意见书\n\n"
        f"{form['mediation']['association']}依据《中华人民共和国消费者权益保护法》第三十七条"
        f"第一款第（七）项，支持消费者{form['complainant']['name']}就与"
        f"{form['respondent']['name']}的消费争议向人民法院提起诉讼。\n"
        f"本会于{form['mediation']['started_at'][:10]}受理调解（编号 {m.number}），"
        f"请求金额 {_yuan(m.claimed_fen)} 元，调解未能达成协议。\n"
        "调解过程的全部记录随附，每条记录均可在安心证据日志中核验。\n\n"
        f"{form['mediation']['association']}\n"
    )


# --- referrals to the regulator (CRPL-IR Art. 36) --------------------------------------------


@transaction.atomic
def referral_make(
    *, actor: User, seller_name: str, text: str, cases: list[str], seller_id: int | None = None
) -> Referral:
    """The association reports a problem to the regulator of its region, with the cases."""
    org = staff_org(actor, OrgKind.ASSOCIATION)
    if org is None:
        raise NotFound("association: not found", code="not_association_staff")
    regulator = routing.regulator_for(org.region)
    if regulator is None:
        raise NotFound(
            "regulator: no market regulator in Anxin serves this region yet", code="no_regulator"
        )
    now = timezone.now()
    r = Referral.objects.create(
        number="ZB" + timezone.localtime(now).strftime("%Y%m%d") + secrets.token_hex(4).upper(),
        association=org,
        regulator=regulator,
        seller_id=seller_id,
        seller_name=clean_text(seller_name, "seller_name", 80),
        text=clean_text(text, "text", 3000, multiline=True),
        cases=[clean_text(n, "cases", 24) for n in cases if n.strip()][:50],
        created_at=now,
        created_by=actor,
        answer_by=due_at(now, settings.ANXIN_REFERRAL_ANSWER_WORKING_DAYS, DayKind.WORKING),
    )
    evidence.append(
        chain=f"referral:{r.number}",
        kind="referral.made",
        at=now,
        body={"referral": r.number, "regulator": regulator.pk, "cases": r.cases, "text": r.text},
    )
    notice_send(
        _staff_ids(regulator.pk), "referral_received", subject=r, due_at=r.answer_by.isoformat()
    )
    return r


@transaction.atomic
def referral_answer(*, actor: User, number: str, answer: str) -> Referral:
    """The regulator answers: what it found and did."""
    r = Referral.objects.select_for_update().filter(number=number).first()
    org = staff_org(actor, OrgKind.REGULATOR)
    if r is None or org is None or r.regulator_id != org.pk:
        raise NotFound(msg("referral {number}: not found", number=number))
    if r.answered_at is not None:
        raise Conflict(msg("referral {number} is already answered", number=number), code="answered")
    now = timezone.now()
    r.answer, r.answered_at, r.answered_by = (
        clean_text(answer, "answer", 3000, multiline=True),
        now,
        actor,
    )
    r.save(update_fields=["answer", "answered_at", "answered_by"])
    evidence.append(
        chain=f"referral:{r.number}",
        kind="referral.answered",
        at=now,
        body={"referral": r.number, "answer": r.answer},
    )
    notice_send(_staff_ids(r.association_id), "referral_answered", subject=r)
    return r


def referrals_overdue(now: dt.datetime) -> int:
    due = list(
        Referral.objects.filter(
            answered_at__isnull=True, answer_by__lte=now, overdue_noticed_at__isnull=True
        )[:500]
    )
    for r in due:
        notice_send(_staff_ids(r.regulator_id), "referral_overdue", subject=r)
    Referral.objects.filter(pk__in=[r.pk for r in due]).update(overdue_noticed_at=now)
    return len(due)


# --- typical cases (CRPL-IR Art. 37 (2)) ------------------------------------------------------


def typical_case_publish(
    *, actor: User, title: str, summary: str, lesson: str, mediation_number: str = ""
) -> TypicalCase:
    """Publish a typical case on the public page: nothing in it may name the consumer (its
    text is written by the association's staff, and checked here against the consumer's
    name and number when it comes from one of its mediations)."""
    org = staff_org(actor, OrgKind.ASSOCIATION)
    if org is None:
        raise NotFound("association: not found", code="not_association_staff")
    m = None
    if mediation_number:
        m = Mediation.objects.filter(number=mediation_number, association=org).first()
        if m is None:
            raise NotFound(msg("mediation {number}: not found", number=mediation_number))
    title = clean_text(title, "title", 80)
    summary = clean_text(summary, "summary", 2000, multiline=True)
    lesson = clean_text(lesson, "lesson", 1000, multiline=True)
    if m is not None:
        consumer = User.objects.get(pk=m.consumer_id)
        names = {consumer.display_name, consumer.username, consumer.phone or ""}
        if m.complaint is not None:
            names |= {m.complaint.complainant_name, m.complaint.complainant_phone}
        text = title + summary + lesson
        if any(n and len(n) >= 2 and n in text for n in names):
            raise ValidationFailed(
                "summary: a published case must not name the consumer or give their number",
                field="summary",
            )
    return TypicalCase.objects.create(
        association=org,
        mediation=m,
        title=title,
        summary=summary,
        lesson=lesson,
        published_by=actor,
    )
