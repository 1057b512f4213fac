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
from anxin.core.errors import Conflict, Forbidden, InvalidTransition, NotFound, ValidationFailed
from anxin.core.text import clean_text
from anxin.evidence import services as evidence
from anxin.reputation.models import BlacklistEntry, EntryStatus, Ground
from anxin.sellers import crypto
from anxin.sellers.models import Status, Verification

STAFF = (Role.OPERATOR, Role.REGULATOR)


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


def _record(entry: BlacklistEntry, kind: str, **body: Any) -> None:
    evidence.append(
        chain=f"blacklist:{entry.pk}", kind=f"blacklist.{kind}", body={"entry": entry.pk, **body}
    )


@transaction.atomic
def open_entry(
    *, actor: User, seller_id: int, ground: str, reasons: str, evidence_refs: list[str]
) -> BlacklistEntry:
    if actor.role not in STAFF:
        raise Forbidden("only the operator or a regulator opens a blacklisting")
    if ground not in Ground.values:
        raise ValidationFailed(f"ground: must be one of {', '.join(Ground.values)}", field="ground")
    v = Verification.objects.filter(seller_id=seller_id).first()
    if v is None:
        raise NotFound(f"seller {seller_id}: no verified seller")
    reasons = clean_text(reasons, "reasons", 4000)
    refs = [clean_text(r, "evidence", 40) for r in evidence_refs]
    if not refs:
        raise ValidationFailed("evidence: name the cases or orders relied on", field="evidence")
    now = timezone.now()
    entry = BlacklistEntry.objects.create(
        seller_id=seller_id,
        number_index=v.number_index,
        ground=ground,
        reasons=reasons,
        evidence=refs,
        opened_by=actor,
        noticed_at=now,
        appeal_by=now + dt.timedelta(days=settings.ANXIN_BLACKLIST_APPEAL_DAYS),
    )
    _record(entry, "noticed", seller=seller_id, ground=ground, reasons=reasons, evidence=refs)
    from anxin.disputes.services import notify

    notify([seller_id], None, "blacklist_notice", entry=entry.pk)
    return entry


@transaction.atomic
def appeal(*, actor: User, entry_id: int, text: str) -> BlacklistEntry:
    entry = BlacklistEntry.objects.select_for_update().filter(pk=entry_id).first()
    if entry is None or entry.seller_id != actor.pk:
        raise NotFound(f"blacklisting {entry_id}: not found")
    if entry.status != EntryStatus.NOTICED:
        raise InvalidTransition("this blacklisting is no longer open to appeal", code="not_open")
    if timezone.now() > entry.appeal_by:
        raise InvalidTransition("the time to appeal has passed", code="appeal_window_closed")
    entry.appeal_text, entry.appealed_at = clean_text(text, "text", 4000), timezone.now()
    entry.status = EntryStatus.APPEALED
    entry.save(update_fields=["appeal_text", "appealed_at", "status"])
    _record(entry, "appealed", text=entry.appeal_text)
    return entry


@transaction.atomic
def decide(
    *, actor: User, entry_id: int, list_seller: bool, reasons: str, term_days: int = 0
) -> BlacklistEntry:
    """The operator or a regulator decides, after the appeal window or the appeal: a listing
    for a fixed term (ANXIN_BLACKLIST_MAX_DAYS at most), or a dismissal."""
    if actor.role not in STAFF:
        raise Forbidden("only the operator or a regulator decides a blacklisting")
    entry = BlacklistEntry.objects.select_for_update().filter(pk=entry_id).first()
    if entry is None:
        raise NotFound(f"blacklisting {entry_id}: not found")
    if entry.status not in (EntryStatus.NOTICED, EntryStatus.APPEALED):
        raise Conflict("this blacklisting has been decided", code="decided")
    if entry.status == EntryStatus.NOTICED and timezone.now() <= entry.appeal_by:
        raise InvalidTransition(
            "the seller may still appeal: decide after the window closes", code="appeal_window_open"
        )
    reasons = clean_text(reasons, "reasons", 4000)
    now = timezone.now()
    entry.decided_by, entry.decided_at, entry.decision_reasons = actor, now, reasons
    if list_seller:
        if (
            not isinstance(term_days, int)
            or not 1 <= term_days <= settings.ANXIN_BLACKLIST_MAX_DAYS
        ):
            raise ValidationFailed(
                f"term_days: 1 to {settings.ANXIN_BLACKLIST_MAX_DAYS}", field="term_days"
            )
        entry.status, entry.term_days = EntryStatus.LISTED, term_days
        entry.listed_until = now + dt.timedelta(days=term_days)
        # Every shop of the identity stops taking orders until the term is over.
        Verification.objects.filter(number_index=entry.number_index).update(status=Status.LAPSED)
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
    from anxin.disputes.services import notify

    notify([entry.seller_id], None, "blacklist_decided", entry=entry.pk)
    return entry


def expire(*, now: dt.datetime | None = None) -> int:
    now = now or timezone.now()
    n = BlacklistEntry.objects.filter(status=EntryStatus.LISTED, listed_until__lte=now).update(
        status=EntryStatus.EXPIRED
    )
    return n


def _mask_name(name: str) -> str:
    return name[:1] + "*" * max(1, len(name) - 1)


def public_list() -> list[dict[str, Any]]:
    """The public record: individuals masked (name and number), businesses by name."""
    out = []
    for e in BlacklistEntry.objects.filter(
        status=EntryStatus.LISTED, listed_until__gt=timezone.now()
    ).select_related("seller__seller_profile"):
        v = Verification.objects.filter(seller_id=e.seller_id).first()
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
