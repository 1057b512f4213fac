"""The dispute desk: complaint, negotiation, mediation, adjudication, appeal, and the remedy paid.

Every change runs in one transaction that locks the case's order first (when there is one, as
every order service does) and then the case row, so two officers, a party and a timer racing
on one case resolve to one outcome. Each step of a case waits for one party until `due_at`;
`deadlines.dispute_deadline` applies the step's default when that time has come, from the
stored time, so a timer that fires twice or late changes nothing twice. A remedy is executed
once: under the locks, `executed_at` is checked, and the ledger's transfer ids are made from
the case, so a retried execution is refused by the ledger too.

Every step is a case event and an evidence record on the case's chain (`dispute:<number>`),
and both parties see all of it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from anxin.accounts.models import Role, SellerProfile, User
from anxin.core import uploads
from anxin.core.errors import (
    Conflict,
    Forbidden,
    InvalidTransition,
    NotFound,
    ValidationFailed,
    msg,
)
from anxin.core.money import clean_fen
from anxin.core.text import clean_text
from anxin.disputes.filing import (
    citations_checked,
    day_of,
    escalated_after_sale,
    law_for,
    price_of,
    proposal,
    within_filing_limits,
    within_outside_limit,
)
from anxin.disputes.guards import (
    admitted_expect,
    case_for,
    case_locked,
    officers,
    parties,
    role_require,
    step_expect,
    unadmitted_expect,
)
from anxin.disputes.models import (
    Appeal,
    Category,
    Decision,
    Dispute,
    Evidence,
    Outcome,
    Stage,
    Step,
    Vote,
)
from anxin.disputes.panel import draw, seed_of, tally
from anxin.disputes.remedy import case_close, remedy_execute
from anxin.disputes.selectors import appeal_pool, has_appeal
from anxin.disputes.stages import appeal_decide, decision_record, to_adjudication, to_mediation
from anxin.disputes.writer import DisputeWriter
from anxin.evidence.models import LogState
from anxin.evidence.services import iso
from anxin.law.days import due_at
from anxin.orders.events import OrderEventKind, order_event_record
from anxin.orders.holds import hold_is_open, hold_open
from anxin.orders.locks import LockedOrder, order_lock_for
from anxin.orders.models import HoldKind, Order, OrderStatus
from anxin.remedies.models import SellerDebt
from anxin.remedies.selectors import returned_to_buyer

OPEN_ORDER_STATUSES = (OrderStatus.SHIPPED, OrderStatus.COMPLETED)
MAX_FILE_BYTES = 10 * 1024 * 1024
FILE_TYPES = {
    "image/jpeg",
    "image/png",
    "image/webp",
    "application/pdf",
    "video/mp4",
    "audio/mpeg",
    "text/plain",
}


# --- locks and guards ------------------------------------------------------------------------


def _new_number() -> str:
    return f"DS{timezone.localtime().strftime('%Y%m%d')}{secrets.token_hex(4).upper()}"


# --- filing ----------------------------------------------------------------------------------


def _digits(phone: str) -> str:
    digits = re.sub(r"\D", "", phone)
    return digits[2:] if digits.startswith("86") and len(digits) == 13 else digits


def seller_find(who: str) -> int:
    """The seller a buyer names for a sale made outside Anxin, as the buyer knows them: by
    Anxin user name, shop name, contact phone or WeChat ID. A name that fits more than one
    seller is refused rather than guessed."""
    who = (who or "").strip()
    if not who:
        raise ValidationFailed(
            "seller: give the seller's phone, WeChat ID, shop name or Anxin user name",
            field="seller_username",
            code="seller_missing",
        )
    sellers = User.objects.filter(role=Role.SELLER)
    found = set(sellers.filter(username=who).values_list("pk", flat=True))
    profiles = SellerProfile.objects.filter(user__role=Role.SELLER)
    found |= set(
        profiles.filter(Q(shop_name=who) | Q(wechat_id=who)).values_list("user_id", flat=True)
    )
    digits = _digits(who)
    if len(digits) >= 7 and re.fullmatch(r"\+?[0-9 ()-]+", who):
        for user_id, phone in profiles.filter(contact_phone__contains=digits[-4:]).values_list(
            "user_id", "contact_phone"
        ):
            if _digits(phone) == digits:
                found.add(user_id)
    if not found:
        raise ValidationFailed(
            "seller: no seller on Anxin has that phone, WeChat ID, shop name or user name",
            field="seller_username",
            code="seller_not_found",
        )
    if len(found) > 1:
        raise ValidationFailed(
            msg(
                "seller: {count} sellers on Anxin match “{who}”; give their phone or WeChat ID "
                "instead",
                count=len(found),
                who=who,
            ),
            field="seller_username",
            code="seller_ambiguous",
        )
    return found.pop()


@transaction.atomic
def dispute_file(
    *,
    actor: User,
    category: str,
    claim: str,
    claimed_fen: Any,
    number: str = "",
    seller_username: str = "",
    outside_description: str = "",
    outside_paid_fen: Any = 0,
    outside_paid_on: dt.date | None = None,
    files: list[tuple[str, UploadedFile]] | None = None,
) -> Dispute:
    """A buyer's complaint about an order on Anxin (`number`), or about a sale a registered
    seller made elsewhere (`seller_username`: the seller's user name, shop name, phone or
    WeChat ID, see seller_find; with what was bought, paid and when, and at least one piece
    of evidence)."""
    if actor.role != Role.BUYER:
        raise Forbidden("only buyers can file complaints", code="not_a_buyer")
    if category not in Category.values:
        raise ValidationFailed(
            msg("category: must be one of {join}", join=", ".join(Category.values)),
            field="category",
        )
    claim = clean_text(claim, "claim", 2000, multiline=True)
    now = timezone.now()
    within_filing_limits(actor, now)
    order: Order | None = None
    locked: LockedOrder | None = None
    after_sale = None
    if number:
        locked = order_lock_for(actor, number)
        order = locked.order
        if order.buyer_id != actor.pk:
            raise NotFound(msg("order {number}: not found", number=number))
        if order.status not in OPEN_ORDER_STATUSES:
            hint = (
                "; cancel it instead: an order not yet shipped is refunded in full at once"
                if order.status == OrderStatus.PAID
                else ""
            )
            raise InvalidTransition(
                msg(
                    "order {number} is {status}: no complaint can be filed{hint}",
                    number=number,
                    status=order.status,
                    hint=hint,
                ),
                code="order_status",
            )
        if Dispute.objects.filter(order=order, closed_at__isnull=True).exists():
            raise Conflict(
                msg("order {number} already has an open case", number=number), code="dispute_open"
            )
        seller_id, paid_fen, paid_on = order.seller_id, order.amount_fen, order.paid_at
        assert paid_on is not None
        paid_day = day_of(paid_on)
        after_sale = escalated_after_sale(order)
    else:
        seller_id = seller_find(seller_username)
        within_outside_limit(actor, seller_id, now)
        outside_description = clean_text(
            outside_description, "outside_description", 500, multiline=True
        )
        paid_fen = clean_fen(outside_paid_fen, "outside_paid_fen", most=10**10)
        if paid_fen == 0:
            raise ValidationFailed(
                "outside_paid_fen: must be more than 0", field="outside_paid_fen"
            )
        if outside_paid_on is None or outside_paid_on > day_of(now):
            raise ValidationFailed(
                "outside_paid_on: the day you paid, not in the future", field="outside_paid_on"
            )
        paid_day = outside_paid_on
        if not files:
            raise ValidationFailed(
                "evidence: a sale made outside Anxin needs at least one piece of evidence "
                "(the chat, the transfer record)",
                field="evidence",
            )
    claimed = clean_fen(claimed_fen, "claimed_fen", most=10**10)
    if claimed == 0:
        raise ValidationFailed("claimed_fen: must be more than 0", field="claimed_fen")
    law, law_fen = law_for(
        category=category,
        order=order,
        paid_fen=paid_fen,
        paid_on=paid_day,
        now=now,
        after_sale=after_sale,
    )
    # Nobody is awarded more than was asked, nor more than the law gives (or, where the engine
    # has no rule, more than was paid).
    cap = min(claimed, max(law_fen, paid_fen))
    w = DisputeWriter()
    d = Dispute.objects.create(
        number=_new_number(),
        buyer=actor,
        seller_id=seller_id,
        order=order,
        after_sale=after_sale,
        outside_description=outside_description if order is None else "",
        outside_paid_fen=paid_fen if order is None else 0,
        outside_paid_on=paid_day if order is None else None,
        category=category,
        claim=claim,
        claimed_fen=claimed,
        law=law,
        law_fen=law_fen,
        cap_fen=cap,
        created_at=now,
        # An order on Anxin is on Anxin's own records; a sale made elsewhere waits for staff.
        admitted_at=now if order is not None else None,
    )
    w.event(
        d,
        "filed",
        actor=actor,
        category=category,
        claim=claim,
        claimed_fen=claimed,
        order=order.number if order is not None else None,
        outside={"description": outside_description, "paid_fen": paid_fen} if not order else None,
        law=law,
        law_fen=law_fen,
        cap_fen=cap,
        admitted=order is not None,
    )
    if order is not None and locked is not None:
        order_event_record(
            order, OrderEventKind.DISPUTE_FILED, actor=actor, case=d.number, category=category
        )
        if order.status == OrderStatus.SHIPPED and not hold_is_open(locked):
            hold_open(order, kind=HoldKind.DISPUTE, actor=actor, reason=f"case {d.number}")
    for label, f in files or []:
        _store_evidence(w, d, actor, "buyer", label, f)
    w.move(d, Step.SELLER_ANSWER)
    w.notify([d.seller_id], d, "filed")
    return d


# --- admission -------------------------------------------------------------------------------


@transaction.atomic
def dispute_admit(*, actor: User, number: str, reason: str) -> Dispute:
    """The case's mediator or adjudicator has looked at a complaint about a sale made
    elsewhere and finds the sale shown: from now on the case may be decided and paid like
    one about an order on Anxin."""
    d = case_for(actor, number)
    w = DisputeWriter()
    role_require(actor, d, "mediator", "adjudicator")
    unadmitted_expect(d)
    reason = clean_text(reason, "reason", 2000, multiline=True)
    now = timezone.now()
    d.admitted_at, d.admitted_by, d.admission_reason = now, actor, reason
    d.save(update_fields=["admitted_at", "admitted_by", "admission_reason"])
    w.event(d, "admitted", actor=actor, reason=reason)
    w.changed(d)  # the public figures now name the seller
    w.notify(parties(d), d, "admitted")
    return d


@transaction.atomic
def dispute_refuse(*, actor: User, number: str, reason: str) -> Dispute:
    """The complaint is not admitted (the file does not show the sale): the case closes with
    its reasons, and the buyer is told the other routes (CRPL Art. 39)."""
    d = case_for(actor, number)
    w = DisputeWriter()
    role_require(actor, d, "mediator", "adjudicator")
    unadmitted_expect(d)
    reason = clean_text(reason, "reason", 2000, multiline=True)
    d.admission_reason = reason
    w.event(d, "not_admitted", actor=actor, reason=reason)
    case_close(w, d, Outcome.NOT_ADMITTED, remedy_fen=0)
    w.notify(parties(d), d, "not_admitted")
    return d


# --- a refund made while the case is open ----------------------------------------------------


def on_buyer_refunded(*, order: Order, amount_fen: int, source: str) -> None:
    """The buyer was paid back on an order with an open case (the seller refunded it, or an
    after-sales refund was paid). Runs in that transaction, under the order's lock. What was
    claimed is now paid: the case closes. Otherwise it goes on for the rest, and whatever it
    awards is paid less what the buyer already has (money.pay_buyer)."""
    returned = returned_to_buyer(order)
    w = DisputeWriter()
    for d in Dispute.objects.select_for_update().filter(order=order, closed_at__isnull=True):
        if d.step == Step.PAYING:
            continue  # its remedy is being paid; pay_buyer takes the refund off
        d.order = order
        w.event(
            d,
            "buyer_refunded",
            actor=None,
            role="system",
            amount_fen=amount_fen,
            source=source,
            returned_fen=returned,
        )
        if returned >= d.claimed_fen:
            case_close(w, d, Outcome.REFUNDED, remedy_fen=0)
            w.notify(parties(d), d, "refunded_closed", amount_fen=returned)
        else:
            w.notify(parties(d), d, "refunded_open", amount_fen=returned)


# --- evidence --------------------------------------------------------------------------------


def _store_evidence(
    w: DisputeWriter, d: Dispute, actor: User, role: str, text: str, f: UploadedFile | None
) -> Evidence:
    text = clean_text(text, "text", 2000, multiline=True)
    item = Evidence(dispute=d, submitted_by=actor, role=role, text=text, at=timezone.now())
    body: dict[str, Any] = {"text": text}
    if f is not None:
        sha = uploads.checked_digest(
            f,
            field="file",
            types=FILE_TYPES,
            max_bytes=MAX_FILE_BYTES,
            refused=f"{{type}} is not accepted ({', '.join(sorted(FILE_TYPES))})",
            mismatch="the content is not a {type} file",
        )
        item.sha256, item.size = sha, f.size or 0
        item.content_type, item.file_name = f.content_type or "", (f.name or "file")[:200]
        item.file.save(f"{d.number}-{item.sha256[:16]}", f, save=False)
        body |= {"file_sha256": item.sha256, "file_name": item.file_name, "size": item.size}
    item.record_id = w.event(d, "evidence", actor=actor, role=role, **body)
    item.save()
    return item


@transaction.atomic
def dispute_evidence_submit(
    *, actor: User, number: str, text: str, file: UploadedFile | None = None
) -> Evidence:
    """A party (or the case's officer) puts something on the file. Parties may while the case
    is negotiated or mediated, and in adjudication until the evidence deadline; the appeal
    is heard on the file as it stands."""
    d = case_for(actor, number)
    w = DisputeWriter()
    role = role_require(actor, d, "buyer", "seller", "mediator", "adjudicator")
    if (
        d.stage in (Stage.APPEAL, Stage.CLOSED)
        or d.step == Step.PAYING
        or (
            d.stage == Stage.ADJUDICATION
            and d.step != Step.EVIDENCE
            and role in ("buyer", "seller")
        )
    ):
        raise InvalidTransition(
            msg("case {number}: the time for evidence is over", number=d.number),
            code="evidence_closed",
        )
    item = _store_evidence(w, d, actor, role, text, file)
    w.notify([u for u in [*parties(d), *officers(d)] if u != actor.pk], d, "evidence")
    return item


# --- negotiation -----------------------------------------------------------------------------


@transaction.atomic
def dispute_answer(*, actor: User, number: str, offer_fen: Any, text: str) -> Dispute:
    """The seller answers: an offer from nothing up to the whole claim, with its reasons.
    Offering the whole claim settles the case at once."""
    d = case_for(actor, number)
    w = DisputeWriter()
    role_require(actor, d, "seller")
    step_expect(d, Step.SELLER_ANSWER)
    offer = clean_fen(offer_fen, "offer_fen", most=d.claimed_fen)
    text = clean_text(text, "text", 2000, multiline=True)
    w.event(d, "answered", actor=actor, offer_fen=offer, text=text)
    if offer == d.claimed_fen:
        remedy_execute(w, d, offer, Outcome.SETTLED, actor=actor)
        return d
    w.move(
        d,
        Step.BUYER_REPLY,
        offer_fen=offer,
        offer_text=text,
    )
    w.notify([d.buyer_id], d, "answered", offer_fen=offer)
    return d


@transaction.atomic
def dispute_reply(*, actor: User, number: str, accept: bool, reason: str = "") -> Dispute:
    """The buyer takes the seller's offer (the case settles on it), or takes the case to
    mediation."""
    d = case_for(actor, number)
    w = DisputeWriter()
    role_require(actor, d, "buyer")
    step_expect(d, Step.BUYER_REPLY)
    if accept:
        w.event(d, "offer_accepted", actor=actor, offer_fen=d.offer_fen)
        remedy_execute(w, d, d.offer_fen or 0, Outcome.SETTLED, actor=actor)
        return d
    reason = clean_text(reason, "reason", 500, multiline=True)
    w.event(d, "offer_refused", actor=actor, reason=reason)
    to_mediation(w, d)
    return d


@transaction.atomic
def dispute_withdraw(*, actor: User, number: str, reason: str = "") -> Dispute:
    d = case_for(actor, number)
    w = DisputeWriter()
    role_require(actor, d, "buyer")
    if d.stage in (Stage.APPEAL, Stage.CLOSED) or d.step in (Step.APPEAL_WINDOW, Step.PAYING):
        raise InvalidTransition(
            msg("case {number}: it is decided", number=d.number), code="dispute_step"
        )
    reason = clean_text(reason, "reason", 500, required=False, multiline=True)
    w.event(d, "withdrawn", actor=actor, reason=reason)
    case_close(w, d, Outcome.WITHDRAWN, remedy_fen=0)
    w.notify([d.seller_id, *officers(d)], d, "withdrawn")
    return d


# --- mediation -------------------------------------------------------------------------------


@transaction.atomic
def dispute_propose(*, actor: User, number: str, amount_fen: Any, text: str) -> Dispute:
    """The mediator proposes a settlement: what the seller pays, and on what terms."""
    d = case_for(actor, number)
    w = DisputeWriter()
    role_require(actor, d, "mediator")
    step_expect(d, Step.MEDIATOR_PROPOSAL)
    amount = clean_fen(amount_fen, "amount_fen", most=d.claimed_fen)
    text = clean_text(text, "text", 2000, multiline=True)
    w.event(d, "proposed", actor=actor, amount_fen=amount, text=text)
    w.move(
        d,
        Step.PARTIES_ACCEPT,
        proposal_fen=amount,
        proposal_text=text,
    )
    w.notify(parties(d), d, "proposed", amount_fen=amount)
    return d


@transaction.atomic
def dispute_respond(*, actor: User, number: str, accept: bool, reason: str = "") -> Dispute:
    """A party accepts the mediator's proposal (binding, and paid, once both have) or
    refuses it (the case goes to adjudication)."""
    d = case_for(actor, number)
    w = DisputeWriter()
    role = role_require(actor, d, "buyer", "seller")
    step_expect(d, Step.PARTIES_ACCEPT)
    if not accept:
        reason = clean_text(reason, "reason", 500, multiline=True)
        w.event(d, "proposal_refused", actor=actor, reason=reason)
        to_adjudication(w, d)
        return d
    field = f"{role}_accepted_at"
    if getattr(d, field) is not None:
        raise Conflict(
            msg("case {number}: you have already accepted", number=d.number),
            code="already_accepted",
        )
    setattr(d, field, timezone.now())
    d.save(update_fields=[field])
    w.event(d, "proposal_accepted", actor=actor)
    if d.buyer_accepted_at and d.seller_accepted_at:
        remedy_execute(w, d, d.proposal_fen or 0, Outcome.SETTLED, actor=None)
    else:
        other = d.seller_id if role == "buyer" else d.buyer_id
        w.notify([other, d.mediator_id], d, "accepted")
    return d


# --- adjudication ----------------------------------------------------------------------------


@transaction.atomic
def dispute_decide(
    *,
    actor: User,
    number: str,
    refund_fen: Any,
    compensation_fen: Any,
    reasons: str,
    citations: Any,
    departure_reason: str = "",
) -> Decision:
    """The adjudicator's decision, after the evidence deadline. It starts from the law
    engine's proposal; one that departs from it says why. It can be appealed once."""
    d = case_for(actor, number)
    w = DisputeWriter()
    role_require(actor, d, "adjudicator")
    step_expect(d, Step.DECISION)
    admitted_expect(d)
    proposed = proposal(d)
    refund = clean_fen(refund_fen, "refund_fen", most=price_of(d))
    compensation = clean_fen(compensation_fen, "compensation_fen", most=d.cap_fen)
    if refund + compensation > d.cap_fen:
        raise ValidationFailed(
            msg(
                "refund_fen + compensation_fen: at most {cap_fen} fen in "
                "this case (what was claimed, within what the law gives)",
                cap_fen=d.cap_fen,
            ),
            field="compensation_fen",
        )
    reasons = clean_text(reasons, "reasons", 5000, multiline=True)
    cited = citations_checked(citations, d.law_day)
    departure = clean_text(
        departure_reason, "departure_reason", 2000, required=False, multiline=True
    )
    if (refund, compensation) != (
        proposed["refund_fen"],
        proposed["compensation_fen"],
    ) and not departure:
        raise ValidationFailed(
            msg(
                "departure_reason: the decision differs from the law "
                "engine's proposal ({refund_fen} + {compensation_fen} fen); "
                "say why",
                refund_fen=proposed["refund_fen"],
                compensation_fen=proposed["compensation_fen"],
            ),
            field="departure_reason",
        )
    return decision_record(
        w,
        d,
        actor=actor,
        refund=refund,
        compensation=compensation,
        reasons=reasons,
        citations=cited,
        proposed=proposed,
        departure=departure,
    )


@transaction.atomic
def dispute_accept_decision(*, actor: User, number: str) -> Dispute:
    """A party gives up its appeal; once both have, the decision is paid at once."""
    d = case_for(actor, number)
    w = DisputeWriter()
    role = role_require(actor, d, "buyer", "seller")
    step_expect(d, Step.APPEAL_WINDOW)
    field = f"{role}_accepted_at"
    if getattr(d, field) is None:
        setattr(d, field, timezone.now())
        d.save(update_fields=[field])
        w.event(d, "decision_accepted", actor=actor)
    if d.buyer_accepted_at and d.seller_accepted_at:
        decision = w.latest_decision(d)
        assert decision is not None
        remedy_execute(w, d, decision.total_fen, Outcome.DECIDED, actor=None, decision=decision)
    return d


# --- appeal ----------------------------------------------------------------------------------


@transaction.atomic
def dispute_appeal(*, actor: User, number: str, reason: str) -> Appeal:
    """A party appeals the decision, once, within the appeal window. The panel (three
    adjudicators) or jury is drawn at once from a seed that is the hash of the case, the
    appeal and the evidence log's root at that moment, all published on the case page."""
    d = case_for(actor, number)
    w = DisputeWriter()
    role_require(actor, d, "buyer", "seller")
    step_expect(d, Step.APPEAL_WINDOW)
    if has_appeal(d):
        raise Conflict(
            msg("case {number} has already been appealed", number=d.number), code="appealed"
        )
    reason = clean_text(reason, "reason", 2000, multiline=True)
    body, size = settings.ANXIN_DISPUTE_APPEAL_BODY, 3
    if body == "jury":
        size = settings.ANXIN_DISPUTE_JURY_SIZE
    pool = appeal_pool(d, body)
    if len(pool) < size and body == "panel":
        body, size = "jury", settings.ANXIN_DISPUTE_JURY_SIZE
        pool = appeal_pool(d, body)
    if len(pool) < size:
        raise Conflict(
            msg(
                "case {number}: not enough eligible {body} members to hear "
                "an appeal ({eligible} of {size}); the operator has been told",
                number=d.number,
                body=body,
                eligible=len(pool),
                size=size,
            ),
            code="no_panel",
        )
    now = timezone.now()
    state = LogState.objects.first()
    source = {
        "case": d.number,
        "appellant": actor.pk,
        "filed_at": iso(now),
        "log_size": state.size if state else 0,
        "log_root": bytes(state.root).hex() if state and state.root else "",
        "reason_sha256": hashlib.sha256(reason.encode()).hexdigest(),
    }
    seed = seed_of(source)
    members = draw(seed, pool, size)
    a = Appeal.objects.create(
        dispute=d,
        appellant=actor,
        reason=reason,
        body=body,
        seed=seed,
        seed_source=source,
        pool=pool,
        members=members,
        filed_at=now,
        vote_by=due_at(now, settings.ANXIN_DISPUTE_PANEL_DAYS),
    )
    w.event(
        d,
        "appealed",
        actor=actor,
        reason=reason,
        body=body,
        seed=seed,
        source=source,
        members=members,
    )
    w.move(d, Step.PANEL_VOTES)
    w.notify([*parties(d), *members], d, "appealed")
    return a


@transaction.atomic
def dispute_vote(
    *, actor: User, number: str, uphold: bool, remedy_fen: Any = None, reasons: str
) -> Vote:
    """A panel member's vote: uphold the decision, or set the remedy. A majority decides."""
    d = case_for(actor, number)
    w = DisputeWriter()
    role_require(actor, d, "panel")
    step_expect(d, Step.PANEL_VOTES)
    a = d.appeal
    decision = w.latest_decision(d)
    assert decision is not None
    amount = decision.total_fen if uphold else clean_fen(remedy_fen, "remedy_fen", most=d.cap_fen)
    reasons = clean_text(reasons, "reasons", 2000, multiline=True)
    if a.votes.filter(member=actor).exists():
        raise Conflict(
            msg("case {number}: you have already voted", number=d.number), code="already_voted"
        )
    v = Vote.objects.create(
        appeal=a, member=actor, uphold=uphold, remedy_fen=amount, reasons=reasons, at=timezone.now()
    )
    w.event(d, "voted", actor=actor, uphold=uphold, remedy_fen=amount, reasons=reasons)
    result = tally(list(a.votes.all()), len(a.members), final=False)
    if result is not None:
        appeal_decide(w, d, a, decision, result)
    return v


# --- transfer to the regulator ---------------------------------------------------------------


@transaction.atomic
def dispute_transfer(*, actor: User, number: str, reason: str) -> Dispute:
    """The buyer or the mediator sends the case to the market regulator. It appears in the
    regulator's queue with its bundle; Anxin's own process carries on meanwhile."""
    d = case_for(actor, number)
    w = DisputeWriter()
    role_require(actor, d, "buyer", "mediator")
    if d.transferred_at is not None:
        raise Conflict(
            msg("case {number} is already with the regulator", number=d.number), code="transferred"
        )
    reason = clean_text(reason, "reason", 500, multiline=True)
    d.transferred_at, d.transferred_by, d.transfer_reason = timezone.now(), actor, reason
    d.save(update_fields=["transferred_at", "transferred_by", "transfer_reason"])
    w.event(d, "transferred", actor=actor, reason=reason)
    regulators = User.objects.filter(role=Role.REGULATOR, is_active=True).values_list(
        "pk", flat=True
    )
    w.notify([*parties(d), *regulators], d, "transferred")
    return d


@transaction.atomic
def dispute_assign(
    *, actor: User, number: str, mediator: str = "", adjudicator: str = ""
) -> Dispute:
    """The operator (re)assigns a case's mediator or adjudicator; never to a party."""
    if actor.role != Role.OPERATOR:
        raise Forbidden("only the platform operator assigns cases")
    d = case_locked(number=number)
    w = DisputeWriter()
    for field, username, role in (
        ("mediator", mediator, Role.MEDIATOR),
        ("adjudicator", adjudicator, Role.ADJUDICATOR),
    ):
        if not username:
            continue
        user = User.objects.filter(username=username, role=role, is_active=True).first()
        if user is None:
            raise ValidationFailed(
                msg(
                    "{field}: no active {role} {username}",
                    field=field,
                    role=role,
                    username=repr(username),
                ),
                field=field,
            )
        if user.pk in (d.buyer_id, d.seller_id):
            raise ValidationFailed(
                msg("{field}: a party cannot handle its own case", field=field), field=field
            )
        setattr(d, field, user)
        d.save(update_fields=[field])
        w.event(d, f"{field}_assigned", actor=actor, user=user.pk)
        w.notify([user], d, "assigned")
    return d


def _event(
    d: Dispute, kind: str, *, actor: User | None, role: str | None = None, **detail: Any
) -> int:
    """An event on the case, written at once (a repayment of the seller's debt, below)."""
    return DisputeWriter().event(d, kind, actor=actor, role=role, **detail)


def on_debt_repaid(*, debt: SellerDebt, detail: dict[str, Any]) -> None:
    """A debt the case's remedy left was repaid (remedies, hook DEBT_REPAID): the case shows it."""
    if debt.dispute_id is None:
        return
    d = Dispute.objects.select_for_update().get(pk=debt.dispute_id)
    _event(d, "debt_repaid", actor=None, role="system", **detail)
