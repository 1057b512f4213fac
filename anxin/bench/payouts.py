"""`anxin bench payouts`: sellers' withdrawals through the service layer with the sandbox
provider, then a day's reconciliation of 100,000 orders with the day's payouts in it.

The world: `--payout-sellers` verified sellers, each with a card (one seller in ten has a
card the sandbox's bank refuses, one in ten one whose payments come back), and
`--payout-orders` orders each, taken through checkout and confirmed by the service layer
(`synthetic.checkout`: the buyer pays at the sandbox, its notification is delivered, the
seller ships, the buyer confirms and the order's money settles into the seller's balance in
the ledger). The orders are spread over the last 40 days, each day's made with the clock
travelled back to that day (time-machine, as `anxin demo` makes its history), so that most
of each seller's money is past its after-sales window and withdrawable, and the last days'
is still held. The seconds of these checkouts give the reference rate.

Timed, in rounds of one payout per seller: `payout_request` (the payout recorded with its
ledger hold), `payout_submit` (the task's body: the provider asked, outside any
transaction), the sandbox's settlement (`payout_settle`, its bank's answer; the returning
cards' payouts settled again, as their return), and each notification the sandbox emitted
delivered through payments' notification path (`deliver` -> `notification_receive`, as the
delivery task does). Then checked: every payout ended as its card says, `anxin ledger
audit`'s checks (ledger, orders, returns, payouts) find nothing, and the money is conserved
(what left the sellers' balances is what was paid and not returned, and it is what the
provider's account received).

Then, on PostgreSQL, the recon bench (`anxin.bench.recon.run`, the same default size: a day
of 100,000 orders) reconciles today, whose bill holds the payouts just made once the sandbox
bills them.
"""

from __future__ import annotations

import datetime as dt
import statistics
import time
import uuid
from collections import Counter
from collections.abc import Callable
from typing import Any

# Days over which each seller's orders are spread (the longest after-sales window, with its
# holiday move, is under three weeks: the older half of them is withdrawable).
HISTORY_DAYS = 40
CARD = "622202020011"  # the cards' numbers: this, then four digits
REFUSED_TAIL, RETURNED_TAIL = "0002", "0003"  # the sandbox's bank's (providers.sandbox)


def _card_tail(index: int) -> str:
    """One seller in ten has a card the bank refuses, one in ten one that comes back."""
    return {1: REFUSED_TAIL, 2: RETURNED_TAIL}.get(index % 10, f"{1000 + index % 9000:04d}")


def _expected(tail: str) -> str:
    from anxin.payouts.models import PayoutStatus

    return {REFUSED_TAIL: PayoutStatus.FAILED, RETURNED_TAIL: PayoutStatus.RETURNED}.get(
        tail, PayoutStatus.SUCCEEDED
    )


def _world(
    tag: str, sellers: int, orders: int, now: dt.datetime, log: Callable[[str], None]
) -> tuple[list[Any], list[Any], float]:
    """The sellers with their cards and settled orders; the seconds their checkouts took."""
    try:
        import time_machine
    except ImportError:  # production installs leave the development extras out
        raise RuntimeError(
            "bench payouts makes its sellers' history with time-machine: "
            "pip install -e '.[dev]' (as `make bench` does)"
        ) from None
    from anxin.accounts.models import Role, User
    from anxin.accounts.services import user_signup
    from anxin.bench import synthetic
    from anxin.catalog.services import ListingContent, listing_create
    from anxin.payments.providers.sandbox import SandboxProvider
    from anxin.payouts.services import payout_account_add

    provider = SandboxProvider()
    ago = [1 + i * HISTORY_DAYS // orders for i in range(orders)]
    people, listings, cards = [], [], []
    with time_machine.travel(now - dt.timedelta(days=max(ago) + 1), tick=True):
        for s in range(sellers):
            seller = user_signup(
                username=f"payout-s{s}-{tag}",
                password=uuid.uuid4().hex,
                role=Role.SELLER,
                shop_name=f"提现压测店铺{s}",
            )
            synthetic.verify(seller)
            listings.append(
                listing_create(
                    actor=seller,
                    stock=orders + 1,
                    content=ListingContent(
                        title="压测商品", description="", price_fen=12_800, shipping_days=1
                    ),
                )
            )
            cards.append(
                payout_account_add(
                    actor=seller,
                    kind="bank_card",
                    holder_name=f"卖家{s}",
                    number=CARD + _card_tail(s),
                    bank="工商银行",
                )
            )
            people.append(seller)
        buyer = User(username=f"payout-b-{tag}", role=Role.BUYER)
        buyer.set_unusable_password()
        buyer.save()
    seconds = 0.0
    done = 0
    for days in sorted(set(ago), reverse=True):
        with time_machine.travel(now - dt.timedelta(days=days), tick=True):
            for s, listing in enumerate(listings):
                for i in range(ago.count(days)):
                    began = time.perf_counter()
                    synthetic.checkout(provider, buyer, listing, f"po-{tag}-{s}-{days}-{i}")
                    seconds += time.perf_counter() - began
                    done += 1
        log(f"  {done}/{sellers * orders} orders settled ({days} days ago)")
    return people, cards, seconds


def _balances(sellers: list[Any]) -> dict[int, int]:
    from anxin.ledger.models import Account
    from anxin.ledger.services import seller_account

    codes = {seller_account(s.pk): s.pk for s in sellers}
    return {codes[a.code]: a.available for a in Account.objects.filter(code__in=list(codes.keys()))}


def _provider_received() -> int:
    from anxin.ledger.models import Account
    from anxin.ledger.services import provider_account

    a = Account.objects.filter(code=provider_account("sandbox")).first()
    return a.credits_posted - a.debits_posted if a is not None else 0


def _deliver_payout_notifications(provider: Any, since: dt.datetime) -> int:
    """Deliver every payout notification the sandbox emitted and has not delivered, each
    through payments' notification path, as the delivery task does."""
    from anxin.payments.models import SandboxNotification

    rows = SandboxNotification.objects.filter(
        event_type__startswith="payout.",
        delivered_at__isnull=True,
        gave_up=False,
        created_at__gte=since,
    ).order_by("pk")
    delivered = 0
    for row in rows:
        if not provider.deliver(row):
            raise RuntimeError(f"a payout notification was refused: {row.last_error}")
        delivered += 1
    return delivered


def run(
    *,
    sellers: int,
    orders: int,
    payouts: int,
    day_orders: int,
    lost: int,
    log: Callable[[str], None],
) -> dict[str, Any]:
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from anxin.disputes.audit import returns_audit
    from anxin.ledger.audit import ledger_audit
    from anxin.orders.audit import orders_audit
    from anxin.orders.models import Order, OrderStatus
    from anxin.payments.providers import get_provider
    from anxin.payments.providers.sandbox import SandboxProvider
    from anxin.payouts.audit import payouts_audit
    from anxin.payouts.models import Payout, PayoutStatus
    from anxin.payouts.selectors import payout_balance
    from anxin.payouts.services import payout_request
    from anxin.payouts.submission import payout_submit

    call_command("migrate", verbosity=0)
    if get_provider().name != "sandbox":
        raise RuntimeError("bench payouts pays through the sandbox: ANXIN_PAYMENT_PROVIDER=sandbox")
    settings.ANXIN_SANDBOX_DUPLICATE_RATE = 0.0
    provider = SandboxProvider()
    tag = uuid.uuid4().hex[:6]
    began_at = timezone.now()
    log(
        f"making {sellers} sellers with {orders} settled orders each over {HISTORY_DAYS} days "
        f"({sellers * orders:,} checkouts through the service layer)"
    )
    people, cards, checkout_seconds = _world(tag, sellers, orders, began_at, log)
    ids = [s.pk for s in people]
    shares = {
        pk: share
        for pk, share in Order.objects.filter(seller_id__in=ids, status=OrderStatus.COMPLETED)
        .values_list("seller_id")
        .annotate(share=_share_sum())
    }
    before = _balances(people)
    received_before = _provider_received()
    balance_ms = []
    withdrawable = {}
    for s in people:
        t = time.perf_counter()
        withdrawable[s.pk] = payout_balance(s.pk).withdrawable_fen
        balance_ms.append((time.perf_counter() - t) * 1000)
    per_seller = [payouts // sellers + (1 if i < payouts % sellers else 0) for i in range(sellers)]
    amounts = {s.pk: withdrawable[s.pk] // (n + 1) for s, n in zip(people, per_seller, strict=True)}
    if min(amounts[s.pk] for s, n in zip(people, per_seller, strict=True) if n) < 1:
        raise RuntimeError("a seller has nothing withdrawable: give more --payout-orders")
    log(
        f"balances: {sum(before.values()) / 100:,.2f} yuan, "
        f"{sum(withdrawable.values()) / 100:,.2f} withdrawable; "
        f"balance read in {statistics.median(balance_ms):.1f} ms (median)"
    )

    steps = dict.fromkeys(("request", "submit", "settle", "notify"), 0.0)
    made: list[Payout] = []
    rounds = max(per_seller)
    log(f"{payouts:,} payouts in {rounds} rounds of one a seller")
    for r in range(rounds):
        batch = []
        t = time.perf_counter()
        for s, card, n in zip(people, cards, per_seller, strict=True):
            if r < n:
                batch.append(
                    payout_request(
                        actor=s, amount_fen=amounts[s.pk], account_id=card.pk, key=f"bench-{r}"
                    )
                )
        steps["request"] += time.perf_counter() - t
        t = time.perf_counter()
        for p in batch:
            if payout_submit(payout_id=p.pk) != "submitted":
                raise RuntimeError(f"payout {p.payout_key} was not submitted")
        steps["submit"] += time.perf_counter() - t
        at_provider = list(
            Payout.objects.filter(pk__in=[p.pk for p in batch])
            .order_by("pk")
            .values_list("provider_payout_id", flat=True)
        )
        t = time.perf_counter()
        for provider_payout_id in at_provider:
            provider.payout_settle(provider_payout_id)
        steps["settle"] += time.perf_counter() - t
        t = time.perf_counter()
        _deliver_payout_notifications(provider, began_at)
        steps["notify"] += time.perf_counter() - t
        # The returning cards' payouts come back an hour later: the bank's second answer.
        returning = Payout.objects.filter(
            pk__in=[p.pk for p in batch], account__number_tail=RETURNED_TAIL
        ).order_by("pk")
        t = time.perf_counter()
        for p in returning:
            provider.payout_settle(p.provider_payout_id)
        steps["settle"] += time.perf_counter() - t
        t = time.perf_counter()
        _deliver_payout_notifications(provider, began_at)
        steps["notify"] += time.perf_counter() - t
        made += batch
        log(f"  round {r + 1}/{rounds}: {len(made):,} payouts")
    seconds = sum(steps.values())

    log("auditing the ledger (anxin ledger audit) and the money")
    problems = ledger_audit() + orders_audit() + returns_audit() + payouts_audit()
    for problem in problems[:10]:
        log(f"VIOLATION {problem}")
    final = {p.pk: p for p in Payout.objects.filter(pk__in=[p.pk for p in made])}
    tails = {card.seller_id: card.number_tail for card in cards}
    wrong = [p for p in final.values() if p.status != _expected(tails[p.seller_id])]
    statuses = Counter(str(p.status) for p in final.values())
    paid = sum(p.amount_fen for p in final.values() if p.status == PayoutStatus.SUCCEEDED)
    after = _balances(people)
    received = _provider_received() - received_before
    conserved = (
        all(before[pk] == shares.get(pk, 0) for pk in ids)
        and sum(before.values()) - sum(after.values()) == paid == received
        and all(
            before[pk] - after[pk]
            == sum(
                p.amount_fen
                for p in final.values()
                if p.seller_id == pk and p.status == PayoutStatus.SUCCEEDED
            )
            for pk in ids
        )
    )
    checkout_rate = sellers * orders / checkout_seconds if checkout_seconds else 0.0
    rate = payouts / seconds if seconds else 0.0
    ratio = rate / checkout_rate if checkout_rate else 0.0
    log(
        f"{rate:,.1f} payouts/s end to end ({ratio:.2f} x the {checkout_rate:,.1f} "
        f"checkouts/s of this run, for scale); requests alone "
        f"{payouts / steps['request']:,.1f}/s; "
        + ", ".join(f"{k} {v:.2f} s" for k, v in steps.items())
    )
    log(
        f"payouts {dict(statuses)}, {len(wrong)} not as their card says (target 0); "
        f"ledger audit: {len(problems)} violations (target 0); money conserved: {conserved}"
    )
    figures: dict[str, Any] = {
        "sellers": sellers,
        "orders_per_seller": orders,
        "payouts": payouts,
        "payouts_by_status": dict(statuses),
        "payouts_not_as_expected": len(wrong),
        "seconds": round(seconds, 2),
        "seconds_by_step": {k: round(v, 3) for k, v in steps.items()},
        "payouts_per_s": round(rate, 1),
        "requests_per_s": round(payouts / steps["request"], 1) if steps["request"] else 0,
        "checkouts_per_s": round(checkout_rate, 1),
        "ratio_vs_checkouts": round(ratio, 3),
        "balance_ms_median": round(statistics.median(balance_ms), 2),
        "paid_out_fen": paid,
        "provider_received_fen": received,
        "money_conserved": conserved,
        "ledger_audit_violations": len(problems),
    }
    targets: dict[str, Any] = {
        "payouts_not_as_expected": "== 0",
        "ledger_audit_violations": "== 0",
        "money_conserved": "true",
    }
    met: dict[str, bool] = {
        "payouts_not_as_expected": not wrong,
        "ledger_audit_violations": not problems,
        "money_conserved": conserved,
    }
    if connection.vendor == "postgresql":
        from anxin.bench import recon

        log(f"reconciliation of today: {day_orders:,} orders and the day's payouts (bench recon)")
        day = recon.run(orders=day_orders, lost=lost, log=log)
        figures["recon"] = day["figures"]
        figures["recon_seconds"] = day["figures"]["seconds"]
        targets["recon_seconds"] = f"<= {recon.TARGET_SECONDS:g}"
        met["recon_seconds"] = day["met"]["seconds_max"]
        log(
            f"reconciled {day_orders:,} orders in {day['figures']['seconds']:.1f} s "
            f"(target: at most {recon.TARGET_SECONDS:g} s)"
        )
    else:
        log("reconciliation not measured: bench recon measures PostgreSQL")
    return {"bench": "payouts", "figures": figures, "targets": targets, "met": met}


def _share_sum() -> Any:
    from django.db.models import F, Sum

    return Sum(F("amount_fen") - F("fee_fen"))
