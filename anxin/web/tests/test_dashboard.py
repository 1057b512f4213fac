"""The operator's and the regulator's dashboard (/desk/dashboard): orders and complaints a
day, the after-sales requests open and the guarantee fund's balance at the end of each day,
each counted by the Beijing day; who may see it; and the page with no data at all."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import translation

from anxin.accounts.models import Role
from anxin.aftersales import services as aftersales
from anxin.conftest import make_listing, make_user, place_order
from anxin.core.series import local_days
from anxin.disputes.tests.helpers import file_quality, shipped
from anxin.ledger.services import TransferRequest, fund_account, transfer_id, transfers_create
from anxin.web.dashboard import dashboard

pytestmark = pytest.mark.django_db

BEIJING = dt.timezone(dt.timedelta(hours=8))
TODAY = dt.date(2026, 5, 10)


def at(month: int, day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=BEIJING)


def fund_move(key: str, amount: int, *, out: bool = False) -> None:
    """Money into the guarantee fund (from a provider's clearing account), or out of it."""
    a, b = "provider:sandbox", fund_account()
    debit, credit = (b, a) if out else (a, b)
    transfers_create([TransferRequest(transfer_id("test", key), debit, credit, amount, "t", key)])


def page(user, query: str = "", lang: str = "zh-hans"):
    c = Client(HTTP_ACCEPT_LANGUAGE=lang)
    if user is not None:
        c.force_login(user)
    return c.get("/desk/dashboard" + query)


def by_day(series: list[int], days: list[dt.date]) -> dict[str, int]:
    """The days with a figure other than the one before (the first day always), as MM-DD."""
    out, before = {}, None
    for d, v in zip(days, series, strict=True):
        if v != before:
            out[f"{d:%m-%d}"] = v
        before = v
    return out


def test_each_series_counts_the_beijing_day(clock, buyer, seller) -> None:
    # Given a shelf of tea with room for every order below
    listing = make_listing(seller, stock=20)
    # And, before the 30 days ending on 05-10: an order shipped on 04-10 whose return request
    # is still open, and ¥1,000.00 put into the fund
    clock.move_to(at(4, 10, 22))
    before = shipped(buyer, seller, listing, tracking="SF5000000001")
    aftersales.aftersale_request(
        actor=buyer, number=before.number, kind="no_reason_return", reason="不喜欢"
    )
    fund_move("a", 100_000)
    # And on 05-05 at 23:50 Beijing time (15:50 UTC) one order
    clock.move_to(at(5, 5, 23, 50))
    first = shipped(buyer, seller, listing, tracking="SF5000000002")
    # And on 05-06 at 00:10 Beijing time (16:10 UTC, still 05-05 in UTC) two more, a
    # complaint about the first, and ¥50.00 into the fund at 23:30
    clock.move_to(at(5, 6, 0, 10))
    second = shipped(buyer, seller, listing, tracking="SF5000000003")
    place_order(buyer, listing)
    file_quality(buyer, first)
    clock.move_to(at(5, 6, 23, 30))
    fund_move("b", 5_000)
    # And on 05-07 a return asked on the second order, and ¥20.00 out of the fund
    clock.move_to(at(5, 7, 9))
    aftersales.aftersale_request(
        actor=buyer, number=second.number, kind="no_reason_return", reason="买错了"
    )
    fund_move("c", 2_000, out=True)
    # And on 05-08 at 23:59 the return withdrawn
    clock.move_to(at(5, 8, 23, 59))
    aftersales.aftersale_withdraw(actor=buyer, number=second.number)
    # And on 05-09 one more order, complained about the same day
    clock.move_to(at(5, 9, 12))
    file_quality(buyer, shipped(buyer, seller, listing, tracking="SF5000000004"))
    # When the dashboard is read on 05-10, in Chinese (whatever language an earlier test's
    # request left active in this thread)
    clock.move_to(at(5, 10, 12))
    days = local_days(30)
    with translation.override("zh-hans"):
        ctx = dashboard(30)
    series = {c.key: c for c in ctx["charts"]}
    # Then its 30 days run from 04-11 to 05-10
    assert (days[0], days[-1]) == (dt.date(2026, 4, 11), TODAY)
    assert [d for d, _, _ in series["orders"].rows] == days
    assert series["orders"].rows[0][1] == "4月11日"  # not Django's "04月11日"
    # And each series is exactly what happened on each Beijing day
    from anxin.aftersales.selectors import aftersales_open_by_day
    from anxin.disputes.selectors import disputes_per_day
    from anxin.orders.selectors import orders_per_day
    from anxin.remedies.selectors import fund_balance_by_day

    orders = orders_per_day(days)
    assert {f"{d:%m-%d}": n for d, n in zip(days, orders, strict=True) if n} == {
        "05-05": 1,
        "05-06": 2,
        "05-09": 1,
    }
    complaints = disputes_per_day(days)
    assert {f"{d:%m-%d}": n for d, n in zip(days, complaints, strict=True) if n} == {
        "05-06": 1,
        "05-09": 1,
    }
    assert by_day(aftersales_open_by_day(days), days) == {"04-11": 1, "05-07": 2, "05-08": 1}
    assert by_day(fund_balance_by_day(days), days) == {
        "04-11": 100_000,
        "05-06": 105_000,
        "05-07": 103_000,
    }
    # And the page's table shows the fund in yuan with two decimals
    fund_rows = {d: v for d, _, v in series["fund"].rows}
    assert fund_rows[dt.date(2026, 5, 7)] == "¥1,030.00"
    assert series["fund"].summary == "目前余额：¥1,030.00；近 30 天最低：¥1,000.00。"


def test_the_page_draws_each_chart_with_its_table(clock, buyer, seller, listing) -> None:
    # Given an operator, a regulator and one order placed today
    operator = make_user("op", Role.OPERATOR)
    regulator = make_user("reg", Role.REGULATOR)
    place_order(buyer, listing)
    for user, lang in ((operator, "zh-hans"), (regulator, "en")):
        # When they open the dashboard
        r = page(user, lang=lang)
        # Then it shows the four charts, each an accessible SVG with a table of 30 days
        assert r.status_code == 200
        html = r.content.decode()
        for key in ("orders", "complaints", "backlog", "fund"):
            assert f'data-testid="chart-{key}"' in html
            assert f'aria-labelledby="chart-{key}-title chart-{key}-desc"' in html
            table = html.split(f'data-testid="table-{key}"', 1)[1].split("</table>", 1)[0]
            assert table.count("<tr>") == 31  # the heading and 30 days
        # And no inline style or script, which the Content-Security-Policy would refuse
        assert " style=" not in html
        assert not re.search(r"<script(?![^>]*\bsrc=)", html)
    # And in English the summary says the same
    html = page(regulator, lang="en").content.decode()
    assert "In the last 30 days: 1; the most on May 1: 1." in html
    assert "订单" in page(operator).content.decode()


def test_ninety_days_on_the_toggle_and_nothing_else(clock, operator) -> None:
    # Given the operator
    # When the 90-day window is asked for
    html = page(operator, "?days=90").content.decode()
    # Then each table has 90 days
    table = html.split('data-testid="table-orders"', 1)[1].split("</table>", 1)[0]
    assert table.count("<tr>") == 91
    assert 'aria-current="page" data-testid="window-90"' in html
    # And any other window is the default 30 days
    for bad in ("?days=7", "?days=abc", "?days=100000"):
        other = page(operator, bad).content.decode()
        table = other.split('data-testid="table-orders"', 1)[1].split("</table>", 1)[0]
        assert table.count("<tr>") == 31


def test_with_no_data_every_chart_says_so(clock, operator) -> None:
    # Given a deployment with no order, complaint, request or fund movement
    # When the operator opens the dashboard
    r = page(operator)
    # Then every chart is drawn at zero and says plainly there is nothing
    assert r.status_code == 200
    html = r.content.decode()
    assert "近 30 天没有订单。" in html
    assert "近 30 天没有投诉。" in html
    assert "今天结束时未结：0" in html
    assert "目前余额：¥0.00" in html
    assert '<g class="bars"></g>' in html


def test_only_the_operator_and_the_regulator_see_it(clock, staff, operator, buyer, seller) -> None:
    # Given every role
    # When each opens the dashboard
    # Then the operator and the regulator see it, every other role is refused, and a
    # visitor is sent to log in
    assert page(operator).status_code == 200
    assert page(staff[Role.REGULATOR]).status_code == 200
    for user in (buyer, seller, staff[Role.MEDIATOR], staff[Role.ADJUDICATOR]):
        assert page(user).status_code == 403, user.role
    r = page(None)
    assert r.status_code == 302
    assert r["Location"].startswith("/login/")


def test_the_desks_of_the_operator_and_the_regulator_link_to_it(clock, staff, operator) -> None:
    # Given the operator, the regulator and a mediator
    for user, linked in ((operator, True), (staff[Role.REGULATOR], True)):
        # When each opens the desk
        html = _desk(user)
        # Then the operator's and the regulator's link to the dashboard
        assert ('href="/desk/dashboard"' in html) is linked
    # And the mediator's does not
    assert 'href="/desk/dashboard"' not in _desk(staff[Role.MEDIATOR])


def _desk(user) -> str:
    c = Client()
    c.force_login(user)
    return c.get("/desk/").content.decode()


def test_the_page_takes_a_handful_of_queries_for_90_days(
    clock, operator, buyer, listing, django_assert_max_num_queries
) -> None:
    # Given an order placed today and money in the fund
    place_order(buyer, listing)
    fund_move("a", 100_000)
    c = Client()
    c.force_login(operator)
    # When the 90-day dashboard is drawn
    # Then it reads the figures in a handful of aggregate queries, not one a day
    with django_assert_max_num_queries(12):
        assert c.get("/desk/dashboard?days=90").status_code == 200
