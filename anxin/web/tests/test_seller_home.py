"""A seller's home: verification first, since nothing can be listed before; then what needs
doing, each with its deadline and what happens if the seller lets it pass."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from anxin.accounts.models import Role
from anxin.conftest import make_user, read_deadline

pytestmark = pytest.mark.django_db


def home_of(user, lang: str = "zh-hans") -> str:
    c = Client(HTTP_ACCEPT_LANGUAGE=lang)
    c.force_login(user)
    return c.get("/seller/").content.decode()


def test_an_unverified_seller_is_led_to_verification_before_listing() -> None:
    # Given a seller who has just signed up and is not verified
    new = make_user("newshop", Role.SELLER, "新店", verified=False)
    # When she opens her home
    page = home_of(new)
    # Then a card at the top asks her to verify first and links to verification
    card = page.split('data-testid="verify-first"', 1)[1].split("</section>", 1)[0]
    assert "请先完成身份认证" in card
    assert 'href="/seller/verification"' in card
    assert page.index('data-testid="verify-first"') < page.index('data-testid="held"')
    # And "New listing" is not offered yet
    assert 'data-testid="new-listing"' not in page
    assert "Verify your identity first" in home_of(new, "en")


def test_a_verified_seller_lists_without_the_card(seller) -> None:
    # Given a verified seller
    # When she opens her home
    page = home_of(seller)
    # Then there is no verification card and "New listing" is offered
    assert 'data-testid="verify-first"' not in page
    assert 'data-testid="new-listing"' in page


# --- what needs doing ----------------------------------------------------------------------


def section(page: str, testid: str) -> list[str]:
    """The to-do rows marked `testid`, each from its opening tag to its end."""
    rows = [r.split("</a>", 1)[0] for r in page.split('<a class="card todo"')[1:]]
    return [r for r in rows if f'data-testid="{testid}"' in r.split(">", 1)[0]]


def test_orders_to_ship_show_their_ship_by_date_and_a_countdown(clock, buyer, seller) -> None:
    # Given a listing that promises to ship within 2 days, bought and paid now, and another
    # order paid 5 days ago and still not shipped
    from anxin.conftest import make_listing, pay, place_order
    from anxin.notices.models import Notification

    listing = make_listing(seller)
    late = place_order(buyer, listing)
    pay(late)
    clock.shift(dt.timedelta(days=5))
    fresh = place_order(buyer, listing)
    pay(fresh)
    # When the seller opens her home
    page = home_of(seller)
    rows = section(page, "to-ship-row")
    # Then the late one comes first, its ship-by date in Beijing time and how late it is, in red
    assert "发货截止 05-03 10:00" in rows[0]
    assert "已超时 3 天" in rows[0]
    assert 'class="todo-due late"' in rows[0]
    # And the fresh one says plainly how long is left, not in red
    assert "发货截止 05-08 10:00" in rows[1]
    assert "还剩 2 天" in rows[1]
    assert 'class="todo-due"' in rows[1]
    # And the date is the one the seller was told when the buyer paid (Order.ship_by)
    fresh.refresh_from_db()
    told = Notification.objects.filter(user=seller, kind="order_paid").latest("pk")
    assert told.params["due_at"] == fresh.ship_by.isoformat()
    assert "2 days left" in home_of(seller, "en")


def test_the_counts_at_the_top_say_what_needs_doing(clock, buyer, seller) -> None:
    # Given a seller with two orders to ship, one return request and one complaint waiting
    from anxin.aftersales import services as aftersales
    from anxin.conftest import make_listing, pay, place_order
    from anxin.disputes.tests.helpers import completed, file_quality, shipped

    listing = make_listing(seller)
    for _ in range(2):
        pay(place_order(buyer, listing))
    returned = completed(buyer, seller, listing, tracking="SF5000000001")
    aftersales.aftersale_request(
        actor=buyer, number=returned.number, kind="no_reason_return", reason="不喜欢"
    )
    file_quality(buyer, shipped(buyer, seller, listing, tracking="SF5000000002"))
    # When she opens her home
    page = home_of(seller)
    counts = page.split('data-testid="todo-counts"', 1)[1].split("</nav>", 1)[0]
    # Then the counts come first, in plain words
    assert "2 单待发货" in counts
    assert "1 个售后待处理" in counts
    assert "1 个投诉" in counts
    assert page.index('data-testid="todo-counts"') < page.index('data-testid="held"')
    en = home_of(seller, "en")
    assert "2 to ship" in en
    assert "1 return or repair to handle" in en
    assert "1 complaint" in en


def test_a_return_request_says_silence_approves_it_as_the_deadline_runner_does(
    clock, buyer, seller
) -> None:
    # Given a buyer's return request on a delivered order
    from anxin.aftersales import services as aftersales
    from anxin.aftersales.models import AfterSale, Status
    from anxin.conftest import make_listing
    from anxin.disputes.tests.helpers import completed
    from anxin.ops.deadlines import deadlines_run

    order = completed(buyer, seller, make_listing(seller), tracking="SF5000000003")
    a = aftersales.aftersale_request(
        actor=buyer, number=order.number, kind="no_reason_return", reason="不喜欢"
    )
    # When the seller opens her home
    row = section(home_of(seller), "after-sale-row")[0]
    # Then the request is there with the date to answer by and what silence does
    assert f"请在 {read_deadline(a.respond_by)} 前答复" in row
    assert "逾期不答复视为同意，申请将自动通过" in row
    assert f'href="/orders/{order.number}#after-sales"' in row
    # And when that time passes with no answer, the deadline runner does just that
    clock.move_to(a.respond_by + dt.timedelta(minutes=1))
    deadlines_run()
    assert AfterSale.objects.get(pk=a.pk).status == Status.APPROVED
    # And the request no longer waits for the seller's answer
    assert "请在" not in "".join(section(home_of(seller), "after-sale-row"))


def test_a_complaint_says_what_silence_costs_as_the_deadline_runner_does(
    clock, buyer, seller
) -> None:
    # Given a complaint on an order, waiting for the seller's answer
    from anxin.conftest import make_listing
    from anxin.disputes.models import Outcome
    from anxin.disputes.tests.helpers import file_quality, shipped
    from anxin.ops.deadlines import deadlines_run

    order = shipped(buyer, seller, make_listing(seller), tracking="SF5000000004")
    d = file_quality(buyer, order)
    # When the seller opens her home
    row = section(home_of(seller), "case-row")[0]
    # Then it is there with the date to answer by and what not answering costs
    assert f"请在 {read_deadline(d.due_at)} 前回应" in row
    assert "逾期不回应视为认可投诉，将退给买家 ¥128.00" in row
    assert f'href="/disputes/{d.number}/"' in row
    # And when that time passes with no answer, the deadline runner decides it so
    clock.move_to(d.due_at + dt.timedelta(minutes=1))
    deadlines_run()
    d.refresh_from_db()
    assert d.outcome == Outcome.DEFAULT
    assert d.remedy_fen == 12800
    assert 'data-testid="case-row"' not in home_of(seller)


def test_a_mediators_proposal_waits_for_the_seller_until_she_answers_it(
    clock, buyer, seller
) -> None:
    # Given a complaint in mediation: the buyer turned down the seller's offer and the
    # mediator proposed a settlement both must accept
    from anxin.conftest import make_listing
    from anxin.disputes import services as disputes
    from anxin.disputes.tests.helpers import desk, file_quality, shipped

    mediator = desk()["mediator"]
    d = file_quality(buyer, shipped(buyer, seller, make_listing(seller), tracking="SF5000000005"))
    disputes.dispute_answer(actor=seller, number=d.number, offer_fen=1000, text="只能退10元")
    # (while the buyer considers the offer, the case waits for her, not for the seller)
    assert 'data-testid="case-row"' not in home_of(seller)
    disputes.dispute_reply(actor=buyer, number=d.number, accept=False, reason="太少")
    disputes.dispute_propose(actor=mediator, number=d.number, amount_fen=8000, text="退80元")
    # When the seller opens her home
    row = section(home_of(seller), "case-row")[0]
    # Then the case asks her to answer the proposal, and says an adjudicator decides if not
    assert "前接受或拒绝调解方案。逾期不答复，将由裁决员作出裁决。" in row
    # And once she has accepted, it no longer waits for her
    disputes.dispute_respond(actor=seller, number=d.number, accept=True)
    assert 'data-testid="case-row"' not in home_of(seller)


def test_a_return_on_its_way_back_asks_the_seller_to_confirm_it_with_no_deadline(
    clock, buyer, seller
) -> None:
    # Given a return the seller approved and the buyer sent back
    from anxin.aftersales import services as aftersales
    from anxin.conftest import make_listing
    from anxin.disputes.tests.helpers import completed

    order = completed(buyer, seller, make_listing(seller), tracking="SF5000000006")
    aftersales.aftersale_request(
        actor=buyer, number=order.number, kind="no_reason_return", reason="不喜欢"
    )
    aftersales.aftersale_answer(actor=seller, number=order.number, approve=True)
    aftersales.aftersale_ship_back(
        actor=buyer, number=order.number, carrier="顺丰速运", tracking_number="SF5000000007"
    )
    # When the seller opens her home
    row = section(home_of(seller), "after-sale-row")[0]
    # Then it asks her to confirm when the goods arrive, and shows no countdown
    assert "收到后请在订单页确认，买家随即获得退款" in row
    assert "todo-due" not in row
