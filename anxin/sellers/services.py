"""Seller verification (ECL 27, OTSM 24), licences for regulated goods (ECL 15), the
registration duty decided by the law engine (ECL 10, OTSM 8), and disclosure of a seller's
identity to those entitled to it (CRPL 44), every one logged."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from anxin.accounts.models import Role, User
from anxin.core import hooks, uploads
from anxin.core.errors import Conflict, Forbidden, NotFound, ValidationFailed, msg
from anxin.core.text import clean_phone, clean_text
from anxin.evidence import services as evidence
from anxin.law import engine, params
from anxin.law.days import BEIJING, end_of_day, months_after
from anxin.law.facts import CaseFacts, Claim, Item, Purchase, Seller
from anxin.sellers import crypto, identity
from anxin.sellers.models import (
    Disclosure,
    Kind,
    Level,
    Licence,
    LicenceKind,
    LicenceStatus,
    ShopClosure,
    Status,
    Verification,
)
from anxin.sellers.record import seller_lock, seller_rescore
from anxin.sellers.tasks import lapse_task, remind_task

# Listing categories that need a licence before they can be listed (ECL 12, 15).
LICENCE_FOR: dict[str, str] = {
    "food": LicenceKind.FOOD,
    "fresh_perishable": LicenceKind.FOOD,
    "medical_device": LicenceKind.MEDICAL_DEVICE,
}
DOCUMENT_TYPES = frozenset({"image/jpeg", "image/png", "application/pdf"})
MAX_DOCUMENT_BYTES = 10 * 1024 * 1024


def _seller(actor: User) -> None:
    if actor.role != Role.SELLER:
        raise Forbidden("only sellers are verified", code="not_a_seller")


def _document(f: UploadedFile | None, field: str) -> str:
    """The document's SHA-256, after checking it is a photo or a PDF."""
    if f is None:
        raise ValidationFailed(
            msg("{field}: a photo or PDF of the document is required", field=field), field=field
        )
    return uploads.checked_digest(
        f,
        field=field,
        types=DOCUMENT_TYPES,
        max_bytes=MAX_DOCUMENT_BYTES,
        refused="must be a JPEG, PNG or PDF file",
        mismatch="must be a JPEG, PNG or PDF file",
    )


def _reverify_by(now: dt.datetime) -> dt.datetime:
    day = months_after(timezone.localtime(now).date(), settings.ANXIN_SELLER_REVERIFY_MONTHS)
    return end_of_day(day)


@transaction.atomic
def seller_verify(
    *,
    actor: User,
    kind: str,
    name: str,
    number: str,
    address: str,
    contact: str,
    licence_file: UploadedFile | None = None,
) -> Verification:
    """Verify (or re-verify) the seller: an individual by real name and resident ID number,
    a business by registered name, unified social credit code and business licence. The
    verification holds for ANXIN_SELLER_REVERIFY_MONTHS (6: ECL 27, OTSM 24)."""
    _seller(actor)
    seller_lock(actor.pk)
    if kind not in Kind.values:
        raise ValidationFailed(
            msg("kind: must be one of {join}", join=", ".join(Kind.values)), field="kind"
        )
    name = clean_text(name, "name", 100)
    address = clean_text(address, "address", 300)
    contact = clean_phone(contact, "contact")
    if kind == Kind.INDIVIDUAL:
        number = identity.resident_id(number, field="number", today=timezone.localdate())
        sha = ""
    else:
        number = identity.credit_code(number, field="number")
        sha = _document(licence_file, "licence_file")
    # The blacklist (reputation, above sellers) may refuse the identity.
    hooks.call(hooks.SELLER_VERIFYING, seller_id=actor.pk, number_index=crypto.index(number))
    now = timezone.now()
    v = Verification.objects.select_for_update().filter(seller=actor).first() or Verification(
        seller=actor
    )
    v.kind, v.status = kind, Status.VERIFIED
    v.name_sealed = crypto.seal(name, "name")
    v.number_sealed = crypto.seal(number, "number")
    v.number_index = crypto.index(number)
    v.number_masked = identity.masked(number)
    v.address_sealed = crypto.seal(address, "address")
    v.contact_sealed = crypto.seal(contact, "contact")
    if licence_file is not None and sha:
        v.licence_sha256 = sha
        v.licence_file.save(f"{actor.pk}-{sha[:16]}", licence_file, save=False)
    v.verified_at, v.reverify_by, v.reminded_at = now, _reverify_by(now), None
    v.save()
    evidence.append(
        chain=f"seller:{actor.pk}",
        kind="seller.verified",
        body={
            "seller": actor.pk,
            "kind": kind,
            "number_masked": v.number_masked,
            "number_index": v.number_index,
            "licence_sha256": sha or None,
            "reverify_by": evidence.iso(v.reverify_by),
        },
    )
    _schedule(v)
    seller_rescore(actor.pk)
    return v


def _schedule(v: Verification) -> None:
    remind_at = v.reverify_by - dt.timedelta(days=settings.ANXIN_SELLER_REMIND_DAYS)
    if remind_at > timezone.now():
        remind_task.using(run_after=remind_at).enqueue(v.seller_id)
    lapse_task.using(run_after=v.reverify_by).enqueue(v.seller_id)


# --- licences ------------------------------------------------------------------------------


@transaction.atomic
def licence_submit(
    *, actor: User, kind: str, number: str, valid_until: dt.date, document: UploadedFile | None
) -> Licence:
    _seller(actor)
    if kind not in LicenceKind.values:
        raise ValidationFailed(
            msg("kind: must be one of {join}", join=", ".join(LicenceKind.values)), field="kind"
        )
    number = clean_text(number, "number", 40)
    if not isinstance(valid_until, dt.date) or valid_until <= timezone.localdate():
        raise ValidationFailed("valid_until: the licence must still be valid", field="valid_until")
    sha = _document(document, "document")
    if Licence.objects.filter(seller=actor, kind=kind, status=LicenceStatus.PENDING).exists():
        raise Conflict(
            msg("a {kind} licence is already waiting for review", kind=kind), code="licence_pending"
        )
    lic = Licence(
        seller=actor,
        kind=kind,
        number=number,
        valid_until=valid_until,
        document_sha256=sha,
        submitted_at=timezone.now(),
    )
    assert document is not None
    lic.document.save(f"{actor.pk}-{kind}-{sha[:16]}", document, save=False)
    lic.save()
    return lic


def licence_may_review(user: User) -> bool:
    """Whether `user` reviews sellers' licences: the platform operator."""
    return user.is_authenticated and user.role == Role.OPERATOR


@transaction.atomic
def licence_review(*, actor: User, licence_id: int, approve: bool, reason: str = "") -> Licence:
    """The operator checks the licence against the issuing authority's register."""
    if not licence_may_review(actor):
        raise Forbidden("only the platform operator reviews licences")
    seller_id = Licence.objects.filter(pk=licence_id).values_list("seller_id", flat=True).first()
    if seller_id is None:
        raise NotFound(msg("licence {licence_id}: not found", licence_id=licence_id))
    seller_lock(seller_id)
    lic = Licence.objects.select_for_update().get(pk=licence_id)
    if lic.status != LicenceStatus.PENDING:
        raise Conflict(
            msg("licence {licence_id} is {status}", licence_id=licence_id, status=lic.status),
            code="licence_reviewed",
        )
    reason = clean_text(reason, "reason", 300, required=not approve, multiline=True)
    lic.status = LicenceStatus.ACTIVE if approve else LicenceStatus.REJECTED
    lic.reviewed_by, lic.review_reason, lic.reviewed_at = actor, reason, timezone.now()
    lic.save()
    evidence.append(
        chain=f"seller:{lic.seller_id}",
        kind="seller.licence_" + lic.status,
        body={
            "licence": lic.pk,
            "kind": lic.kind,
            "number": lic.number,
            "sha256": lic.document_sha256,
        },
    )
    seller_rescore(lic.seller_id)
    return lic


def seller_active_licences(seller: User) -> list[Licence]:
    return list(
        Licence.objects.filter(
            seller=seller, status=LicenceStatus.ACTIVE, valid_until__gte=timezone.localdate()
        )
    )


# --- what a seller may do, and what buyers see ---------------------------------------------


def seller_level(seller: User) -> int:
    v = Verification.objects.filter(seller=seller).first()
    if v is None or v.status != Status.VERIFIED:
        return Level.NONE
    if seller_active_licences(seller):
        return Level.LICENSED
    return Level.BUSINESS if v.kind == Kind.BUSINESS else Level.IDENTITY


def seller_check_can_list(seller: User, category: str) -> None:
    """A seller lists only once verified and not overdue, and a regulated category only with
    an active licence for it."""
    v = Verification.objects.filter(seller=seller).first()
    if v is None:
        raise Forbidden(
            "verify your identity before listing goods (E-Commerce Law Art. 27)",
            code="not_verified",
        )
    if v.status == Status.LAPSED:
        raise Forbidden(
            "your re-verification is overdue: verify again to sell", code="verification_lapsed"
        )
    needed = LICENCE_FOR.get(category)
    if needed and not any(lic.kind == needed for lic in seller_active_licences(seller)):
        raise Forbidden(
            msg(
                "category {category}: an active {licence} licence is "
                "required (E-Commerce Law Art. 12)",
                category=category,
                licence=needed.replace("_", " "),
            ),
            code="licence_required",
        )


def seller_check_can_take_orders(seller_id: int) -> None:
    closure = shop_closure_of(seller_id)
    seller_refuse_if_closed(closure.closes_at if closure is not None else None)
    seller_refuse_orders(
        Verification.objects.filter(seller_id=seller_id).values_list("status", flat=True).first()
    )


# --- closing a shop (ECL 16) -------------------------------------------------------------------


def _closer(actor: User) -> None:
    if actor.role != Role.SELLER:
        raise Forbidden("only sellers close shops", code="not_a_seller")


def shop_closure_of(seller_id: int) -> ShopClosure | None:
    """The seller's closure under way (announced, not called off), if any."""
    return ShopClosure.objects.filter(seller_id=seller_id, cancelled_at__isnull=True).first()


def shop_closure_notice_days(on: dt.date | None = None) -> int:
    """How many days ahead a closure is announced (ECL 16), on `on` (today)."""
    return int(params.value("shop_closure.notice_days", on or timezone.now().date()))


def shop_closure_last_day(now: dt.datetime | None = None) -> dt.date:
    """The last day of trade (Beijing time) of a shop whose closure is announced at `now`: a
    full `shop_closure.notice_days` days of notice; the shop closes at that day's end."""
    now = now or timezone.now()
    today = now.astimezone(BEIJING).date()
    return today + dt.timedelta(days=shop_closure_notice_days(today))


@transaction.atomic
def shop_closure_announce(*, actor: User, reason: str = "") -> ShopClosure:
    """The seller announces that its shop stops trading: it closes `shop_closure.notice_days`
    days from now (ECL 16), the notice is shown on its public page until then, and its
    withdrawals stop until the closure is over. Recorded on the seller's evidence chain."""
    _closer(actor)
    reason = clean_text(reason, "reason", 300, required=False, multiline=True)
    User.objects.select_for_update().filter(pk=actor.pk).values_list("pk").first()
    if shop_closure_of(actor.pk) is not None:
        raise Conflict("your shop's closure is already announced", code="closure_under_way")
    now = timezone.now()
    days = shop_closure_notice_days(now.astimezone(BEIJING).date())
    closure = ShopClosure.objects.create(
        seller=actor,
        reason=reason,
        announced_at=now,
        # A full `days` days of notice: the shop stops at the end of the last one.
        closes_at=end_of_day(shop_closure_last_day(now)),
    )
    evidence.append(
        chain=f"seller:{actor.pk}",
        kind="seller.closure_announced",
        body={
            "seller": actor.pk,
            "closes_at": evidence.iso(closure.closes_at),
            "notice_days": days,
            "reason": reason,
        },
    )
    return closure


@transaction.atomic
def shop_closure_cancel(*, actor: User) -> ShopClosure:
    """The seller calls its closure off, while the shop still trades (before it closes)."""
    _closer(actor)
    closure = (
        ShopClosure.objects.select_for_update()
        .filter(seller_id=actor.pk, cancelled_at__isnull=True)
        .first()
    )
    if closure is None:
        raise NotFound("your shop has no closure under way")
    now = timezone.now()
    if closure.closes_at <= now:
        raise Conflict(
            "your shop has closed: a closed shop cannot be reopened this way", code="shop_closed"
        )
    closure.cancelled_at = now
    closure.save(update_fields=["cancelled_at"])
    evidence.append(
        chain=f"seller:{actor.pk}",
        kind="seller.closure_cancelled",
        body={"seller": actor.pk, "closure_announced_at": evidence.iso(closure.announced_at)},
    )
    return closure


def seller_refuse_if_closed(closes_at: dt.datetime | None) -> None:
    """Forbidden if the seller's shop, closing at `closes_at` (None: no closure under way),
    has closed. The checkout reads `closes_at` with the listing and calls this."""
    if closes_at is not None and closes_at <= timezone.now():
        raise Forbidden("this shop has closed and takes no new orders", code="shop_closed")


def seller_refuse_orders(status: str | None) -> None:
    """Forbidden unless a seller whose verification is `status` (None: never verified) may
    take new orders. The checkout reads the status with the listing and calls this."""
    if status is None:
        raise Forbidden(
            "this seller is not verified and cannot take orders", code="seller_not_verified"
        )
    if status == Status.LAPSED:
        raise Forbidden(
            "this seller's re-verification is overdue: it cannot take new orders now",
            code="seller_lapsed",
        )


def seller_registration_duty(seller: User, *, today: dt.date | None = None) -> list[dict[str, Any]]:
    """The law engine's view of whether the seller must register as a market entity: its
    sales over the last 12 months added up across every shop of the same identity (OTSM 8)."""
    today = today or timezone.localdate()
    v = Verification.objects.filter(seller=seller).first()
    shops = (
        list(
            Verification.objects.filter(number_index=v.number_index).values_list(
                "seller_id", flat=True
            )
        )
        if v
        else [seller.pk]
    )
    since = timezone.now() - dt.timedelta(days=365)
    # The orders app (above sellers) counts the sales.
    sales = hooks.ask(hooks.SELLER_SALES, seller_ids=shops, since=since) or 0
    categories = set(
        seller.listings.filter(is_active=True)
        .exclude(current_snapshot=None)
        .values_list("current_snapshot__category", flat=True)
    )
    licensed = next((c for c in categories if c in LICENCE_FOR), None)
    facts = CaseFacts(
        as_of=today,
        purchase=Purchase(
            channel="online",
            seller=Seller(
                role="seller",
                kind="company" if v and v.kind == Kind.BUSINESS else "individual",
                annual_sales_fen=sales,
                sells_continuously=sales > 0,
            ),
            item=Item(category=licensed or "general"),  # type: ignore[arg-type]
        ),
        claim=Claim(kind="seller_registration"),
    )
    return [d.json() for d in engine.decide(facts)]


# --- disclosure ------------------------------------------------------------------------------


# Who may ask for a seller's identity at all: the operator and regulators for themselves; a
# buyer, naming the order or case that entitles them (CRPL Art. 44).
_MAY_ASK = (Role.OPERATOR, Role.REGULATOR, Role.BUYER)


def seller_identity_may_ask(user: User) -> bool:
    """Whether `user` may ask for a seller's identity (a buyer must still name an order or
    case of theirs with that seller, which the disclosure checks)."""
    return user.is_authenticated and user.role in _MAY_ASK


def seller_identity_needs_reference(user: User) -> bool:
    """Whether `user` must name an order or case to have a seller's identity (a buyer)."""
    return user.role == Role.BUYER


def _basis(actor: User, seller: User, reference: str) -> str:
    """Why `actor` is entitled to the seller's identity, or Forbidden."""
    if actor.role == Role.OPERATOR:
        return "operator"
    if actor.role == Role.REGULATOR:
        return "regulator"
    if actor.role == Role.BUYER:
        _harmed_buyer(actor, seller, reference)
        return "crpl_44"
    raise Forbidden(
        "only a buyer of this seller (naming the order or case), a regulator or the operator "
        "may have its real identity",
        code="not_entitled",
    )


def _harmed_buyer(actor: User, seller: User, reference: str) -> None:
    """CRPL Art. 44 entitles a consumer harmed in a purchase: a buyer who paid this seller
    for the order it names (and did not cancel it before shipment), or whose case against the
    seller Anxin has admitted. The app whose reference it is judges it (and refuses, saying
    why); a reference nobody owns is refused here."""
    if hooks.ask(hooks.IDENTITY_BASIS, buyer=actor, seller=seller, reference=reference):
        return
    raise Forbidden(
        msg(
            "name an order you paid to this seller, or your admitted "
            "case against it (no order or case {reference} "
            "of yours with this seller)",
            reference=reference or "(none given)",
        ),
        code="not_entitled",
    )


@transaction.atomic
def seller_identity_disclose(*, actor: User, seller_id: int, reference: str = "") -> dict[str, str]:
    """The seller's real name, address and contact (and, to a regulator or the operator, its
    full number), to an entitled party; every disclosure is logged and committed to the
    evidence log."""
    seller = User.objects.filter(pk=seller_id, role=Role.SELLER).first()
    v = Verification.objects.filter(seller_id=seller_id).first() if seller else None
    if seller is None or v is None:
        raise NotFound(msg("seller {seller_id}: no verified seller", seller_id=seller_id))
    basis = _basis(actor, seller, reference)
    seller_lock(seller_id)
    out = {
        "name": crypto.open_sealed(v.name_sealed, "name"),
        "address": crypto.open_sealed(v.address_sealed, "address"),
        "contact": crypto.open_sealed(v.contact_sealed, "contact"),
        "number": v.number_masked,
    }
    if basis in ("regulator", "operator"):
        out["number"] = crypto.open_sealed(v.number_sealed, "number")
    now = timezone.now()
    Disclosure.objects.create(
        seller=seller, to=actor, basis=basis, reference=reference[:40], fields=sorted(out), at=now
    )
    evidence.append(
        chain=f"seller:{seller_id}",
        kind="seller.disclosed",
        body={"to": actor.pk, "basis": basis, "reference": reference[:40], "fields": sorted(out)},
        at=now,
    )
    return out
