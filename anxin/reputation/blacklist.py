"""The blacklist, with due process. A staff member (operator or regulator) opens an entry
on a ground the rules list, with reasons and the evidence relied on; the seller is notified
and may appeal within ANXIN_BLACKLIST_APPEAL_DAYS; after the window (or the appeal), the
operator or a regulator decides: listed for a fixed term, or dismissed, with reasons. A
listed identity cannot verify a shop (so cannot open another one) and its shops take no
orders; when the term ends the entry expires. The public list masks individuals' personal
data (PIPL Art. 28, 51): a masked name and number, the shop, the ground and the term."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from anxin.accounts.models import Role, User
from anxin.core.errors import (
    Conflict,
    Forbidden,
    InvalidTransition,
    NotFound,
    ValidationFailed,
    msg,
)
from anxin.core.text import clean_text, is_whole
from anxin.evidence import services as evidence
from anxin.law.days import due_at
from anxin.notices.services import notice_send
from anxin.reputation.models import BlacklistEntry, EntryStatus, Ground
from anxin.sellers import crypto
from anxin.sellers.models import Status, Verification

STAFF = (Role.OPERATOR, Role.REGULATOR)


def may_decide(user: User) -> bool:
    """Whether `user` opens and decides blacklistings: the operator or a regulator."""
    return user.is_authenticated and user.role in STAFF


def awaiting_decision() -> list[BlacklistEntry]:
    """The notices not yet decided, the first to close its appeal window first; each with
    `ready`: appealed, or its window closed, so it may be decided now."""
    now = timezone.now()
    entries = list(
        BlacklistEntry.objects.filter(status__in=[EntryStatus.NOTICED, EntryStatus.APPEALED])
        .select_related("seller__seller_profile")
        .order_by("appeal_by", "pk")
    )
    for e in entries:
        e.ready = e.status == EntryStatus.APPEALED or now > e.appeal_by  # type: ignore[attr-defined]
    return entries


def listed(number_index: str) -> BlacklistEntry | None:
    """The identity's entry in force, if any."""
    return (
        BlacklistEntry.objects.filter(
            number_index=number_index,
            status=EntryStatus.LISTED,
            listed_until__gt=timezone.now(),
        )
        .order_by("-listed_until")
        .first()
    )


def on_seller_verifying(*, seller_id: int, number_index: str) -> None:
    """A listed identity cannot verify a shop while its entry is in force."""
    entry = listed(number_index)
    if entry is not None:
        raise Forbidden(
            msg(
                "this identity is on the blacklist until {listed_until} and cannot verify a shop",
                listed_until=format(entry.listed_until, "%Y-%m-%d"),
            ),
            code="blacklisted",
        )


def _record(entry: BlacklistEntry, kind: str, **body: Any) -> None:
    evidence.append(
        chain=f"blacklist:{entry.pk}", kind=f"blacklist.{kind}", body={"entry": entry.pk, **body}
    )


@transaction.atomic
def open_entry(
    *, actor: User, seller_id: int, ground: str, reasons: str, evidence_refs: list[str]
) -> BlacklistEntry:
    if not may_decide(actor):
        raise Forbidden("only the operator or a regulator opens a blacklisting")
    if ground not in Ground.values:
        raise ValidationFailed(
            msg("ground: must be one of {join}", join=", ".join(Ground.values)), field="ground"
        )
    reasons = clean_text(reasons, "reasons", 4000, multiline=True)
    refs = [clean_text(r, "evidence", 40) for r in evidence_refs]
    if not refs:
        raise ValidationFailed("evidence: name the cases or orders relied on", field="evidence")
    return _open(seller_id, ground, reasons, refs, opened_by=actor)


def _open(
    seller_id: int, ground: str, reasons: str, refs: list[str], *, opened_by: User | None
) -> BlacklistEntry:
    v = Verification.objects.filter(seller_id=seller_id).first()
    if v is None:
        raise NotFound(msg("seller {seller_id}: no verified seller", seller_id=seller_id))
    now = timezone.now()
    entry = BlacklistEntry.objects.create(
        seller_id=seller_id,
        number_index=v.number_index,
        ground=ground,
        reasons=reasons,
        evidence=refs,
        opened_by=opened_by,
        noticed_at=now,
        appeal_by=due_at(now, settings.ANXIN_BLACKLIST_APPEAL_DAYS),
    )
    _record(
        entry,
        "noticed",
        seller=seller_id,
        ground=ground,
        reasons=reasons,
        evidence=refs,
        opened_by=opened_by.pk if opened_by else "monitor",
    )
    notice_send([seller_id], "blacklist_notice", entry=entry.pk)
    return entry


def _cited(seller_ids: set[int]) -> set[str]:
    """Every case and order number already relied on by an entry against these sellers."""
    cited: set[str] = set()
    for refs in BlacklistEntry.objects.filter(seller_id__in=seller_ids).values_list(
        "evidence", flat=True
    ):
        cited.update(refs)
    return cited


def _fraud_found(now: dt.datetime) -> dict[int, list[str]]:
    """Cases finally decided in the last year on a decision that found fraud: compensation
    awarded under CRPL Art. 55(1) (the three-fold damages for fraud)."""
    from anxin.disputes.models import Decision, Outcome

    found: dict[int, list[str]] = {}
    rows = Decision.objects.filter(
        compensation_fen__gt=0,
        dispute__outcome__in=[Outcome.DECIDED, Outcome.APPEAL_DECIDED],
        decided_at__gte=now - dt.timedelta(days=365),
    ).values_list("dispute__seller_id", "dispute__number", "citations", "pk")
    latest: dict[str, tuple[int, int, bool]] = {}  # the case's final decision decides
    for seller_id, number, citations, pk in rows:
        fraud = any(c.get("statute") == "CRPL" and c.get("article") == 55 for c in citations)
        if number not in latest or pk > latest[number][0]:
            latest[number] = (pk, seller_id, fraud)
    for number, (_, seller_id, fraud) in latest.items():
        if fraud:
            found.setdefault(seller_id, []).append(number)
    return found


def _defaults(now: dt.datetime) -> dict[int, list[str]]:
    """Complaints filed in the last year and lost by not answering at all, by seller."""
    from anxin.disputes.models import Dispute, Outcome

    found: dict[int, list[str]] = {}
    for seller_id, number in Dispute.objects.filter(
        outcome=Outcome.DEFAULT, created_at__gte=now - dt.timedelta(days=365)
    ).values_list("seller_id", "number"):
        found.setdefault(seller_id, []).append(number)
    return found


def _runaways(now: dt.datetime) -> dict[int, list[str]]:
    """Paid orders still unshipped ANXIN_BLACKLIST_RUNAWAY_GRACE_DAYS after the days the
    listing promised, of sellers who have done nothing on any order in that time."""
    from anxin.orders.models import Order, OrderEvent, OrderStatus

    grace = dt.timedelta(days=settings.ANXIN_BLACKLIST_RUNAWAY_GRACE_DAYS)
    found: dict[int, list[str]] = {}
    for seller_id, number, paid_at, days in Order.objects.filter(
        status=OrderStatus.PAID, paid_at__lte=now - grace
    ).values_list("seller_id", "number", "paid_at", "shipping_days"):
        if paid_at is not None and paid_at + dt.timedelta(days=days) + grace <= now:
            found.setdefault(seller_id, []).append(number)
    active = set(
        OrderEvent.objects.filter(
            actor_id__in=list(found), actor_role="seller", at__gte=now - grace
        ).values_list("actor_id", flat=True)
    )
    return {sid: numbers for sid, numbers in found.items() if sid not in active}


def monitor(*, now: dt.datetime | None = None) -> int:
    """Open a blacklisting, with its notice, reasons and evidence, wherever a ground the rules
    list is met: fraud found in a decided case; ANXIN_BLACKLIST_DEFAULTS complaints lost by
    default within a year; a runaway seller holding ANXIN_BLACKLIST_RUNAWAY_ORDERS paid
    orders it neither shipped nor touched. Each case or order is relied on once only, so a
    dismissed entry is not reopened on the same evidence. The due process then runs as for
    an entry staff open. Returns how many entries were opened."""
    now = now or timezone.now()
    grounds = [
        (
            Ground.FRAUD,
            _fraud_found(now),
            1,
            "A decided case found fraud and awarded damages under CRPL Art. 55(1): {refs}.",
        ),
        (
            Ground.DEFAULTS,
            _defaults(now),
            settings.ANXIN_BLACKLIST_DEFAULTS,
            "{n} complaints in the last year were lost because the seller never answered: {refs}.",
        ),
        (
            Ground.RUNAWAY,
            _runaways(now),
            settings.ANXIN_BLACKLIST_RUNAWAY_ORDERS,
            "{n} paid orders were neither shipped nor answered "
            f"{settings.ANXIN_BLACKLIST_RUNAWAY_GRACE_DAYS} days after the promised shipping "
            "date, and the seller has done nothing on any order since: {refs}.",
        ),
    ]
    cited = _cited({sid for _, found, _, _ in grounds for sid in found})
    opened = 0
    for ground, found, least, text in grounds:
        for seller_id, refs in sorted(found.items()):
            fresh = sorted(r for r in refs if r not in cited)
            if len(fresh) < least or not Verification.objects.filter(seller_id=seller_id).exists():
                continue
            with transaction.atomic():
                reasons = text.format(n=len(fresh), refs=", ".join(fresh))
                _open(seller_id, ground, reasons, fresh, opened_by=None)
            cited.update(fresh)
            opened += 1
    return opened


@transaction.atomic
def appeal(*, actor: User, entry_id: int, text: str) -> BlacklistEntry:
    entry = BlacklistEntry.objects.select_for_update().filter(pk=entry_id).first()
    if entry is None or entry.seller_id != actor.pk:
        raise NotFound(msg("blacklisting {entry_id}: not found", entry_id=entry_id))
    if entry.status != EntryStatus.NOTICED:
        raise InvalidTransition("this blacklisting is no longer open to appeal", code="not_open")
    if timezone.now() > entry.appeal_by:
        raise InvalidTransition("the time to appeal has passed", code="appeal_window_closed")
    entry.appeal_text = clean_text(text, "text", 4000, multiline=True)
    entry.appealed_at = timezone.now()
    entry.status = EntryStatus.APPEALED
    entry.save(update_fields=["appeal_text", "appealed_at", "status"])
    _record(entry, "appealed", text=entry.appeal_text)
    return entry


@transaction.atomic
def decide(
    *, actor: User, entry_id: int, list_seller: bool, reasons: str, term_days: int = 0
) -> BlacklistEntry:
    """The operator or a regulator decides, after the appeal window or the appeal: a listing
    for a fixed term (most at most), or a dismissal."""
    if not may_decide(actor):
        raise Forbidden("only the operator or a regulator decides a blacklisting")
    entry = BlacklistEntry.objects.select_for_update().filter(pk=entry_id).first()
    if entry is None:
        raise NotFound(msg("blacklisting {entry_id}: not found", entry_id=entry_id))
    if entry.status not in (EntryStatus.NOTICED, EntryStatus.APPEALED):
        raise Conflict("this blacklisting has been decided", code="decided")
    if entry.status == EntryStatus.NOTICED and timezone.now() <= entry.appeal_by:
        raise InvalidTransition(
            "the seller may still appeal: decide after the window closes", code="appeal_window_open"
        )
    reasons = clean_text(reasons, "reasons", 4000, multiline=True)
    now = timezone.now()
    entry.decided_by, entry.decided_at, entry.decision_reasons = actor, now, reasons
    if list_seller:
        if not is_whole(term_days) or not 1 <= term_days <= settings.ANXIN_BLACKLIST_MAX_DAYS:
            raise ValidationFailed(
                msg(
                    "term_days: 1 to {most}",
                    most=settings.ANXIN_BLACKLIST_MAX_DAYS,
                ),
                field="term_days",
            )
        entry.status, entry.term_days = EntryStatus.LISTED, term_days
        entry.listed_until = now + dt.timedelta(days=term_days)
        # Every shop of the identity stops taking orders until the term is over, and each
        # shop's verification level (a credit factor) drops with it.
        shops = Verification.objects.filter(number_index=entry.number_index)
        shop_ids = list(shops.values_list("seller_id", flat=True))
        shops.update(status=Status.LAPSED)
        from anxin.reputation import credit

        credit.refresh(shop_ids)
    else:
        entry.status = EntryStatus.DISMISSED
    entry.save()
    _record(
        entry,
        entry.status,
        reasons=reasons,
        term_days=entry.term_days,
        listed_until=evidence.iso(entry.listed_until) if entry.listed_until else None,
    )
    notice_send([entry.seller_id], "blacklist_decided", entry=entry.pk)
    return entry


@transaction.atomic
def lift(*, actor: User, entry_id: int, reasons: str) -> BlacklistEntry:
    """The operator or a regulator lifts a listing before its term ends (the finding is set
    aside, or the authority that asked for it says so), with reasons. The entry stays on the
    seller's public record as lifted, and the identity may verify a shop again, as when a
    term ends."""
    if not may_decide(actor):
        raise Forbidden("only the operator or a regulator lifts a blacklisting")
    entry = BlacklistEntry.objects.select_for_update().filter(pk=entry_id).first()
    if entry is None:
        raise NotFound(msg("blacklisting {entry_id}: not found", entry_id=entry_id))
    now = timezone.now()
    if (
        entry.status != EntryStatus.LISTED
        or entry.listed_until is None
        or entry.listed_until <= now
    ):
        raise InvalidTransition("this blacklisting is not in force", code="not_listed")
    reasons = clean_text(reasons, "reasons", 4000, multiline=True)
    entry.status, entry.listed_until = EntryStatus.LIFTED, now
    entry.lifted_by, entry.lifted_at, entry.lift_reasons = actor, now, reasons
    entry.save()
    _record(entry, "lifted", reasons=reasons, lifted_at=evidence.iso(now))
    notice_send([entry.seller_id], "blacklist_decided", entry=entry.pk)
    return entry


def in_force() -> list[BlacklistEntry]:
    """The listings in force, the first to end first."""
    return list(
        BlacklistEntry.objects.filter(status=EntryStatus.LISTED, listed_until__gt=timezone.now())
        .select_related("seller__seller_profile")
        .order_by("listed_until", "pk")
    )


def expire(*, now: dt.datetime | None = None) -> int:
    now = now or timezone.now()
    n = BlacklistEntry.objects.filter(status=EntryStatus.LISTED, listed_until__lte=now).update(
        status=EntryStatus.EXPIRED
    )
    return n


def standing(seller_id: int) -> list[BlacklistEntry]:
    """The public record of the seller's identity: its listings in force and past, newest
    first (notices still open to appeal or undecided are not a finding, and not shown)."""
    v = Verification.objects.filter(seller_id=seller_id).only("number_index").first()
    if v is None:
        return []
    return list(
        BlacklistEntry.objects.filter(
            number_index=v.number_index,
            status__in=[EntryStatus.LISTED, EntryStatus.EXPIRED, EntryStatus.LIFTED],
        ).order_by("-decided_at")
    )


def _mask_name(name: str) -> str:
    return name[:1] + "*" * max(1, len(name) - 1)


def public_list() -> list[dict[str, Any]]:
    """The public record: individuals masked (name and number), businesses by name."""
    entries = list(
        BlacklistEntry.objects.filter(
            status=EntryStatus.LISTED, listed_until__gt=timezone.now()
        ).select_related("seller__seller_profile")
    )
    verifications = {
        v.seller_id: v
        for v in Verification.objects.filter(seller_id__in=[e.seller_id for e in entries])
    }
    out = []
    for e in entries:
        v = verifications.get(e.seller_id)
        name = crypto.open_sealed(v.name_sealed, "name") if v else ""
        individual = v is None or v.kind == "individual"
        out.append(
            {
                "shop": getattr(getattr(e.seller, "seller_profile", None), "shop_name", ""),
                "name": _mask_name(name) if individual else name,
                "number": v.number_masked if v else "",
                "ground": e.ground,
                "since": e.decided_at,
                "until": e.listed_until,
                "reasons": e.decision_reasons,
            }
        )
    return out
