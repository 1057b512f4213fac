"""Public figures: kept up to date in each case's own transaction, equal to a rebuild from the
cases after a mixed history, and publishing no party's name, words or contact."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from anxin.accounts.models import User
from anxin.disputes import deadlines, services
from anxin.disputes.models import Dispute, Outcome
from anxin.disputes.tests.helpers import balance, completed, desk, file_quality, shipped
from anxin.remedies.services import fund_allocate
from anxin.supervision import figures
from anxin.supervision import services as complaints
from anxin.supervision.models import (
    CaseSource,
    FigureCell,
    OrgKind,
    PublicCase,
    PublicStatus,
    SellerFigure,
)
from anxin.supervision.tests.test_complaints import XIHU, materials, office, outside

pytestmark = pytest.mark.django_db


def mixed_history(clock, buyer, seller, operator, listing, settings) -> dict[str, Dispute]:
    """Cases at the desk in every way they end (settled at once, settled in mediation,
    withdrawn, decided by default through the deadline batch, paid partly by the guarantee
    fund), one left open, and complaints to the regulator in every state."""
    settings.ANXIN_GUARANTEE_CASE_CAP_FEN = 20000
    settings.ANXIN_PLATFORM_REGION = XIHU
    people = desk()
    cases: dict[str, Dispute] = {}
    # Settled at once: the seller offers the whole claim.
    d = file_quality(buyer, shipped(buyer, seller, listing, "SF5000000001"))
    services.dispute_answer(actor=seller, number=d.number, offer_fen=d.claimed_fen, text="退")
    cases["settled"] = d
    # Settled in mediation: both take the mediator's proposal.
    d = file_quality(buyer, shipped(buyer, seller, listing, "SF5000000002"))
    services.dispute_answer(actor=seller, number=d.number, offer_fen=100, text="补偿 1 元")
    services.dispute_reply(actor=buyer, number=d.number, accept=False, reason="太少")
    services.dispute_propose(
        actor=people["mediator"], number=d.number, amount_fen=2000, text="补偿 20 元"
    )
    services.dispute_respond(actor=buyer, number=d.number, accept=True)
    services.dispute_respond(actor=seller, number=d.number, accept=True)
    cases["mediated"] = d
    # Withdrawn by the buyer.
    d = file_quality(buyer, shipped(buyer, seller, listing, "SF5000000003"))
    services.dispute_withdraw(actor=buyer, number=d.number, reason="已协商")
    cases["withdrawn"] = d
    # The seller does not answer: decided by default by the deadline batch, paid by its task.
    d = file_quality(buyer, shipped(buyer, seller, listing, "SF5000000005"))
    d.refresh_from_db()
    clock.move_to(d.due_at)
    deadlines.dispute_deadlines_run()
    from anxin.core.worker import run_due_tasks

    run_due_tasks()
    cases["default"] = d
    # Left open, waiting for the seller.
    cases["open"] = file_quality(buyer, shipped(buyer, seller, listing, "SF5000000004"))
    # Paid partly by the guarantee fund: the seller's money was already paid out.
    for i in range(3):
        completed(buyer, seller, listing, tracking=f"SF50000001{i}")
    fund_allocate(actor=operator, amount_fen=balance("platform:fees"), reason="首期保障金")
    order = completed(buyer, seller, listing, tracking="SF5000000200")
    d = services.dispute_file(
        actor=buyer,
        number=order.number,
        category="counterfeit",
        claim="假货",
        claimed_fen=order.amount_fen + 50000,
    )
    services.dispute_answer(actor=seller, number=d.number, offer_fen=d.claimed_fen, text="认")
    cases["advanced"] = d
    # Complaints to Xihu's regulator: waiting, accepted (about the Anxin seller), refused,
    # withdrawn.
    buyer.phone = "13900001111"
    buyer.save(update_fields=["phone"])
    _, officer = office(OrgKind.REGULATOR, XIHU, "西湖区市场监督管理局")
    complaints.complaint_file(actor=buyer, seller=outside(), materials=materials())
    c = complaints.complaint_file(
        actor=buyer,
        seller=complaints.SellerNamed(seller_id=seller.pk),
        materials=materials(),
    )
    complaints.complaint_admit(actor=officer, number=c.number)
    c = complaints.complaint_file(actor=buyer, seller=outside(), materials=materials())
    complaints.complaint_refuse(actor=officer, number=c.number, ground="not_consumer", note="转售")
    c = complaints.complaint_file(actor=buyer, seller=outside(), materials=materials())
    complaints.complaint_withdraw(actor=buyer, number=c.number)
    for d in cases.values():
        d.refresh_from_db()
    return cases


def test_figures_kept_incrementally_equal_a_rebuild_after_a_mixed_history(
    clock, buyer, seller, operator, listing, settings
) -> None:
    # Given a mixed history of desk cases and complaints, the figures kept as it happened
    cases = mixed_history(clock, buyer, seller, operator, listing, settings)
    kept = figures.snapshot()
    # When everything is rebuilt from the cases by the command
    call_command("figures", "rebuild")
    # Then the records and every counter are the same
    rebuilt = figures.snapshot()
    assert kept == rebuilt
    # And the records say what happened to each case
    records = rebuilt["records"]
    assert records[cases["settled"].number].status == PublicStatus.RESOLVED
    assert records[cases["settled"].number].response_days == 0
    assert records[cases["mediated"].number].mediated is True
    assert records[cases["mediated"].number].outcome == Outcome.SETTLED
    assert records[cases["withdrawn"].number].status == PublicStatus.UNRESOLVED
    assert records[cases["open"].number].status == PublicStatus.OPEN
    assert records[cases["default"].number].outcome == Outcome.DEFAULT
    assert records[cases["default"].number].response_days is None
    assert cases["advanced"].paid_from.get("fund", 0) > 0
    assert records[cases["advanced"].number].advance_fen == cases["advanced"].paid_from["fund"]
    # And the seller's figures count its cases and the complaint the regulator accepted
    desk_row = SellerFigure.objects.get(seller_id=seller.pk, source=CaseSource.DESK)
    assert (desk_row.filed, desk_row.open, desk_row.resolved, desk_row.unresolved) == (6, 1, 4, 1)
    assert (desk_row.mediated, desk_row.mediated_settled, desk_row.advance_n) == (1, 1, 1)
    reg_row = SellerFigure.objects.get(seller_id=seller.pk, source=CaseSource.REGULATOR)
    assert (reg_row.filed, reg_row.accepted) == (1, 1)
    # And the complaints about sellers not on Anxin count only in the aggregates, unnamed
    regulator = FigureCell.objects.filter(source=CaseSource.REGULATOR)
    assert sum(r.filed for r in regulator) == 4
    unnamed = PublicCase.objects.filter(source=CaseSource.REGULATOR, seller_id__isnull=True)
    assert unnamed.count() == 3
    assert set(unnamed.values_list("shop_name", flat=True)) == {""}


def test_a_figure_changed_by_hand_is_restored_by_a_rebuild(buyer, seller, listing) -> None:
    # Given a case filed, and its month's cell damaged by hand
    file_quality(buyer, shipped(buyer, seller, listing, "SF5000000301"))
    kept = figures.snapshot()
    FigureCell.objects.update(filed=99)
    assert figures.snapshot() != kept
    # When the figures are rebuilt
    counts = figures.rebuild()
    # Then they are what the case says again
    assert counts["records"] == 1
    assert figures.snapshot() == kept


def test_a_sale_made_elsewhere_names_its_seller_only_once_staff_admit_it(
    clock, buyer: User, seller: User
) -> None:
    from anxin.disputes.tests.helpers import past
    from anxin.disputes.tests.test_owed_once import outside as outside_claim

    # Given a complaint about a sale a registered seller made outside Anxin, in mediation
    people = desk()
    d = outside_claim(buyer, seller, category="not_delivered", claimed_fen=9900)
    past(clock, d)
    # Then its record names no seller while the sale is not shown
    record = PublicCase.objects.get(number=d.number)
    assert record.seller_id is None
    assert record.shop_name == ""
    assert not SellerFigure.objects.filter(seller_id=seller.pk).exists()
    # When the mediator admits it
    services.dispute_admit(actor=people["mediator"], number=d.number, reason="转账记录属实")
    # Then the record names the seller and its shop, and the seller's figures count it
    record.refresh_from_db()
    assert record.seller_id == seller.pk
    assert record.shop_name
    assert SellerFigure.objects.get(seller_id=seller.pk).filed == 1


def test_the_median_of_a_histogram() -> None:
    # Given histograms of days
    # When their medians are taken
    # Then they are the middle value, or the mean of the two middle ones, or None
    assert figures.median({}) is None
    assert figures.median({3: 1}) == 3
    assert figures.median({1: 1, 5: 1}) == 3
    assert figures.median({0: 2, 4: 1, 9: 0}) == 0
    assert figures.median({1: 2, 2: 2}) == 1.5


def show(seller: User, **changes: str) -> None:
    """The seller saves its shop profile through the accounts service, changing only these."""
    from anxin.accounts.models import SellerProfile
    from anxin.accounts.services import seller_profile_update

    p = SellerProfile.objects.get(user=seller)
    now = {
        "shop_name": p.shop_name,
        "contact_phone": p.contact_phone,
        "wechat_id": p.wechat_id,
        "address_region": p.address_region,
    }
    seller_profile_update(user=seller, **(now | changes))


def seller_records(seller: User, cases: dict[str, Dispute]) -> list[PublicCase]:
    numbers = [d.number for d in cases.values() if d.seller_id == seller.pk]
    return list(PublicCase.objects.filter(number__in=numbers))


def test_a_seller_moving_its_shown_address_moves_its_records_at_once(
    clock, buyer, seller, operator, listing, settings
) -> None:
    # Given a seller showing no address (its cases count under the platform's region, Xihu)
    # with cases in every state and a complaint to the regulator about it, the figures kept
    cases = mixed_history(clock, buyer, seller, operator, listing, settings)
    assert {r.province for r in seller_records(seller, cases)} == {"330000"}
    about_seller = PublicCase.objects.get(source=CaseSource.REGULATOR, seller_id=seller.pk)
    # When the seller shows an address in Beijing's Dongcheng district
    show(seller, address_region="110101")
    # Then every one of its desk records shows the new region and province at once
    records = seller_records(seller, cases)
    assert len(records) == 6
    assert {(r.region, r.province) for r in records} == {("110101", "110000")}
    # And the cells count its cases under Beijing now
    beijing = FigureCell.objects.filter(province="110000", source=CaseSource.DESK)
    assert sum(c.filed for c in beijing) == 6
    # And the complaint keeps the region it was routed to when filed
    about_seller.refresh_from_db()
    assert about_seller.region == XIHU
    # And the figures kept equal the figures rebuilt from the cases
    kept = figures.snapshot()
    figures.rebuild()
    assert figures.snapshot() == kept


def test_a_seller_clearing_its_address_counts_under_the_platforms_region_again(
    buyer, seller, listing, settings
) -> None:
    # Given a platform in Beijing and a seller showing an address in Xihu, with a case left
    # open, a case settled, and a complaint about it routed to Xihu's regulator and accepted
    settings.ANXIN_PLATFORM_REGION = "110101"
    show(seller, address_region=XIHU)
    cases = {"open": file_quality(buyer, shipped(buyer, seller, listing, "SF5000000401"))}
    d = file_quality(buyer, shipped(buyer, seller, listing, "SF5000000402"))
    services.dispute_answer(actor=seller, number=d.number, offer_fen=d.claimed_fen, text="退")
    cases["settled"] = d
    buyer.phone = "13900001111"
    buyer.save(update_fields=["phone"])
    _, officer = office(OrgKind.REGULATOR, XIHU, "西湖区市场监督管理局")
    c = complaints.complaint_file(
        actor=buyer, seller=complaints.SellerNamed(seller_id=seller.pk), materials=materials()
    )
    assert c.region_basis == "shown_address"
    complaints.complaint_admit(actor=officer, number=c.number)
    assert {r.province for r in seller_records(seller, cases)} == {"330000"}
    # When the seller clears its address
    show(seller, address_region="")
    # Then its desk records count under the platform's region
    assert {(r.region, r.province) for r in seller_records(seller, cases)} == {("110101", "110000")}
    # And the complaint keeps the region it was routed to
    assert PublicCase.objects.get(number=c.number).region == XIHU
    # And the figures kept equal the figures rebuilt from the cases
    kept = figures.snapshot()
    figures.rebuild()
    assert figures.snapshot() == kept


def test_a_seller_renaming_its_shop_renames_its_named_records(buyer, seller, listing) -> None:
    # Given a case about the seller, named in its record
    d = file_quality(buyer, shipped(buyer, seller, listing, "SF5000000501"))
    assert PublicCase.objects.get(number=d.number).shop_name == "王春茶的小店"
    # When the seller renames its shop
    show(seller, shop_name="春茶铺")
    # Then the record shows the new name, as a rebuild would
    assert PublicCase.objects.get(number=d.number).shop_name == "春茶铺"
    kept = figures.snapshot()
    figures.rebuild()
    assert figures.snapshot() == kept


def test_saving_the_profile_unchanged_republishes_nothing(
    buyer, seller, listing, monkeypatch
) -> None:
    from anxin.core import hooks

    # Given a case about the seller, and the hook point watched
    file_quality(buyer, shipped(buyer, seller, listing, "SF5000000601"))
    calls: list[int] = []
    monkeypatch.setitem(
        hooks._handlers, hooks.SELLER_SHOWN_CHANGED, [lambda seller_id: calls.append(seller_id)]
    )
    # When the seller saves its profile with the same name and region (another contact)
    show(seller, wechat_id="wx_new_tea")
    # Then nothing is republished
    assert calls == []
    # When it changes its region
    show(seller, address_region="110101")
    # Then its records are republished once
    assert calls == [seller.pk]


def reply_records(seller: User) -> list[tuple[str, dict]]:
    import json

    from anxin.evidence.models import Record

    return [
        (r.kind, json.loads(r.body))
        for r in Record.objects.filter(
            chain=f"seller:{seller.pk}", kind__startswith="figures."
        ).order_by("id")
    ]


def test_each_reply_and_each_taking_down_is_on_the_evidence_log_with_its_digest(
    seller: User,
) -> None:
    import hashlib

    def sha(text: str) -> str:
        return hashlib.sha256(text.encode()).hexdigest()

    # Given a seller with no reply
    # When it replies, replaces the reply, then takes it down
    figures.reply_set(actor=seller, text="我们对每一单都认真处理。")
    assert reply_records(seller)[-1][1]["sha256"] == sha("我们对每一单都认真处理。")
    figures.reply_set(actor=seller, text="已全部退款。")
    figures.reply_set(actor=seller, text="")
    # Then each is a record on the seller's chain, with the seller and the text's SHA-256
    records = reply_records(seller)
    assert [kind for kind, _ in records] == [
        "figures.reply_set",
        "figures.reply_set",
        "figures.reply_removed",
    ]
    assert [body["sha256"] for _, body in records] == [
        sha("我们对每一单都认真处理。"),
        sha("已全部退款。"),
        sha("已全部退款。"),  # the reply taken down
    ]
    assert {body["seller"] for _, body in records} == {seller.pk}
    # When it takes down a reply it no longer has
    figures.reply_set(actor=seller, text="  ")
    # Then nothing more is recorded
    assert len(reply_records(seller)) == 3


def test_a_reply_refused_to_someone_not_a_seller_records_nothing(buyer: User) -> None:
    from anxin.core.errors import Forbidden
    from anxin.evidence.models import Record

    # Given a buyer, and the evidence log as it is
    before = Record.objects.count()
    # When the buyer tries to reply to figures
    with pytest.raises(Forbidden):
        figures.reply_set(actor=buyer, text="我是卖家")
    # Then nothing is appended to the evidence log
    assert Record.objects.count() == before
