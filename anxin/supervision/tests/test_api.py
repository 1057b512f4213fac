"""/api/v1/complaints: the same rules as the pages, through the JSON API."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from anxin.accounts.models import User
from anxin.supervision.models import Complaint, ComplaintStatus, OrgKind
from anxin.supervision.tests.test_complaints import XIHU, office

pytestmark = pytest.mark.django_db


def body(**kw: object) -> dict[str, object]:
    return {
        "seller_name": "小美美妆",
        "seller_region": XIHU,
        "complainant_name": "张伟",
        "complainant_address": "杭州市西湖区文三路 1 号",
        "request": "退还货款 268 元",
        "facts": "收到的面霜是假货。",
        "paid_fen": 26800,
        "knew_at": (timezone.localdate() - dt.timedelta(days=3)).isoformat(),
        **kw,
    }


def test_filed_through_the_api_and_accepted_by_the_office(api, buyer: User, other_buyer: User):
    # Given a buyer with a verified number and Xihu's regulator
    buyer.phone = "13900001111"
    buyer.save(update_fields=["phone"])
    _, staff = office(OrgKind.REGULATOR, XIHU, "西湖区市场监督管理局")
    # When the buyer files a complaint
    r = api(buyer).post("/complaints", body())
    # Then it is received, with the day the regulator must decide by
    assert r.status_code == 201, r.json()
    out = r.json()
    assert out["status"] == "received"
    assert out["law"]["outcome"] == "admissible"
    number = out["number"]
    # And the office's staff see the complainant's contacts, a stranger sees nothing
    assert api(staff).get(f"/complaints/{number}").json()["complainant_phone"] == "13900001111"
    assert api(other_buyer).get(f"/complaints/{number}").status_code == 404
    # When a stranger tries to accept it, nothing changes
    assert api(other_buyer).post(f"/complaints/{number}/admit").status_code == 404
    assert Complaint.objects.get().status == ComplaintStatus.RECEIVED
    # When the office's staff accept it
    r = api(staff).post(f"/complaints/{number}/admit")
    # Then it is accepted
    assert r.status_code == 200
    assert r.json()["status"] == "admitted"


def test_without_a_verified_number_the_api_refuses_and_says_why(api, buyer: User) -> None:
    # When a buyer without a verified number files a complaint
    r = api(buyer).post("/complaints", body())
    # Then it is refused with the reason's code, and nothing is recorded
    assert r.status_code == 403
    assert r.json()["code"] == "phone_required"
    assert Complaint.objects.count() == 0
