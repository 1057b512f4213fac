"""A regulator's acts through the JSON API, and every act tried by every other role: a denied
request is a 404 (or 401 without a token) and changes nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from anxin.accounts.models import Role, SellerProfile, User
from anxin.conftest import Api, make_user
from anxin.evidence.models import Record
from anxin.notices.models import Notification
from anxin.reputation.models import BlacklistEntry
from anxin.supervision import regulator as reg
from anxin.supervision.models import OrgKind
from anxin.supervision.models_regulator import CorrectionFile, DataRequest, RegulatorAction
from anxin.supervision.tests.test_correction_files import PNG
from anxin.supervision.tests.test_regulator import XIHU, office

pytestmark = pytest.mark.django_db


@pytest.fixture
def xihu(seller: User) -> User:
    SellerProfile.objects.filter(user=seller).update(address_region=XIHU)
    return office(OrgKind.REGULATOR, XIHU, "xihu-officer")


def _day(days: int = 0) -> str:
    return (timezone.localdate() - dt.timedelta(days=days)).isoformat()


def test_the_regulator_decides_and_publishes_a_penalty_through_the_api(
    xihu: User, seller: User
) -> None:
    # Given the regulator's token
    api = Api(xihu)
    body = {
        "seller_id": seller.pk,
        "summary": "虚假宣传",
        "offence": "crpl_56",
        "committed_at": _day(30),
        "illegal_gains_fen": 120000,
        "fine_fen": 1200001,
    }
    # When it decides a fine above the band
    r = api.post("/supervision/penalties", body)
    # Then it is refused naming the field and the band
    assert r.status_code == 422
    assert r.json()["code"] == "outside_band"
    assert "12000.00" in r.json()["detail"]
    # When it decides one within, and publishes it
    r = api.post("/supervision/penalties", {**body, "fine_fen": 300000})
    assert r.status_code == 201
    number = r.json()["number"]
    assert r.json()["penalties"][0]["multiple_of_gains"] == [1, 10]
    assert Api(None).get("/penalties").json() == []
    published = api.post(f"/supervision/actions/{number}/publish").json()
    # Then it is published, and the public list has it
    assert published["published_at"] is not None
    assert [p["number"] for p in Api(None).get("/penalties").json()] == [number]


def test_the_seller_answers_an_order_to_correct_through_the_api(xihu: User, seller: User) -> None:
    # Given an order to correct made through the API
    r = Api(xihu).post(
        "/supervision/actions",
        {"kind": "correction", "seller_id": seller.pk, "summary": "改正", "correct_days": 5},
    )
    number = r.json()["number"]
    # When the seller reads it and answers
    assert Api(seller).get(f"/supervision/actions/{number}").json()["status"] == "open"
    out = Api(seller).post(f"/supervision/actions/{number}/answer", {"note": "已改正"})
    # Then it is corrected
    assert out.json()["status"] == "corrected"


def test_the_operator_answers_a_data_request_through_the_api(
    xihu: User, seller: User, operator: User
) -> None:
    # Given a data request made through the API
    r = Api(xihu).post(
        "/supervision/data-requests",
        {"seller_id": seller.pk, "purpose": "调查", "period_from": _day(), "period_to": _day()},
    )
    assert r.status_code == 201
    # When the operator answers it
    out = Api(operator).post(f"/supervision/data-requests/{r.json()['number']}/answer", {})
    # Then it is answered with the export's digest
    assert out.json()["status"] == "answered"
    assert len(out.json()["sha256"]) == 64


def _calls(seller: User) -> dict[str, tuple[str, str, dict[str, Any] | None]]:
    return {
        "interview": (
            "post",
            "/supervision/actions",
            {"kind": "interview", "seller_id": seller.pk, "summary": "x"},
        ),
        "correction": (
            "post",
            "/supervision/actions",
            {"kind": "correction", "seller_id": seller.pk, "summary": "x", "correct_days": 5},
        ),
        "penalty": (
            "post",
            "/supervision/penalties",
            {
                "seller_id": seller.pk,
                "summary": "x",
                "offence": "crpl_56",
                "committed_at": _day(10),
                "fine_fen": 1000,
            },
        ),
        "referral": (
            "post",
            "/supervision/referrals",
            {"seller_id": seller.pk, "summary": "x", "evidence": []},
        ),
        "data_request": (
            "post",
            "/supervision/data-requests",
            {"seller_id": seller.pk, "purpose": "x", "period_from": _day(), "period_to": _day()},
        ),
    }


ROLES = [
    "anonymous",
    "buyer",
    "seller",
    "other_seller",
    "mediator",
    "adjudicator",
    "regulator",
    "operator",
    "association",
    "other_office",
]


@pytest.mark.parametrize("role", ROLES)
def test_every_act_by_every_other_role_changes_nothing(
    role: str, xihu: User, seller: User, other_seller: User, buyer: User, operator: User
) -> None:
    # Given a penalty to publish and an order to correct of Xihu's office, and someone else:
    # anyone without a token, a buyer, the seller, another seller, the desk's staff, a
    # regulator-role account of no office, the operator, the association's staff, and the
    # staff of another district's regulator
    p = reg.penalty_decide(
        actor=xihu,
        target=reg.Target(seller_id=seller.pk),
        summary="x",
        terms=reg.PenaltyTerms("crpl_56", timezone.localdate(), 0, 1000),
    )
    c = reg.action_record(
        actor=xihu,
        target=reg.Target(seller_id=seller.pk),
        kind="correction",
        summary="x",
        correct_days=5,
    )
    r = reg.data_request_make(
        actor=xihu,
        seller_id=seller.pk,
        purpose="x",
        period_from=timezone.localdate(),
        period_to=timezone.localdate(),
    )
    # (and an order to correct answered with a photo, and a data request answered with its ZIP)
    answered = reg.action_record(
        actor=xihu,
        target=reg.Target(seller_id=seller.pk),
        kind="correction",
        summary="x",
        correct_days=5,
    )
    reg.correction_answer(
        actor=seller,
        number=answered.number,
        note="done",
        files=[SimpleUploadedFile("page.png", PNG, "image/png")],
    )
    photo = answered.answer_files.get()
    zipped = reg.data_request_make(
        actor=xihu,
        seller_id=seller.pk,
        purpose="x",
        period_from=timezone.localdate(),
        period_to=timezone.localdate(),
    )
    reg.data_request_answer(actor=operator, number=zipped.number)
    who: User | None = {
        "anonymous": None,
        "buyer": buyer,
        "seller": seller,
        "other_seller": other_seller,
        "operator": operator,
    }.get(role)
    if role in ("mediator", "adjudicator", "regulator"):
        who = make_user(f"someone-{role}", role)
    elif role == "association":
        who = office(OrgKind.ASSOCIATION, XIHU, "assoc", Role.MEDIATOR)
    elif role == "other_office":
        who = office(OrgKind.REGULATOR, "330102", "sc-officer")
    api = Api(who)
    before = (
        RegulatorAction.objects.count(),
        DataRequest.objects.count(),
        BlacklistEntry.objects.count(),
        Record.objects.count(),
        Notification.objects.count(),
        CorrectionFile.objects.count(),
    )
    calls = list(_calls(seller).values())
    calls.append(("post", f"/supervision/actions/{p.number}/publish", {}))
    if role != "seller":
        calls.append(("post", f"/supervision/actions/{c.number}/answer", {"note": "x"}))
        calls.append(("get", f"/supervision/actions/{c.number}", None))
    if role != "seller":
        calls.append(("get", f"/supervision/actions/{answered.number}/files/{photo.pk}", None))
    # (only the office that asked opens the platform's answer; the operator sees the request)
    calls.append(("get", f"/supervision/data-requests/{zipped.number}/file", None))
    if role != "operator":
        calls.append(("post", f"/supervision/data-requests/{r.number}/answer", {}))
        calls.append(("get", f"/supervision/data-requests/{zipped.number}", None))
    if role != "seller":
        # (the answer with a photo, as a multipart form)
        calls.append(("multipart", f"/supervision/actions/{c.number}/answer", None))
    # When it tries every act
    for method, path, body in calls:
        if method == "multipart":
            png = SimpleUploadedFile("page.png", PNG, "image/png")
            got = api.client.post(
                f"/api/v1{path}", {"note": "x", "evidence": png}, headers=api.headers
            )
        else:
            got = api.get(path) if method == "get" else api.post(path, body)
        # Then each is refused as not found (or unauthenticated), as a problem with its code
        assert got.status_code == (401 if who is None else 404), (path, got.content)
        assert got.json()["code"] == ("unauthorized" if who is None else "not_found"), path
    # And nothing changed
    after = (
        RegulatorAction.objects.count(),
        DataRequest.objects.count(),
        BlacklistEntry.objects.count(),
        Record.objects.count(),
        Notification.objects.count(),
        CorrectionFile.objects.count(),
    )
    assert after == before
    p.refresh_from_db()
    c.refresh_from_db()
    r.refresh_from_db()
    assert p.published_at is None
    assert c.status == "open"
    assert r.status == "open"
