"""What a market regulator does about a seller: interviews, warnings, orders to correct,
penalty decisions within the law's band and their publication, referrals to the blacklist, and
data requests to the platform; only the staff of the office whose region covers the seller."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from anxin.accounts.models import Role, SellerProfile, User
from anxin.conftest import make_listing, make_user, pay, place_order
from anxin.core.errors import Conflict, NotFound, ValidationFailed
from anxin.evidence.models import Record
from anxin.law.days import BEIJING, DayKind, due_at
from anxin.notices.models import Notification
from anxin.ops.deadlines import deadlines_run
from anxin.reputation.models import BlacklistEntry, EntryStatus, Ground
from anxin.supervision import regulator as reg
from anxin.supervision.models import Organisation, OrgKind, OrgStaff
from anxin.supervision.models_regulator import (
    ActionKind,
    ActionStatus,
    DataRequest,
    RegulatorAction,
    RequestStatus,
)

pytestmark = pytest.mark.django_db

XIHU, HANGZHOU, SHANGCHENG = "330106", "330100", "330102"


def office(kind: str, region: str, username: str, role: str = Role.REGULATOR) -> User:
    org = Organisation.objects.get_or_create(kind=kind, region=region, defaults={"name": region})[0]
    person = make_user(username, role)
    OrgStaff.objects.create(user=person, organisation=org)
    return person


@pytest.fixture
def xihu(seller: User) -> User:
    """The staff of Xihu's regulator, where the seller shows its address."""
    SellerProfile.objects.filter(user=seller).update(address_region=XIHU)
    return office(OrgKind.REGULATOR, XIHU, "xihu-officer")


def target(seller: User) -> reg.Target:
    return reg.Target(seller_id=seller.pk)


def today() -> dt.date:
    return timezone.localtime(timezone.now(), BEIJING).date()


def terms(**kw: Any) -> reg.PenaltyTerms:
    base: dict[str, Any] = {
        "offence": "crpl_56",
        "committed_at": today() - dt.timedelta(days=20),
        "illegal_gains_fen": 120000,
        "fine_fen": 300000,
    }
    return reg.PenaltyTerms(**{**base, **kw})


def test_an_interview_is_recorded_on_its_chain_and_the_seller_is_told(
    xihu: User, seller: User
) -> None:
    # Given the staff of the regulator whose region covers the seller
    # When they record an interview with the seller
    a = reg.action_record(
        actor=xihu, target=target(seller), kind=ActionKind.INTERVIEW, summary="约谈：虚假宣传"
    )
    # Then it is recorded for their office, as an evidence record on its own chain
    assert a.organisation.region == XIHU
    assert a.seller_name == "王春茶的小店"
    rec = Record.objects.get(chain=reg.chain_of(a))
    assert rec.kind == "regulator.interview"
    # And the seller is told
    assert Notification.objects.filter(user=seller, kind="regulator_interview").count() == 1


def test_a_city_office_covers_its_districts_but_not_another_city(seller: User) -> None:
    # Given a seller in Xihu, Hangzhou's city office, and the office of another city (Ningbo)
    SellerProfile.objects.filter(user=seller).update(address_region=XIHU)
    city = office(OrgKind.REGULATOR, HANGZHOU, "hz-officer")
    ningbo = office(OrgKind.REGULATOR, "330200", "nb-officer")
    # When each warns the seller
    a = reg.action_record(actor=city, target=target(seller), kind="warning", summary="警告")
    # Then the city's is recorded, and the other city's reads as no seller at all
    assert a.kind == ActionKind.WARNING
    with pytest.raises(NotFound):
        reg.action_record(actor=ningbo, target=target(seller), kind="warning", summary="警告")
    assert RegulatorAction.objects.count() == 1


def test_a_correction_order_is_answered_before_its_deadline(xihu: User, seller: User) -> None:
    # Given an order to correct within 10 days
    a = reg.action_record(
        actor=xihu,
        target=target(seller),
        kind=ActionKind.CORRECTION,
        summary="限期改正：首页公示营业执照信息",
        correct_days=10,
    )
    # Then its deadline is the law's count of 10 days, and it is open
    assert a.correct_by == due_at(a.recorded_at, 10)
    assert a.status == ActionStatus.OPEN
    # When the seller says it has corrected, with a note
    a = reg.correction_answer(actor=seller, number=a.number, note="已在店铺首页公示营业执照")
    # Then it is corrected, on its chain, and the office is told
    assert a.status == ActionStatus.CORRECTED
    kinds = list(Record.objects.filter(chain=reg.chain_of(a)).values_list("kind", flat=True))
    assert kinds == ["regulator.correction", "regulator.corrected"]
    assert Notification.objects.filter(user=xihu, kind="regulator_corrected").count() == 1
    # And it cannot be answered twice
    with pytest.raises(Conflict):
        reg.correction_answer(actor=seller, number=a.number, note="again")


def test_a_correction_order_defaults_when_its_deadline_passes(
    xihu: User, seller: User, clock
) -> None:
    # Given an order to correct within 3 days, unanswered
    a = reg.action_record(
        actor=xihu, target=target(seller), kind="correction", summary="改正", correct_days=3
    )
    # When the deadline runner runs just before the deadline
    clock.move_to(a.correct_by - dt.timedelta(minutes=1))
    assert deadlines_run()["corrections_defaulted"] == 0
    # Then it is still open; and when it runs after the deadline
    clock.move_to(a.correct_by + dt.timedelta(minutes=1))
    counts = deadlines_run()
    # Then the order is defaulted, on its chain, and the office and the seller are told
    a.refresh_from_db()
    assert counts["corrections_defaulted"] == 1
    assert a.status == ActionStatus.DEFAULTED
    assert Record.objects.filter(chain=reg.chain_of(a), kind="regulator.defaulted").exists()
    assert Notification.objects.filter(user=xihu, kind="regulator_correction_defaulted").exists()
    assert Notification.objects.filter(user=seller, kind="regulator_correction_defaulted").exists()
    # And the seller can no longer answer it
    with pytest.raises(Conflict):
        reg.correction_answer(actor=seller, number=a.number, note="late")


def test_a_fine_outside_the_laws_band_is_refused_with_the_band_named(
    xihu: User, seller: User
) -> None:
    # Given illegal gains of 1,200 yuan under CRPL 56 (1 to 10 times: 1,200 to 12,000 yuan)
    # When the office decides a fine of 12,000.01 yuan
    with pytest.raises(ValidationFailed) as e:
        reg.penalty_decide(
            actor=xihu, target=target(seller), summary="虚假宣传", terms=terms(fine_fen=1200001)
        )
    # Then it is refused, naming the band and the article, and nothing is recorded
    assert "1200.00 to 12000.00" in str(e.value)
    assert "CRPL Art. 56" in str(e.value)
    assert RegulatorAction.objects.count() == 0
    # And a fine at the top of the band is decided, with the law's band kept
    a = reg.penalty_decide(
        actor=xihu, target=target(seller), summary="虚假宣传", terms=terms(fine_fen=1200000)
    )
    assert a.law["penalties"][0]["max_fen"] == 1200000
    assert a.publish_by == due_at(a.recorded_at, 20, DayKind.WORKING)
    assert Notification.objects.filter(user=seller, kind="regulator_penalty").count() == 1


def test_a_penalty_is_shown_only_once_published_and_hidden_after_three_years(
    xihu: User, seller: User, clock
) -> None:
    # Given a penalty decision
    a = reg.penalty_decide(actor=xihu, target=target(seller), summary="虚假宣传", terms=terms())
    # Then nobody sees it on the public page before it is published
    assert not reg.penalties_shown().exists()
    # When the office publishes it
    a = reg.penalty_publish(actor=xihu, number=a.number)
    # Then it is shown, until three years after (PDR 13)
    assert list(reg.penalties_shown()) == [a]
    assert a.shown_until is not None
    # (published on 1 May 2026: three years end on Labour Day 2029, which the law makes a day
    # off on 1 and 2 May, so the last day shown is 3 May, Civil Code Art. 203)
    assert a.published_at.astimezone(BEIJING).date() == dt.date(2026, 5, 1)
    assert a.shown_until == dt.datetime(2029, 5, 4, tzinfo=BEIJING)
    clock.move_to(a.shown_until - dt.timedelta(minutes=1))
    assert reg.penalties_shown().exists()
    # And from then on it is hidden, with nobody doing anything
    clock.move_to(a.shown_until)
    assert not reg.penalties_shown().exists()
    # And it cannot be published twice
    with pytest.raises(Conflict):
        reg.penalty_publish(actor=xihu, number=a.number)


def test_a_minor_penalty_is_shown_three_months(xihu: User, seller: User) -> None:
    # Given a minor penalty decision (a lower fine)
    a = reg.penalty_decide(
        actor=xihu, target=target(seller), summary="轻微", terms=terms(minor=True, fine_fen=120000)
    )
    # When it is published
    a = reg.penalty_publish(actor=xihu, number=a.number)
    # Then it is shown for three months only
    assert a.shown_until is not None
    assert 89 <= (a.shown_until - a.published_at).days <= 93


def test_an_unpublished_penalty_past_its_day_is_flagged_once(
    xihu: User, seller: User, clock
) -> None:
    # Given a penalty decision never published
    a = reg.penalty_decide(actor=xihu, target=target(seller), summary="虚假宣传", terms=terms())
    assert a.publish_by is not None
    # When the deadline runner runs after the 20 working days, twice
    clock.move_to(a.publish_by + dt.timedelta(hours=1))
    first = deadlines_run()["penalty_publications_overdue"]
    second = deadlines_run()["penalty_publications_overdue"]
    # Then the office is told once
    assert (first, second) == (1, 0)
    assert Notification.objects.filter(user=xihu, kind="regulator_publication_overdue").count() == 1


def test_a_referral_opens_the_blacklists_due_process(xihu: User, seller: User) -> None:
    # When the office refers the seller to the blacklist
    a = reg.referral_make(
        actor=xihu, target=target(seller), summary="多次处罚仍不改正", evidence_refs=["JG1"]
    )
    # Then a blacklist notice is opened on the penalty ground, open to the seller's appeal,
    # citing the referral, and the seller is told by the blacklist's own notice
    entry = BlacklistEntry.objects.get()
    assert a.blacklist_entry == entry
    assert entry.status == EntryStatus.NOTICED
    assert entry.ground == Ground.PENALTY
    assert a.number in entry.evidence
    assert Notification.objects.filter(user=seller, kind="blacklist_notice").count() == 1


def test_a_data_request_is_answered_with_an_export_on_the_evidence_log(
    xihu: User, seller: User, buyer: User, operator: User
) -> None:
    # Given a paid order of the seller's
    order = place_order(buyer, make_listing(seller))
    pay(order)
    # When the office asks the platform for the seller's orders in this month
    r = reg.data_request_make(
        actor=xihu,
        seller_id=seller.pk,
        purpose="案件调查：虚假宣传",
        period_from=today() - dt.timedelta(days=30),
        period_to=today(),
    )
    # Then the operators are told, with the day to answer by
    assert Notification.objects.filter(user=operator, kind="data_request_made").count() == 1
    # And a seller cannot answer it
    with pytest.raises(NotFound):
        reg.data_request_answer(actor=seller, number=r.number)
    # When the operator answers
    r = reg.data_request_answer(actor=operator, number=r.number, note="见附件")
    # Then the export holds the order, its digest is committed to the request's chain, and the
    # office is told
    assert r.status == RequestStatus.ANSWERED
    data = zipfile.ZipFile(io.BytesIO(r.file.read())).read("orders.csv").decode("utf-8-sig")
    assert order.number in data
    assert {f["name"]: f["rows"] for f in r.files}["orders.csv"] == 1
    answered = Record.objects.get(chain=reg.request_chain(r), kind="data_request.answered")
    assert json.loads(answered.body)["sha256"] == r.sha256
    assert Notification.objects.filter(user=xihu, kind="data_request_answered").count() == 1


def test_an_unanswered_data_request_is_flagged_overdue(
    xihu: User, seller: User, operator: User, clock
) -> None:
    # Given a data request nobody answered
    r = reg.data_request_make(
        actor=xihu, seller_id=seller.pk, purpose="调查", period_from=today(), period_to=today()
    )
    # When the deadline runner runs after its answer day
    clock.move_to(r.answer_by + dt.timedelta(minutes=1))
    assert deadlines_run()["data_requests_overdue"] == 1
    # Then the operator and the office are told
    r.refresh_from_db()
    assert r.overdue_noticed_at is not None
    assert Notification.objects.filter(user=operator, kind="data_request_overdue").exists()
    assert Notification.objects.filter(user=xihu, kind="data_request_overdue").exists()


ACTIONS: dict[str, Callable[[User, User], Any]] = {
    "interview": lambda u, s: reg.action_record(
        actor=u, target=target(s), kind="interview", summary="x"
    ),
    "warning": lambda u, s: reg.action_record(
        actor=u, target=target(s), kind="warning", summary="x"
    ),
    "correction": lambda u, s: reg.action_record(
        actor=u, target=target(s), kind="correction", summary="x", correct_days=5
    ),
    "penalty": lambda u, s: reg.penalty_decide(
        actor=u, target=target(s), summary="x", terms=terms()
    ),
    "referral": lambda u, s: reg.referral_make(
        actor=u, target=target(s), summary="x", evidence_refs=[]
    ),
    "data_request": lambda u, s: reg.data_request_make(
        actor=u, seller_id=s.pk, purpose="x", period_from=today(), period_to=today()
    ),
}


@pytest.mark.parametrize("action", list(ACTIONS))
@pytest.mark.parametrize(
    "who", ["buyer", "seller", "mediator", "adjudicator", "operator", "regulator", "association"]
)
def test_no_one_but_the_covering_regulators_staff_acts(
    action: str, who: str, xihu: User, seller: User
) -> None:
    # Given every other role: a buyer, the seller itself, the desk's staff, the operator, a
    # regulator-role account of no office, and the staff of the seller's consumer association
    if who == "association":
        actor = office(OrgKind.ASSOCIATION, XIHU, "xihu-assoc", Role.MEDIATOR)
    elif who == "seller":
        actor = seller
    else:
        actor = make_user(f"other-{who}", who)
    # When it tries the action on the seller
    with pytest.raises(NotFound):
        ACTIONS[action](actor, seller)
    # Then nothing changes: no action, no request, no blacklisting, no record, no notice
    assert RegulatorAction.objects.count() == 0
    assert DataRequest.objects.count() == 0
    assert BlacklistEntry.objects.count() == 0
    assert not Record.objects.filter(chain__startswith="regulator:").exists()
    assert not Notification.objects.filter(user=seller).exists()


def test_others_cannot_publish_a_penalty_or_answer_a_correction(
    xihu: User, seller: User, other_seller: User
) -> None:
    # Given a penalty decision and a correction order of Xihu's office
    p = reg.penalty_decide(actor=xihu, target=target(seller), summary="x", terms=terms())
    c = reg.action_record(
        actor=xihu, target=target(seller), kind="correction", summary="x", correct_days=5
    )
    other_office = office(OrgKind.REGULATOR, SHANGCHENG, "sc-officer")
    # When another office publishes the penalty, or another seller answers the order
    # Then each reads as not found, and nothing changes
    with pytest.raises(NotFound):
        reg.penalty_publish(actor=other_office, number=p.number)
    with pytest.raises(NotFound):
        reg.penalty_publish(actor=seller, number=p.number)
    with pytest.raises(NotFound):
        reg.correction_answer(actor=other_seller, number=c.number, note="x")
    p.refresh_from_db()
    c.refresh_from_db()
    assert p.published_at is None
    assert c.status == ActionStatus.OPEN


def test_the_notices_say_what_happened_and_link_to_the_act(xihu: User, seller: User) -> None:
    from django.utils import translation

    from anxin.notices.texts import notice_text, notice_url

    # Given an order to correct and a penalty decision sent to the seller
    a = reg.action_record(
        actor=xihu, target=target(seller), kind="correction", summary="改正", correct_days=5
    )
    p = reg.penalty_decide(actor=xihu, target=target(seller), summary="罚款", terms=terms())
    # When the seller reads the notices, in Chinese
    order = Notification.objects.get(user=seller, kind="regulator_correction")
    fine = Notification.objects.get(user=seller, kind="regulator_penalty")
    with translation.override("zh-hans"):
        said = notice_text(order), notice_text(fine)
    # Then each names the act, the deadline or the fine, and links to the act's page
    assert a.number in said[0]
    assert "改正" in said[0]
    assert "3000.00" in said[1]
    assert notice_url(order) == f"/supervision/actions/{a.number}"
    assert notice_url(fine) == f"/supervision/actions/{p.number}"
