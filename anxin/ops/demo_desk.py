"""The demo's dispute desk and blacklist: a case at every step a person can meet, and a shop
blacklisted through the whole due process (notice, appeal, decision).

A case reaches adjudication only after deadlines pass (the evidence window, the appeal
window), so these cases are built in the past: the clock is moved back with time-machine
(`make run` installs the development extras) and each case lives through its days as the
deadline runner and the task worker would have run them, ending at a step that waits today.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.core.management.base import CommandError
from django.utils import timezone

from anxin.accounts.models import User


@contextmanager
def days_ago(days: float) -> Iterator[None]:
    """Runs the block as if it were `days` days ago (the clock ticks on inside it), with the
    deadline runner and the due tasks run as it starts and ends, as the worker beside the
    server would have run them meanwhile."""
    try:
        import time_machine
    except ImportError:  # production installs leave the development extras out
        raise CommandError(
            "the demo's history needs time-machine: pip install -e '.[dev]' (as `make run` does)"
        ) from None
    with time_machine.travel(timezone.now() - dt.timedelta(days=days), tick=True):
        catch_up()
        yield
        catch_up()


def catch_up() -> None:
    """What the worker beside the server does: the desk's deadlines, then the due tasks
    (payments of remedies, notifications), with the sandbox's notifications delivered."""
    from anxin.core.worker import run_due_tasks
    from anxin.disputes.deadlines import dispute_deadlines_run
    from anxin.payments.models import SandboxNotification
    from anxin.payments.providers.sandbox import SandboxProvider

    dispute_deadlines_run()
    run_due_tasks()
    provider = SandboxProvider()
    for row in SandboxNotification.objects.filter(delivered_at__isnull=True):
        provider.deliver(row.pk)


def _decide_as_proposed(number: str, reasons: str) -> None:
    """The adjudicator decides as the law engine proposes, citing its articles."""
    from anxin.disputes import services as disputes
    from anxin.disputes.filing import proposal
    from anxin.disputes.models import Dispute

    d = Dispute.objects.get(number=number)
    p = proposal(d)
    assert d.adjudicator is not None
    disputes.dispute_decide(
        actor=d.adjudicator,
        number=number,
        refund_fen=p["refund_fen"],
        compensation_fen=p["compensation_fen"],
        reasons=reasons,
        citations=p["citations"] or [{"statute": "CRPL", "article": 55}],
    )


def build(
    *,
    place: Callable[..., Any],
    pay: Callable[[Any], Any],
    ship: Callable[..., Any],
    buyers: list[User],
    listings: dict[str, list[Any]],
) -> None:
    from anxin.disputes import services as disputes
    from anxin.disputes.models import Dispute

    zhang, li, wang = buyers
    tea, oolong = listings["tea"]
    serum = listings["beauty"][0]
    oranges = listings["fruit"][0]

    def filed(buyer: User, listing: Any, category: str, claim: str) -> tuple[Any, Dispute]:
        """An order of the listing, paid and shipped, and the buyer's complaint about it."""
        o = ship(pay(place(buyer, listing)))
        d = disputes.dispute_file(
            actor=buyer, number=o.number, category=category, claim=claim, claimed_fen=o.amount_fen
        )
        return o, d

    def to_adjudication(buyer: User, listing: Any, category: str, claim: str) -> Dispute:
        """A case filed, answered with a small offer the buyer refuses, and a mediator's
        proposal the seller refuses: adjudication, its evidence window open."""
        o, d = filed(buyer, listing, category, claim)
        disputes.dispute_answer(
            actor=o.seller, number=d.number, offer_fen=1000, text="可补偿10元。"
        )
        disputes.dispute_reply(actor=buyer, number=d.number, accept=False, reason="补偿太少。")
        d.refresh_from_db()
        assert d.mediator is not None
        disputes.dispute_propose(
            actor=d.mediator,
            number=d.number,
            amount_fen=o.amount_fen // 2,
            text="双方各让一步，退一半货款。",
        )
        disputes.dispute_respond(
            actor=o.seller, number=d.number, accept=False, reason="商品没有问题。"
        )
        return d

    # Waiting for the buyer's reply to the seller's offer.
    o, d = filed(wang, oolong, "not_as_described", "标称500克，实际称重只有450克。")
    disputes.dispute_answer(
        actor=o.seller, number=d.number, offer_fen=2000, text="可能是包装误差，补偿20元可以吗？"
    )
    # Waiting for both parties to accept the mediator's proposal.
    o, d = filed(zhang, oranges, "quality_defect", "一箱里有三成是烂果。")
    disputes.dispute_answer(actor=o.seller, number=d.number, offer_fen=500, text="补偿5元。")
    disputes.dispute_reply(actor=zhang, number=d.number, accept=False, reason="烂了三成，5元不够。")
    d.refresh_from_db()
    assert d.mediator is not None
    disputes.dispute_propose(
        actor=d.mediator, number=d.number, amount_fen=3000, text="按烂果比例退款30元。"
    )
    # In adjudication, the parties' evidence window open.
    to_adjudication(li, serum, "not_as_described", "包装上没有中文标签，和页面说的不一样。")
    # Waiting for the adjudicator's decision: the evidence window closed yesterday.
    with days_ago(6):
        to_adjudication(wang, oranges, "quality_defect", "橙子表皮发霉，果肉发苦。")
    catch_up()
    # Decided three days ago: open to appeal.
    with days_ago(12):
        d = to_adjudication(zhang, oolong, "not_as_described", "宣传清香型，收到的是浓香型。")
    with days_ago(3):
        _decide_as_proposed(d.number, "茶叶香型与宣传不符，按页面描述退款。")
    # Appealed by the seller: the panel is voting.
    with days_ago(13):
        d = to_adjudication(li, tea, "not_as_described", "罐子上的产地和页面写的不一样。")
    with days_ago(4):
        _decide_as_proposed(d.number, "产地标注与宣传不符。")
    with days_ago(2):
        disputes.dispute_appeal(
            actor=tea.seller, number=d.number, reason="产地写的是加工地，并无虚假。"
        )
    # Decided, accepted by both parties and paid.
    with days_ago(14):
        d = to_adjudication(wang, serum, "quality_defect", "用后皮肤过敏，瓶口有异物。")
    with days_ago(5):
        _decide_as_proposed(d.number, "瓶口异物属质量问题，退款。")
    with days_ago(4):
        disputes.dispute_accept_decision(actor=wang, number=d.number)
        disputes.dispute_accept_decision(actor=serum.seller, number=d.number)
    # Sent to the market regulator by the buyer while in mediation.
    o, d = filed(li, serum, "counterfeit", "备案编号查不到这款产品，怀疑是假货。")
    disputes.dispute_answer(actor=o.seller, number=d.number, offer_fen=0, text="是正品。")
    disputes.dispute_reply(actor=li, number=d.number, accept=False, reason="请查验真伪。")
    disputes.dispute_transfer(actor=li, number=d.number, reason="涉嫌售假，请监管部门查处。")
    # Withdrawn by the buyer after talking to the seller.
    o = ship(pay(place(zhang, tea)))
    d = disputes.dispute_file(
        actor=zhang,
        number=o.number,
        category="late",
        claim="说好两天发货，第四天才发。",
        claimed_fen=1000,
    )
    disputes.dispute_withdraw(actor=zhang, number=d.number, reason="卖家已道歉，不追究了。")


def blacklist(
    *,
    seller: User,
    listing: Any,
    place: Callable[..., Any],
    pay: Callable[[Any], Any],
    ship: Callable[..., Any],
    buyers: list[User],
) -> None:
    """A shoe shop that sold fakes: its history of sales, a complaint it never answered
    (decided by default), a notice of blacklisting, its appeal, the decision to list it, and
    its credit score lowered by the operator while it is listed (so the demo shows an E)."""
    from django.conf import settings

    from anxin.disputes import services as disputes
    from anxin.orders import services as orders
    from anxin.reputation import blacklist as bl
    from anxin.reputation import credit

    operator = User.objects.get(username="operator")
    with days_ago(40):
        for i in range(settings.ANXIN_CREDIT_MIN_ORDERS):
            o = ship(pay(place(buyers[i % len(buyers)], listing)))
            orders.order_confirm(actor=o.buyer, number=o.number)
    with days_ago(30):
        o = ship(pay(place(buyers[0], listing)))
        d = disputes.dispute_file(
            actor=buyers[0],
            number=o.number,
            category="counterfeit",
            claim="鞋盒防伪码查询为假，鞋底做工粗糙，是假货。",
            claimed_fen=o.amount_fen,
        )
    with days_ago(20):
        pass  # the seller never answered: the runner decides by default
    with days_ago(12):
        entry = bl.open_entry(
            actor=operator,
            seller_id=seller.pk,
            ground="fraud",
            reasons="出售假冒品牌运动鞋，投诉经缺席裁决认定；卖家未作任何答复。",
            evidence_refs=[d.number],
        )
    with days_ago(10):
        bl.appeal(actor=seller, entry_id=entry.pk, text="货是从批发市场进的，我们也不知道是假的。")
    with days_ago(3):
        bl.decide(
            actor=operator,
            entry_id=entry.pk,
            list_seller=True,
            reasons="不知情不能免除销售者的责任；售假事实清楚，列入名单一年。",
            term_days=365,
        )
        credit.adjust(
            actor=operator,
            seller_id=seller.pk,
            points=-200,
            reason="列入严重失信名单，名单期间信用分下调。",
            days=settings.ANXIN_CREDIT_ADJUST_MAX_DAYS,
        )


def payouts(*, seller: User) -> None:
    """The tea shop's money: settled and withdrawable (its older orders), held (orders still
    inside their after-sales window), withdrawn to its bank card (paid), and a withdrawal to
    a closed card that the bank paid and then sent back (returned to its balance)."""
    from anxin.payouts.selectors import payout_balance
    from anxin.payouts.services import payout_account_add, payout_request
    from anxin.payouts.submission import payout_submit

    with days_ago(6):
        card = payout_account_add(
            actor=seller,
            kind="bank_card",
            holder_name="陈茶",
            number="6222020200112233445",
            bank="工商银行",
        )
        closed = payout_account_add(
            actor=seller,
            kind="bank_card",
            holder_name="陈茶",
            number="6222020200110003",  # the sandbox's bank pays it, then sends it back
            bank="农业银行",
        )
        third = payout_balance(seller.pk).withdrawable_fen // 3
        for account, key in ((card, "demo-withdrawal-1"), (closed, "demo-withdrawal-2")):
            p = payout_request(actor=seller, amount_fen=third, account_id=account.pk, key=key)
            payout_submit(payout_id=p.pk)
    with days_ago(5):
        pass  # the bank answers: both paid
    with days_ago(4):
        pass  # the closed card's money comes back
