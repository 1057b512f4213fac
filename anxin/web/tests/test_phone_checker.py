"""The page checker finds what a person would see wrong, and only that.

A checker that reports nothing proves nothing: these tests show it a page with each fault
and check each is named, and show it a request the page abandoned when the person moved on
(which nobody sees) and check that alone is not reported.
"""

from __future__ import annotations

import pytest

from anxin.web.tests.phone import Phone, english_words

pytestmark = pytest.mark.browser

BAD_PAGE = """<!doctype html><html lang="zh-Hans"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width"><title>坏页面</title></head><body>
<main><h1>订单</h1>
<p>Please confirm the order</p>
<img src="/media/no-such-picture.png" alt="商品">
<div style="width: 900px">太宽了</div>
<p><button style="width: 20px; height: 20px; padding: 0">好</button></p>
<p><button style="width: 120px; height: 48px"></button></p>
</main>
<script>console.error("boom")</script>
</body></html>"""

GOOD_PAGE = """<!doctype html><html lang="zh-Hans"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width"><title>好页面</title></head><body>
<main><h1>订单</h1><p>请确认订单</p>{extra}</main></body></html>"""


def _serve(phone: Phone, path: str, html: str) -> None:
    phone.page.route(f"**{path}", lambda route: route.fulfill(body=html, content_type="text/html"))


def test_the_checker_names_each_fault_on_a_bad_page(browser, live_server) -> None:
    # Given a Chinese page with every fault the checker looks for
    phone = Phone.open(browser, live_server.url, "checker")
    _serve(phone, "/checker/bad", BAD_PAGE)
    # When the phone looks at it
    phone.visit("/checker/bad", "bad")
    phone.close()
    found = "\n".join(phone.problems)
    # Then each fault is named
    assert "broken image http://localhost" in found
    assert "no-such-picture.png (404)" in found
    assert "console: boom" in found
    assert "wider than the screen" in found
    assert "English on a Chinese page: Please, confirm, order" in found
    assert "under 44 px" in found
    assert "accessibility: button-name (critical)" in found


def test_the_checker_finds_nothing_on_a_good_page(browser, live_server) -> None:
    phone = Phone.open(browser, live_server.url, "checker")
    _serve(phone, "/checker/good", GOOD_PAGE.format(extra=""))
    phone.visit("/checker/good", "good")
    phone.close()
    assert phone.problems == []


def test_a_request_abandoned_by_leaving_the_page_is_not_a_fault_but_one_on_the_page_is(
    browser, live_server
) -> None:
    # Given a page whose picture never arrives (the server holds it), and a second page
    phone = Phone.open(browser, live_server.url, "checker")
    held = []
    phone.page.route("**/held.png", lambda route: held.append(route))
    _serve(phone, "/checker/slow", GOOD_PAGE.format(extra='<img src="/held.png" alt="图">'))
    _serve(phone, "/checker/next", GOOD_PAGE.format(extra=""))
    phone.page.goto("/checker/slow", wait_until="commit")
    phone.page.wait_for_function("() => document.images.length === 1")
    # When the person moves on before it arrives, the browser abandons it (net::ERR_ABORTED)
    phone.visit("/checker/next", "next")
    assert held, "the picture was requested"
    # Then the next page is not blamed for it
    assert phone.problems == []
    # But a request the page showing cancels itself is still reported
    phone.page.evaluate(
        """() => { const c = new AbortController();
                  const f = fetch('/held.png', {signal: c.signal}).catch(() => null);
                  setTimeout(() => c.abort(), 100); return f; }"""
    )
    phone.look("aborted-here")
    phone.close()
    assert any("held.png (net::ERR_ABORTED)" in p for p in phone.problems), phone.problems


def test_english_words_skip_codes_and_latin_used_in_chinese() -> None:
    assert english_words(["订单 AX20261205AB6D58AE 的 PDF", "SF0012 快递"]) == []
    assert english_words(["退款 refund 已到账"]) == ["refund"]
