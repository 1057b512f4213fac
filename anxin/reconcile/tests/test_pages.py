"""The operator's reconciliation desk: alerts with both sides, resolved with a note; the
operator's alone."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from anxin.accounts.models import Role
from anxin.conftest import make_user
from anxin.reconcile.models import AlertStatus, Problem, ReconciliationAlert

pytestmark = pytest.mark.django_db


def client_for(user, lang: str = "zh-hans") -> Client:
    c = Client(HTTP_ACCEPT_LANGUAGE=lang)
    c.force_login(user)
    return c


@pytest.fixture
def alert(db) -> ReconciliationAlert:
    now = dt.datetime(2026, 5, 2, 10, 0, tzinfo=dt.UTC)
    return ReconciliationAlert.objects.create(
        provider="sandbox",
        day=dt.date(2026, 5, 1),
        kind="payment",
        problem=Problem.AMOUNT_DIFFERS,
        provider_id="sbxpay_0001",
        merchant_ref="AX20260501AAAA",
        bill_amount_fen=12900,
        bill_status="succeeded",
        anxin_amount_fen=12800,
        anxin_status="created",
        created_at=now,
        last_seen_at=now,
    )


def test_the_operator_sees_both_sides_and_resolves_the_alert_with_a_note(operator, alert) -> None:
    # Given an open alert and the operator on the desk, in Chinese
    op = client_for(operator)
    desk = op.get("/desk/").content.decode()
    page = op.get("/desk/reconcile").content.decode()
    # Then the desk links to it, and the page shows both sides of the alert
    assert "/desk/reconcile" in desk
    assert "对账提醒" in desk
    assert "金额不一致" in page
    assert "¥129.00" in page
    assert "¥128.00" in page
    assert "AX20260501AAAA" in page
    # When the operator resolves it with a note
    r = op.post(
        "/desk/reconcile", {"alert": str(alert.pk), "note": "支付机构已更正账单"}, follow=True
    )
    # Then it is resolved, with the note and who resolved it, and the page says so
    alert.refresh_from_db()
    assert alert.status == AlertStatus.RESOLVED
    assert (alert.note, alert.resolved_by) == ("支付机构已更正账单", operator)
    assert "该提醒已处理" in r.content.decode()
    # When the operator tries to resolve it again
    again = op.post("/desk/reconcile", {"alert": str(alert.pk), "note": "再次"}, follow=True)
    # Then the page says it was already resolved and the first note stays
    assert "已经处理过了" in again.content.decode()
    alert.refresh_from_db()
    assert alert.note == "支付机构已更正账单"


def test_the_page_in_english(operator, alert) -> None:
    # Given the operator, in English
    op = client_for(operator, "en")
    # When they open the page
    page = op.get("/desk/reconcile").content.decode()
    # Then it is in English
    assert "The amounts differ" in page
    assert "The bill says" in page


def test_a_note_is_required(operator, alert) -> None:
    # Given the operator on the page
    op = client_for(operator)
    # When they resolve the alert without a note
    op.post("/desk/reconcile", {"alert": str(alert.pk), "note": "  "})
    # Then the alert stays open
    alert.refresh_from_db()
    assert alert.status == AlertStatus.OPEN


@pytest.mark.parametrize("role", [Role.BUYER, Role.SELLER, Role.MEDIATOR, Role.REGULATOR])
def test_the_page_is_the_operators_alone(role, alert) -> None:
    # Given someone who is not the operator
    other = client_for(make_user(f"u-{role}", role))
    # When they open the page or post a resolution
    seen = other.get("/desk/reconcile")
    posted = other.post("/desk/reconcile", {"alert": str(alert.pk), "note": "x"})
    # Then both are refused and the alert stays open
    assert seen.status_code == 403
    assert posted.status_code == 403
    alert.refresh_from_db()
    assert alert.status == AlertStatus.OPEN
