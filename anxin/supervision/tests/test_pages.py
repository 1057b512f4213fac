"""The open complaint channel's pages: filing on a phone-verified account, the regulator's
queue and decision, and nobody seeing a complaint that is not theirs."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from anxin.accounts.models import SellerProfile, User
from anxin.supervision.models import Complaint, ComplaintStatus, OrgKind
from anxin.supervision.tests.test_complaints import XIHU, office
from anxin.web.regions import region_from

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def signed_in(user: User) -> Client:
    c = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    c.force_login(user)
    return c


def form(**kw: str) -> dict[str, object]:
    knew = (timezone.localdate() - dt.timedelta(days=5)).isoformat()
    return {
        "seller_name": "小美美妆",
        "seller_wechat": "wx_xiaomei",
        "seller_platform": "微信朋友圈",
        "seller_region_province": "330000",
        "seller_region_city": "330100",
        "seller_region_county": XIHU,
        "complainant_name": "张伟",
        "complainant_address": "杭州市西湖区文三路 1 号",
        "request": "退还货款 268 元",
        "facts": "收到的面霜是假货。",
        "paid": "268",
        "knew_at": knew,
        **kw,
    }


def test_without_a_verified_number_the_form_asks_for_one(buyer: User) -> None:
    # When a buyer without a verified number opens the complaint form
    page = signed_in(buyer).get("/complaints/new").content.decode()
    # Then it asks for a number first, with a way back to the form
    assert "/account/phone?next=/complaints/new" in page
    assert 'name="request"' not in page


def test_a_complaint_filed_on_the_page_reaches_the_regulator_s_queue(
    buyer: User, other_buyer: User
) -> None:
    # Given a buyer with a verified number, and Xihu's regulator
    buyer.phone = "13900001111"
    buyer.save(update_fields=["phone"])
    _, staff = office(OrgKind.REGULATOR, XIHU, "西湖区市场监督管理局")
    # When the buyer files a complaint with a photo of the chat
    photo = SimpleUploadedFile("chat.png", PNG, content_type="image/png")
    r = signed_in(buyer).post("/complaints/new", form(evidence=photo))  # type: ignore[arg-type]
    # Then the complaint's page opens, and the complaint waits at Xihu's regulator
    c = Complaint.objects.get()
    assert r.status_code == 302
    assert r["Location"] == f"/complaints/{c.number}"
    assert (c.status, c.region, c.regulator.name) == ("received", XIHU, "西湖区市场监督管理局")
    # And the regulator's staff see it in their queue and may open its evidence
    queue = signed_in(staff).get("/complaints/").content.decode()
    assert c.number in queue
    f = c.files.get()
    assert signed_in(staff).get(f"/complaints/{c.number}/files/{f.pk}").status_code == 200
    # And a stranger sees neither the complaint nor its evidence
    stranger = signed_in(other_buyer)
    assert stranger.get(f"/complaints/{c.number}").status_code == 404
    assert stranger.get(f"/complaints/{c.number}/files/{f.pk}").status_code == 404
    # When the staff accept it on its page
    r = signed_in(staff).post(f"/complaints/{c.number}/admit")
    # Then it is accepted
    assert r.status_code == 302
    assert Complaint.objects.get().status == ComplaintStatus.ADMITTED


def test_a_stranger_s_action_changes_nothing(buyer: User, other_buyer: User) -> None:
    # Given a complaint waiting at Xihu's regulator
    buyer.phone = "13900001111"
    buyer.save(update_fields=["phone"])
    office(OrgKind.REGULATOR, XIHU, "西湖区市场监督管理局")
    signed_in(buyer).post("/complaints/new", form())
    c = Complaint.objects.get()
    # When another buyer posts every action on it
    for action in ("admit", "refuse", "withdraw"):
        r = signed_in(other_buyer).post(
            f"/complaints/{c.number}/{action}", {"ground": "not_consumer", "note": "x"}
        )
        # Then each reads as no such complaint
        assert r.status_code == 404
    # And the complaint is as it was
    assert Complaint.objects.get().status == ComplaintStatus.RECEIVED


def test_the_seller_sees_an_accepted_complaint_without_the_complainant_s_contacts(
    buyer: User, seller: User, settings
) -> None:
    # Given a complaint about an Anxin seller that shows no address, the platform in Xihu
    settings.ANXIN_PLATFORM_REGION = XIHU
    buyer.phone = "13900001111"
    buyer.save(update_fields=["phone"])
    _, staff = office(OrgKind.REGULATOR, XIHU, "西湖区市场监督管理局")
    signed_in(buyer).post(
        "/complaints/new",
        form(seller_id=str(seller.pk), seller_name=""),
    )
    c = Complaint.objects.get()
    assert c.seller == seller
    # When the seller looks before and after the regulator accepts it
    before = signed_in(seller).get(f"/complaints/{c.number}").status_code
    signed_in(staff).post(f"/complaints/{c.number}/admit")
    after = signed_in(seller).get(f"/complaints/{c.number}")
    # Then it is hidden until accepted, and then shown without the complainant's phone,
    # address or name
    assert before == 404
    page = after.content.decode()
    assert after.status_code == 200
    assert SellerProfile.objects.get(user=seller).shop_name in page
    for private in ("13900001111", "文三路", "张伟"):
        assert private not in page


def test_the_region_picker_keeps_only_what_fits() -> None:
    # Given picks where the county lies under the city, and where it does not
    fits = {"r_province": "330000", "r_city": "330100", "r_county": "330106"}
    astray = {"r_province": "330000", "r_city": "330100", "r_county": "110105"}
    # Then the first stands at the county, the second at the city
    assert region_from(fits, "r") == "330106"
    assert region_from(astray, "r") == "330100"
    # And a city from another province is dropped
    assert region_from({"r_province": "330000", "r_city": "110100"}, "r") == "330000"


def test_the_picker_answers_htmx_with_the_next_level(client: Client) -> None:
    # When a province is chosen in the picker
    r = client.get(
        "/regions/picker",
        {"picker": "seller_region", "seller_region_province": "330000"},
        HTTP_HX_REQUEST="true",
    )
    # Then the picker comes back with Zhejiang's cities to choose from
    page = r.content.decode()
    assert r.status_code == 200
    assert 'name="seller_region_city"' in page
    assert "杭州市" in page
