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


BEIJING_TZ = dt.timezone(dt.timedelta(hours=8))


def _filed_on(buyer: User, day: dt.date) -> Complaint:
    """A complaint the buyer filed on the page on `day`, at Xihu's regulator."""
    import time_machine

    buyer.phone = "13900001111"
    buyer.save(update_fields=["phone"])
    with time_machine.travel(dt.datetime.combine(day, dt.time(10), BEIJING_TZ), tick=False):
        assert signed_in(buyer).post("/complaints/new", form()).status_code == 302
    return Complaint.objects.get()


@pytest.mark.parametrize(
    ("received", "version", "title"),
    [
        (dt.date(2025, 6, 3), "2020-01-01", "市场监督管理投诉举报处理暂行办法"),
        (dt.date(2026, 6, 3), "2026-04-15", "市场监督管理投诉举报处理办法"),
    ],
)
def test_a_complaint_cites_the_measures_in_force_when_it_was_received(
    buyer: User, received: dt.date, version: str, title: str
) -> None:
    # Given Xihu's regulator, and a complaint received under the 2022 interim measures (until
    # 2026-04-14) or under the 2026 measures, which number their articles differently
    _, staff = office(OrgKind.REGULATOR, XIHU, "西湖区市场监督管理局")
    c = _filed_on(buyer, received)
    cited = [x["article"] for x in c.law["citations"] if x["statute"] == "CRM"]
    assert cited
    # When the complainant opens its page in Chinese
    page = signed_in(buyer).get(f"/complaints/{c.number}").content.decode()
    # Then every CRM citation opens the article of the version in force on the day of receipt,
    # under that version's title
    for n in cited:
        assert f'<a href="/law/CRM/{version}/#art-{n}">《{title}》第{n}条</a>' in page
    assert 'href="/law/CRM/#art-' not in page
    # And a statute with one version keeps its plain link
    assert '<a href="/law/CC/#art-' in page or '<a href="/law/CRPL/#art-' in page
    # When they read it in English
    en = Client(HTTP_ACCEPT_LANGUAGE="en")
    en.force_login(buyer)
    page = en.get(f"/complaints/{c.number}").content.decode()
    # Then the label names the version by its year
    year = "2022" if version == "2020-01-01" else "2026"
    for n in cited:
        assert f'<a href="/law/CRM/{version}/#art-{n}">CRM ({year}) Art. {n}</a>' in page
    # When the regulator accepts it and opens it to entrust the mediation
    assert signed_in(staff).post(f"/complaints/{c.number}/admit").status_code == 302
    page = signed_in(staff).get(f"/complaints/{c.number}").content.decode()
    # Then the entrusting article is that version's own: the interim measures' Art. 17, the
    # 2026 measures' Art. 19
    art = 17 if version == "2020-01-01" else 19
    assert (
        f'href="/law/CRM/{version}/#art-{art}" data-testid="entrust-law">《{title}》第{art}条'
        in page
    )
