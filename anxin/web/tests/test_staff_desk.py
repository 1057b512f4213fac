"""The staff desks: each role's queues with their counts and nearest deadlines, every item
linking to its page, empty queues said plainly; and the menu's staff links."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client

from anxin.accounts.models import Role
from anxin.conftest import make_listing, make_user, read_deadline
from anxin.disputes import services as disputes
from anxin.disputes.tests.helpers import completed, file_quality, shipped, to_decision
from anxin.reputation import blacklist
from anxin.reputation import services as reviews
from anxin.sellers import services as sellers

pytestmark = pytest.mark.django_db


def desk(user, lang: str = "zh-hans") -> str:
    c = Client(HTTP_ACCEPT_LANGUAGE=lang)
    c.force_login(user)
    r = c.get("/desk/")
    assert r.status_code == 200
    return r.content.decode()


def section(page: str, testid: str) -> str:
    return page.split(f'data-testid="{testid}"', 1)[1].split("</section>", 1)[0]


def count(page: str, testid: str) -> int:
    m = re.search(rf'data-testid="count-{testid}">(\d+)<', page)
    assert m is not None, testid
    return int(m.group(1))


def to_mediation(buyer, seller, listing):
    order = shipped(buyer, seller, listing, tracking="SF7000000001")
    d = file_quality(buyer, order)
    disputes.dispute_answer(actor=seller, number=d.number, offer_fen=0, text="没有问题")
    disputes.dispute_reply(actor=buyer, number=d.number, accept=False, reason="要调解")
    d.refresh_from_db()
    return d


def test_the_mediators_desk_lists_the_cases_waiting_for_her_proposal(
    clock, buyer, seller, listing
) -> None:
    # Given a mediator with a case waiting for her proposal, and another mediator with none
    mediator = make_user("mediator1", Role.MEDIATOR)
    idle = make_user("mediator2", Role.MEDIATOR)
    d = to_mediation(buyer, seller, listing)
    assert d.mediator_id == mediator.pk
    # When the mediator opens her desk
    page = desk(mediator)
    # Then the case is counted as waiting for her, links to its page, shows the step in
    # words and its deadline
    assert count(page, "mine") == 1
    mine = section(page, "queue-mine")
    assert f'href="/disputes/{d.number}/"' in mine
    assert "等待调解员提出调解方案" in mine
    assert d.due_at is not None
    assert read_deadline(d.due_at) in mine
    # And the other mediator's desk says plainly that nothing is waiting
    other = desk(idle)
    assert count(other, "mine") == 0
    assert "没有等待您处理的纠纷" in section(other, "queue-mine")
    assert "No case is waiting for you" in desk(idle, "en")


def test_the_adjudicators_desk_lists_the_cases_waiting_for_a_decision(
    clock, buyer, seller, listing
) -> None:
    # Given a case whose evidence is closed, waiting for the first adjudicator's decision
    d, _, people = to_decision(clock, buyer, seller, listing)
    # When that adjudicator opens the desk
    page = desk(people["adj1"])
    # Then it is waiting for him, linked; another adjudicator has nothing waiting
    assert count(page, "mine") == 1
    assert f'href="/disputes/{d.number}/"' in section(page, "queue-mine")
    assert "等待裁决员裁决" in section(page, "queue-mine")
    assert count(desk(people["adj2"]), "mine") == 0


def test_the_regulators_desk_shows_transferred_cases_and_blacklist_notices(
    clock, buyer, seller, listing, operator
) -> None:
    # Given a case the buyer transferred to the regulator, and a blacklist notice
    regulator = make_user("regulator1", Role.REGULATOR)
    make_user("mediator1", Role.MEDIATOR)
    order = shipped(buyer, seller, listing, tracking="SF7000000002")
    d = file_quality(buyer, order)
    disputes.dispute_transfer(actor=buyer, number=d.number, reason="商家失联")
    e = blacklist.open_entry(
        actor=operator,
        seller_id=seller.pk,
        ground="runaway",
        reasons="收款不发货",
        evidence_refs=[d.number],
    )
    # When the regulator opens the desk
    page = desk(regulator)
    # Then the transferred case and the notice are counted and linked, with the identity page
    assert count(page, "cases") == 1
    assert f'href="/disputes/{d.number}/"' in section(page, "queue-cases")
    assert count(page, "blacklist") == 1
    assert f'href="/desk/blacklist#entry-{e.pk}"' in section(page, "queue-blacklist")
    assert 'href="/sellers/identity"' in page
    # And no operator queue (licences, reviews) is on it
    assert 'data-testid="queue-licences"' not in page
    assert 'data-testid="queue-reviews"' not in page


def test_the_operators_desk_counts_licences_notices_and_reviews(
    clock, buyer, seller, operator
) -> None:
    # Given an empty platform, its books audited once
    call_command("ledger", "audit", stdout=io.StringIO())
    # When the operator opens the desk
    page = desk(operator)
    # Then each queue says plainly that it is empty, and the ledger checks pass
    assert count(page, "licences") == 0
    assert count(page, "blacklist") == 0
    assert "没有待审核的许可证" in section(page, "queue-licences")
    assert "没有等待决定的黑名单通知" in section(page, "queue-blacklist")
    assert "账本所有校验均通过" in page
    # Given a licence sent for review, a blacklist notice and a new review
    sellers.licence_submit(
        actor=seller,
        kind="food_business",
        number="JY13301060000001",
        valid_until=dt.date(2030, 1, 1),
        document=SimpleUploadedFile("l.png", b"\x89PNG\r\n\x1a\n" + b"0" * 64, "image/png"),
    )
    blacklist.open_entry(
        actor=operator, seller_id=seller.pk, ground="fraud", reasons="售假", evidence_refs=["X1"]
    )
    order = completed(buyer, seller, make_listing(seller, title="龙井"))
    reviews.review_create(
        actor=buyer, number=order.number, as_described=1, shipping=1, service=1, text="差"
    )
    # When the operator opens the desk again
    page = desk(operator)
    # Then each is counted and links to its page
    assert count(page, "licences") == 1
    assert 'href="/desk/licences"' in section(page, "queue-licences")
    assert count(page, "blacklist") == 1
    assert count(page, "reviews") == 1
    assert 'href="/desk/reviews"' in section(page, "queue-reviews")


@pytest.mark.parametrize("role", [Role.BUYER, Role.SELLER])
def test_buyers_and_sellers_have_no_desk(role) -> None:
    # Given a buyer or a seller
    user = make_user(f"u-{role}", role)
    c = Client()
    c.force_login(user)
    # When they open the desk
    # Then they are refused, and their menu has no staff links
    assert c.get("/desk/").status_code == 403
    menu = c.get("/law/").content.decode()
    assert 'data-testid="menu-desk"' not in menu
    assert 'data-testid="menu-staff"' not in menu


def test_the_menu_links_each_staff_role_to_the_pages_it_may_use(operator, staff) -> None:
    # Given the operator, a regulator and a mediator
    def menu(user) -> str:
        c = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
        c.force_login(user)
        return c.get("/law/").content.decode().split("</nav>", 1)[0]

    # When each opens a page
    # Then the operator's menu has the desk, the blacklist notices and the reviews
    op = menu(operator)
    assert 'href="/desk/"' in op
    assert 'href="/desk/blacklist"' in op
    assert 'href="/desk/reviews"' in op
    # And the regulator's the desk and the blacklist notices, not the reviews
    reg = menu(staff[Role.REGULATOR])
    assert 'href="/desk/blacklist"' in reg
    assert 'href="/desk/reviews"' not in reg
    # And the mediator's only the desk
    med = menu(staff[Role.MEDIATOR])
    assert 'href="/desk/"' in med
    assert "/desk/blacklist" not in med
