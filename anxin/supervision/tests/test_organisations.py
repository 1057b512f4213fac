"""The platform operator places consumer associations and market regulators and names their
staff; nobody else can."""

from __future__ import annotations

import pytest

from anxin.accounts.models import Role, User
from anxin.conftest import make_user
from anxin.core.errors import Conflict, Forbidden, ValidationFailed
from anxin.supervision import services
from anxin.supervision.models import Organisation, OrgKind, OrgStaff
from anxin.supervision.tests.test_pages import signed_in

pytestmark = pytest.mark.django_db


def test_the_operator_adds_an_office_and_its_staff(operator: User) -> None:
    # Given a regulator account and a mediator account
    officer = make_user("officer", Role.REGULATOR)
    mediator = make_user("assoc", Role.MEDIATOR)
    # When the operator adds Xihu's regulator and names the officer its staff
    org = services.organisation_create(
        actor=operator, kind=OrgKind.REGULATOR, name="西湖区市场监督管理局", region="330106"
    )
    services.organisation_staff_add(actor=operator, organisation_id=org.pk, username="officer")
    # Then the officer serves it
    assert OrgStaff.objects.get(user=officer).organisation == org
    # And a second regulator for the same county is refused
    with pytest.raises(Conflict):
        services.organisation_create(
            actor=operator, kind=OrgKind.REGULATOR, name="重复", region="330106"
        )
    # And a mediator account cannot be a regulator's staff
    with pytest.raises(ValidationFailed):
        services.organisation_staff_add(actor=operator, organisation_id=org.pk, username="assoc")
    assert not OrgStaff.objects.filter(user=mediator).exists()


def test_nobody_but_the_operator_manages_organisations(buyer: User, staff) -> None:
    # When a buyer or a regulator tries to add an organisation
    for who in (buyer, staff[Role.REGULATOR]):
        with pytest.raises(Forbidden):
            services.organisation_create(
                actor=who, kind=OrgKind.REGULATOR, name="假冒的局", region="330106"
            )
        # And through the page, which is not there for them
        r = signed_in(who).post(
            "/desk/organisations", {"kind": "regulator", "name": "假冒的局", "region": "330106"}
        )
        assert r.status_code == 404
    # Then there is none
    assert not Organisation.objects.exists()


def test_the_page_adds_an_organisation_through_the_region_picker(operator: User) -> None:
    # When the operator posts the form with the picker's three levels
    r = signed_in(operator).post(
        "/desk/organisations",
        {
            "form": "organisation",
            "kind": "association",
            "name": "西湖区消费者权益保护委员会",
            "region_province": "330000",
            "region_city": "330100",
            "region_county": "330106",
        },
    )
    # Then the association is at Xihu district
    assert r.status_code == 302
    assert Organisation.objects.get().region == "330106"
    # And the page lists it, with its full place name
    page = signed_in(operator).get("/desk/organisations").content.decode()
    assert "浙江省 杭州市 西湖区" in page
