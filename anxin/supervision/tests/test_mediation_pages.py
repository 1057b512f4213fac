"""The association's pages: only its staff act on a mediation, only the parties and its staff
see it, and the packages come only after a failed mediation."""

from __future__ import annotations

import pytest

from anxin.accounts.models import User
from anxin.conftest import make_user
from anxin.supervision import mediation, services
from anxin.supervision.models_association import Mediation, MediationStatus
from anxin.supervision.tests.test_complaints import materials, outside
from anxin.supervision.tests.test_mediation import world  # noqa: F401
from anxin.supervision.tests.test_pages import signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def running(world) -> Mediation:  # noqa: F811
    c = services.complaint_file(actor=world["buyer"], seller=outside(), materials=materials())
    return mediation.mediation_ask(actor=world["buyer"], complaint_number=c.number)


def test_nobody_but_the_association_s_staff_acts_on_a_mediation(
    world,  # noqa: F811
    running: Mediation,
    other_buyer: User,
    operator: User,
) -> None:
    stranger = make_user("stranger-mediator", "mediator")
    # When the consumer, another buyer, the regulator, the operator and a mediator of no
    # association post every action
    for who in (world["buyer"], other_buyer, world["regulator"], operator, stranger):
        for action in ("testing-start", "agreed", "failed"):
            r = signed_in(who).post(
                f"/mediations/{running.number}/{action}", {"text": "x", "note": "x"}
            )
            # Then each reads as no such mediation
            assert r.status_code == 404, (who.username, action)
    # And the mediation is as it was
    assert Mediation.objects.get(pk=running.pk).status == MediationStatus.OPEN
    # When its own staff record an agreement, it is settled
    r = signed_in(world["association"]).post(
        f"/mediations/{running.number}/agreed", {"text": "退款 268 元", "settled": "268"}
    )
    assert r.status_code == 302
    assert Mediation.objects.get(pk=running.pk).status == MediationStatus.AGREED


def test_the_mediation_page_is_for_the_parties_and_the_association(
    world,  # noqa: F811
    running: Mediation,
    other_buyer: User,
) -> None:
    # When the consumer, the association's staff and another buyer open it
    mine = signed_in(world["buyer"]).get(f"/mediations/{running.number}")
    staff = signed_in(world["association"]).get(f"/mediations/{running.number}")
    other = signed_in(other_buyer).get(f"/mediations/{running.number}")
    # Then the first two see it, the other does not
    assert (mine.status_code, staff.status_code, other.status_code) == (200, 200, 404)
    # And the association's staff may open the complaint it mediates
    c = running.complaint
    assert signed_in(world["association"]).get(f"/complaints/{c.number}").status_code == 200


def test_the_package_downloads_after_a_failed_mediation(world, running: Mediation) -> None:  # noqa: F811
    buyer = signed_in(world["buyer"])
    # When the consumer asks for the package while mediation runs, then after it fails
    before = buyer.get(f"/mediations/{running.number}/package/regulator")
    mediation.mediation_end(
        actor=world["association"], number=running.number, agreed=False, text="拒绝调解"
    )
    after = buyer.get(f"/mediations/{running.number}/package/court")
    # Then it is refused first, and then comes as a ZIP
    assert before.status_code == 409
    assert after.status_code == 200
    assert after["Content-Type"] == "application/zip"
