"""Early warning: a seller whose complaints rise sharply against its own history or its
category's raises an alert to its region's regulator and association, with the cases."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from anxin.accounts.models import Role, SellerProfile, User
from anxin.conftest import make_listing, make_user
from anxin.evidence.models import Record
from anxin.notices.models import Notification
from anxin.supervision import early_warning
from anxin.supervision.models import (
    Complaint,
    ComplaintStatus,
    Organisation,
    OrgKind,
    OrgStaff,
    RegionBasis,
)
from anxin.supervision.models_regulator import EarlyWarning

pytestmark = pytest.mark.django_db

XIHU = "330106"


def complaints(seller: User, by: User, days_ago: list[int]) -> list[Complaint]:
    """Complaints about the seller received that many days ago."""
    now = timezone.now()
    out = []
    for i, d in enumerate(days_ago):
        at = now - dt.timedelta(days=d, hours=1)
        out.append(
            Complaint.objects.create(
                number=f"TS{seller.pk:04d}{i:04d}{d:04d}",
                complainant=by,
                complainant_name="张伟",
                complainant_phone="13900001111",
                complainant_address="杭州市西湖区",
                seller=seller,
                seller_name="店",
                request="退款",
                facts="假货",
                knew_at=at.date(),
                region=XIHU,
                region_basis=RegionBasis.SHOWN_ADDRESS,
                received_at=at,
                decide_by=at + dt.timedelta(days=9),
                status=ComplaintStatus.ADMITTED,
            )
        )
    return out


@pytest.fixture
def offices(seller: User) -> tuple[User, User]:
    """Xihu's regulator and association, each with one staff member; the seller in Xihu."""
    SellerProfile.objects.filter(user=seller).update(address_region=XIHU)
    people = []
    for kind, role in ((OrgKind.REGULATOR, Role.REGULATOR), (OrgKind.ASSOCIATION, Role.MEDIATOR)):
        org = Organisation.objects.create(kind=kind, region=XIHU, name=kind)
        person = make_user(f"{kind}-staff", role)
        OrgStaff.objects.create(user=person, organisation=org)
        people.append(person)
    return people[0], people[1]


def test_three_new_complaints_with_no_history_alert_both_offices_with_the_cases(
    offices: tuple[User, User], seller: User, buyer: User
) -> None:
    # Given a seller with no complaints before, and three in the last 30 days
    cases = complaints(seller, buyer, [1, 5, 20])
    # When the monitor runs
    raised = early_warning.monitor()
    # Then one alert is raised for the seller, against its own history, with the cases
    assert raised == 1
    w = EarlyWarning.objects.get()
    assert w.seller == seller
    assert w.recent == 3
    assert w.reasons == ["own_history"]
    assert sorted(c["number"] for c in w.cases) == sorted(c.number for c in cases)
    # And it goes to the region's regulator and association, and on the evidence log
    assert w.regulator is not None
    assert w.association is not None
    for person in offices:
        assert Notification.objects.filter(user=person, kind="early_warning").count() == 1
    assert Record.objects.filter(chain=f"early-warning:{w.number}").exists()
    # And the next run does not alert again within the window
    assert early_warning.monitor() == 0


def test_two_complaints_are_below_the_threshold(
    offices: tuple[User, User], seller: User, buyer: User
) -> None:
    # Given a seller with two complaints in the last 30 days (the least is three)
    complaints(seller, buyer, [1, 2])
    # When the monitor runs
    # Then no alert is raised
    assert early_warning.monitor() == 0
    assert not EarlyWarning.objects.exists()


def test_a_rise_against_its_own_history_on_both_sides_of_the_factor(
    offices: tuple[User, User], seller: User, other_seller: User, buyer: User
) -> None:
    # Given two sellers with three complaints each in the last 30 days: one with six in the
    # 180 days before (one a window: three is exactly 3 times), one with seven (3 is less than
    # 3 times 7/6)
    complaints(seller, buyer, [1, 2, 3])
    complaints(seller, buyer, [40, 60, 80, 100, 120, 140])
    complaints(other_seller, buyer, [1, 2, 3])
    complaints(other_seller, buyer, [40, 60, 80, 100, 120, 140, 160])
    # When the monitor runs
    early_warning.monitor()
    # Then only the first is alerted
    assert list(EarlyWarning.objects.values_list("seller_id", flat=True)) == [seller.pk]


def test_a_rise_against_its_category_on_both_sides_of_the_factor(
    offices: tuple[User, User], seller: User, other_seller: User, buyer: User
) -> None:
    # Given a seller with three complaints now and nine in the 180 days before (1.5 a window:
    # no sharp rise against its own history), in a category with one other seller without any
    for s in (seller, other_seller):
        make_listing(s)
    complaints(seller, buyer, [1, 2, 3])
    complaints(seller, buyer, [40, 50, 60, 70, 80, 90, 100, 110, 120])
    # When the monitor runs
    # Then the category's 1.5 a seller is not a third of three: no alert
    assert early_warning.monitor() == 0
    # Given a third seller in the same category, without complaints
    make_listing(make_user("third-seller", Role.SELLER))
    # When the monitor runs again
    # Then the category's 1 a seller makes three a sharp rise: an alert on that ground
    assert early_warning.monitor() == 1
    assert EarlyWarning.objects.get().reasons == ["category"]
