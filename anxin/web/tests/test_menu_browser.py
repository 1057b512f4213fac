"""The top menu on a phone: when its links do not fit (staff in English), its edge fades where
more links hide, so a person sees there is more to swipe to."""

from __future__ import annotations

import pytest

from anxin.web.tests.phone import Phone
from anxin.web.tests.test_roles import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_the_menu_shows_where_more_links_hide(browser, live_server, demo) -> None:
    # Given the regulator's staff, whose English menu is wider than a phone
    staff = Phone.open(browser, live_server.url, "menu-staff", lang="en-US")
    staff.login("regulator", PASSWORD)
    staff.visit("/disputes/", "menu-wide")
    nav = staff.page.locator("header.top nav")
    # Then the menu marks its right edge, where the hidden links are
    assert nav.get_attribute("data-more") == "right"
    # When the person swipes it to the end
    nav.evaluate("n => { n.scrollLeft = n.scrollWidth; }")
    staff.page.wait_for_function(
        "() => document.querySelector('header.top nav').dataset.more === 'left'"
    )
    # Then only the left edge is marked, where the first links went
    assert nav.get_attribute("data-more") == "left"
    # And a buyer's Chinese menu, which fits, marks no edge
    buyer = Phone.open(browser, live_server.url, "menu-buyer", lang="zh-CN")
    buyer.login("wangfang", PASSWORD)
    buyer.visit("/orders/", "menu-fits")
    assert buyer.page.locator("header.top nav").get_attribute("data-more") == ""
