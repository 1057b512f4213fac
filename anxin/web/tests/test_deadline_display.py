"""Deadlines read as the law counts them: a period's last day ends at 24:00 (Civil Code Art.
203). A deadline stored as midnight is shown as 24:00 of the day before, never as 00:00 of the
next day, which a person reads as a day still open."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from anxin.conftest import shipped
from anxin.disputes import services
from anxin.law.days import BEIJING
from anxin.web.templatetags.anxin import deadline

pytestmark = pytest.mark.django_db


def test_a_deadline_at_midnight_reads_as_24_00_of_the_day_before() -> None:
    # Given a deadline at midnight Beijing time, and one in the afternoon
    midnight = dt.datetime(2026, 12, 11, 0, 0, tzinfo=BEIJING)
    afternoon = dt.datetime(2026, 12, 11, 15, 30, tzinfo=BEIJING)
    # When each is shown, in full and short
    # Then midnight is the end of the 10th, and the afternoon is as it is
    assert deadline(midnight) == "2026-12-10 24:00"
    assert deadline(midnight, "m-d H:i") == "12-10 24:00"
    assert deadline(midnight.astimezone(dt.UTC)) == "2026-12-10 24:00"
    assert deadline(afternoon) == "2026-12-11 15:30"
    assert deadline(None) == ""


def test_a_case_page_shows_a_day_counted_deadline_ending_at_24_00(buyer, seller, listing) -> None:
    # Given a complaint whose seller's time to answer is counted in days
    order = shipped(buyer, seller, listing)
    d = services.dispute_file(
        actor=buyer, number=order.number, category="quality_defect", claim="受潮", claimed_fen=100
    )
    local = timezone.localtime(d.due_at, BEIJING)
    assert (local.hour, local.minute) == (0, 0), "the Civil Code's count ends at midnight"
    # When the buyer opens the case and her list of cases
    c = Client()
    c.force_login(buyer)
    page = c.get(f"/disputes/{d.number}/").content.decode()
    cases = c.get("/disputes/").content.decode()
    # Then both show the last day's 24:00, not the next day's 00:00
    last_day = (local - dt.timedelta(days=1)).strftime("%Y-%m-%d")
    assert f"{last_day} 24:00" in page
    assert f"{last_day} 24:00" in cases
    assert local.strftime("%Y-%m-%d 00:00") not in page
