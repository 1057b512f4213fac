"""The open complaint channel: who may complain, where a complaint goes, what the law decides
at once, and what the regulator's staff, the complainant and the seller may do with it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from anxin.accounts.models import Role, SellerProfile, User
from anxin.conftest import make_user
from anxin.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from anxin.evidence.models import Record
from anxin.law.days import BEIJING
from anxin.notices.models import Notification
from anxin.supervision import services
from anxin.supervision.models import (
    Complaint,
    ComplaintStatus,
    Organisation,
    OrgKind,
    OrgStaff,
    RegionBasis,
)

pytestmark = pytest.mark.django_db

XIHU, HANGZHOU, SHANGCHENG = "330106", "330100", "330102"


def office(kind: str, region: str, name: str) -> tuple[Organisation, User]:
    org = Organisation.objects.create(kind=kind, region=region, name=name)
    role = Role.REGULATOR if kind == OrgKind.REGULATOR else Role.MEDIATOR
    person = make_user(f"{kind}-{region}", role)
    OrgStaff.objects.create(user=person, organisation=org)
    return org, person


@pytest.fixture
def complainant(buyer: User) -> User:
    buyer.phone = "13900001111"
    buyer.save(update_fields=["phone"])
    return buyer


def materials(**kw: object) -> services.Materials:
    today = timezone.localtime(timezone.now(), BEIJING).date()
    base: dict[str, object] = {
        "name": "张伟",
        "address": "杭州市西湖区文三路 1 号",
        "request": "退还货款 268 元",
        "facts": "在朋友圈买的面霜，收到后发现是假货。",
        "knew_at": today - dt.timedelta(days=10),
        "paid_fen": 26800,
    }
    return services.Materials(**{**base, **kw})  # type: ignore[arg-type]


def outside(region: str = XIHU) -> services.SellerNamed:
    return services.SellerNamed(
        name="小美美妆", wechat="wx_xiaomei", platform="微信朋友圈", region=region
    )


def test_a_complaint_needs_a_verified_phone_number(buyer: User) -> None:
    # Given a buyer whose account has no verified mobile number
    assert buyer.phone is None
    # When the buyer files a complaint
    with pytest.raises(Forbidden) as e:
        services.complaint_file(actor=buyer, seller=outside(), materials=materials())
    # Then it is refused, saying so, and nothing is recorded
    assert e.value.code == "phone_required"
    assert Complaint.objects.count() == 0


def test_a_seller_not_on_anxin_goes_to_the_regulator_of_the_region_named(
    complainant: User,
) -> None:
    # Given regulators for Xihu district and for Hangzhou city
    xihu, xihu_staff = office(OrgKind.REGULATOR, XIHU, "西湖区市场监督管理局")
    office(OrgKind.REGULATOR, HANGZHOU, "杭州市市场监督管理局")
    # When a complaint names a seller in Xihu district
    c = services.complaint_file(actor=complainant, seller=outside(XIHU), materials=materials())
    # Then the district's regulator has it, on the complainant's word for the region
    assert c.regulator == xihu
    assert c.region_basis == RegionBasis.COMPLAINANT
    # And it waits for the regulator's decision, whose staff are told
    assert c.status == ComplaintStatus.RECEIVED
    assert Notification.objects.filter(user=xihu_staff, kind="complaint_received").count() == 1


def test_a_county_without_an_office_is_served_by_its_city(complainant: User) -> None:
    # Given a regulator for Hangzhou city only
    hangzhou, _ = office(OrgKind.REGULATOR, HANGZHOU, "杭州市市场监督管理局")
    # When a complaint names a seller in Shangcheng district, which has no office in Anxin
    c = services.complaint_file(
        actor=complainant, seller=outside(SHANGCHENG), materials=materials()
    )
    # Then the city's regulator has it
    assert c.regulator == hangzhou
    assert c.region == SHANGCHENG


def test_an_anxin_seller_goes_by_its_shown_address_else_the_platform(
    complainant: User, seller: User, other_seller: User, settings
) -> None:
    # Given a seller that shows an address in Shangcheng, one that shows none, and the
    # platform's domicile in Xihu
    settings.ANXIN_PLATFORM_REGION = XIHU
    SellerProfile.objects.filter(user=seller).update(address_region=SHANGCHENG)
    shangcheng, _ = office(OrgKind.REGULATOR, SHANGCHENG, "上城区市场监督管理局")
    xihu, _ = office(OrgKind.REGULATOR, XIHU, "西湖区市场监督管理局")
    # When a complaint is filed about each
    shown = services.complaint_file(
        actor=complainant, seller=services.SellerNamed(seller_id=seller.pk), materials=materials()
    )
    none = services.complaint_file(
        actor=complainant,
        seller=services.SellerNamed(seller_id=other_seller.pk),
        materials=materials(),
    )
    # Then the first goes to the regulator of its shown address, the second to the platform's
    assert (shown.regulator, shown.region_basis) == (shangcheng, RegionBasis.SHOWN_ADDRESS)
    assert (none.regulator, none.region_basis) == (xihu, RegionBasis.PLATFORM)
    # And each names the shop as Anxin knows it
    assert shown.seller_name == SellerProfile.objects.get(user=seller).shop_name


def test_a_complaint_more_than_three_years_late_is_refused_at_once_with_the_other_routes(
    complainant: User,
) -> None:
    # Given a regulator for the region
    _, staff = office(OrgKind.REGULATOR, XIHU, "西湖区市场监督管理局")
    today = timezone.localtime(timezone.now(), BEIJING).date()
    # When the complainant knew of the harm three years and a month ago
    c = services.complaint_file(
        actor=complainant,
        seller=outside(),
        materials=materials(knew_at=today.replace(year=today.year - 3) - dt.timedelta(days=31)),
    )
    # Then the law refuses it at once
    assert c.status == ComplaintStatus.REFUSED
    assert c.law["outcome"] == "inadmissible"
    # And cites the other routes of CRPL Art. 39
    assert {"statute": "CRPL", "article": 39} in c.law["citations"]
    # And both steps are on the complaint's evidence chain
    kinds = list(
        Record.objects.filter(chain=f"complaint:{c.number}").values_list("kind", flat=True)
    )
    assert kinds == ["complaint.filed", "complaint.refused"]
    # And the regulator's staff are not asked to decide it
    assert not Notification.objects.filter(user=staff).exists()


def test_the_regulator_decides_by_the_law_engine_s_seventh_working_day(
    complainant: User, clock
) -> None:
    # Given a Monday with no public holiday in the next seven working days
    clock.move_to(dt.datetime(2026, 3, 2, 10, 0, tzinfo=BEIJING))
    office(OrgKind.REGULATOR, XIHU, "西湖区市场监督管理局")
    # When a complaint is received that day
    c = services.complaint_file(
        actor=complainant, seller=outside(), materials=materials(knew_at=dt.date(2026, 2, 20))
    )
    # Then the decision is due by the end of 2026-03-11 (Beijing time), as the engine counts
    assert c.decide_by == dt.datetime(2026, 3, 12, 0, 0, tzinfo=BEIJING)
    assert {"what": "acceptance_decision_by", "date": "2026-03-11"} in c.law["deadlines"]


def test_only_the_staff_of_its_regulator_accept_a_complaint(
    complainant: User, other_buyer: User
) -> None:
    # Given a complaint at Xihu's regulator, and the staff of another office
    _, xihu_staff = office(OrgKind.REGULATOR, XIHU, "西湖区市场监督管理局")
    _, other_staff = office(OrgKind.REGULATOR, SHANGCHENG, "上城区市场监督管理局")
    c = services.complaint_file(actor=complainant, seller=outside(), materials=materials())
    # When the other office's staff, the complainant and a stranger try to accept it
    for who in (other_staff, complainant, other_buyer):
        with pytest.raises(NotFound):
            services.complaint_admit(actor=who, number=c.number)
    # Then it is unchanged
    assert Complaint.objects.get(pk=c.pk).status == ComplaintStatus.RECEIVED
    # When its own regulator's staff accept it
    services.complaint_admit(actor=xihu_staff, number=c.number)
    # Then it is accepted, recorded, and the complainant is told
    c.refresh_from_db()
    assert c.status == ComplaintStatus.ADMITTED
    assert c.decided_by == xihu_staff
    assert Record.objects.filter(chain=f"complaint:{c.number}", kind="complaint.admitted").exists()
    assert Notification.objects.filter(user=complainant, kind="complaint_admitted").exists()
    # And it cannot be decided twice
    with pytest.raises(Conflict):
        services.complaint_refuse(
            actor=xihu_staff, number=c.number, ground="not_consumer", note="重复"
        )


def test_a_refusal_names_its_ground_and_reasons(complainant: User) -> None:
    # Given a complaint at Xihu's regulator
    _, staff = office(OrgKind.REGULATOR, XIHU, "西湖区市场监督管理局")
    c = services.complaint_file(actor=complainant, seller=outside(), materials=materials())
    # When the staff refuse it on a ground that is not one of the measures'
    with pytest.raises(ValidationFailed):
        services.complaint_refuse(actor=staff, number=c.number, ground="bored", note="不想处理")
    # Then nothing changes
    assert Complaint.objects.get(pk=c.pk).status == ComplaintStatus.RECEIVED
    # When they refuse it as not a consumer's dispute, with reasons
    services.complaint_refuse(
        actor=staff, number=c.number, ground="not_consumer", note="所购为批发货物，用于转售。"
    )
    # Then it is refused with that ground and those reasons, and the complainant is told
    c.refresh_from_db()
    assert (c.status, c.refusal_ground) == (ComplaintStatus.REFUSED, "not_consumer")
    assert c.refusal_note == "所购为批发货物，用于转售。"
    assert Notification.objects.filter(user=complainant, kind="complaint_refused").exists()


def test_the_complainant_withdraws_an_undecided_complaint(
    complainant: User, other_buyer: User
) -> None:
    # Given a complaint waiting for the regulator
    office(OrgKind.REGULATOR, XIHU, "西湖区市场监督管理局")
    c = services.complaint_file(actor=complainant, seller=outside(), materials=materials())
    # When someone else tries to withdraw it
    with pytest.raises(NotFound):
        services.complaint_withdraw(actor=other_buyer, number=c.number)
    # Then it stands; when the complainant withdraws it, it is withdrawn
    assert Complaint.objects.get(pk=c.pk).status == ComplaintStatus.RECEIVED
    services.complaint_withdraw(actor=complainant, number=c.number)
    assert Complaint.objects.get(pk=c.pk).status == ComplaintStatus.WITHDRAWN


def test_an_overdue_decision_is_flagged_to_the_office_once(complainant: User, clock) -> None:
    # Given a complaint received on a Monday
    clock.move_to(dt.datetime(2026, 3, 2, 10, 0, tzinfo=BEIJING))
    _, staff = office(OrgKind.REGULATOR, XIHU, "西湖区市场监督管理局")
    c = services.complaint_file(
        actor=complainant, seller=outside(), materials=materials(knew_at=dt.date(2026, 2, 20))
    )
    # When the deadline runner runs a minute before its deadline, at it, and again after
    before = services.complaints_overdue(c.decide_by - dt.timedelta(minutes=1))
    at = services.complaints_overdue(c.decide_by)
    again = services.complaints_overdue(c.decide_by + dt.timedelta(hours=1))
    # Then the office is told once, when the deadline has come
    assert (before, at, again) == (0, 1, 0)
    assert Notification.objects.filter(user=staff, kind="complaint_overdue").count() == 1


def test_a_knowledge_date_in_the_future_is_refused_and_nothing_recorded(
    complainant: User,
) -> None:
    # Given tomorrow's date as the day the harm was known
    tomorrow = timezone.localtime(timezone.now(), BEIJING).date() + dt.timedelta(days=1)
    # When the complaint is filed
    with pytest.raises(ValidationFailed) as e:
        services.complaint_file(
            actor=complainant, seller=outside(), materials=materials(knew_at=tomorrow)
        )
    # Then it is refused naming the field, and nothing is recorded
    assert e.value.field == "knew_at"
    assert Complaint.objects.count() == 0
    assert not Record.objects.filter(chain__startswith="complaint:").exists()


def test_an_unknown_region_is_refused(complainant: User) -> None:
    # When a complaint about a seller elsewhere names a region code that does not exist
    with pytest.raises(ValidationFailed) as e:
        services.complaint_file(actor=complainant, seller=outside("999999"), materials=materials())
    # Then it is refused naming the field
    assert e.value.field == "seller_region"
    assert Complaint.objects.count() == 0
