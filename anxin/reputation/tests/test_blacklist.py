"""The blacklist with due process: notice, appeal window, decision with a term, the identity
kept from opening another shop, expiry, and a public list that masks individuals."""

from __future__ import annotations

import datetime as dt

import pytest

from anxin.accounts.models import Role
from anxin.conftest import make_listing, make_user, place_order, verify_seller
from anxin.core.errors import Conflict, Forbidden, InvalidTransition, ValidationFailed
from anxin.evidence.models import Record
from anxin.reputation import blacklist
from anxin.reputation.models import EntryStatus
from anxin.sellers.models import Status, Verification

pytestmark = pytest.mark.django_db


def test_notice_appeal_decision_and_the_identity_kept_out(
    clock, seller, buyer, operator, staff
) -> None:
    listing = make_listing(seller)
    regulator = staff[Role.REGULATOR]
    with pytest.raises(Forbidden):
        blacklist.open_entry(
            actor=buyer, seller_id=seller.pk, ground="fraud", reasons="x", evidence_refs=["DS1"]
        )
    with pytest.raises(ValidationFailed, match="evidence"):
        blacklist.open_entry(
            actor=operator, seller_id=seller.pk, ground="fraud", reasons="x", evidence_refs=[]
        )
    e = blacklist.open_entry(
        actor=operator,
        seller_id=seller.pk,
        ground="fraud",
        reasons="两起纠纷裁决认定售假",
        evidence_refs=["DS20260501AAAA", "DS20260502BBBB"],
    )
    with pytest.raises(InvalidTransition, match="still appeal"):
        blacklist.decide(
            actor=regulator, entry_id=e.pk, list_seller=True, reasons="x", term_days=30
        )
    blacklist.appeal(actor=seller, entry_id=e.pk, text="鉴定有误，附正规进货发票")
    with pytest.raises(InvalidTransition):
        blacklist.appeal(actor=seller, entry_id=e.pk, text="再申诉")
    with pytest.raises(ValidationFailed, match="term_days"):
        blacklist.decide(actor=regulator, entry_id=e.pk, list_seller=True, reasons="x", term_days=0)
    with pytest.raises(ValidationFailed, match="term_days"):  # true is not a number of days
        blacklist.decide(
            actor=regulator, entry_id=e.pk, list_seller=True, reasons="x", term_days=True
        )
    blacklist.decide(
        actor=regulator, entry_id=e.pk, list_seller=True, reasons="申诉不成立", term_days=365
    )
    e.refresh_from_db()
    assert e.status == EntryStatus.LISTED
    assert e.decided_by == regulator
    with pytest.raises(Conflict):
        blacklist.decide(actor=operator, entry_id=e.pk, list_seller=False, reasons="x")
    # The shop takes no orders; the same person cannot verify another shop.
    assert Verification.objects.get(seller=seller).status == Status.LAPSED
    with pytest.raises(Forbidden):
        place_order(buyer, listing)
    second = make_user("sameperson", Role.SELLER, verified=False)
    from anxin.bench import synthetic
    from anxin.sellers import services as sellers

    with pytest.raises(Forbidden, match="blacklist"):
        sellers.seller_verify(
            actor=second,
            kind="individual",
            name="王春茶",
            number=synthetic.id_number(seller.pk),
            address="杭州",
            contact="13900001111",
        )
    kinds = list(
        Record.objects.filter(chain=f"blacklist:{e.pk}")
        .order_by("id")
        .values_list("kind", flat=True)
    )
    assert kinds == ["blacklist.noticed", "blacklist.appealed", "blacklist.listed"]
    # The public list masks the individual.
    [row] = blacklist.public_list()
    assert row["name"].startswith(seller.display_name[:1])
    assert "*" in row["name"]
    assert row["number"].startswith("1101")
    assert "*" in row["number"]
    # The term ends: the entry expires and the person can verify again.
    clock.move_to(e.listed_until)
    assert blacklist.expire() == 1
    assert blacklist.public_list() == []
    verify_seller(seller)
    place_order(buyer, listing)


def test_a_dismissal_lists_nobody(clock, seller, operator) -> None:
    e = blacklist.open_entry(
        actor=operator, seller_id=seller.pk, ground="runaway", reasons="失联", evidence_refs=["AX1"]
    )
    clock.shift(dt.timedelta(days=8))  # the appeal window passed without an appeal
    blacklist.decide(actor=operator, entry_id=e.pk, list_seller=False, reasons="已联系上，正常发货")
    e.refresh_from_db()
    assert e.status == EntryStatus.DISMISSED
    assert Verification.objects.get(seller=seller).status == Status.VERIFIED
    assert blacklist.public_list() == []


def test_the_blacklist_over_the_api_and_its_public_page(api, clock, seller, staff) -> None:
    from django.test import Client

    regulator = staff[Role.REGULATOR]
    r = api(regulator).post(
        "/blacklist",
        {
            "seller_id": seller.pk,
            "ground": "penalty",
            "reasons": "行政处罚决定书",
            "evidence": ["PEN-1"],
        },
    )
    assert r.status_code == 201, r.content
    entry = r.json()["id"]
    c = Client(HTTP_ACCEPT_LANGUAGE="en")
    c.force_login(seller)
    assert 'data-testid="my-notice"' in c.get("/blacklist/").content.decode()
    bad = c.post("/blacklist/", {"entry": "mine", "text": "已整改"}, follow=True)
    assert bad.status_code == 200
    assert "entry: a whole number" in bad.content.decode()
    c.post("/blacklist/", {"entry": entry, "text": "已整改"})
    assert (
        api(seller)
        .post(f"/blacklist/{entry}/decide", {"list_seller": True, "reasons": "x", "term_days": 9})
        .status_code
        == 403
    )
    d = api(regulator).post(
        f"/blacklist/{entry}/decide",
        {"list_seller": True, "reasons": "整改不到位", "term_days": 90},
    )
    assert d.json()["status"] == "listed"
    assert d.json()["appeal"] == "已整改"
    public = Client().get("/api/v1/blacklist").json()
    assert len(public) == 1
    assert "*" in public[0]["name"]
    assert (
        "Penalised by a regulator"
        in Client(HTTP_ACCEPT_LANGUAGE="en").get("/blacklist/").content.decode()
    )


def test_the_monitor_opens_an_entry_for_fraud_found_in_a_decided_case(
    clock, buyer, seller, listing
) -> None:
    from anxin.disputes import services as disputes
    from anxin.disputes.tests.test_stages import past, to_decision
    from anxin.reputation.models import BlacklistEntry, Ground

    d, order, people = to_decision(clock, buyer, seller, listing)
    disputes.dispute_decide(
        actor=people["adj1"],
        number=d.number,
        refund_fen=order.amount_fen,
        compensation_fen=50000,
        reasons="鉴定为假货，构成欺诈。",
        citations=[{"statute": "CRPL", "article": 55, "paragraph": 1}],
    )
    assert blacklist.monitor() == 0  # open to appeal: nothing is decided yet
    past(clock, d)
    d.refresh_from_db()
    assert d.outcome == "decided"
    assert blacklist.monitor() == 1
    e = BlacklistEntry.objects.get(seller=seller)
    assert (e.ground, e.evidence, e.opened_by) == (Ground.FRAUD, [d.number], None)
    assert "CRPL Art. 55(1)" in e.reasons
    assert e.status == EntryStatus.NOTICED
    assert Record.objects.filter(chain=f"blacklist:{e.pk}", kind="blacklist.noticed").exists()
    assert blacklist.monitor() == 0  # the same case is relied on once


def test_the_monitor_lists_repeated_defaults_and_never_reopens_dismissed_evidence(
    clock, buyer, seller, listing, operator
) -> None:
    from django.test import override_settings

    from anxin.disputes import services as disputes
    from anxin.disputes.tests.helpers import shipped
    from anxin.disputes.tests.test_stages import past
    from anxin.reputation.models import BlacklistEntry, Ground

    def lost_by_default(tracking: str) -> str:
        order = shipped(buyer, seller, listing, tracking=tracking)
        d = disputes.dispute_file(
            actor=buyer,
            number=order.number,
            category="not_delivered",
            claim="没收到",
            claimed_fen=order.amount_fen,
        )
        past(clock, d)
        d.refresh_from_db()
        assert d.outcome == "default"
        return d.number

    with override_settings(ANXIN_BLACKLIST_DEFAULTS=2):
        first = lost_by_default("SF6300000001")
        assert blacklist.monitor() == 0  # one is not "repeated"
        second = lost_by_default("SF6300000002")
        assert blacklist.monitor() == 1
        e = BlacklistEntry.objects.get(seller=seller)
        assert e.ground == Ground.DEFAULTS
        assert e.evidence == sorted([first, second])
        # The appeal window ends at 24:00 Beijing time of its last day (Civil Code Art. 203).
        clock.move_to(e.appeal_by + dt.timedelta(seconds=1))
        blacklist.decide(actor=operator, entry_id=e.pk, list_seller=False, reasons="已整改")
        assert blacklist.monitor() == 0  # the dismissed entry's cases are not relied on again


def test_the_monitor_finds_a_runaway_seller_and_spares_an_active_one(
    clock, buyer, seller, other_seller
) -> None:
    from django.test import override_settings

    from anxin.conftest import pay
    from anxin.orders import services as orders
    from anxin.reputation.models import BlacklistEntry, Ground

    gone, busy = make_listing(seller), make_listing(other_seller)
    with override_settings(ANXIN_BLACKLIST_RUNAWAY_ORDERS=2):
        for listing in (gone, busy, gone, busy):
            pay(place_order(buyer, listing))
        clock.shift(dt.timedelta(days=2 + 7 - 1))  # promised 2 days, 7 of grace, less a day
        assert blacklist.monitor() == 0
        clock.shift(dt.timedelta(days=1, minutes=1))
        late = place_order(buyer, busy)  # the other seller is still at work
        pay(late)
        orders.order_ship(
            actor=other_seller, number=late.number, carrier="顺丰", tracking_number="SF6400000001"
        )
        assert blacklist.monitor() == 1
        e = BlacklistEntry.objects.get()
        assert (e.seller_id, e.ground, len(e.evidence)) == (seller.pk, Ground.RUNAWAY, 2)


def test_the_seller_page_shows_a_listing_only_once_decided(clock, seller, operator) -> None:
    from django.test import Client

    page = Client(HTTP_ACCEPT_LANGUAGE="en")

    def status() -> str:
        html = page.get(f"/s/{seller.pk}").content.decode()
        return html.split('data-testid="blacklist-status">', 1)[1].split("</dd>", 1)[0]

    assert "Not on the blacklist" in status()
    e = blacklist.open_entry(
        actor=operator,
        seller_id=seller.pk,
        ground="penalty",
        reasons="市场监管局行政处罚决定书",
        evidence_refs=["京市监罚〔2026〕12号"],
    )
    assert "Not on the blacklist" in status()  # a notice open to appeal is not a finding
    clock.shift(dt.timedelta(days=8))
    blacklist.decide(
        actor=operator, entry_id=e.pk, list_seller=True, reasons="处罚已生效", term_days=30
    )
    shown = status()
    assert "On the blacklist until" in shown
    assert "处罚已生效" in shown
    clock.shift(dt.timedelta(days=31))
    blacklist.expire()
    assert "Was on the blacklist from" in status()
