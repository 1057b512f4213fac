"""A regulator's pages: recording an act and a penalty on its office page, the seller
answering an order to correct, publishing a penalty to the public page, the operator answering
a data request, and nobody else seeing any of it."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from django.test import Client
from django.utils import timezone

from anxin.accounts.models import Role, SellerProfile, User
from anxin.conftest import make_user
from anxin.supervision import regulator as reg
from anxin.supervision.models import OrgKind
from anxin.supervision.models_regulator import ActionStatus, DataRequest, RegulatorAction
from anxin.supervision.tests.test_regulator import XIHU, office

pytestmark = pytest.mark.django_db


def signed_in(user: User, lang: str = "zh-hans") -> Client:
    c = Client(HTTP_ACCEPT_LANGUAGE=lang)
    c.force_login(user)
    return c


@pytest.fixture
def xihu(seller: User) -> User:
    SellerProfile.objects.filter(user=seller).update(address_region=XIHU)
    return office(OrgKind.REGULATOR, XIHU, "xihu-officer")


def test_an_order_to_correct_recorded_on_the_page_is_answered_by_the_seller(
    xihu: User, seller: User
) -> None:
    # Given the office page lists the seller of its region
    page = signed_in(xihu).get("/supervision/").content.decode()
    assert "王春茶的小店" in page
    # When the officer records an order to correct within 7 days
    r = signed_in(xihu).post(
        "/supervision/actions/new",
        {
            "kind": "correction",
            "seller_id": seller.pk,
            "summary": "限期公示证照",
            "correct_days": "7",
        },
    )
    a = RegulatorAction.objects.get()
    # Then its page shows the deadline
    assert r.status_code == 302
    assert r["Location"] == f"/supervision/actions/{a.number}"
    assert 'data-testid="correct-by"' in signed_in(xihu).get(r["Location"]).content.decode()
    # When the seller answers on the page
    seller_page = signed_in(seller).get(r["Location"]).content.decode()
    assert 'data-testid="answer"' in seller_page
    signed_in(seller).post(f"/supervision/actions/{a.number}/answer", {"note": "已公示"})
    # Then it is corrected
    a.refresh_from_db()
    assert a.status == ActionStatus.CORRECTED


def test_a_fine_outside_the_band_is_refused_on_the_page_with_the_band(
    xihu: User, seller: User
) -> None:
    # When the officer decides a fine above the band for 1,200 yuan of gains
    committed = (timezone.localdate() - dt.timedelta(days=10)).isoformat()
    c = signed_in(xihu, "en")
    r = c.post(
        "/supervision/actions/new",
        {
            "kind": "penalty",
            "seller_id": seller.pk,
            "offence": "crpl_56",
            "committed_at": committed,
            "illegal_gains": "1200",
            "fine": "20000",
            "summary": "虚假宣传",
        },
        follow=True,
    )
    # Then nothing is decided and the page names the band
    assert RegulatorAction.objects.count() == 0
    assert "12000.00" in r.content.decode()


def test_a_penalty_reaches_the_public_page_only_once_published(xihu: User, seller: User) -> None:
    # Given a penalty decided on the office page
    committed = (timezone.localdate() - dt.timedelta(days=10)).isoformat()
    signed_in(xihu).post(
        "/supervision/actions/new",
        {
            "kind": "penalty",
            "seller_id": seller.pk,
            "offence": "crpl_56",
            "committed_at": committed,
            "illegal_gains": "0",
            "fine": "5000",
            "summary": "虚假宣传，责令改正并罚款",
        },
    )
    a = RegulatorAction.objects.get()
    anyone = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    # Then the public page does not show it
    assert "王春茶的小店" not in anyone.get("/penalties/").content.decode()
    # And the seller cannot publish it
    assert signed_in(seller).post(f"/supervision/actions/{a.number}/publish").status_code == 404
    # When the officer publishes it
    signed_in(xihu).post(f"/supervision/actions/{a.number}/publish")
    # Then anyone sees it on the public page
    page = anyone.get("/penalties/").content.decode()
    assert "王春茶的小店" in page
    assert "罚款 ¥5,000.00" in page  # in yuan with the thousands separator, as in its summary


def test_the_operator_answers_a_data_request_and_the_office_downloads_it(
    xihu: User, seller: User, operator: User
) -> None:
    # Given a data request of the office's
    today = timezone.localdate().isoformat()
    signed_in(xihu).post(
        "/supervision/data-requests/new",
        {"seller_id": seller.pk, "purpose": "调查", "period_from": today, "period_to": today},
    )
    r = DataRequest.objects.get()
    # When the operator answers it from the list
    assert r.number in signed_in(operator).get("/supervision/").content.decode()
    signed_in(operator).post(f"/supervision/data-requests/{r.number}/answer", {"note": ""})
    # Then the office downloads the export, and a seller cannot
    got = signed_in(xihu).get(f"/supervision/data-requests/{r.number}/file")
    assert got.status_code == 200
    body = b"".join(got.streaming_content)  # type: ignore[attr-defined]
    orders = zipfile.ZipFile(io.BytesIO(body)).read("orders.csv")
    assert orders.startswith("\ufeffnumber,created_at".encode())
    assert signed_in(seller).get(f"/supervision/data-requests/{r.number}/file").status_code == 404


@pytest.mark.parametrize("role", [Role.BUYER, Role.MEDIATOR, Role.ADJUDICATOR, Role.REGULATOR])
def test_others_see_no_office_page_nor_any_act(role: str, xihu: User, seller: User) -> None:
    # Given a warning recorded by Xihu's office
    a = reg.action_record(
        actor=xihu, target=reg.Target(seller_id=seller.pk), kind="warning", summary="警告"
    )
    other = make_user(f"other-{role}", role)
    # When anyone else (a regulator-role account of no office included) opens the pages
    c = signed_in(other)
    # Then each reads as not found, and a post changes nothing
    assert c.get("/supervision/").status_code == 404
    assert c.get(f"/supervision/actions/{a.number}").status_code == 404
    assert (
        c.post(
            "/supervision/actions/new", {"kind": "warning", "seller_id": seller.pk, "summary": "x"}
        ).status_code
        == 404
    )
    assert RegulatorAction.objects.count() == 1


def test_the_desk_links_the_office_for_its_staff_and_the_operator(
    xihu: User, operator: User, buyer: User
) -> None:
    # When the regulator's staff, the operator and a buyer open their home page
    # Then the staff and the operator find the way to the supervision page; the buyer does not
    def home(user: User) -> str:
        return signed_in(user).get("/", follow=True).content.decode()

    assert 'data-testid="to-supervision"' in home(xihu)
    assert 'data-testid="to-supervision"' in home(operator)
    assert 'data-testid="to-supervision"' not in home(buyer)


def test_the_seller_answers_with_evidence_the_office_can_open(
    xihu: User, seller: User, other_seller: User
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from anxin.evidence.models import Record

    # Given an order to correct
    a = reg.action_record(
        actor=xihu,
        target=reg.Target(seller_id=seller.pk),
        kind="correction",
        summary="改正",
        correct_days=5,
    )
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    # When the seller answers with a photo
    signed_in(seller).post(
        f"/supervision/actions/{a.number}/answer",
        {"note": "已改正", "evidence": SimpleUploadedFile("shop.png", png, "image/png")},
    )
    # Then the photo's digest is on the act's chain, the office opens it, another seller cannot
    a.refresh_from_db()
    assert a.status == ActionStatus.CORRECTED
    (f,) = a.answer_files.all()
    corrected = Record.objects.get(chain=reg.chain_of(a), kind="regulator.corrected")
    assert f.sha256 in corrected.body
    url = f"/supervision/actions/{a.number}/files/{f.pk}"
    assert url in signed_in(xihu).get(f"/supervision/actions/{a.number}").content.decode()
    assert signed_in(xihu).get(url).status_code == 200
    assert signed_in(other_seller).get(url).status_code == 404


def test_the_association_sees_its_regions_early_warnings(seller: User, buyer: User) -> None:
    from anxin.supervision import early_warning
    from anxin.supervision.models_regulator import EarlyWarning
    from anxin.supervision.tests.test_early_warning import complaints

    # Given Xihu's consumer association, and a Xihu seller with three new complaints
    SellerProfile.objects.filter(user=seller).update(address_region=XIHU)
    association = office(OrgKind.ASSOCIATION, XIHU, "xihu-assoc", Role.MEDIATOR)
    complaints(seller, buyer, [1, 2, 3])
    early_warning.monitor()
    w = EarlyWarning.objects.get()
    # When its staff open their supervision page and the warning
    c = signed_in(association)
    page = c.get("/supervision/")
    # Then the warning is listed, and its page shows the cases
    assert page.status_code == 200
    assert w.number in page.content.decode()
    assert c.get(f"/supervision/warnings/{w.number}").status_code == 200
    # And a buyer cannot open it
    assert signed_in(buyer).get(f"/supervision/warnings/{w.number}").status_code == 404


def test_an_accepted_complaint_leads_to_an_act_on_the_seller_it_names(
    xihu: User, seller: User
) -> None:
    from anxin.supervision import services
    from anxin.supervision.tests.test_complaints import materials

    # Given an accepted complaint about a seller not on Anxin, in Xihu
    complainant = make_user("complainant", Role.BUYER)
    complainant.phone = "13900009999"
    complainant.save(update_fields=["phone"])
    c = services.complaint_file(
        actor=complainant,
        seller=services.SellerNamed(name="小美美妆", platform="微信朋友圈", region=XIHU),
        materials=materials(),
    )
    services.complaint_admit(actor=xihu, number=c.number)
    # When the officer follows the complaint page's link to act on the seller
    page = signed_in(xihu).get(f"/complaints/{c.number}").content.decode()
    assert 'data-testid="act-on-seller"' in page
    office_page = signed_in(xihu).get(f"/supervision/?complaint={c.number}").content.decode()
    # Then the office's form names the complaint, and a warning recorded from it is about
    # the seller the complaint names
    assert f'value="{c.number}"' in office_page
    signed_in(xihu).post(
        "/supervision/actions/new", {"kind": "warning", "complaint": c.number, "summary": "警告"}
    )
    a = RegulatorAction.objects.get()
    assert a.complaint == c
    assert a.seller_name == "小美美妆"
    assert a.seller is None
