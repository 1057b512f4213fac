"""The law's view of a complaint before and as it is filed: what the law engine grants, the
evidence Anxin holds and what is missing, the routes (Anxin's desk, the 12315 line, a
small-claims suit) side by side with their costs, and the limits on filing."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.utils import timezone
from msgspec.structs import replace

from anxin.accounts.models import User
from anxin.aftersales.models import AfterSale
from anxin.aftersales.models import Status as AfterSaleStatus
from anxin.core.errors import RateLimited, ValidationFailed, msg
from anxin.core.text import is_whole
from anxin.disputes.models import Category, Dispute, law_day
from anxin.law import catalogue, engine
from anxin.law.facts import CaseFacts, Claim, Item, Purchase, Seller
from anxin.law.routes import complaint_term, court_fee, small_claims_term
from anxin.orders.models import Order
from anxin.orders.selectors import order_for

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


def day_of(at: dt.datetime) -> dt.date:
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
        from anxin.aftersales.services import aftersale_facts_for

        base = aftersale_facts_for(order, "quality_return", "intact", now=now)
        purchase = base.purchase
        if kind == "not_supplied":
            # Whether the goods came is what the order records (for other claims facts_for
            # takes a buyer complaining about the goods to have them).
            delivered = day_of(order.delivered_at) if order.delivered_at else None
            purchase = replace(purchase, delivered_at=delivered)
        facts = replace(
            base,
            claim=Claim(kind=kind, requested_at=day_of(now)),  # type: ignore[arg-type]
            purchase=purchase,
        )
    else:
        facts = CaseFacts(
            as_of=day_of(now),
            purchase=Purchase(
                channel="online",
                seller=Seller(role="seller", kind="individual"),
                item=Item(category="general", price_fen=paid_fen, quantity=1),
                paid_at=paid_on,
            ),
            claim=Claim(kind=kind, requested_at=day_of(now)),  # type: ignore[arg-type]
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
    refund = min(total, price_of(d))
    citations: list[dict[str, Any]] = []
    for dec in d.law:
        for c in dec.get("citations", []):
            if c not in citations:
                citations.append(c)
    return {"refund_fen": refund, "compensation_fen": total - refund, "citations": citations}


def price_of(d: Dispute) -> int:
    """What was paid for what the case is about. Remedies are reckoned in full (the price
    back and damages on top); what already reached the buyer is taken off when they are
    paid (money.pay_buyer), so a refund made while the case was open is never paid twice."""
    return d.order.amount_fen if d.order is not None else d.outside_paid_fen


def silence_bound(d: Dispute) -> int:
    """What a seller who does not answer loses by default (deadlines: seller_silent): the
    price back, within what was asked and what the law gives; never damages (only a person
    awards those) and nothing on a claim nobody has admitted. Zero: the case goes to a
    mediator instead."""
    return min(d.claimed_fen, d.law_fen, price_of(d)) if d.admitted_at else 0


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
    today = timezone.localdate()
    days = {
        "anxin": desk_days,
        "12315": complaint_term(today).days,
        "small_claims": small_claims_term(today).days,
    }
    costs = {"anxin": 0, "12315": 0, "small_claims": court_fee(claimed_fen, today)}
    return [
        {
            **r,
            "days": days[r["key"]],
            "cost_fen": costs[r["key"]],
            "expected_fen": expected,
            "net_fen": expected - costs[r["key"]],
        }
        for r in ROUTES
    ]


# The three routes; their terms and costs are the law's (anxin.law.routes), by date.
ROUTES: list[dict[str, Any]] = [
    {
        "key": "anxin",
        "source": "Anxin's settings (ANXIN_DISPUTE_*_DAYS): the longest path to a decision",
        "binding": True,
        "paid_by_anxin": True,
    },
    {
        "key": "12315",
        "source": "消费者权益保护法实施条例 Art. 46: accepted within 7 working days, "
        "mediated within 60 days of acceptance",
        "binding": False,
        "paid_by_anxin": False,
    },
    {
        "key": "small_claims",
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
    *,
    user: User,
    category: str,
    claimed_fen: int,
    number: str = "",
    paid_fen: int = 0,
    paid_on: dt.date | None = None,
) -> dict[str, Any]:
    """Everything the filing page shows before the complaint is sent. For a sale outside
    Anxin, the law is asked about what the buyer paid and when (`paid_fen`, `paid_on`)."""
    if category not in Category.values:
        raise ValidationFailed(
            msg("category: must be one of {join}", join=", ".join(Category.values)),
            field="category",
        )
    order = order_for(user, number) if number else None
    now = timezone.now()
    after_sale = escalated_after_sale(order) if order is not None else None
    paid_day = law_day(order.paid_at if order is not None else None, paid_on, now)
    law, law_fen = law_for(
        category=category,
        order=order,
        paid_fen=order.amount_fen if order is not None else paid_fen,
        paid_on=paid_day,
        now=now,
        after_sale=after_sale,
    )
    held = evidence_held(order)
    wanted = WANTED.get(category, ())
    return {
        "law": law,
        # The day the law was read on, which picks the version of a statute with several.
        "law_day": paid_day,
        "law_fen": law_fen,
        "held": [w for w in wanted if held.get(w)],
        "missing": [w for w in wanted if not held.get(w)],
        "routes": routes(claimed_fen, law_fen),
    }


def escalated_after_sale(order: Order) -> AfterSale | None:
    return (
        order.after_sales.filter(status=AfterSaleStatus.ESCALATED).order_by("-pk").first()
        if order.pk
        else None
    )


def within_filing_limits(actor: User, now: dt.datetime) -> None:
    """A complaint costs the seller and the desk time: one account files at most
    ANXIN_DISPUTE_MAX_PER_DAY a day, so nobody floods a seller or the desk."""
    most = settings.ANXIN_DISPUTE_MAX_PER_DAY
    if (
        Dispute.objects.filter(buyer=actor, created_at__gt=now - dt.timedelta(days=1)).count()
        >= most
    ):
        raise RateLimited(
            msg(
                "you have filed {most} complaints in the last 24 hours; try again tomorrow",
                most=most,
            ),
            code="dispute_rate_limited",
        )


def within_outside_limit(actor: User, seller_id: int, now: dt.datetime) -> None:
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
            msg(
                "you have filed {most} complaints about sales outside Anxin "
                "against this seller in the last 30 days; add evidence to "
                "the open case instead",
                most=most,
            ),
            code="dispute_rate_limited",
        )


def citations_checked(raw: Any, on: dt.date | None = None) -> list[dict[str, Any]]:
    """A decision's citations, each naming an article of the statute's version in force on
    `on` (the case's law day; the latest version when no day is given)."""
    if not isinstance(raw, list) or not raw:
        raise ValidationFailed(
            "citations: a decision cites at least one article", field="citations"
        )
    out = []
    for i, c in enumerate(raw):
        if not isinstance(c, dict) or not isinstance(c.get("statute"), str):
            raise ValidationFailed(
                msg("citations[{i}]: needs statute and article", i=i), field="citations"
            )
        try:
            statute = (
                catalogue.statute(c["statute"])
                if on is None
                else catalogue.cited_version(c["statute"], on)
            )
        except KeyError:
            raise ValidationFailed(
                msg("citations[{i}]: no statute {statute}", i=i, statute=repr(c["statute"])),
                field="citations",
            ) from None
        article = c.get("article")
        if not is_whole(article) or article not in statute.articles:
            raise ValidationFailed(
                msg(
                    "citations[{i}]: {id} has no article {article}",
                    i=i,
                    id=statute.id,
                    article=repr(article),
                ),
                field="citations",
            )
        item: dict[str, Any] = {"statute": statute.id, "article": article}
        if c.get("paragraph") is not None:
            if not is_whole(c["paragraph"]):
                raise ValidationFailed(
                    msg("citations[{i}].paragraph: must be a number", i=i), field="citations"
                )
            item["paragraph"] = c["paragraph"]
        out.append(item)
    return out
