"""The consumer association's work: mediation by the consumer's request, the regulator's
entrustment or the desk's hand-over; the legal limit and testing time; the packages for the
next route; referrals to the regulator; typical cases."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import zipfile

import pytest
from django.utils import timezone

from anxin.accounts.models import SellerProfile, User
from anxin.conftest import shipped
from anxin.core.errors import Conflict, NotFound, ValidationFailed
from anxin.disputes.services import dispute_file
from anxin.evidence.keys import log_verifier
from anxin.evidence.models import Record
from anxin.evidence.note import open_note
from anxin.law.days import BEIJING
from anxin.notices.models import Notification
from anxin.supervision import mediation, services
from anxin.supervision.models import OrgKind
from anxin.supervision.models_association import Mediation, MediationOrigin, MediationStatus
from anxin.supervision.tests.test_complaints import XIHU, materials, office, outside

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(buyer: User) -> dict[str, object]:
    buyer.phone = "13900001111"
    buyer.save(update_fields=["phone"])
    _, regulator_staff = office(OrgKind.REGULATOR, XIHU, "西湖区市场监督管理局")
    association, association_staff = office(OrgKind.ASSOCIATION, XIHU, "西湖区消保委")
    return {
        "buyer": buyer,
        "regulator": regulator_staff,
        "association": association_staff,
        "association_org": association,
    }


def test_the_complainant_asks_the_association_to_mediate(world, other_buyer: User) -> None:
    buyer, staff = world["buyer"], world["association"]
    # Given a complaint to the regulator, received today
    c = services.complaint_file(actor=buyer, seller=outside(), materials=materials())
    # When someone else asks the association to mediate it
    with pytest.raises(NotFound):
        mediation.mediation_ask(actor=other_buyer, complaint_number=c.number)
    # Then nothing is opened; when the complainant asks, a mediation opens at Xihu's
    assert not Mediation.objects.exists()
    m = mediation.mediation_ask(actor=buyer, complaint_number=c.number)
    assert (m.origin, m.association) == (MediationOrigin.CONSUMER, world["association_org"])
    # And it ends by the law's limit: 60 days from today, counted from tomorrow
    last = (m.ends_at.astimezone(BEIJING) - dt.timedelta(days=1)).date()
    assert last >= timezone.localtime(m.started_at, BEIJING).date() + dt.timedelta(days=60)
    # And the association's staff are told, and it is on the evidence log
    assert Notification.objects.filter(user=staff, kind="mediation_opened").exists()
    assert Record.objects.filter(chain=f"mediation:{m.number}", kind="mediation.opened").exists()
    # And it cannot be asked twice while it runs
    with pytest.raises(Conflict):
        mediation.mediation_ask(actor=buyer, complaint_number=c.number)


def test_the_regulator_entrusts_an_accepted_complaint_with_both_parties_agreeing(world) -> None:
    buyer, regulator = world["buyer"], world["regulator"]
    # Given a complaint accepted by the regulator
    c = services.complaint_file(actor=buyer, seller=outside(), materials=materials())
    services.complaint_admit(actor=regulator, number=c.number)
    c.refresh_from_db()
    # When the regulator entrusts it without both parties' agreement
    with pytest.raises(ValidationFailed):
        mediation.mediation_entrust(actor=regulator, complaint_number=c.number, parties_agree=False)
    # Then nothing opens; with their agreement, it opens, its limit counted from acceptance
    assert not Mediation.objects.exists()
    m = mediation.mediation_entrust(actor=regulator, complaint_number=c.number, parties_agree=True)
    assert m.origin == MediationOrigin.ENTRUSTED
    assert m.counted_from == c.decided_at
    # And the association's staff may not entrust anything themselves
    with pytest.raises(NotFound):
        mediation.mediation_entrust(
            actor=world["association"], complaint_number=c.number, parties_agree=True
        )


def test_the_desk_hands_a_case_over_with_its_whole_file(
    world, seller: User, listing, other_buyer: User, settings
) -> None:
    settings.ANXIN_PLATFORM_REGION = XIHU
    buyer = world["buyer"]
    # Given a case at Anxin's desk about an order
    order = shipped(buyer, seller, listing)
    d = dispute_file(
        actor=buyer,
        number=order.number,
        category="quality_defect",
        claim="茶叶发霉。",
        claimed_fen=order.amount_fen,
    )
    # When another buyer tries to take it to the association
    with pytest.raises(NotFound):
        mediation.mediation_from_case(actor=other_buyer, case_number=d.number)
    # Then nothing opens; when its buyer does, the association has it with its bundle
    m = mediation.mediation_from_case(actor=buyer, case_number=d.number)
    assert (m.origin, m.case_number) == (MediationOrigin.DESK, d.number)
    with m.bundle.open("rb") as fh:
        names = zipfile.ZipFile(io.BytesIO(fh.read())).namelist()
    assert f"{d.number}/case.json" in names
    # And the hand-over record carries the bundle's SHA-256
    opened = Record.objects.get(chain=f"mediation:{m.number}", kind="mediation.opened")
    assert json.loads(opened.body)["bundle_sha256"] == m.bundle_sha256
    assert m.seller_name == SellerProfile.objects.get(user=seller).shop_name


def test_testing_time_is_not_counted(world, clock) -> None:
    buyer, staff = world["buyer"], world["association"]
    # Given a mediation that began on a Monday
    clock.move_to(dt.datetime(2026, 5, 11, 10, 0, tzinfo=BEIJING))
    c = services.complaint_file(
        actor=buyer, seller=outside(), materials=materials(knew_at=dt.date(2026, 5, 1))
    )
    m = mediation.mediation_ask(actor=buyer, complaint_number=c.number)
    before = m.ends_at
    # When testing begins, and ends two and a half days later
    mediation.mediation_testing(actor=staff, number=m.number, start=True, note="送检面霜成分")
    clock.shift(dt.timedelta(days=2, hours=12))
    m = mediation.mediation_testing(actor=staff, number=m.number, start=False)
    # Then the three days begun are added to the limit
    assert (m.paused_days, m.ends_at - before) == (3, dt.timedelta(days=3))
    # And while testing ran, the deadline runner would not have ended it
    assert m.status == MediationStatus.OPEN


def test_the_limit_ends_a_mediation_without_agreement(world, clock) -> None:
    buyer = world["buyer"]
    # Given two mediations, one of them paused for testing
    c1 = services.complaint_file(actor=buyer, seller=outside(), materials=materials())
    c2 = services.complaint_file(actor=buyer, seller=outside(), materials=materials())
    running = mediation.mediation_ask(actor=buyer, complaint_number=c1.number)
    paused = mediation.mediation_ask(actor=buyer, complaint_number=c2.number)
    mediation.mediation_testing(actor=world["association"], number=paused.number, start=True)
    # When the deadline runner runs a second before the limit, then at it
    assert mediation.mediations_due(running.ends_at - dt.timedelta(seconds=1)) == 0
    assert mediation.mediations_due(running.ends_at) == 1
    # Then the running one has ended without agreement, the paused one has not
    assert Mediation.objects.get(pk=running.pk).status == MediationStatus.FAILED
    assert Mediation.objects.get(pk=paused.pk).status == MediationStatus.TESTING


def test_an_agreement_is_recorded_by_the_association_s_staff_only(world) -> None:
    buyer = world["buyer"]
    _, other_staff = office(OrgKind.ASSOCIATION, "330102", "上城区消保委")
    c = services.complaint_file(actor=buyer, seller=outside(), materials=materials())
    m = mediation.mediation_ask(actor=buyer, complaint_number=c.number)
    # When another association's staff and the consumer try to record an outcome
    for who in (other_staff, buyer):
        with pytest.raises(NotFound):
            mediation.mediation_end(actor=who, number=m.number, agreed=True, text="退款")
    # Then it runs on; when its own staff record the agreement, it is settled
    assert Mediation.objects.get(pk=m.pk).status == MediationStatus.OPEN
    mediation.mediation_end(
        actor=world["association"],
        number=m.number,
        agreed=True,
        text="商家退还货款 268 元。",
        settled_fen=26800,
    )
    m.refresh_from_db()
    assert (m.status, m.settled_fen) == (MediationStatus.AGREED, 26800)


def test_after_a_failed_mediation_the_package_for_the_regulator_is_signed(world) -> None:
    buyer, staff = world["buyer"], world["association"]
    c = services.complaint_file(actor=buyer, seller=outside(), materials=materials())
    m = mediation.mediation_ask(actor=buyer, complaint_number=c.number)
    # When the consumer asks for the regulator's package while mediation runs
    with pytest.raises(Conflict):
        mediation.package(actor=buyer, number=m.number, route="regulator")
    # Then it is refused; once mediation has failed, the package comes
    mediation.mediation_end(actor=staff, number=m.number, agreed=False, text="商家拒绝调解。")
    data = mediation.package(actor=buyer, number=m.number, route="regulator")
    z = zipfile.ZipFile(io.BytesIO(data))
    root = f"regulator-{m.number}"
    form = json.loads(z.read(f"{root}/regulator.json"))
    # With every field the measures require: who complains, against whom, what and why
    assert form["complainant"]["name"] == "张伟"
    assert form["complainant"]["phone"] == "13900001111"
    assert form["respondent"]["name"] == "小美美妆"
    assert form["request"] == c.request
    assert form["facts"] == c.facts
    # And its manifest is signed with the evidence log's key, over the manifest's hash
    opened = open_note(z.read(f"{root}/manifest.sig").decode(), [log_verifier()])
    manifest = z.read(f"{root}/manifest.json")
    assert f"sha256 {hashlib.sha256(manifest).hexdigest()}" in opened.text
    # And the court's package holds a draft civil complaint naming both parties, and the
    # association's letter supporting the suit
    court = zipfile.ZipFile(
        io.BytesIO(mediation.package(actor=buyer, number=m.number, route="court"))
    )
    claim = court.read(f"court-{m.number}/civil-complaint-draft.txt").decode()
    assert "原告：张伟" in claim
    assert "被告：小美美妆" in claim
    assert c.request in claim
    support = court.read(f"court-{m.number}/association-support.txt").decode()
    assert "第三十七条" in support
    # And an unknown route is not there
    with pytest.raises(NotFound):
        mediation.package(actor=buyer, number=m.number, route="moon")


def test_a_referral_is_answered_by_the_regulator_in_time_or_flagged(world, clock) -> None:
    regulator, association = world["regulator"], world["association"]
    # Given a referral by the association about a seller
    r = mediation.referral_make(
        actor=association, seller_name="阿芳代购", text="一个月内收到 12 起同类投诉。", cases=[]
    )
    assert r.regulator.region == XIHU
    # When the association's staff try to answer it themselves
    with pytest.raises(NotFound):
        mediation.referral_answer(actor=association, number=r.number, answer="已处理")
    # Then it waits; the deadline runner flags it once its time has passed
    assert mediation.referrals_overdue(r.answer_by - dt.timedelta(seconds=1)) == 0
    assert mediation.referrals_overdue(r.answer_by) == 1
    assert Notification.objects.filter(user=regulator, kind="referral_overdue").count() == 1
    # When the regulator answers, the association is told, and it cannot answer twice
    mediation.referral_answer(actor=regulator, number=r.number, answer="已约谈经营者，责令整改。")
    assert Notification.objects.filter(user=association, kind="referral_answered").exists()
    with pytest.raises(Conflict):
        mediation.referral_answer(actor=regulator, number=r.number, answer="再次")


def test_a_typical_case_may_not_name_the_consumer(world) -> None:
    buyer, staff = world["buyer"], world["association"]
    c = services.complaint_file(actor=buyer, seller=outside(), materials=materials())
    m = mediation.mediation_ask(actor=buyer, complaint_number=c.number)
    # When the association publishes the case with the consumer's name in it
    with pytest.raises(ValidationFailed):
        mediation.typical_case_publish(
            actor=staff,
            mediation_number=m.number,
            title="朋友圈代购面霜纠纷",
            summary="消费者张伟在朋友圈购买面霜……",
            lesson="保留聊天记录。",
        )
    # Then it is refused; without it, it is published
    t = mediation.typical_case_publish(
        actor=staff,
        mediation_number=m.number,
        title="朋友圈代购面霜纠纷",
        summary="一位消费者在朋友圈购买面霜，收到后发现是假货。",
        lesson="保留聊天记录和付款凭证。",
    )
    assert t.mediation == m


def test_the_public_figures_follow_a_complaint_s_mediation(world) -> None:
    from anxin.supervision import figures
    from anxin.supervision.models import PublicCase

    buyer, staff = world["buyer"], world["association"]
    # Given a complaint the regulator accepted, entrusted to the association
    c = services.complaint_file(actor=buyer, seller=outside(), materials=materials())
    services.complaint_admit(actor=world["regulator"], number=c.number)
    m = mediation.mediation_entrust(
        actor=world["regulator"], complaint_number=c.number, parties_agree=True
    )
    assert PublicCase.objects.get(number=c.number).status == "accepted"
    # When the association records an agreement
    mediation.mediation_end(actor=staff, number=m.number, agreed=True, text="退款 268 元")
    # Then the published record is resolved by mediation, settled
    record = PublicCase.objects.get(number=c.number)
    assert (record.status, record.outcome, record.mediated) == ("resolved", "settled", True)
    # And the counters kept in the transaction equal a rebuild from the cases
    before = figures.snapshot()
    figures.rebuild()
    assert figures.snapshot() == before
