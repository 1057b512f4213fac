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
    # Given a seller with a listing
    listing = make_listing(seller)
    regulator = staff[Role.REGULATOR]
    # When a buyer, or the operator without evidence, opens an entry against her
    # Then the buyer is forbidden and the operator must cite evidence
    with pytest.raises(Forbidden):
        blacklist.open_entry(
            actor=buyer, seller_id=seller.pk, ground="fraud", reasons="x", evidence_refs=["DS1"]
        )
    with pytest.raises(ValidationFailed, match="evidence"):
        blacklist.open_entry(
            actor=operator, seller_id=seller.pk, ground="fraud", reasons="x", evidence_refs=[]
        )
    # When the operator opens one for fraud, citing two cases
    e = blacklist.open_entry(
        actor=operator,
        seller_id=seller.pk,
        ground="fraud",
        reasons="两起纠纷裁决认定售假",
        evidence_refs=["DS20260501AAAA", "DS20260502BBBB"],
    )
    # Then no decision can be made while the seller may still appeal
    with pytest.raises(InvalidTransition, match="still appeal"):
        blacklist.decide(
            actor=regulator, entry_id=e.pk, list_seller=True, reasons="x", term_days=30
        )
    # When the seller appeals
    # Then she cannot appeal twice, and a term that is not a positive number of days is refused
    blacklist.appeal(actor=seller, entry_id=e.pk, text="鉴定有误，附正规进货发票")
    with pytest.raises(InvalidTransition):
        blacklist.appeal(actor=seller, entry_id=e.pk, text="再申诉")
    with pytest.raises(ValidationFailed, match="term_days"):
        blacklist.decide(actor=regulator, entry_id=e.pk, list_seller=True, reasons="x", term_days=0)
    with pytest.raises(ValidationFailed, match="term_days"):  # true is not a number of days
        blacklist.decide(
            actor=regulator, entry_id=e.pk, list_seller=True, reasons="x", term_days=True
        )
    # When the regulator lists her for a year
    blacklist.decide(
        actor=regulator, entry_id=e.pk, list_seller=True, reasons="申诉不成立", term_days=365
    )
    # Then the entry is listed by the regulator and cannot be decided again
    e.refresh_from_db()
    assert e.status == EntryStatus.LISTED
    assert e.decided_by == regulator
    with pytest.raises(Conflict):
        blacklist.decide(actor=operator, entry_id=e.pk, list_seller=False, reasons="x")
    # Then the shop takes no orders; the same person cannot verify another shop.
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
    # Then notice, appeal and listing are evidence, in that order
    kinds = list(
        Record.objects.filter(chain=f"blacklist:{e.pk}")
        .order_by("id")
        .values_list("kind", flat=True)
    )
    assert kinds == ["blacklist.noticed", "blacklist.appealed", "blacklist.listed"]
    # Then the public list masks the individual.
    [row] = blacklist.public_list()
    assert row["name"].startswith(seller.display_name[:1])
    assert "*" in row["name"]
    assert row["number"].startswith("1101")
    assert "*" in row["number"]
    # When the term ends and expiry runs
    # Then the entry expires and the person can verify again and take orders.
    clock.move_to(e.listed_until)
    assert blacklist.expire() == 1
    assert blacklist.public_list() == []
    verify_seller(seller)
    place_order(buyer, listing)


def test_a_dismissal_lists_nobody(clock, seller, operator) -> None:
    # Given an entry against a seller for running away, with no appeal in its window
    e = blacklist.open_entry(
        actor=operator, seller_id=seller.pk, ground="runaway", reasons="失联", evidence_refs=["AX1"]
    )
    clock.shift(dt.timedelta(days=8))  # the appeal window passed without an appeal
    # When the operator dismisses it
    blacklist.decide(actor=operator, entry_id=e.pk, list_seller=False, reasons="已联系上，正常发货")
    # Then the seller stays verified and the public list is empty
    e.refresh_from_db()
    assert e.status == EntryStatus.DISMISSED
    assert Verification.objects.get(seller=seller).status == Status.VERIFIED
    assert blacklist.public_list() == []


def test_the_blacklist_over_the_api_and_its_public_page(api, clock, seller, staff) -> None:
    from django.test import Client

    # Given a regulator
    regulator = staff[Role.REGULATOR]
    # When she opens an entry against a seller through the API
    r = api(regulator).post(
        "/blacklist",
        {
            "seller_id": seller.pk,
            "ground": "penalty",
            "reasons": "行政处罚决定书",
            "evidence": ["PEN-1"],
        },
    )
    # Then it is created and the seller sees the notice on her blacklist page
    assert r.status_code == 201, r.content
    entry = r.json()["id"]
    c = Client(HTTP_ACCEPT_LANGUAGE="en")
    c.force_login(seller)
    assert 'data-testid="my-notice"' in c.get("/blacklist/").content.decode()
    # When the seller appeals through the page with "mine" for the entry's number
    # Then the page says the entry must be a whole number
    bad = c.post("/blacklist/", {"entry": "mine", "text": "已整改"}, follow=True)
    assert bad.status_code == 200
    assert "Entry: enter a whole number." in bad.content.decode()
    # When she appeals properly, then tries to decide her own entry
    # Then she is forbidden to decide
    c.post("/blacklist/", {"entry": entry, "text": "已整改"})
    assert (
        api(seller)
        .post(f"/blacklist/{entry}/decide", {"list_seller": True, "reasons": "x", "term_days": 9})
        .status_code
        == 403
    )
    # When the regulator lists her for 90 days
    d = api(regulator).post(
        f"/blacklist/{entry}/decide",
        {"list_seller": True, "reasons": "整改不到位", "term_days": 90},
    )
    # Then the entry is listed with her appeal, the public list masks her name and the public
    # page gives the ground
    assert d.json()["status"] == "listed"
    assert d.json()["appeal"] == "已整改"
    public = Client().get("/api/v1/blacklist").json()
    assert len(public) == 1
    assert "*" in public[0]["name"]
    assert (
        "Penalised by a regulator"
        in Client(HTTP_ACCEPT_LANGUAGE="en").get("/blacklist/").content.decode()
    )
    # When the seller tries to lift her own listing, then the regulator lifts it with reasons
    mine = api(seller).post(f"/blacklist/{entry}/lift", {"reasons": "我已整改"})
    lifted = api(regulator).post(f"/blacklist/{entry}/lift", {"reasons": "处罚决定被撤销"})
    again = api(regulator).post(f"/blacklist/{entry}/lift", {"reasons": "再撤一次"})
    # Then only the regulator may; the entry says when and why, the public list no longer has
    # her, and a listing no longer in force cannot be lifted again
    assert mine.status_code == 403
    assert lifted.status_code == 200, lifted.content
    assert lifted.json()["status"] == "lifted"
    assert lifted.json()["lifted"]["reasons"] == "处罚决定被撤销"
    assert Client().get("/api/v1/blacklist").json() == []
    assert (again.status_code, again.json()["code"]) == (409, "not_listed")


def test_the_monitor_opens_an_entry_for_fraud_found_in_a_decided_case(
    clock, buyer, seller, listing
) -> None:
    from anxin.disputes import services as disputes
    from anxin.disputes.tests.helpers import past, to_decision
    from anxin.reputation.models import BlacklistEntry, Ground

    # Given a dispute ready for decision
    d, order, people = to_decision(clock, buyer, seller, listing)
    # When the adjudicator decides the seller sold fakes, a fraud under CRPL Art. 55(1)
    disputes.dispute_decide(
        actor=people["adj1"],
        number=d.number,
        refund_fen=order.amount_fen,
        compensation_fen=50000,
        reasons="鉴定为假货，构成欺诈。",
        citations=[{"statute": "CRPL", "article": 55, "paragraph": 1}],
    )
    # Then the monitor opens nothing while the decision is open to appeal
    assert blacklist.monitor() == 0  # open to appeal: nothing is decided yet
    # When the appeal window passes
    past(clock, d)
    d.refresh_from_db()
    # Then the monitor opens one fraud notice citing the case, once
    assert d.outcome == "decided"
    assert blacklist.monitor() == 1
    e = BlacklistEntry.objects.get(seller=seller)
    assert e.ground == Ground.FRAUD
    assert e.evidence == [d.number]
    assert e.opened_by is None
    assert "CRPL Art. 55(1)" in e.reasons
    assert e.status == EntryStatus.NOTICED
    assert Record.objects.filter(chain=f"blacklist:{e.pk}", kind="blacklist.noticed").exists()
    assert blacklist.monitor() == 0  # the same case is relied on once


def test_the_monitor_lists_repeated_defaults_and_never_reopens_dismissed_evidence(
    clock, buyer, seller, listing, operator
) -> None:
    from django.test import override_settings

    from anxin.disputes import services as disputes
    from anxin.disputes.tests.helpers import past, shipped
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

    # Given that two cases lost by default make a seller a repeat defaulter
    with override_settings(ANXIN_BLACKLIST_DEFAULTS=2):
        # When the seller loses one case by default
        first = lost_by_default("SF6300000001")
        # Then the monitor opens nothing
        assert blacklist.monitor() == 0  # one is not "repeated"
        # When she loses a second
        second = lost_by_default("SF6300000002")
        # Then the monitor opens an entry for defaults citing both cases
        assert blacklist.monitor() == 1
        e = BlacklistEntry.objects.get(seller=seller)
        assert e.ground == Ground.DEFAULTS
        assert e.evidence == sorted([first, second])
        # The appeal window ends at 24:00 Beijing time of its last day (Civil Code Art. 203).
        # When the appeal window ends and the operator dismisses the entry
        clock.move_to(e.appeal_by + dt.timedelta(seconds=1))
        blacklist.decide(actor=operator, entry_id=e.pk, list_seller=False, reasons="已整改")
        # Then the monitor does not open it again on the same cases
        assert blacklist.monitor() == 0  # the dismissed entry's cases are not relied on again


def test_the_monitor_finds_a_runaway_seller_and_spares_an_active_one(
    clock, buyer, seller, other_seller
) -> None:
    from django.test import override_settings

    from anxin.conftest import pay
    from anxin.orders import services as orders
    from anxin.reputation.models import BlacklistEntry, Ground

    # Given that two overdue unshipped orders mark a runaway, and two sellers who each have
    # two paid orders unshipped
    gone, busy = make_listing(seller), make_listing(other_seller)
    with override_settings(ANXIN_BLACKLIST_RUNAWAY_ORDERS=2):
        for listing in (gone, busy, gone, busy):
            pay(place_order(buyer, listing))
        # When the monitor runs a day before the shipping promise and its grace are over
        # Then it opens nothing
        clock.shift(dt.timedelta(days=2 + 7 - 1))  # promised 2 days, 7 of grace, less a day
        assert blacklist.monitor() == 0
        # When that day passes and only the other seller ships a new order
        clock.shift(dt.timedelta(days=1, minutes=1))
        late = place_order(buyer, busy)  # the other seller is still at work
        pay(late)
        orders.order_ship(
            actor=other_seller, number=late.number, carrier="顺丰", tracking_number="SF6400000001"
        )
        # Then the monitor opens one runaway entry, against the silent seller, citing both orders
        assert blacklist.monitor() == 1
        e = BlacklistEntry.objects.get()
        assert e.seller_id == seller.pk
        assert e.ground == Ground.RUNAWAY
        assert len(e.evidence) == 2


def test_the_seller_page_shows_a_listing_only_once_decided(clock, seller, operator) -> None:
    from django.test import Client

    page = Client(HTTP_ACCEPT_LANGUAGE="en")

    def status() -> str:
        html = page.get(f"/s/{seller.pk}").content.decode()
        return html.split('data-testid="blacklist-status">', 1)[1].split("</dd>", 1)[0]

    # Given a seller's public page
    # Then it first says she is not on the blacklist
    assert "Not on the blacklist" in status()
    # When the operator opens a notice against her
    e = blacklist.open_entry(
        actor=operator,
        seller_id=seller.pk,
        ground="penalty",
        reasons="市场监管局行政处罚决定书",
        evidence_refs=["京市监罚〔2026〕12号"],
    )
    # Then the page still says she is not on it
    assert "Not on the blacklist" in status()  # a notice open to appeal is not a finding
    # When the appeal window passes and the operator lists her for 30 days
    clock.shift(dt.timedelta(days=8))
    blacklist.decide(
        actor=operator, entry_id=e.pk, list_seller=True, reasons="处罚已生效", term_days=30
    )
    # Then the page says until when, and why
    shown = status()
    assert "On the blacklist until" in shown
    assert "处罚已生效" in shown
    # When the term is over and the entry expires
    clock.shift(dt.timedelta(days=31))
    blacklist.expire()
    # Then the page says she was on it
    assert "Was on the blacklist from" in status()


def test_a_listing_lifted_early_leaves_the_public_list_and_stays_on_the_record(
    clock, seller, buyer, operator, staff
) -> None:
    # Given a seller listed for a year after the appeal window passed
    e = blacklist.open_entry(
        actor=operator, seller_id=seller.pk, ground="runaway", reasons="失联", evidence_refs=["AX9"]
    )
    # When the regulator tries to lift it before it is decided
    # Then it is refused: only a listing in force can be lifted
    with pytest.raises(InvalidTransition, match="not in force"):
        blacklist.lift(actor=staff[Role.REGULATOR], entry_id=e.pk, reasons="x")
    clock.shift(dt.timedelta(days=8))
    blacklist.decide(actor=operator, entry_id=e.pk, list_seller=True, reasons="成立", term_days=365)
    # When a buyer tries to lift it
    # Then she is forbidden
    with pytest.raises(Forbidden):
        blacklist.lift(actor=buyer, entry_id=e.pk, reasons="x")
    # When the regulator lifts it, with reasons
    clock.shift(dt.timedelta(days=10))
    blacklist.lift(actor=staff[Role.REGULATOR], entry_id=e.pk, reasons="法院撤销了处罚决定")
    # Then it is off the public list, on the seller's record as lifted, and in the evidence log
    e.refresh_from_db()
    assert e.status == EntryStatus.LIFTED
    assert e.lifted_by == staff[Role.REGULATOR]
    assert blacklist.public_list() == []
    assert [x.pk for x in blacklist.standing(seller.pk)] == [e.pk]
    kinds = list(
        Record.objects.filter(chain=f"blacklist:{e.pk}")
        .order_by("id")
        .values_list("kind", flat=True)
    )
    assert kinds[-1] == "blacklist.lifted"
    # And it cannot be lifted twice; the person can verify again and take orders
    with pytest.raises(InvalidTransition):
        blacklist.lift(actor=operator, entry_id=e.pk, reasons="x")
    verify_seller(seller)
    place_order(buyer, make_listing(seller))


def test_the_seller_page_gives_the_ground_and_reasons_in_chinese_punctuation(
    clock, seller, operator
) -> None:
    from django.test import Client

    # Given a seller listed for a fraud found in a dispute, with reasons
    e = blacklist.open_entry(
        actor=operator,
        seller_id=seller.pk,
        ground="fraud",
        reasons="售假",
        evidence_refs=["DS1"],
    )
    clock.shift(dt.timedelta(days=8))
    blacklist.decide(
        actor=operator, entry_id=e.pk, list_seller=True, reasons="售假属实", term_days=30
    )
    # When a buyer reads the seller's page in Chinese
    html = Client(HTTP_ACCEPT_LANGUAGE="zh-hans").get(f"/s/{seller.pk}").content.decode()
    shown = html.split('data-testid="blacklist-status">', 1)[1].split("</dd>", 1)[0]
    # Then the ground and the reasons are joined by a Chinese colon, not an English one
    assert "：售假属实" in shown
    assert ": " not in shown


def test_a_lapsed_sellers_page_says_when_it_was_last_verified(clock, seller) -> None:
    from django.test import Client

    from anxin.sellers.reverification import seller_verification_lapse

    # Given a seller whose re-verification is overdue
    clock.move_to(seller.verification.reverify_by)
    seller_verification_lapse(seller_id=seller.pk)
    # When a buyer reads its page in Chinese
    html = Client(HTTP_ACCEPT_LANGUAGE="zh-hans").get(f"/s/{seller.pk}").content.decode()
    shown = html.split('data-testid="seller-status">', 1)[1].split("</dl>", 1)[0]
    # Then it says when it was last verified, not "verified" beside "not verified"
    assert "上次核验" in shown
    assert "<dt>已核验</dt>" not in shown
