"""Early warning (issue 18, item 7): a seller whose complaints rise sharply, against its own
history or against its category's, raises an alert to the regulator and the consumer
association of its region, with the cases.

A seller's complaints are the complaints to a regulator that name it (not withdrawn) and the
disputes filed against it at Anxin's desk. In the last ANXIN_WARNING_WINDOW_DAYS, a seller
with at least ANXIN_WARNING_MIN_COMPLAINTS rises sharply when that count is at least
ANXIN_WARNING_FACTOR times either baseline:

- its own: its complaints in the ANXIN_WARNING_HISTORY_DAYS before the window, per window;
- its category's: the window's complaints per seller among the sellers of its main category
  (the category most of its listings' versions carry), itself included.

A seller already alerted within the window is not alerted again. The deadline runner calls
`monitor`."""

from __future__ import annotations

import datetime as dt
import secrets
from collections import Counter, defaultdict

from django.conf import settings
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from anxin.catalog.models import ListingSnapshot
from anxin.disputes.models import Dispute
from anxin.evidence import services as evidence
from anxin.notices.services import notice_send
from anxin.supervision import routing
from anxin.supervision.models import Complaint, ComplaintStatus
from anxin.supervision.models_regulator import EarlyWarning
from anxin.supervision.regulator import seller_region
from anxin.supervision.services import staff_of


def _cases(since: dt.datetime, until: dt.datetime) -> dict[int, list[dict[str, str]]]:
    """Each seller's complaints and disputes received in [since, until)."""
    out: dict[int, list[dict[str, str]]] = defaultdict(list)
    for seller, number in (
        Complaint.objects.filter(
            seller__isnull=False, received_at__gte=since, received_at__lt=until
        )
        .exclude(status=ComplaintStatus.WITHDRAWN)
        .values_list("seller_id", "number")
    ):
        out[seller].append({"kind": "complaint", "number": number})
    for seller, number in Dispute.objects.filter(
        created_at__gte=since, created_at__lt=until
    ).values_list("seller_id", "number"):
        out[seller].append({"kind": "dispute", "number": number})
    return out


def _categories() -> dict[int, str]:
    """Each seller's main category: the one most of its listings' versions carry."""
    per: dict[int, Counter[str]] = defaultdict(Counter)
    for row in ListingSnapshot.objects.values("listing__seller_id", "category").annotate(
        n=Count("id")
    ):
        per[row["listing__seller_id"]][row["category"]] += row["n"]
    return {seller: counts.most_common(1)[0][0] for seller, counts in per.items()}


def _number(now: dt.datetime) -> str:
    return "YJ" + timezone.localtime(now).strftime("%Y%m%d") + secrets.token_hex(4).upper()


def monitor(*, now: dt.datetime | None = None) -> int:
    """Raise the alerts due now; returns how many."""
    now = now or timezone.now()
    window = dt.timedelta(days=settings.ANXIN_WARNING_WINDOW_DAYS)
    history = dt.timedelta(days=settings.ANXIN_WARNING_HISTORY_DAYS)
    factor, least = settings.ANXIN_WARNING_FACTOR, settings.ANXIN_WARNING_MIN_COMPLAINTS
    recent = _cases(now - window, now)
    candidates = {s for s, cases in recent.items() if len(cases) >= least}
    if not candidates:
        return 0
    alerted = set(
        EarlyWarning.objects.filter(
            seller_id__in=candidates, raised_at__gt=now - window
        ).values_list("seller_id", flat=True)
    )
    candidates -= alerted
    if not candidates:
        return 0
    earlier = _cases(now - window - history, now - window)
    category = _categories()
    members: dict[str, list[int]] = defaultdict(list)
    for seller, cat in category.items():
        members[cat].append(seller)
    raised = 0
    for seller in sorted(candidates):
        n = len(recent[seller])
        own = len(earlier.get(seller, [])) * window / history
        cat = category.get(seller, "")
        peers = members.get(cat) or [seller]
        cat_base = sum(len(recent.get(p, [])) for p in peers) / len(peers)
        reasons = []
        if n >= factor * own:
            reasons.append("own_history")
        if len(peers) > 1 and n >= factor * cat_base:
            reasons.append("category")
        if reasons:
            _raise(seller, now, n, own, cat, cat_base, reasons, recent[seller])
            raised += 1
    return raised


@transaction.atomic
def _raise(
    seller: int,
    now: dt.datetime,
    n: int,
    own: float,
    cat: str,
    cat_base: float,
    reasons: list[str],
    cases: list[dict[str, str]],
) -> EarlyWarning:
    region = seller_region(seller)
    w = EarlyWarning.objects.create(
        number=_number(now),
        seller_id=seller,
        region=region,
        regulator=routing.regulator_for(region) if region else None,
        association=routing.association_for(region) if region else None,
        raised_at=now,
        recent=n,
        own_baseline=round(own, 2),
        category=cat,
        category_baseline=round(cat_base, 2),
        reasons=reasons,
        cases=cases,
    )
    EarlyWarning.objects.select_for_update().filter(pk=w.pk).first()
    evidence.append(
        chain=f"early-warning:{w.number}",
        kind="early_warning.raised",
        at=now,
        body={
            "warning": w.number,
            "seller": seller,
            "region": region,
            "recent": n,
            # As text: the evidence log holds no floats.
            "own_baseline": f"{w.own_baseline:.2f}",
            "category": cat,
            "category_baseline": f"{w.category_baseline:.2f}",
            "reasons": reasons,
            "cases": cases,
        },
    )
    notice_send(
        [*staff_of(w.regulator_id), *staff_of(w.association_id)],
        "early_warning",
        subject=w,
        count=str(n),
    )
    return w
