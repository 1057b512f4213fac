"""The dispute desk: complaint, negotiation, mediation, adjudication, appeal, and the remedy paid.

Every change runs in one transaction that locks the case's order first (when there is one, as
every order service does) and then the case row, so two officers, a party and a timer racing
on one case resolve to one outcome. Each step of a case waits for one party until `due_at`;
`deadline()` applies the step's default when that time has come, from the stored time, so a
timer that fires twice or late changes nothing twice. A remedy is executed once: under the
locks, `executed_at` is checked, and the ledger's transfer ids are made from the case, so a
retried execution is refused by the ledger too.

Every step is a case event and an evidence record on the case's chain (`dispute:<number>`),
and both parties see all of it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
import statistics
from collections.abc import Iterable
from contextvars import ContextVar
from dataclasses import dataclass
from dataclasses import field as default
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from anxin.accounts.models import Role, User
from anxin.aftersales.models import AfterSale
from anxin.aftersales.models import Status as AfterSaleStatus
from anxin.core import uploads
from anxin.core.errors import (
    Conflict,
    Forbidden,
    InvalidTransition,
    NotFound,
    RateLimited,
    ValidationFailed,
)
from anxin.core.sql import insert_rows, insert_two_update, update_rows
from anxin.core.tasks_backend import enqueued_together
from anxin.core.text import clean_text, is_whole
from anxin.disputes.models import (
    Appeal,
    Category,
    Decision,
    Dispute,
    DisputeEvent,
    Evidence,
    Notification,
    Outcome,
    Stage,
    Step,
    Vote,
)
from anxin.evidence import services as evidence
from anxin.evidence.models import LogState, Record
from anxin.law import catalogue, engine
from anxin.law.facts import CaseFacts, Claim, Item, Purchase, Seller
from anxin.orders import services as orders
from anxin.orders.models import HoldKind, Order, OrderStatus
from anxin.orders.selectors import order_for
from anxin.remedies.models import SellerDebt
from anxin.remedies.selectors import returned_to_buyer
from anxin.remedies.services import Paid, remedy_pay_buyer

St = Step
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
# Which of the law engine's claims a complaint of each category is (none: the engine has no
# rule for it, and the case is decided on its facts, up to what was paid).
LAW_CLAIM: dict[str, str] = {
    Category.NOT_DELIVERED: "not_supplied",
    Category.LATE: "not_supplied",
    Category.NOT_AS_DESCRIBED: "quality_defect",
    Category.QUALITY_DEFECT: "quality_defect",
    Category.AFTER_SALES_REFUSED: "quality_defect",
    Category.COUNTERFEIT: "fraud",
    Category.FALSE_ADVERTISING: "fraud",
    Category.PRICE_FRAUD: "fraud",
}


# The evidence that makes each category's case; the filing page says which are missing.
WANTED: dict[str, tuple[str, ...]] = {
    Category.NOT_DELIVERED: ("shipment", "tracking"),
    Category.LATE: ("promised_days", "shipment"),
    Category.NOT_AS_DESCRIBED: ("listing", "photos"),
    Category.QUALITY_DEFECT: ("listing", "photos", "delivery"),
    Category.COUNTERFEIT: ("listing", "photos", "authenticity"),
    Category.FALSE_ADVERTISING: ("listing", "photos"),
    Category.AFTER_SALES_REFUSED: ("after_sale", "photos"),
    Category.PRICE_FRAUD: ("listing", "price_history"),
}


# --- batches --------------------------------------------------------------------------------


@dataclass
class _Batch:
    """Writes of many cases' deadline steps, held back and made together at the end of the
    batch's transaction (deadlines_batch): their events and evidence records, the cases' rows,
    decisions and notices, in a handful of statements instead of a dozen per case. Reads the
    steps need (latest decisions, officers' loads) are made once for all."""

    events: list[tuple[dict[str, Any], dict[str, Any]]] = default(default_factory=list)
    dirty: dict[int, Dispute] = default(default_factory=dict)
    notices: list[Notification] = default(default_factory=list)
    decisions: list[Decision] = default(default_factory=list)
    latest: dict[int, Decision] = default(default_factory=dict)
    loads: dict[str, dict[int, int]] = default(default_factory=dict)

    def prefetch(self, cases: list[Dispute]) -> None:
        for dec in Decision.objects.filter(dispute__in=cases).order_by("pk"):
            self.latest[dec.dispute_id] = dec

    def flush(self) -> None:
        from anxin.disputes.tasks import email_task

        if self.decisions:
            Decision.objects.bulk_create(self.decisions)
        if self.events:
            insert_rows(Record, [r for r, _ in self.events])
            insert_rows(DisputeEvent, [e for _, e in self.events])
        if self.dirty:
            update_rows(
                Dispute,
                "id",
                [
                    {"id": d.pk} | {f: getattr(d, attname) for f, attname in _BATCH_ATTNAMES}
                    for d in self.dirty.values()
                ],
            )
        if self.notices:
            for n in Notification.objects.bulk_create(self.notices):
                email_task.enqueue(n.pk)


_BATCH_FIELDS = [
    "stage",
    "step",
    "due_at",
    "evidence_head",
    "mediator",
    "adjudicator",
    "outcome",
    "remedy_fen",
    "proposal_fen",
    "proposal_text",
    "buyer_accepted_at",
    "seller_accepted_at",
    "closed_at",
]
# (field, attribute): foreign keys are written by their id.
_BATCH_ATTNAMES = [(f, f"{f}_id" if f in ("mediator", "adjudicator") else f) for f in _BATCH_FIELDS]
_batch: ContextVar[_Batch | None] = ContextVar("_dispute_batch", default=None)


# --- reading ---------------------------------------------------------------------------------


def can_see(user: User, d: Dispute) -> bool:
    if user.role == Role.OPERATOR:
        return True
    if user.pk in (d.buyer_id, d.seller_id, d.mediator_id, d.adjudicator_id):
        return True
    if user.role == Role.REGULATOR and d.transferred_at is not None:
        return True
    appeal = getattr(d, "appeal", None) if _has_appeal(d) else None
    return appeal is not None and user.pk in appeal.members


def _has_appeal(d: Dispute) -> bool:
    try:
        d.appeal  # noqa: B018
    except Appeal.DoesNotExist:
        return False
    return True


def visible(user: User) -> QuerySet[Dispute]:
    qs = Dispute.objects.select_related("buyer", "seller", "order")
    if user.role == Role.OPERATOR:
        return qs
    mine = Q(buyer=user) | Q(seller=user) | Q(mediator=user) | Q(adjudicator=user)
    if user.role in (Role.ADJUDICATOR, Role.BUYER, Role.SELLER):
        # Panels and juries: few appeals are open at a time, and their members are a list.
        seats = [
            a.dispute_id
            for a in Appeal.objects.filter(decided_at__isnull=True).only("dispute_id", "members")
            if user.pk in a.members
        ]
        mine |= Q(pk__in=seats)
    if user.role == Role.REGULATOR:
        mine |= Q(transferred_at__isnull=False)
    return qs.filter(mine)


def dispute_for(user: User, number: str) -> Dispute:
    """The case, or the same 404 whether it does not exist or is not the user's to see."""
    d = (
        Dispute.objects.select_related("buyer", "seller", "order", "mediator", "adjudicator")
        .filter(number=number)
        .first()
    )
    if d is None or not can_see(user, d):
        raise NotFound(f"case {number}: not found")
    return d


def role_in(user: User, d: Dispute) -> str:
    if user.pk == d.buyer_id:
        return "buyer"
    if user.pk == d.seller_id:
        return "seller"
    if user.pk == d.mediator_id:
        return "mediator"
    if user.pk == d.adjudicator_id:
        return "adjudicator"
    if _has_appeal(d) and user.pk in d.appeal.members:
        return "panel"
    return user.role


# --- the law's view --------------------------------------------------------------------------


def _day(at: dt.datetime) -> dt.date:
    return timezone.localtime(at).date()


def law_for(
    *,
    category: str,
    order: Order | None,
    paid_fen: int,
    paid_on: dt.date | None,
    now: dt.datetime,
    after_sale: AfterSale | None = None,
) -> tuple[list[dict[str, Any]], int]:
    """The law engine's decisions on a complaint of this category, and the amount they grant
    (refund and damages the seller owes). No decisions when the engine has no rule for it."""
    kind = LAW_CLAIM.get(category)
    if after_sale is not None and after_sale.law:
        decisions = after_sale.law.get("decisions", [])
        return decisions, _granted(decisions)
    if kind is None:
        return [], 0
    if order is not None:
        from anxin.aftersales.services import facts_for

        base = facts_for(order, "quality_return", "intact", now=now)
        purchase = base.purchase
        if kind == "not_supplied":
            # Whether the goods came is what the order records (for other claims facts_for
            # takes a buyer complaining about the goods to have them).
            delivered = _day(order.delivered_at) if order.delivered_at else None
            purchase = purchase.model_copy(update={"delivered_at": delivered})
        facts = base.model_copy(
            update={
                "claim": Claim(kind=kind, requested_at=_day(now)),  # type: ignore[arg-type]
                "purchase": purchase,
            }
        )
    else:
        facts = CaseFacts(
            as_of=_day(now),
            purchase=Purchase(
                channel="online",
                seller=Seller(role="seller", kind="individual"),
                item=Item(category="general", price_fen=paid_fen, quantity=1),
                paid_at=paid_on,
            ),
            claim=Claim(kind=kind, requested_at=_day(now)),  # type: ignore[arg-type]
        )
    decisions = [d.json() for d in engine.decide(facts)]
    return decisions, _granted(decisions)


def _granted(decisions: list[dict[str, Any]]) -> int:
    total = 0
    for d in decisions:
        if d.get("outcome") not in ("granted", "partly_granted"):
            continue
        for r in d.get("remedies", []):
            if r.get("payer") == "seller" and r.get("kind") != "deposit_return":
                total += int(r.get("amount_fen") or 0)
    return total


def proposal(d: Dispute) -> dict[str, Any]:
    """The law engine's proposed remedy for the case, within what the case allows: the
    refund part (at most the price) and the compensation on top, in full; what the buyer
    already has back is taken off when the remedy is paid."""
    total = min(d.law_fen, d.cap_fen)
    refund = min(total, _price(d))
    citations: list[dict[str, Any]] = []
    for dec in d.law:
        for c in dec.get("citations", []):
            if c not in citations:
                citations.append(c)
    return {"refund_fen": refund, "compensation_fen": total - refund, "citations": citations}


def _price(d: Dispute) -> int:
    """What was paid for what the case is about. Remedies are reckoned in full (the price
    back and damages on top); what already reached the buyer is taken off when they are
    paid (money.pay_buyer), so a refund made while the case was open is never paid twice."""
    return d.order.amount_fen if d.order is not None else d.outside_paid_fen


def routes(claimed_fen: int, law_fen: int) -> list[dict[str, Any]]:
    """Anxin's desk, the 12315 line and a small-claims suit side by side: expected days, cost
    and remedy, so that nobody gives up thinking a claim is not worth it. Estimates; the
    figures and their sources are in the route table (ROUTES)."""
    # What the buyer may expect: the claim, within what the law gives where it gives a
    # figure; before an amount is typed, what the law gives.
    expected = min(claimed_fen, law_fen) if claimed_fen and law_fen else claimed_fen or law_fen
    desk_days = (
        settings.ANXIN_DISPUTE_ANSWER_DAYS
        + settings.ANXIN_DISPUTE_MEDIATION_DAYS
        + settings.ANXIN_DISPUTE_ACCEPT_DAYS
        + settings.ANXIN_DISPUTE_EVIDENCE_DAYS
        + settings.ANXIN_DISPUTE_DECISION_DAYS
    )
    out = []
    for r in ROUTES:
        days = desk_days if r["key"] == "anxin" else r["days"]
        cost = r["cost_fen"](claimed_fen)
        out.append(
            {
                **{k: v for k, v in r.items() if k != "cost_fen"},
                "days": days,
                "cost_fen": cost,
                "expected_fen": expected,
                "net_fen": expected - cost,
            }
        )
    return out


# 诉讼费用交纳办法 Art. 13(1): a money claim pays 50 yuan up to 10,000 yuan, then a falling
# share of each band above (per mille, by the band's upper end in fen).
_FEE_BANDS = [
    (10_000_000, 25),
    (20_000_000, 20),
    (50_000_000, 15),
    (100_000_000, 10),
    (200_000_000, 9),
    (500_000_000, 8),
    (1_000_000_000, 7),
    (2_000_000_000, 6),
]


def _court_fee(claimed_fen: int) -> int:
    """The court fee of a small-claims suit, in fen: Art. 13(1), halved for the simplified
    procedure (Art. 16)."""
    fee, lower = 5_000, 1_000_000
    for upper, per_mille in _FEE_BANDS:
        if claimed_fen <= lower:
            break
        fee += (min(claimed_fen, upper) - lower) * per_mille // 1000
        lower = upper
    if claimed_fen > lower:
        fee += (claimed_fen - lower) * 5 // 1000
    return fee // 2


ROUTES: list[dict[str, Any]] = [
    {
        "key": "anxin",
        "cost_fen": lambda claimed: 0,
        "source": "Anxin's settings (ANXIN_DISPUTE_*_DAYS): the longest path to a decision",
        "binding": True,
        "paid_by_anxin": True,
    },
    {
        "key": "12315",
        # 市场监督管理投诉举报处理暂行办法: accepted or not within 7 working days (Art. 17),
        # mediation concluded within 45 working days of acceptance (Art. 27); ~75 days.
        "days": 75,
        "cost_fen": lambda claimed: 0,
        "source": "市场监督管理投诉举报处理暂行办法 Arts. 17 and 27 (working days, estimated)",
        "binding": False,
        "paid_by_anxin": False,
    },
    {
        "key": "small_claims",
        # 民事诉讼法 (2021) Art. 168: small claims concluded within two months of filing.
        "days": 60,
        "cost_fen": _court_fee,
        "source": "民事诉讼法 Art. 168; 诉讼费用交纳办法 Arts. 13 and 16",
        "binding": True,
        "paid_by_anxin": False,
    },
]


def evidence_held(order: Order | None) -> dict[str, bool]:
    """What Anxin already holds for the order, by the names WANTED uses."""
    if order is None:
        return {}
    return {
        "listing": True,  # the snapshot the buyer paid for is kept with the order
        "promised_days": True,
        "shipment": order.shipped_at is not None,
        "tracking": bool(order.tracking_number),
        "delivery": order.delivered_at is not None,
        "after_sale": order.after_sales.exists(),
    }


def filing_view(
    *, user: User, category: str, claimed_fen: int, number: str = "", paid_fen: int = 0
) -> dict[str, Any]:
    """Everything the filing page shows before the complaint is sent."""
    if category not in Category.values:
        raise ValidationFailed(
            f"category: must be one of {', '.join(Category.values)}", field="category"
        )
    order = order_for(user, number) if number else None
    now = timezone.now()
    after_sale = _escalated_after_sale(order) if order is not None else None
    law, law_fen = law_for(
        category=category,
        order=order,
        paid_fen=order.amount_fen if order is not None else paid_fen,
        paid_on=_day(order.paid_at) if order is not None and order.paid_at else _day(now),
        now=now,
        after_sale=after_sale,
    )
    held = evidence_held(order)
    wanted = WANTED.get(category, ())
    return {
        "law": law,
        "law_fen": law_fen,
        "held": [w for w in wanted if held.get(w)],
        "missing": [w for w in wanted if not held.get(w)],
        "routes": routes(claimed_fen, law_fen),
    }


def _escalated_after_sale(order: Order) -> AfterSale | None:
    return (
        order.after_sales.filter(status=AfterSaleStatus.ESCALATED).order_by("-pk").first()
        if order.pk
        else None
    )


# --- writing helpers -------------------------------------------------------------------------


def chain(d: Dispute) -> str:
    return f"dispute:{d.number}"


def _event(
    d: Dispute, kind: str, *, actor: User | None, role: str | None = None, **detail: Any
) -> int:
    """One step's history row and evidence record (the record links to the case's last), and
    the case's evidence head moved to it: one statement on PostgreSQL."""
    now = timezone.now()
    role = role or (role_in(actor, d) if actor is not None else "system")
    body = {"case": d.number, "actor_role": role, **detail}
    if actor is not None:
        body["actor"] = actor.pk
    values = evidence.prepare(
        chain=chain(d), kind=f"dispute.{kind}", body=body, at=now, prev=d.evidence_head
    )
    d.evidence_head = values["commitment"]
    b = _batch.get()
    event = {
        "dispute": d.pk,
        "kind": kind,
        "actor": actor.pk if actor is not None else None,
        "actor_role": role,
        "detail": detail,
        "at": now,
    }
    if b is not None:
        b.events.append((values, event))
        b.dirty[d.pk] = d
        return 0
    return int(
        insert_two_update(
            Record,
            values,
            DisputeEvent,
            event,
            Dispute,
            {"id": d.pk},
            evidence_head=d.evidence_head,
        )
    )


def notify(users: Iterable[User | int | None], d: Dispute | None, kind: str, **params: Any) -> None:
    """An in-app notice for each user, and an e-mail queued with it (sent by a worker): the
    notices in one INSERT, their queue rows in another."""
    from anxin.disputes.tasks import email_task

    now = timezone.now()
    ids = sorted({u if isinstance(u, int) else u.pk for u in users if u is not None})
    rows = [
        Notification(user_id=u, dispute=d, kind=kind, params=params, created_at=now) for u in ids
    ]
    b = _batch.get()
    if b is not None:
        b.notices += rows
        return
    made = Notification.objects.bulk_create(rows)
    with enqueued_together():
        for n in made:
            email_task.enqueue(n.pk)


def _officers(d: Dispute) -> list[int | None]:
    return [d.mediator_id, d.adjudicator_id]


def _parties(d: Dispute) -> list[int]:
    return [d.buyer_id, d.seller_id]


_ORDER_OF_CASE = "SELECT order_id FROM disputes_dispute WHERE {column} = %s"


def _locked(number: str | None = None, pk: int | None = None) -> Dispute:
    """The case, locked, after its order (the order lock comes first, as everywhere): the
    order is found and locked in one statement."""
    column, value = ("number", number) if number else ("id", pk or 0)
    order = orders.lock_order_where(
        f"o.id = ({_ORDER_OF_CASE.format(column=column)})",
        value,
    )
    d = Dispute.objects.select_for_update().filter(**{column: value}).first()
    if d is None:
        raise NotFound(f"case {number or pk}: not found")
    if order is not None:
        d.order = order
    return d


def _for_actor(actor: User, number: str) -> Dispute:
    d = _locked(number=number)
    if not can_see(actor, d):
        raise NotFound(f"case {number}: not found")
    return d


def _expect(d: Dispute, *steps: str) -> None:
    if d.step not in steps:
        raise InvalidTransition(
            f"case {d.number} is at {d.step}; this needs {' or '.join(steps)}",
            code="dispute_step",
        )


def _must_be(actor: User, d: Dispute, *who: str) -> str:
    role = role_in(actor, d)
    if role not in who:
        raise Forbidden(f"only the {' or '.join(who)} can do this in case {d.number}")
    return role


def _move(d: Dispute, stage: str, step: str, days: int | None, **fields: Any) -> None:
    d.stage, d.step = stage, step
    d.due_at = timezone.now() + dt.timedelta(days=days) if days else None
    for k, v in fields.items():
        setattr(d, k, v)
    b = _batch.get()
    if b is not None:
        b.dirty[d.pk] = d
    else:
        d.save()
    _schedule(d)


def _schedule(d: Dispute) -> None:
    from anxin.disputes.tasks import deadline_task, remind_task

    if d.due_at is None:
        return
    deadline_task.using(run_after=d.due_at).enqueue(d.pk)
    remind_at = d.due_at - dt.timedelta(hours=settings.ANXIN_DISPUTE_REMIND_HOURS)
    if remind_at > timezone.now():
        remind_task.using(run_after=remind_at).enqueue(d.pk)


def _amount(value: Any, field: str, *, most: int) -> int:
    if not is_whole(value):
        raise ValidationFailed(f"{field}: must be a whole number of fen", field=field)
    if value < 0:
        raise ValidationFailed(f"{field}: must not be negative", field=field)
    if value > most:
        raise ValidationFailed(f"{field}: at most {most} fen in this case", field=field)
    return value


def _new_number() -> str:
    return f"DS{timezone.localtime().strftime('%Y%m%d')}{secrets.token_hex(4).upper()}"


# --- filing ----------------------------------------------------------------------------------


@transaction.atomic
def file(
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
    seller made elsewhere (`seller_username` with what was bought, paid and when, and at least
    one piece of evidence)."""
    if actor.role != Role.BUYER:
        raise Forbidden("only buyers can file complaints", code="not_a_buyer")
    if category not in Category.values:
        raise ValidationFailed(
            f"category: must be one of {', '.join(Category.values)}", field="category"
        )
    claim = clean_text(claim, "claim", 2000, multiline=True)
    now = timezone.now()
    _within_filing_limits(actor, now)
    order: Order | None = None
    after_sale = None
    if number:
        order = orders._locked_for(actor, number)
        if order.buyer_id != actor.pk:
            raise NotFound(f"order {number}: not found")
        if order.status not in OPEN_ORDER_STATUSES:
            hint = (
                "; cancel it instead: an order not yet shipped is refunded in full at once"
                if order.status == OrderStatus.PAID
                else ""
            )
            raise InvalidTransition(
                f"order {number} is {order.status}: no complaint can be filed{hint}",
                code="order_status",
            )
        if Dispute.objects.filter(order=order, closed_at__isnull=True).exists():
            raise Conflict(f"order {number} already has an open case", code="dispute_open")
        seller_id, paid_fen, paid_on = order.seller_id, order.amount_fen, order.paid_at
        assert paid_on is not None
        paid_day = _day(paid_on)
        after_sale = _escalated_after_sale(order)
    else:
        seller = User.objects.filter(username=seller_username, role=Role.SELLER).first()
        if seller is None:
            raise ValidationFailed(
                "seller: no registered seller by that name", field="seller_username"
            )
        seller_id = seller.pk
        _within_outside_limit(actor, seller_id, now)
        outside_description = clean_text(
            outside_description, "outside_description", 500, multiline=True
        )
        paid_fen = _amount(outside_paid_fen, "outside_paid_fen", most=10**10)
        if paid_fen == 0:
            raise ValidationFailed(
                "outside_paid_fen: must be more than 0", field="outside_paid_fen"
            )
        if outside_paid_on is None or outside_paid_on > _day(now):
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
    claimed = _amount(claimed_fen, "claimed_fen", most=10**10)
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
    _event(
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
    if order is not None:
        orders._event(order, "dispute_filed", actor=actor, case=d.number, category=category)
        if order.status == OrderStatus.SHIPPED and not orders._has_open_hold(order):
            orders.hold_open(order, kind=HoldKind.DISPUTE, actor=actor, reason=f"case {d.number}")
    for label, f in files or []:
        _store_evidence(d, actor, "buyer", label, f)
    _move(d, Stage.NEGOTIATION, St.SELLER_ANSWER, settings.ANXIN_DISPUTE_ANSWER_DAYS)
    notify([d.seller_id], d, "filed")
    return d


def _within_filing_limits(actor: User, now: dt.datetime) -> None:
    """A complaint costs the seller and the desk time: one account files at most
    ANXIN_DISPUTE_MAX_PER_DAY a day, so nobody floods a seller or the desk."""
    most = settings.ANXIN_DISPUTE_MAX_PER_DAY
    if (
        Dispute.objects.filter(buyer=actor, created_at__gt=now - dt.timedelta(days=1)).count()
        >= most
    ):
        raise RateLimited(
            f"you have filed {most} complaints in the last 24 hours; try again tomorrow",
            code="dispute_rate_limited",
        )


def _within_outside_limit(actor: User, seller_id: int, now: dt.datetime) -> None:
    """Complaints about sales made elsewhere name a seller by user name, with nothing on
    Anxin to show the sale: one account files at most ANXIN_DISPUTE_MAX_OUTSIDE_PER_SELLER
    of them against one seller in 30 days."""
    most = settings.ANXIN_DISPUTE_MAX_OUTSIDE_PER_SELLER
    recent = Dispute.objects.filter(
        buyer=actor,
        seller_id=seller_id,
        order__isnull=True,
        created_at__gt=now - dt.timedelta(days=30),
    ).count()
    if recent >= most:
        raise RateLimited(
            f"you have filed {most} complaints about sales outside Anxin against this seller "
            "in the last 30 days; add evidence to the open case instead",
            code="dispute_rate_limited",
        )


# --- admission -------------------------------------------------------------------------------


@transaction.atomic
def admit(*, actor: User, number: str, reason: str) -> Dispute:
    """The case's mediator or adjudicator has looked at a complaint about a sale made
    elsewhere and finds the sale shown: from now on the case may be decided and paid like
    one about an order on Anxin."""
    d = _for_actor(actor, number)
    _must_be(actor, d, "mediator", "adjudicator")
    _expect_unadmitted(d)
    reason = clean_text(reason, "reason", 2000, multiline=True)
    now = timezone.now()
    d.admitted_at, d.admitted_by, d.admission_reason = now, actor, reason
    d.save(update_fields=["admitted_at", "admitted_by", "admission_reason"])
    _event(d, "admitted", actor=actor, reason=reason)
    notify(_parties(d), d, "admitted")
    return d


@transaction.atomic
def refuse(*, actor: User, number: str, reason: str) -> Dispute:
    """The complaint is not admitted (the file does not show the sale): the case closes with
    its reasons, and the buyer is told the other routes (CRPL Art. 39)."""
    d = _for_actor(actor, number)
    _must_be(actor, d, "mediator", "adjudicator")
    _expect_unadmitted(d)
    reason = clean_text(reason, "reason", 2000, multiline=True)
    d.admission_reason = reason
    _event(d, "not_admitted", actor=actor, reason=reason)
    _close(d, Outcome.NOT_ADMITTED, remedy_fen=0)
    notify(_parties(d), d, "not_admitted")
    return d


def _expect_unadmitted(d: Dispute) -> None:
    if d.stage == Stage.CLOSED or d.step == St.PAYING:
        raise InvalidTransition(f"case {d.number} is closed", code="dispute_step")
    if d.admitted_at is not None:
        raise Conflict(f"case {d.number} has already been admitted", code="admitted")


def _expect_admitted(d: Dispute) -> None:
    if d.admitted_at is None:
        raise Conflict(
            f"case {d.number}: the complaint has not been admitted; admit it (the file shows "
            "the sale) or refuse it before deciding",
            code="not_admitted",
        )


# --- a refund made while the case is open ----------------------------------------------------


def on_buyer_refunded(*, order: Order, amount_fen: int, source: str) -> None:
    """The buyer was paid back on an order with an open case (the seller refunded it, or an
    after-sales refund was paid). Runs in that transaction, under the order's lock. What was
    claimed is now paid: the case closes. Otherwise it goes on for the rest, and whatever it
    awards is paid less what the buyer already has (money.pay_buyer)."""
    returned = returned_to_buyer(order)
    for d in Dispute.objects.select_for_update().filter(order=order, closed_at__isnull=True):
        if d.step == St.PAYING:
            continue  # its remedy is being paid; pay_buyer takes the refund off
        d.order = order
        _event(
            d,
            "buyer_refunded",
            actor=None,
            role="system",
            amount_fen=amount_fen,
            source=source,
            returned_fen=returned,
        )
        if returned >= d.claimed_fen:
            _close(d, Outcome.REFUNDED, remedy_fen=0)
            notify(_parties(d), d, "refunded_closed", amount_fen=returned)
        else:
            notify(_parties(d), d, "refunded_open", amount_fen=returned)


# --- evidence --------------------------------------------------------------------------------


def _store_evidence(
    d: Dispute, actor: User, role: str, text: str, f: UploadedFile | None
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
    item.record_id = _event(d, "evidence", actor=actor, role=role, **body)
    item.save()
    return item


@transaction.atomic
def submit_evidence(
    *, actor: User, number: str, text: str, file: UploadedFile | None = None
) -> Evidence:
    """A party (or the case's officer) puts something on the file. Parties may while the case
    is negotiated or mediated, and in adjudication until the evidence deadline; the appeal
    is heard on the file as it stands."""
    d = _for_actor(actor, number)
    role = _must_be(actor, d, "buyer", "seller", "mediator", "adjudicator")
    if (
        d.stage in (Stage.APPEAL, Stage.CLOSED)
        or d.step == St.PAYING
        or (d.stage == Stage.ADJUDICATION and d.step != St.EVIDENCE and role in ("buyer", "seller"))
    ):
        raise InvalidTransition(
            f"case {d.number}: the time for evidence is over", code="evidence_closed"
        )
    item = _store_evidence(d, actor, role, text, file)
    notify([u for u in [*_parties(d), *_officers(d)] if u != actor.pk], d, "evidence")
    return item


# --- negotiation -----------------------------------------------------------------------------


@transaction.atomic
def answer(*, actor: User, number: str, offer_fen: Any, text: str) -> Dispute:
    """The seller answers: an offer from nothing up to the whole claim, with its reasons.
    Offering the whole claim settles the case at once."""
    d = _for_actor(actor, number)
    _must_be(actor, d, "seller")
    _expect(d, St.SELLER_ANSWER)
    offer = _amount(offer_fen, "offer_fen", most=d.claimed_fen)
    text = clean_text(text, "text", 2000, multiline=True)
    _event(d, "answered", actor=actor, offer_fen=offer, text=text)
    if offer == d.claimed_fen:
        _execute(d, offer, Outcome.SETTLED, actor=actor)
        return d
    _move(
        d,
        Stage.NEGOTIATION,
        St.BUYER_REPLY,
        settings.ANXIN_DISPUTE_REPLY_DAYS,
        offer_fen=offer,
        offer_text=text,
    )
    notify([d.buyer_id], d, "answered", offer_fen=offer)
    return d


@transaction.atomic
def reply(*, actor: User, number: str, accept: bool, reason: str = "") -> Dispute:
    """The buyer takes the seller's offer (the case settles on it), or takes the case to
    mediation."""
    d = _for_actor(actor, number)
    _must_be(actor, d, "buyer")
    _expect(d, St.BUYER_REPLY)
    if accept:
        _event(d, "offer_accepted", actor=actor, offer_fen=d.offer_fen)
        _execute(d, d.offer_fen or 0, Outcome.SETTLED, actor=actor)
        return d
    reason = clean_text(reason, "reason", 500, multiline=True)
    _event(d, "offer_refused", actor=actor, reason=reason)
    _to_mediation(d)
    return d


@transaction.atomic
def withdraw(*, actor: User, number: str, reason: str = "") -> Dispute:
    d = _for_actor(actor, number)
    _must_be(actor, d, "buyer")
    if d.stage in (Stage.APPEAL, Stage.CLOSED) or d.step in (St.APPEAL_WINDOW, St.PAYING):
        raise InvalidTransition(f"case {d.number}: it is decided", code="dispute_step")
    reason = clean_text(reason, "reason", 500, required=False, multiline=True)
    _event(d, "withdrawn", actor=actor, reason=reason)
    _close(d, Outcome.WITHDRAWN, remedy_fen=0)
    notify([d.seller_id, *_officers(d)], d, "withdrawn")
    return d


# --- mediation -------------------------------------------------------------------------------


def _officers_by_load(role: str, field: str) -> QuerySet[User]:
    open_cases = (
        Dispute.objects.filter(closed_at__isnull=True, **{field: OuterRef("pk")})
        .order_by()
        .values(field)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        User.objects.filter(role=role, is_active=True)
        .annotate(load=Coalesce(Subquery(open_cases), 0))
        .order_by("load", "pk")
    )


def _least_busy(
    role: str, d: Dispute, field: str, exclude: Iterable[int | None] = ()
) -> int | None:
    """The active officer of this role with the fewest open cases, never a party. In a batch
    the loads are read once and counted up as cases are given out."""
    skip = {u for u in {d.buyer_id, d.seller_id, *exclude} if u is not None}
    b = _batch.get()
    if b is None:
        return (
            _officers_by_load(role, field).exclude(pk__in=skip).values_list("pk", flat=True).first()
        )
    loads = b.loads.get(field)
    if loads is None:
        loads = b.loads[field] = dict(
            _officers_by_load(role, field).values_list("pk", "load")  # type: ignore[misc]
        )
    candidates = [(n, pk) for pk, n in loads.items() if pk not in skip]
    if not candidates:
        return None
    _, chosen = min(candidates)
    loads[chosen] += 1
    return chosen


def _to_mediation(d: Dispute) -> None:
    mediator = d.mediator_id or _least_busy(Role.MEDIATOR, d, "mediator")
    _event(d, "to_mediation", actor=None, mediator=mediator)
    _move(
        d,
        Stage.MEDIATION,
        St.MEDIATOR_PROPOSAL,
        settings.ANXIN_DISPUTE_MEDIATION_DAYS,
        mediator_id=mediator,
        proposal_fen=None,
        proposal_text="",
        buyer_accepted_at=None,
        seller_accepted_at=None,
    )
    notify([*_parties(d), d.mediator_id], d, "mediation")


@transaction.atomic
def propose(*, actor: User, number: str, amount_fen: Any, text: str) -> Dispute:
    """The mediator proposes a settlement: what the seller pays, and on what terms."""
    d = _for_actor(actor, number)
    _must_be(actor, d, "mediator")
    _expect(d, St.MEDIATOR_PROPOSAL)
    amount = _amount(amount_fen, "amount_fen", most=d.claimed_fen)
    text = clean_text(text, "text", 2000, multiline=True)
    _event(d, "proposed", actor=actor, amount_fen=amount, text=text)
    _move(
        d,
        Stage.MEDIATION,
        St.PARTIES_ACCEPT,
        settings.ANXIN_DISPUTE_ACCEPT_DAYS,
        proposal_fen=amount,
        proposal_text=text,
    )
    notify(_parties(d), d, "proposed", amount_fen=amount)
    return d


@transaction.atomic
def respond(*, actor: User, number: str, accept: bool, reason: str = "") -> Dispute:
    """A party accepts the mediator's proposal (binding, and paid, once both have) or
    refuses it (the case goes to adjudication)."""
    d = _for_actor(actor, number)
    role = _must_be(actor, d, "buyer", "seller")
    _expect(d, St.PARTIES_ACCEPT)
    if not accept:
        reason = clean_text(reason, "reason", 500, multiline=True)
        _event(d, "proposal_refused", actor=actor, reason=reason)
        _to_adjudication(d)
        return d
    field = f"{role}_accepted_at"
    if getattr(d, field) is not None:
        raise Conflict(f"case {d.number}: you have already accepted", code="already_accepted")
    setattr(d, field, timezone.now())
    d.save(update_fields=[field])
    _event(d, "proposal_accepted", actor=actor)
    if d.buyer_accepted_at and d.seller_accepted_at:
        _execute(d, d.proposal_fen or 0, Outcome.SETTLED, actor=None)
    else:
        other = d.seller_id if role == "buyer" else d.buyer_id
        notify([other, d.mediator_id], d, "accepted")
    return d


# --- adjudication ----------------------------------------------------------------------------


def _to_adjudication(d: Dispute) -> None:
    adjudicator = d.adjudicator_id or _least_busy(
        Role.ADJUDICATOR, d, "adjudicator", exclude=[d.mediator_id]
    )
    _event(d, "to_adjudication", actor=None, adjudicator=adjudicator)
    _move(
        d,
        Stage.ADJUDICATION,
        St.EVIDENCE,
        settings.ANXIN_DISPUTE_EVIDENCE_DAYS,
        adjudicator_id=adjudicator,
    )
    notify([*_parties(d), d.adjudicator_id], d, "adjudication")


def _clean_citations(raw: Any) -> list[dict[str, Any]]:
    if not isinstance(raw, list) or not raw:
        raise ValidationFailed(
            "citations: a decision cites at least one article", field="citations"
        )
    out = []
    for i, c in enumerate(raw):
        if not isinstance(c, dict) or not isinstance(c.get("statute"), str):
            raise ValidationFailed(f"citations[{i}]: needs statute and article", field="citations")
        try:
            statute = catalogue.statute(c["statute"])
        except KeyError:
            raise ValidationFailed(
                f"citations[{i}]: no statute {c['statute']!r}", field="citations"
            ) from None
        article = c.get("article")
        if not is_whole(article) or article not in statute.articles:
            raise ValidationFailed(
                f"citations[{i}]: {statute.id} has no article {article!r}", field="citations"
            )
        item: dict[str, Any] = {"statute": statute.id, "article": article}
        if c.get("paragraph") is not None:
            if not is_whole(c["paragraph"]):
                raise ValidationFailed(
                    f"citations[{i}].paragraph: must be a number", field="citations"
                )
            item["paragraph"] = c["paragraph"]
        out.append(item)
    return out


@transaction.atomic
def decide(
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
    d = _for_actor(actor, number)
    _must_be(actor, d, "adjudicator")
    _expect(d, St.DECISION)
    _expect_admitted(d)
    proposed = proposal(d)
    refund = _amount(refund_fen, "refund_fen", most=_price(d))
    compensation = _amount(compensation_fen, "compensation_fen", most=d.cap_fen)
    if refund + compensation > d.cap_fen:
        raise ValidationFailed(
            f"refund_fen + compensation_fen: at most {d.cap_fen} fen in this case "
            "(what was claimed, within what the law gives)",
            field="compensation_fen",
        )
    reasons = clean_text(reasons, "reasons", 5000, multiline=True)
    cited = _clean_citations(citations)
    departure = clean_text(
        departure_reason, "departure_reason", 2000, required=False, multiline=True
    )
    if (refund, compensation) != (
        proposed["refund_fen"],
        proposed["compensation_fen"],
    ) and not departure:
        raise ValidationFailed(
            "departure_reason: the decision differs from the law engine's proposal "
            f"({proposed['refund_fen']} + {proposed['compensation_fen']} fen); say why",
            field="departure_reason",
        )
    return _decided(
        d,
        actor=actor,
        refund=refund,
        compensation=compensation,
        reasons=reasons,
        citations=cited,
        proposed=proposed,
        departure=departure,
    )


def _decided(
    d: Dispute,
    *,
    actor: User | None,
    refund: int,
    compensation: int,
    reasons: str,
    citations: list[dict[str, Any]],
    proposed: dict[str, Any],
    departure: str = "",
    is_default: bool = False,
) -> Decision:
    decision = Decision(
        dispute=d,
        stage=Stage.ADJUDICATION,
        decided_by=actor,
        is_default=is_default,
        refund_fen=refund,
        compensation_fen=compensation,
        reasons=reasons,
        citations=citations,
        proposal=proposed,
        departure_reason=departure,
        decided_at=timezone.now(),
    )
    b = _batch.get()
    if b is not None:
        b.decisions.append(decision)
        b.latest[d.pk] = decision
    else:
        decision.save()
    _event(
        d,
        "decided",
        actor=actor,
        role=None if actor else "system",
        refund_fen=refund,
        compensation_fen=compensation,
        reasons=reasons,
        citations=citations,
        departure_reason=departure,
        is_default=is_default,
    )
    _move(
        d,
        Stage.ADJUDICATION,
        St.APPEAL_WINDOW,
        settings.ANXIN_DISPUTE_APPEAL_DAYS,
        buyer_accepted_at=None,
        seller_accepted_at=None,
    )
    notify(_parties(d), d, "decided", total_fen=refund + compensation)
    return decision


def latest_decision(d: Dispute) -> Decision | None:
    b = _batch.get()
    if b is not None:
        return b.latest.get(d.pk)
    return d.decisions.order_by("-pk").first()


@transaction.atomic
def accept_decision(*, actor: User, number: str) -> Dispute:
    """A party gives up its appeal; once both have, the decision is paid at once."""
    d = _for_actor(actor, number)
    role = _must_be(actor, d, "buyer", "seller")
    _expect(d, St.APPEAL_WINDOW)
    field = f"{role}_accepted_at"
    if getattr(d, field) is None:
        setattr(d, field, timezone.now())
        d.save(update_fields=[field])
        _event(d, "decision_accepted", actor=actor)
    if d.buyer_accepted_at and d.seller_accepted_at:
        decision = latest_decision(d)
        assert decision is not None
        _execute(d, decision.total_fen, Outcome.DECIDED, actor=None, decision=decision)
    return d


# --- appeal ----------------------------------------------------------------------------------


def draw(seed: str, pool: list[int], k: int) -> list[int]:
    """`k` members from `pool`, reproducibly from `seed`: a Fisher-Yates shuffle of the pool
    (ascending ids) driven by HMAC-SHA256(seed, counter), each index taken without modulo
    bias. Anyone with the seed and the pool gets the same members."""
    if k > len(pool):
        raise ValueError("pool smaller than the panel")
    items = sorted(pool)
    key = bytes.fromhex(seed)
    counter = 0

    def below(n: int) -> int:
        nonlocal counter
        limit = (2**64 // n) * n
        while True:
            block = hmac.new(key, counter.to_bytes(8, "big"), hashlib.sha256).digest()
            counter += 1
            value = int.from_bytes(block[:8], "big")
            if value < limit:
                return value % n

    for i in range(len(items) - 1, 0, -1):
        j = below(i + 1)
        items[i], items[j] = items[j], items[i]
    return items[len(items) - k :][::-1]


def _pool(d: Dispute, body: str) -> list[int]:
    skip = {d.buyer_id, d.seller_id, d.mediator_id, d.adjudicator_id}
    if body == "panel":
        ids = User.objects.filter(role=Role.ADJUDICATOR, is_active=True)
    else:
        # Users who bought or sold on Anxin (a completed order), none of whom has traded with
        # either party: no juror judges a trading partner.
        traded = Order.objects.filter(Q(buyer_id__in=_parties(d)) | Q(seller_id__in=_parties(d)))
        partners = set(traded.values_list("buyer_id", flat=True)) | set(
            traded.values_list("seller_id", flat=True)
        )
        skip |= partners
        active = Order.objects.filter(status=OrderStatus.COMPLETED)
        ids = User.objects.filter(
            Q(pk__in=active.values("buyer_id")) | Q(pk__in=active.values("seller_id")),
            is_active=True,
            role__in=[Role.BUYER, Role.SELLER],
        )
    return sorted(pk for pk in ids.values_list("pk", flat=True) if pk not in skip)


@transaction.atomic
def appeal(*, actor: User, number: str, reason: str) -> Appeal:
    """A party appeals the decision, once, within the appeal window. The panel (three
    adjudicators) or jury is drawn at once from a seed that is the hash of the case, the
    appeal and the evidence log's root at that moment, all published on the case page."""
    d = _for_actor(actor, number)
    _must_be(actor, d, "buyer", "seller")
    _expect(d, St.APPEAL_WINDOW)
    if _has_appeal(d):
        raise Conflict(f"case {d.number} has already been appealed", code="appealed")
    reason = clean_text(reason, "reason", 2000, multiline=True)
    body, size = settings.ANXIN_DISPUTE_APPEAL_BODY, 3
    if body == "jury":
        size = settings.ANXIN_DISPUTE_JURY_SIZE
    pool = _pool(d, body)
    if len(pool) < size and body == "panel":
        body, size = "jury", settings.ANXIN_DISPUTE_JURY_SIZE
        pool = _pool(d, body)
    if len(pool) < size:
        raise Conflict(
            f"case {d.number}: not enough eligible {body} members to hear an appeal "
            f"({len(pool)} of {size}); the operator has been told",
            code="no_panel",
        )
    now = timezone.now()
    state = LogState.objects.first()
    source = {
        "case": d.number,
        "appellant": actor.pk,
        "filed_at": evidence.iso(now),
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
        vote_by=now + dt.timedelta(days=settings.ANXIN_DISPUTE_PANEL_DAYS),
    )
    _event(
        d,
        "appealed",
        actor=actor,
        reason=reason,
        body=body,
        seed=seed,
        source=source,
        members=members,
    )
    _move(d, Stage.APPEAL, St.PANEL_VOTES, settings.ANXIN_DISPUTE_PANEL_DAYS)
    notify([*_parties(d), *members], d, "appealed")
    return a


def seed_of(source: dict[str, Any]) -> str:
    import json

    canonical = json.dumps(source, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def verify_draw(a: Appeal) -> bool:
    return seed_of(a.seed_source) == a.seed and draw(a.seed, a.pool, len(a.members)) == a.members


@transaction.atomic
def vote(*, actor: User, number: str, uphold: bool, remedy_fen: Any = None, reasons: str) -> Vote:
    """A panel member's vote: uphold the decision, or set the remedy. A majority decides."""
    d = _for_actor(actor, number)
    _must_be(actor, d, "panel")
    _expect(d, St.PANEL_VOTES)
    a = d.appeal
    decision = latest_decision(d)
    assert decision is not None
    amount = decision.total_fen if uphold else _amount(remedy_fen, "remedy_fen", most=d.cap_fen)
    reasons = clean_text(reasons, "reasons", 2000, multiline=True)
    if a.votes.filter(member=actor).exists():
        raise Conflict(f"case {d.number}: you have already voted", code="already_voted")
    v = Vote.objects.create(
        appeal=a, member=actor, uphold=uphold, remedy_fen=amount, reasons=reasons, at=timezone.now()
    )
    _event(d, "voted", actor=actor, uphold=uphold, remedy_fen=amount, reasons=reasons)
    result = tally(list(a.votes.all()), len(a.members), final=False)
    if result is not None:
        _appeal_decided(d, a, decision, result)
    return v


def tally(votes: list[Vote], size: int, *, final: bool) -> tuple[bool, int] | None:
    """(upheld, remedy) once a majority of the panel agrees, or at the deadline (`final`)
    by the votes cast: a majority to uphold, or to change it (the median of the changed
    remedies). Too few votes, or a tie, at the deadline: the decision stands."""
    need = size // 2 + 1
    upholds = [v for v in votes if v.uphold]
    changes = [v for v in votes if not v.uphold]
    if len(upholds) >= need:
        return True, -1
    if len(changes) >= need:
        return False, int(statistics.median_low(v.remedy_fen for v in changes))
    if not final:
        return None
    if len(changes) > len(upholds):
        return False, int(statistics.median_low(v.remedy_fen for v in changes))
    return True, -1


def _appeal_decided(
    d: Dispute, a: Appeal, decision: Decision, result: tuple[bool, int], *, queue: bool = False
) -> None:
    upheld, amount = result
    a.decided_at = timezone.now()
    a.save(update_fields=["decided_at"])
    total = decision.total_fen if upheld else amount
    refund = min(total, _price(d))
    final = decision
    if not upheld:
        final = Decision.objects.create(
            dispute=d,
            stage=Stage.APPEAL,
            decided_by=None,
            refund_fen=refund,
            compensation_fen=total - refund,
            reasons="\n\n".join(v.reasons for v in a.votes.filter(uphold=False)),
            citations=decision.citations,
            proposal=proposal(d),
            departure_reason="the appeal panel's majority changed the remedy",
            decided_at=a.decided_at,
        )
    _event(d, "appeal_decided", actor=None, upheld=upheld, remedy_fen=total)
    if queue:
        _to_pay(d, total, Outcome.APPEAL_DECIDED)
    else:
        _execute(d, total, Outcome.APPEAL_DECIDED, actor=None, decision=final)


# --- transfer to the regulator ---------------------------------------------------------------


@transaction.atomic
def transfer(*, actor: User, number: str, reason: str) -> Dispute:
    """The buyer or the mediator sends the case to the market regulator. It appears in the
    regulator's queue with its bundle; Anxin's own process carries on meanwhile."""
    d = _for_actor(actor, number)
    _must_be(actor, d, "buyer", "mediator")
    if d.transferred_at is not None:
        raise Conflict(f"case {d.number} is already with the regulator", code="transferred")
    reason = clean_text(reason, "reason", 500, multiline=True)
    d.transferred_at, d.transferred_by, d.transfer_reason = timezone.now(), actor, reason
    d.save(update_fields=["transferred_at", "transferred_by", "transfer_reason"])
    _event(d, "transferred", actor=actor, reason=reason)
    regulators = User.objects.filter(role=Role.REGULATOR, is_active=True).values_list(
        "pk", flat=True
    )
    notify([*_parties(d), *regulators], d, "transferred")
    return d


@transaction.atomic
def assign(*, actor: User, number: str, mediator: str = "", adjudicator: str = "") -> Dispute:
    """The operator (re)assigns a case's mediator or adjudicator; never to a party."""
    if actor.role != Role.OPERATOR:
        raise Forbidden("only the platform operator assigns cases")
    d = _locked(number=number)
    for field, username, role in (
        ("mediator", mediator, Role.MEDIATOR),
        ("adjudicator", adjudicator, Role.ADJUDICATOR),
    ):
        if not username:
            continue
        user = User.objects.filter(username=username, role=role, is_active=True).first()
        if user is None:
            raise ValidationFailed(f"{field}: no active {role} {username!r}", field=field)
        if user.pk in (d.buyer_id, d.seller_id):
            raise ValidationFailed(f"{field}: a party cannot handle its own case", field=field)
        setattr(d, field, user)
        d.save(update_fields=[field])
        _event(d, f"{field}_assigned", actor=actor, user=user.pk)
        notify([user], d, "assigned")
    return d


# --- deadlines -------------------------------------------------------------------------------


@transaction.atomic
def deadline(*, dispute_id: int) -> str:
    """Apply the default of the step the case waits at, if its time has come. Reads the
    stored time, so firing twice, late or early is harmless. The step's queue rows (timers,
    e-mails) are written together, in one statement."""
    with enqueued_together():
        return _deadline(dispute_id)


def _deadline(dispute_id: int) -> str:
    return _default(_locked(pk=dispute_id))


def _default(d: Dispute) -> str:
    if d.due_at is None or d.stage == Stage.CLOSED:
        return "closed"
    if timezone.now() < d.due_at:
        return "not due"
    step = d.step
    if step == St.SELLER_ANSWER:
        # Silence loses the price back, within what was asked and what the law gives; never
        # damages (only a person awards those) and never on a claim nobody has admitted.
        bound = min(d.claimed_fen, d.law_fen, _price(d)) if d.admitted_at else 0
        _event(d, "seller_silent", actor=None, bound_fen=bound)
        if bound:
            # Loses by default, within what the law engine grants.
            _to_pay(d, bound, Outcome.DEFAULT)
            return "default: decided for the buyer"
        _to_mediation(d)  # the law gives no figure to decide on: a mediator looks at it
        return "default: to mediation"
    if step == St.BUYER_REPLY:
        _event(d, "buyer_silent", actor=None, offer_fen=d.offer_fen)
        if d.offer_fen:
            _to_pay(d, d.offer_fen, Outcome.SETTLED)
            return "default: offer accepted"
        _close(d, Outcome.LAPSED, remedy_fen=0)
        return "default: lapsed"
    if step in (St.MEDIATOR_PROPOSAL, St.PARTIES_ACCEPT):
        _event(d, "mediation_failed", actor=None, step=step)
        _to_adjudication(d)
        return "default: to adjudication"
    if step == St.EVIDENCE:
        _event(d, "evidence_closed", actor=None)
        _move(d, Stage.ADJUDICATION, St.DECISION, settings.ANXIN_DISPUTE_DECISION_DAYS)
        notify([d.adjudicator_id, *_parties(d)], d, "evidence_closed")
        return "evidence closed"
    if step == St.DECISION:
        if d.admitted_at is None:
            _event(d, "not_admitted", actor=None, role="system", reason="not admitted in time")
            _close(d, Outcome.NOT_ADMITTED, remedy_fen=0)
            notify(_parties(d), d, "not_admitted")
            return "default: not admitted"
        proposed = proposal(d)
        _decided(
            d,
            actor=None,
            # No person decided: the refund the law engine proposes, without its damages.
            refund=proposed["refund_fen"],
            compensation=0,
            reasons=(
                "The adjudicator did not decide in time; the law engine's proposal is the "
                "decision, without damages (only a person awards those), open to appeal.\n"
                + "\n".join(_law_reasons(d))
            ),
            citations=proposed["citations"],
            proposed=proposed,
            is_default=True,
        )
        return "default: the law engine's proposal decided"
    if step == St.APPEAL_WINDOW:
        decision = latest_decision(d)
        assert decision is not None
        _to_pay(d, decision.total_fen, Outcome.DECIDED)
        return "final: decision to be paid"
    if step == St.PANEL_VOTES:
        a = d.appeal
        decision = latest_decision(d)
        assert decision is not None
        result = tally(list(a.votes.all()), len(a.members), final=True)
        assert result is not None
        _appeal_decided(d, a, decision, result, queue=True)
        return "default: appeal decided on the votes cast"
    return f"nothing to do at {step}"


def _limit(d: Dispute, outcome: str) -> int:
    """The most a remedy may be: what the parties agreed is bounded only by what was asked;
    a decision (by default, by the adjudicator or on appeal) also by what the law gives."""
    return d.claimed_fen if outcome == Outcome.SETTLED else d.cap_fen


def _to_pay(d: Dispute, amount: int, outcome: str) -> None:
    """A deadline has decided the case: the remedy is fixed now and paid by a task queued
    with this transaction (at once, by the next free worker). A deadline never waits on the
    ledger or a payment provider, and a payment that fails is retried without deciding the
    case again; `pay` and the safety net (`deadlines_run`) pay it exactly once."""
    from anxin.disputes.tasks import pay_task

    amount = min(amount, _limit(d, outcome))
    _move(d, d.stage, St.PAYING, None, outcome=outcome, remedy_fen=amount)
    pay_task.enqueue(d.pk)


@transaction.atomic
def pay(*, dispute_id: int) -> str:
    """Pay the remedy a deadline decided (step PAYING), once."""
    d = _locked(pk=dispute_id)
    if d.executed_at is not None:
        return "already paid"
    if d.step != St.PAYING:
        return f"nothing to pay at {d.step}"
    decision = (
        latest_decision(d) if d.outcome in (Outcome.DECIDED, Outcome.APPEAL_DECIDED) else None
    )
    _execute(d, d.remedy_fen or 0, d.outcome, actor=None, decision=decision)
    return "paid"


def _law_reasons(d: Dispute) -> list[str]:
    return [dec["reasons"]["en"] for dec in d.law if dec.get("reasons", {}).get("en")]


@transaction.atomic
def remind(*, dispute_id: int) -> str:
    """Tell whoever the case waits for that its deadline is near (once per deadline)."""
    d = _locked(pk=dispute_id)
    if d.due_at is None or d.stage == Stage.CLOSED:
        return "closed"
    tag = f"{d.step}@{d.due_at.isoformat()}"[:40]
    if d.reminded_for == tag:
        return "already reminded"
    if timezone.now() < d.due_at - dt.timedelta(hours=settings.ANXIN_DISPUTE_REMIND_HOURS):
        return "not yet"
    waiting: dict[str, list[Any]] = {
        St.SELLER_ANSWER: [d.seller_id],
        St.BUYER_REPLY: [d.buyer_id],
        St.MEDIATOR_PROPOSAL: [d.mediator_id],
        St.PARTIES_ACCEPT: _parties(d),
        St.EVIDENCE: _parties(d),
        St.DECISION: [d.adjudicator_id],
        St.APPEAL_WINDOW: _parties(d),
        St.PANEL_VOTES: list(d.appeal.members) if _has_appeal(d) else [],
    }
    notify(waiting.get(d.step, []), d, "reminder", step=d.step, due_at=d.due_at.isoformat())
    d.reminded_for = tag
    d.save(update_fields=["reminded_for"])
    return "reminded"


BATCH = 200


@transaction.atomic
def deadlines_batch(ids: list[int]) -> int:
    """The defaults of many cases whose deadlines are due, in one transaction: their orders
    and rows locked in ascending order (as every batch and every single step take them, so
    none deadlock), each step applied as `deadline` applies it, and their writes made
    together. Returns how many defaults fired. Remedies are paid by the tasks this queues."""
    order_ids = [
        o for o in Dispute.objects.filter(pk__in=ids).values_list("order_id", flat=True) if o
    ]
    b = _Batch()
    with enqueued_together():
        locked = orders.lock_orders(order_ids)
        cases = list(Dispute.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
        token = _batch.set(b)
        try:
            b.prefetch(cases)
            fired = 0
            for d in cases:
                if d.order_id:
                    d.order = locked[d.order_id]
                fired += not _default(d).startswith(("not due", "closed"))
            b.flush()
        finally:
            _batch.reset(token)
    return fired


def deadlines_run(*, limit: int = 1000) -> dict[str, int]:
    """Every dispute deadline that is due, from stored times (the timers' safety net)."""
    due = list(
        Dispute.objects.filter(closed_at__isnull=True, due_at__lte=timezone.now())
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
    fired = sum(deadlines_batch(due[i : i + BATCH]) for i in range(0, len(due), BATCH))
    paid = 0
    for pk in Dispute.objects.filter(step=St.PAYING, executed_at__isnull=True).values_list(
        "pk", flat=True
    )[:limit]:
        paid += pay(dispute_id=pk) == "paid"
    return {"dispute_defaults": fired, "dispute_remedies_paid": paid}


# --- the remedy ------------------------------------------------------------------------------


def _close(d: Dispute, outcome: str, *, remedy_fen: int) -> None:
    from anxin.reputation import credit

    now = timezone.now()
    order = d.order
    _move(d, Stage.CLOSED, St.DONE, None, outcome=outcome, remedy_fen=remedy_fen, closed_at=now)
    if _batch.get() is None:  # a batch's rows are written at its end; its sellers with them
        credit.refresh([d.seller_id])
    if order is not None:
        for hold in order.holds.filter(kind=HoldKind.DISPUTE, closed_at__isnull=True):
            orders.hold_close(order, hold, actor=None, outcome=outcome, reason=f"case {d.number}")


def _execute(
    d: Dispute, amount: int, outcome: str, *, actor: User | None, decision: Decision | None = None
) -> None:
    """Pay the remedy, once: from escrow while the order's money is held; after payout from
    the seller's balance; what that cannot cover is advanced by the guarantee fund (up to
    the per-case cap) and recorded as the seller's debt to the fund; anything above the cap
    is the seller's debt to the buyer. Runs under the case's (and its order's) lock."""
    if d.executed_at is not None:
        raise Conflict(f"case {d.number}: the remedy has already been paid", code="executed")
    amount = min(amount, _limit(d, outcome))
    order = d.order
    # The remedy is everything the buyer should have back on the order; pay_buyer takes off
    # what already reached the buyer (a refund the seller made while the case was open).
    price = order.amount_fen if order is not None else d.outside_paid_fen
    price_part = min(amount, price)
    paid = Paid()
    if amount:
        paid = remedy_pay_buyer(
            order,
            buyer_id=d.buyer_id,
            seller_id=d.seller_id,
            key=f"dispute:{d.pk}",
            price_fen=price_part,
            extra_fen=amount - price_part,
            reason=f"case {d.number}",
            # The fund advances only on a case Anxin has admitted: never on a claim that
            # nothing Anxin holds supports.
            fund_cap_fen=settings.ANXIN_GUARANTEE_CASE_CAP_FEN if d.admitted_at else 0,
            debt_for={"dispute": d},
        )
        price_part = max(0, price_part - paid.already)
    in_escrow_before = order is not None and order.in_escrow
    now = timezone.now()
    d.executed_at, d.paid_from = now, paid.json()
    d.save(update_fields=["executed_at", "paid_from"])
    _event(
        d,
        "remedy_paid",
        actor=actor,
        role=None if actor else "system",
        amount_fen=amount,
        paid_from=paid.json(),
        decision=decision.pk if decision else None,
    )
    if order is not None:
        _settle_order(d, order, amount, price_part, in_escrow_before)
    _close(d, outcome, remedy_fen=amount)
    if paid.fund or paid.debt:
        from anxin.aftersales.tasks import debts_collect_task

        debts_collect_task.enqueue(d.seller_id)  # the deposit first covers what is owed
    notify(_parties(d), d, "paid", amount_fen=amount, paid_from=paid.json(), outcome=outcome)


def _settle_order(d: Dispute, order: Order, amount: int, price_part: int, held: bool) -> None:
    """The order's state after the remedy: refunded in full, or (if its money was held)
    completed with the seller keeping what was not refunded."""
    full = price_part >= order.amount_fen
    if amount and (full or held):
        to = OrderStatus.REFUNDED if full else OrderStatus.COMPLETED
        fields: dict[str, Any] = (
            {"closed_at": timezone.now(), "close_reason": f"case {d.number}"}
            if full
            else {"completed_at": timezone.now(), "confirmed_by": "dispute"}
        )
        orders.order_transition(
            order,
            to,
            actor=None,
            role="system",
            kind="refunded" if full else "confirmed",
            fields=fields,
            case=d.number,
            amount_fen=amount,
        )
    orders._event(
        order, "dispute_closed", actor=None, role="system", case=d.number, amount_fen=amount
    )


def on_debt_repaid(*, debt: SellerDebt, detail: dict[str, Any]) -> None:
    """A debt the case's remedy left was repaid (remedies, hook DEBT_REPAID): the case shows it."""
    if debt.dispute_id is None:
        return
    d = Dispute.objects.select_for_update().get(pk=debt.dispute_id)
    _event(d, "debt_repaid", actor=None, role="system", **detail)
