"""A real Chromium on a phone-sized screen: checkout link, sandbox payment, escrow, shipment,
confirmation, the seller's settled amount, chat, returns, complaints, badges. Wherever a flow
stops to show a page, the page is looked at as a person would (phone.py: broken images,
console errors, overflow, English on a Chinese page, tap targets, axe-core) and its screenshot
saved under $ANXIN_TEST_ARTIFACTS/screens/flows-<language>/."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from anxin.conftest import PASSWORD, make_listing, make_user
from anxin.web.tests.phone import Phone, second_step

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(os.environ.get("ANXIN_TEST_ARTIFACTS", "test-artifacts"))
PHONE = {"width": 390, "height": 844}


# What Chromium's console reported as refused by the Content-Security-Policy, in any page a
# test opened: every test fails on any (csp_clean), so a page that needs an inline script, an
# inline style or eval is found here rather than by a user whose button does nothing.
CSP_VIOLATIONS: list[str] = []


def _on_console(message) -> None:
    if "Content Security Policy" in message.text:
        CSP_VIOLATIONS.append(f"{message.page.url if message.page else ''}: {message.text}")


@pytest.fixture(autouse=True)
def csp_clean() -> Iterator[None]:
    CSP_VIOLATIONS.clear()
    yield
    assert CSP_VIOLATIONS == []


# Every phone a test opened; `_look` checks the page one of them shows, and each test fails on
# what they found (pages_clean), as on a refused inline script (csp_clean).
PHONES: list[Phone] = []


@pytest.fixture(autouse=True)
def pages_clean() -> Iterator[None]:
    PHONES.clear()
    yield
    problems = [p for phone in PHONES for p in phone.problems]
    assert problems == [], "\n".join(problems)


def _phone(browser, live_server, lang: str = "zh-CN"):
    phone = Phone.open(browser, live_server.url, "flows", lang=lang)
    phone.page.context.on("console", _on_console)
    PHONES.append(phone)
    return phone.page


def _look(page, name: str) -> None:
    """Check the page as a person would, and save its screenshot (see phone.py)."""
    phone = next(p for p in PHONES if p.page is page)
    phone.look(name)


def _login(page, username: str) -> None:
    page.goto("/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    # Until the redirect after signing in has loaded: a navigation started before would abort
    # it (and the page checks would see an aborted request).
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    # An operator or a regulator then gives the second factor (enrolling an app first).
    second_step(page, username)


def test_buyer_pays_into_escrow_seller_ships_buyer_confirms(browser, live_server) -> None:
    from playwright.sync_api import expect

    from anxin.core.worker import run_due_tasks

    # Given a seller's listing at 368 yuan, and a buyer's account
    seller = make_user("tea-seller", "seller", "王春茶")
    make_user("zhangwei", "buyer", "张伟")
    listing = make_listing(seller, price_fen=36800, title="明前西湖龙井 250克")
    ARTIFACTS.mkdir(exist_ok=True)

    buyer = _phone(browser, live_server)
    # When the buyer opens the link as shared in a chat
    buyer.goto(f"/c/{listing.code}")
    # Then the checkout shows the price
    expect(buyer.get_by_test_id("price")).to_have_text("¥368.00")
    _look(buyer, "checkout")
    # When she signs in and orders, giving her address
    buyer.get_by_role("link", name="登录").last.click()
    buyer.fill("input[name=username]", "zhangwei")
    buyer.fill("input[name=password]", PASSWORD)
    buyer.click("main form button[type=submit]")
    buyer.fill("input[name=recipient_name]", "张伟")
    # (A six-digit number is no phone a courier can call: the field itself says so.)
    phone = buyer.locator("input[name=recipient_phone]")
    phone.fill("123456")
    assert phone.evaluate("e => e.validity.patternMismatch")
    phone.fill("139 0000 1111")
    assert not phone.evaluate("e => e.validity.patternMismatch")
    buyer.fill("input[name=recipient_phone]", "13900001111")
    buyer.fill("textarea[name=shipping_address]", "杭州市西湖区文三路 100 号")
    buyer.get_by_role("button", name="提交订单").click()
    # Then the order awaits payment
    expect(buyer.get_by_test_id("order-status")).to_have_text("待付款")

    # When she pays into escrow at the sandbox cashier
    buyer.get_by_role("button", name="付款到安心托管").click()
    expect(buyer.locator(".cashier h1")).to_have_text("¥368.00")
    buyer.get_by_role("button", name="确认支付").click()
    # Then, before the provider's notification is applied, her order says the payment is being
    # confirmed and offers no second payment
    expect(buyer.get_by_test_id("order-status")).to_have_text("已收到付款，正在确认…")
    expect(buyer.get_by_role("button", name="付款到安心托管")).to_have_count(0)
    # The provider's notification arrives asynchronously (the worker delivers it); the page
    # polls and shows the money held in escrow.
    run_due_tasks()
    # Then the page shows the money held in escrow, not yet paid to the seller
    expect(buyer.get_by_test_id("order-status")).to_have_text("已付款，资金托管中")
    expect(buyer.get_by_text("尚未付给卖家")).to_be_visible()
    # And the whole page followed: the pay button is gone, the timeline shows the payment
    expect(buyer.get_by_role("button", name="付款到安心托管")).to_have_count(0)
    expect(buyer.get_by_test_id("timeline").locator("li")).to_have_count(2)
    _look(buyer, "order-in-escrow")
    number = buyer.get_by_test_id("order-number").inner_text()

    # When the seller signs in
    seller_page = _phone(browser, live_server)
    _login(seller_page, "tea-seller")
    # Then her dashboard holds the price less the fee
    expect(seller_page.get_by_test_id("held")).to_have_text("¥365.80")  # 36800 - 220 fee
    # When she ships the order
    seller_page.get_by_text(number).click()
    seller_page.fill("input[name=carrier]", "顺丰速运")
    # (The tracking number's pattern is a valid regular expression, so the browser checks it.)
    tracking = seller_page.locator("input[name=tracking_number]")
    tracking.fill("SF 123 456")
    assert tracking.evaluate("e => e.validity.patternMismatch")
    tracking.fill("SF-1234567890")
    assert not tracking.evaluate("e => e.validity.patternMismatch")
    seller_page.fill("input[name=tracking_number]", "SF1234567890")
    seller_page.get_by_role("button", name="确认发货").click()
    # Then it is shipped
    expect(seller_page.get_by_test_id("order-status")).to_have_text("已发货")

    # When the buyer reloads her page
    buyer.reload()
    # Then she sees it shipped
    expect(buyer.get_by_test_id("order-status")).to_have_text("已发货")
    # When she taps "confirm receipt" but cancels the question it asks
    questions: list[str] = []
    buyer.once("dialog", lambda d: (questions.append(d.message), d.dismiss()))
    buyer.get_by_role("button", name="确认收货，把货款付给卖家").click()
    # Then it asked, naming the amount, and nothing was sent: the order is still shipped
    expect(buyer.get_by_test_id("order-status")).to_have_text("已发货")
    assert questions == ["确认收货并把 ¥368.00 付给卖家？付款后无法撤回。"]
    # When she confirms receipt and accepts the question
    buyer.once("dialog", lambda d: d.accept())
    buyer.get_by_role("button", name="确认收货，把货款付给卖家").click()
    # Then the page says it is done, in a green success box (not the yellow warning)
    done = buyer.locator(".flash.success")
    expect(done).to_have_text("已确认收货，货款已付给卖家。")
    assert done.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(233, 247, 241)"
    # And the order is completed and paid to the seller, with four entries in its timeline
    expect(buyer.get_by_test_id("order-status")).to_have_text("已完成，货款已付给卖家")
    expect(buyer.get_by_test_id("timeline").locator("li")).to_have_count(4)

    # When the seller opens her dashboard again
    seller_page.goto("/seller/")
    # Then the amount is released and nothing is held
    expect(seller_page.get_by_test_id("released")).to_have_text("¥365.80")
    expect(seller_page.get_by_test_id("held")).to_have_text("¥0.00")
    _look(seller_page, "seller-settled")

    # And nothing on the buyer's page is wider than the phone's screen
    width = buyer.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"]


def test_the_interface_switches_to_english(browser, live_server) -> None:
    from playwright.sync_api import expect

    # Given a phone whose browser prefers English
    page = _phone(browser, live_server, lang="en-US")
    # When it opens the home page
    page.goto("/")
    # Then the page is in English
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Buy from anyone in your chats, with peace of mind"
    )
    # When the Chinese button is tapped
    page.get_by_role("button", name="中文").click()
    # Then the page is in Chinese
    expect(page.get_by_role("heading", level=1)).to_have_text("在聊天里买东西，也能安心")


def test_no_asset_is_fetched_from_outside(browser, live_server) -> None:
    # Given a phone that records every request it makes outside the test server
    page = _phone(browser, live_server)
    outside: list[str] = []
    page.on(
        "request",
        lambda r: (
            outside.append(r.url)
            if not r.url.startswith(live_server.url) and not r.url.startswith("data:")
            else None
        ),
    )
    # When it opens the home and sign-in pages
    page.goto("/")
    page.goto("/login/")
    # Then nothing was fetched from outside
    assert outside == []


def test_buyer_and_seller_chat_on_the_order_page_and_get_a_voucher(browser, live_server) -> None:
    from playwright.sync_api import expect

    from anxin.conftest import pay, place_order
    from anxin.evidence import sequencer

    # Given a paid order
    buyer = make_user("chat-buyer", "buyer", "买家")
    seller = make_user("chat-seller", "seller", "茶店")
    order = place_order(buyer, make_listing(seller))
    pay(order)
    # When the buyer writes to the seller on the order page
    page = _phone(browser, live_server)
    _login(page, "chat-buyer")
    page.goto(f"/orders/{order.number}")
    page.fill("#chat textarea[name=text]", "请用顺丰发货，谢谢")
    page.click("#chat button[type=submit]")
    # Then her message shows, once
    page.get_by_text("请用顺丰发货，谢谢").wait_for()
    assert page.locator("[data-testid=message]").count() == 1
    # When she sends an empty message
    page.click("#chat button[type=submit]")
    # Then it is refused in place, naming the problem, and nothing is added
    page.locator("#chat .flash.error").wait_for()
    assert page.locator("[data-testid=message]").count() == 1
    page.context.close()

    # When the seller opens the order
    seller_page = _phone(browser, live_server)
    _login(seller_page, "chat-seller")
    seller_page.goto(f"/orders/{order.number}")
    # Then the message shows for the seller too
    seller_page.get_by_text("请用顺丰发货，谢谢").wait_for()
    seller_page.context.close()

    # When the buyer opens the order's voucher once the log has taken the records in
    sequencer.integrate_all()
    page = _phone(browser, live_server)
    _login(page, "chat-buyer")
    page.goto(f"/orders/{order.number}/voucher")
    # Then it shows its QR code and three records
    assert page.locator(".voucher-qr svg").count() == 1
    # created, paid, the message
    assert page.get_by_test_id("voucher-records").inner_text().strip() == "3"
    # And its print button can be read: not white on the white card
    print_button = page.locator("[data-print]")
    assert print_button.evaluate("e => getComputedStyle(e).color") != "rgb(255, 255, 255)"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    _look(page, "voucher-phone")
    # When she opens the public check page its QR code leads to
    from anxin.orders.vouchers import order_voucher

    check_url = order_voucher(buyer, order.number).check_url
    page.goto("/log/" + check_url.split("/log/", 1)[1])
    # Then it says in a green box that the voucher is genuine, shows the technical details only
    # when asked, and fits the phone's screen
    result = page.get_by_test_id("verify-result")
    expect(result).to_contain_text("凭证的指纹与此条目一致")
    assert result.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(233, 247, 241)"
    expect(page.get_by_test_id("entry-commitment")).to_be_hidden()
    page.get_by_text("技术细节").click()
    expect(page.get_by_test_id("entry-commitment")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    _look(page, "log-verify-phone")
    page.context.close()


def test_the_chat_poll_keeps_the_draft_and_the_chosen_photo(browser, live_server) -> None:
    from playwright.sync_api import expect

    from anxin.conftest import pay, place_order
    from anxin.orders import chat

    # Given a paid order, and the buyer on its page with a clock the test controls
    buyer = make_user("poll-buyer", "buyer", "买家")
    seller = make_user("poll-seller", "seller", "茶店")
    order = place_order(buyer, make_listing(seller))
    pay(order)
    page = _phone(browser, live_server)
    _login(page, "poll-buyer")
    page.clock.install()
    page.goto(f"/orders/{order.number}")
    # When she types a message and chooses a photo, the seller writes meanwhile,
    # and the chat polls (every 15 s)
    page.fill("#chat textarea[name=text]", "还没写完的草稿")
    page.set_input_files(
        "#chat input[name=image]",
        files=[{"name": "photo.png", "mimeType": "image/png", "buffer": _png_bytes()}],
    )
    chat.message_post(actor=seller, number=order.number, text="已发顺丰")
    with page.expect_response(lambda r: r.url.endswith(f"/orders/{order.number}/messages")):
        page.clock.run_for(16_000)
    # Then the seller's message shows, and her draft and photo are still there
    expect(page.get_by_text("已发顺丰")).to_be_visible()
    expect(page.locator("#chat textarea[name=text]")).to_have_value("还没写完的草稿")
    assert page.locator("#chat input[name=image]").evaluate("e => e.files.length") == 1
    page.context.close()


def _png_bytes() -> bytes:
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buf, "PNG")
    return buf.getvalue()


def test_buyer_sees_the_law_before_asking_for_a_return_and_the_seller_answers(
    browser, live_server
) -> None:
    from anxin.aftersales.models import AfterSale
    from anxin.conftest import pay, place_order
    from anxin.orders import services as orders

    # Given a shipped order
    buyer = make_user("as-buyer", "buyer", "买家")
    seller = make_user("as-seller", "seller", "定制店")
    listing = make_listing(seller)
    order = place_order(buyer, listing)
    pay(order)
    orders.order_ship(
        actor=seller, number=order.number, carrier="顺丰", tracking_number="SF7000000001"
    )
    # When the buyer opens it on her phone
    page = _phone(browser, live_server)
    _login(page, "as-buyer")
    page.goto(f"/orders/{order.number}")
    # Then the ways to get money back are told apart, and the request form is folded: no
    # law text before she asks
    page.get_by_test_id("ways-back").get_by_text("退货与售后").wait_for()
    assert not page.get_by_test_id("law-preview").is_visible()
    # When she opens "return, repair or replace"
    page.get_by_test_id("aftersale-request").locator("summary").click()
    # Then the law's view appears before anything is sent, with links to the articles
    preview = page.get_by_test_id("law-preview")
    preview.get_by_text("法律支持您的这项请求").wait_for()
    link = preview.locator("a[href='/law/NRR/#art-10']")
    assert link.count() >= 1
    # When she says the goods were used, and then intact
    # Then the law's view changes in place each time
    page.get_by_test_id("aftersale-condition").select_option("used")
    preview.get_by_text("法律不支持这项请求").wait_for()
    page.get_by_test_id("aftersale-condition").select_option("intact")
    preview.get_by_text("法律支持您的这项请求").wait_for()
    # When she asks for a return, giving her reason
    page.fill("#after-sales textarea[name=reason]", "颜色和图片不一样")
    page.click("#after-sales form button[type=submit]:has-text('提交申请')")
    # Then it waits for the seller, and the order shows no empty box where its actions were
    page.get_by_test_id("after-sale-status").get_by_text("等待卖家处理").wait_for()
    assert page.locator(".actions-card").count() == 1
    assert not page.locator(".actions-card").is_visible()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    _look(page, "after-sales-phone")
    page.context.close()

    # When the seller agrees
    seller_page = _phone(browser, live_server)
    _login(seller_page, "as-seller")
    seller_page.goto(f"/orders/{order.number}")
    asked: list[str] = []
    seller_page.once("dialog", lambda d: (asked.append(d.message), d.accept()))
    seller_page.click("#after-sales button:has-text('同意')")
    # Then it is asked once more, as approving gives up the right to refuse; the return is
    # agreed, and recorded as the seller's answer
    seller_page.get_by_test_id("after-sale-status").get_by_text("已同意：请寄回商品").wait_for()
    seller_page.context.close()
    assert len(asked) == 1
    assert asked[0].startswith("同意这个申请")
    assert AfterSale.objects.get(order=order).responded_by == "seller"
    # When a citation is followed
    page = _phone(browser, live_server)
    page.goto("/law/NRR/#art-10")
    # Then it leads to the article
    page.locator("#art-10").get_by_text("七日期间自消费者签收商品的次日开始起算").wait_for()
    page.context.close()


def test_buyer_files_a_complaint_and_the_seller_answers(browser, live_server) -> None:
    from anxin.conftest import pay, place_order
    from anxin.disputes.models import Dispute
    from anxin.orders import services as orders

    # Given a shipped order
    buyer = make_user("ds-buyer", "buyer", "买家")
    seller = make_user("ds-seller", "seller", "茶店")
    listing = make_listing(seller)
    order = place_order(buyer, listing)
    pay(order)
    orders.order_ship(
        actor=seller, number=order.number, carrier="顺丰", tracking_number="SF7100000001"
    )
    # When the buyer opens a complaint on it and chooses a category
    page = _phone(browser, live_server)
    _login(page, "ds-buyer")
    page.goto(f"/orders/{order.number}")
    page.get_by_test_id("complain").click()
    # Then the law's view, the evidence held and the routes show before anything is sent;
    # they follow the category chosen
    view = page.get_by_test_id("filing-view")
    page.get_by_test_id("category").select_option("counterfeit")
    view.locator("a[href='/law/CRPL/#art-55']").first.wait_for()
    view.get_by_role("rowheader", name="安心纠纷处理").wait_for()
    page.get_by_test_id("claimed").fill("628")
    # And the routes follow the amount as it is typed
    view.get_by_role("row", name="小额诉讼").get_by_text("¥628.00").wait_for()
    # When she files it with her claim
    page.fill("textarea[name=claim]", "鉴定为假货")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    _look(page, "complaint-filing-phone")
    page.get_by_test_id("file").click()
    # Then the case waits for the seller's answer
    page.get_by_test_id("case-step").get_by_text("等待卖家答复").wait_for()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    _look(page, "complaint-phone")
    number = Dispute.objects.get(order=order).number
    page.context.close()

    # When the seller opens it from her notices and offers 50 yuan
    seller_page = _phone(browser, live_server)
    _login(seller_page, "ds-seller")
    seller_page.goto("/notices/")
    seller_page.get_by_text(number).first.click()
    seller_page.get_by_test_id("offer-input").fill("50")
    seller_page.get_by_test_id("answer-text").fill("可以补偿50元")
    seller_page.get_by_test_id("answer").click()
    # Then her offer shows, and the case waits for the buyer's reply
    seller_page.get_by_test_id("offer").get_by_text("可以补偿50元").wait_for()
    seller_page.context.close()
    d = Dispute.objects.get(number=number)
    assert d.step == "buyer_reply"
    assert d.offer_fen == 5000


def test_a_buyer_scans_a_sellers_badge_and_sees_its_record_on_a_phone(browser, live_server) -> None:
    from anxin.reputation import credit
    from anxin.reputation.tests.test_reviews import settled, stars
    from anxin.sellers import badge
    from anxin.sellers.models import Badge

    # Given a seller with one settled and reviewed order
    seller = make_user("sp-seller", "seller", "山茶铺")
    buyer = make_user("sp-buyer", "buyer", "买家")
    make_user("sp-operator", "operator", "运营")
    from anxin.reputation import services as reviews

    order = settled(buyer, seller, tracking="SF7200000001")
    reviews.review_create(actor=buyer, number=order.number, text="茶叶新鲜", **stars())
    credit.refresh([seller.pk])

    # When the seller makes a new badge on her page
    page = _phone(browser, live_server)
    _login(page, "sp-seller")
    page.goto(f"/s/{seller.pk}")
    page.get_by_role("button", name="生成新徽章").click()
    # Then its QR code shows
    qr = page.locator("img[alt='徽章二维码']")
    assert qr.evaluate("i => i.decode().then(() => i.naturalWidth)") > 0
    page.context.close()
    note = Badge.objects.get(seller=seller, revoked_at__isnull=True).note

    # When a buyer opens what the QR code points to
    scan = _phone(browser, live_server)  # what the QR code opens, on the buyer's phone
    scan.goto(f"/s/{seller.pk}?badge={badge.encode(note)}")
    # Then the badge is genuine, and the seller's credit, blacklist status and review show
    scan.get_by_test_id("badge-verdict").get_by_text("真实有效").wait_for()
    scan.get_by_test_id("credit").get_by_text("新卖家").wait_for()  # one order: no grade yet
    scan.get_by_test_id("blacklist-status").get_by_text("未列入黑名单").wait_for()
    scan.get_by_test_id("reviews").get_by_text("茶叶新鲜").wait_for()
    # And the page fits the phone's screen
    assert scan.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    _look(scan, "seller-page-phone")
    # When a badge whose note was altered is opened
    altered = badge.encode(note.replace("shop ", "shop X"))
    assert altered != badge.encode(note)
    scan.goto(f"/s/{seller.pk}?badge={altered}")
    # Then it is called forged
    scan.get_by_test_id("badge-verdict").get_by_text("伪造").wait_for()
    scan.context.close()

    # When an operator adjusts the seller's credit on the seller's page
    desk = _phone(browser, live_server)
    _login(desk, "sp-operator")
    desk.goto(f"/s/{seller.pk}")
    form = desk.get_by_test_id("adjust-form")
    form.locator("input[name=points]").fill("-50")
    form.locator("input[name=days]").fill("30")
    form.locator("textarea[name=reason]").fill("核实存在虚假发货单号")
    form.get_by_role("button").click()
    # Then the adjustment shows, and is recorded with its points
    desk.get_by_test_id("adjustment").get_by_text("核实存在虚假发货单号").wait_for()
    desk.context.close()
    assert credit.explain(seller.pk)["adjustments"][0]["points"] == -50


def test_listing_images_show_and_pages_work_under_the_content_security_policy(
    browser, live_server
) -> None:
    import io

    from PIL import Image

    from anxin.catalog.services import ListingContent, listing_image_upload, listing_update
    from anxin.conftest import pay, place_order
    from anxin.evidence import sequencer
    from anxin.notices.models import Notification

    # Given a listing with an uploaded image
    seller = make_user("img-seller", "seller", "龙井茶园")
    buyer = make_user("img-buyer", "buyer", "买家")
    buf = io.BytesIO()
    Image.new("RGB", (320, 200), (46, 125, 50)).save(buf, "PNG")
    image = listing_image_upload(actor=seller, data=buf.getvalue())
    listing = make_listing(seller, title="明前西湖龙井 250克")
    listing_update(
        actor=seller,
        listing_id=listing.pk,
        content=ListingContent(
            title="明前西湖龙井 250克",
            description="手工炒制，附实拍图",
            price_fen=36800,
            shipping_days=2,
            images=[image.sha256],
        ),
    )
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    # When the buyer opens the checkout link
    page = _phone(browser, live_server)
    page.goto(f"/c/{listing.code}")
    # Then the picture is really there, decoded at full size
    img = page.locator(".gallery img").first
    img.wait_for()
    assert img.evaluate("i => i.decode().then(() => i.naturalWidth)") == 320
    _look(page, "listing-image-phone")
    page.context.close()

    # When the seller taps the link field on her listing page (a script from a file, not an
    # inline handler, does the selecting)
    page = _phone(browser, live_server)
    _login(page, "img-seller")
    page.goto(f"/seller/listings/{listing.pk}")
    field = page.get_by_test_id("checkout-url")
    field.click()
    # Then the whole link is selected
    assert page.evaluate("window.getSelection().toString() || document.activeElement.value")
    assert page.evaluate(
        "(() => { const f = document.activeElement; return f.selectionEnd - f.selectionStart })()"
    ) == len(field.input_value())
    # And the QR code is drawn (a standalone SVG needs its namespace to be an image at all)
    assert page.locator("img.qr").evaluate("i => i.decode().then(() => i.naturalWidth)") > 0
    page.context.close()

    # Given an order of it under dispute, which the seller answered: two notices for the buyer
    # (the shipment's and the answer's)
    order = place_order(buyer, listing)
    pay(order)
    from anxin.disputes import services as disputes
    from anxin.orders import services as orders

    orders.order_ship(
        actor=seller, number=order.number, carrier="顺丰速运", tracking_number="SF7300000001"
    )
    d = disputes.dispute_file(
        actor=buyer,
        number=order.number,
        category="quality_defect",
        claim="茶叶受潮",
        claimed_fen=5000,
    )
    disputes.dispute_answer(actor=seller, number=d.number, offer_fen=2000, text="补偿20元")
    assert sorted(Notification.objects.filter(user=buyer).values_list("kind", flat=True)) == [
        "answered",
        "order_shipped",
    ]
    sequencer.integrate_all()
    # When the buyer opens her voucher and her notices
    page = _phone(browser, live_server)
    _login(page, "img-buyer")
    page.goto(f"/orders/{order.number}/voucher")
    page.locator(".voucher-qr svg").wait_for()
    page.goto("/notices/")
    page.get_by_test_id("notice").first.wait_for()
    _look(page, "notices-phone")
    # Then opening the notices left them unread, and the menu counts them
    assert Notification.objects.filter(user=buyer, read_at__isnull=True).count() == 2
    assert page.get_by_test_id("unread-notices").inner_text() == "2"
    # When she marks one read
    page.get_by_role("button", name="标为已读", exact=True).first.click()
    page.get_by_test_id("unread-notices").filter(has_text="1").wait_for()
    # Then one is read, and the menu counts the other
    assert Notification.objects.filter(user=buyer, read_at__isnull=True).count() == 1
    # When she marks the rest read
    page.get_by_role("button", name="全部标为已读", exact=True).click()
    page.get_by_test_id("read-all").wait_for(state="detached")
    # Then all are read, and the menu counts none
    assert Notification.objects.filter(user=buyer, read_at__isnull=True).count() == 0
    assert page.get_by_test_id("unread-notices").count() == 0
    # When she opens the API's interactive docs
    # Then they run from local files under the same policy
    page.goto("/api/docs")
    page.locator("#swagger-ui .swagger-ui").wait_for()
    page.context.close()


def test_the_english_case_page_fits_a_phone_screen(browser, live_server) -> None:
    from anxin.conftest import pay, place_order
    from anxin.disputes import services as disputes
    from anxin.orders import services as orders

    # Given a case in mediation, with a proposal, on a shipped order
    buyer = make_user("en-buyer", "buyer", "Buyer")
    seller = make_user("en-seller", "seller", "Tea shop")
    mediator = make_user("en-mediator", "mediator")
    listing = make_listing(seller)
    order = place_order(buyer, listing)
    pay(order)
    orders.order_ship(
        actor=seller, number=order.number, carrier="SF Express", tracking_number="SF7200000001"
    )
    d = disputes.dispute_file(
        actor=buyer,
        number=order.number,
        category="quality_defect",
        claim="The tea was mouldy: https://example.com/photos/a-very-long-link-without-spaces-0123456789",
        claimed_fen=5000,
    )
    disputes.dispute_answer(actor=seller, number=d.number, offer_fen=1000, text="10 yuan")
    disputes.dispute_reply(actor=buyer, number=d.number, accept=False, reason="Too little")
    disputes.dispute_propose(actor=mediator, number=d.number, amount_fen=3000, text="Meet halfway")
    # When the buyer opens the case on a phone whose browser prefers English
    page = _phone(browser, live_server, lang="en-US")
    _login(page, "en-buyer")
    page.goto(f"/disputes/{d.number}/")
    page.get_by_test_id("case-status").wait_for()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    _look(page, "case-en-phone")
    # Then nothing on it is wider than the phone's screen
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.context.close()


def test_a_law_link_shows_its_article_below_the_sticky_header(browser, live_server) -> None:
    # Given a phone whose browser prefers English (its header is the tallest: the nav wraps)
    page = _phone(browser, live_server, lang="en-US")
    # When a citation's link to an article is followed
    page.goto("/law/CRPL/#art-55")
    article = page.locator("#art-55")
    article.wait_for()
    # Then the article's heading is below the sticky header, not hidden under it
    header_bottom = page.evaluate(
        "document.querySelector('header.top').getBoundingClientRect().bottom"
    )
    top = article.evaluate("e => e.getBoundingClientRect().top")
    assert top >= header_bottom
    page.context.close()


def test_the_buyer_sign_up_hides_the_shop_fields(browser, live_server) -> None:
    # Given the sign-up page on a phone, with "Buy" chosen as it is by default
    page = _phone(browser, live_server)
    page.goto("/signup/")
    shop = page.locator("input[name=shop_name]")
    # Then the shop's fields are hidden
    assert not shop.is_visible()
    assert not page.locator("input[name=wechat_id]").is_visible()
    # When "Sell" is chosen
    page.locator("input[name=role][value=seller]").check()
    # Then they show
    assert shop.is_visible()
    page.context.close()


def test_the_staff_pages_fit_a_phone_and_ask_before_hiding_a_review(browser, live_server) -> None:
    from anxin.conftest import pay, place_order
    from anxin.orders import services as orders
    from anxin.reputation import services as reviews
    from anxin.reputation.models import Review

    # Given a settled order with a review, and the operator on a phone preferring English
    buyer = make_user("st-buyer", "buyer", "Buyer")
    seller = make_user("st-seller", "seller", "Tea shop")
    make_user("st-operator", "operator")
    order = place_order(buyer, make_listing(seller))
    pay(order)
    orders.order_ship(
        actor=seller, number=order.number, carrier="SF Express", tracking_number="SF7300000001"
    )
    orders.order_confirm(actor=buyer, number=order.number)
    reviews.review_create(
        actor=buyer, number=order.number, as_described=1, shipping=1, service=1, text="Call him"
    )
    page = _phone(browser, live_server, lang="en-US")
    _login(page, "st-operator")
    # When she opens the desk and each staff page
    for path in (
        "/desk/",
        "/desk/blacklist",
        "/desk/reviews",
        f"/sellers/identity?seller={seller.pk}",
    ):
        page.goto(path)
        page.locator("main h1").wait_for()
        # Then nothing is wider than the screen and every target is at least 44 px (phone.py)
        _look(page, "staff" + path.split("?")[0].replace("/", "-").rstrip("-"))
    # When she hides the review but cancels the question
    page.goto("/desk/reviews")
    page.get_by_text("Hide this review", exact=True).click()
    page.fill("input[name=note]", "Incites harassment")
    asked: list[str] = []
    page.once("dialog", lambda d: (asked.append(d.message), d.dismiss()))
    page.get_by_test_id("hide-review").click()
    # Then she was asked, and the review is still shown
    assert asked
    assert "Hide this review?" in asked[0]
    assert Review.objects.get(order=order).hidden_at is None
    # When she hides it and accepts
    page.once("dialog", lambda d: d.accept())
    page.get_by_test_id("hide-review").click()
    # Then the page says it is hidden, and why, in the review's place
    page.locator(".flash.success").wait_for()
    assert "The review is hidden" in page.locator(".flash.success").inner_text()
    assert "Hidden by the platform" in page.get_by_test_id("hidden-review").inner_text()
    page.context.close()


def test_the_lists_fit_a_phone_and_their_links_are_big_enough_to_tap(browser, live_server) -> None:
    from anxin.conftest import pay, place_order
    from anxin.orders import services as orders

    # Given a seller with an order to ship and one on its way, and their buyer
    buyer = make_user("list-buyer", "buyer", "买家")
    seller = make_user("list-seller", "seller", "茶店")
    listing = make_listing(
        seller, title="一个很长很长的商品名称：明前西湖龙井特级手工炒制 250克礼盒装"
    )
    pay(place_order(buyer, listing))
    on_way = place_order(buyer, listing)
    pay(on_way)
    orders.order_ship(
        actor=seller, number=on_way.number, carrier="顺丰速运", tracking_number="SF7300000001"
    )
    checks = [
        ("list-seller", "/seller/", ".todo-counts a, a.card.todo"),
        ("list-seller", "/orders/", ".tabs a, a.button.next"),
        ("list-buyer", "/orders/", ".tabs a, a.button.next"),
        ("list-buyer", f"/orders/{on_way.number}", "[data-testid=progress]"),
    ]
    for lang in ("zh-CN", "en-US"):
        for user, path, taps in checks:
            # When each opens the page on a phone
            page = _phone(browser, live_server, lang=lang)
            _login(page, user)
            page.goto(path)
            page.locator(taps).first.wait_for()
            # Then nothing on it is wider than the screen, and every link to tap (these
            # included) is at least 44 px (phone.py)
            _look(page, "lists" + path.replace("/", "-").rstrip("-")[:30])
            page.context.close()


def test_the_quantity_stepper_stays_within_one_and_the_stock(browser, live_server) -> None:
    from playwright.sync_api import expect

    # Given a listing of 3 at 128 yuan and a signed-in buyer on its checkout
    seller = make_user("tea-seller", "seller", "王春茶")
    make_user("zhangwei", "buyer", "张伟")
    listing = make_listing(seller, price_fen=12800, stock=3)
    page = _phone(browser, live_server)
    _login(page, "zhangwei")
    page.goto(f"/c/{listing.code}")
    quantity = page.locator("#quantity")
    less = page.locator("[data-step='-1']")
    more = page.locator("[data-step='1']")
    total = page.locator("[data-total]")
    # Then − and + are 44 px targets, − is off at 1, and the total is one item's price
    for button in (less, more):
        box = button.bounding_box()
        assert box is not None
        assert box["width"] >= 44
        assert box["height"] >= 44
    expect(less).to_be_disabled()
    expect(total).to_have_text("¥128.00")
    # When she taps + until it stops
    more.tap()
    expect(total).to_have_text("¥256.00")
    more.tap()
    # Then it stops at the stock, the total following
    expect(quantity).to_have_value("3")
    expect(total).to_have_text("¥384.00")
    expect(more).to_be_disabled()
    page.screenshot(path=ARTIFACTS / "checkout-stepper.png", full_page=True)
    # When she taps − three times
    for _ in range(3):
        if less.is_enabled():
            less.tap()
    # Then it stops at 1
    expect(quantity).to_have_value("1")
    expect(less).to_be_disabled()
    expect(total).to_have_text("¥128.00")
    # When she types 2 and orders
    quantity.fill("2")
    expect(total).to_have_text("¥256.00")
    page.fill("input[name=recipient_name]", "张伟")
    page.fill("input[name=recipient_phone]", "13900001111")
    page.fill("textarea[name=shipping_address]", "杭州市西湖区文三路 100 号")
    page.click("form.checkout button[type=submit]")
    page.wait_for_url("**/orders/**")
    # Then the order is for 2
    from anxin.orders.models import Order

    assert Order.objects.get().quantity == 2


def test_the_seller_copies_the_checkout_link(browser, live_server) -> None:
    from playwright.sync_api import expect

    # Given a seller on her listing's page (the Clipboard API may copy, or refuse in a
    # headless browser and leave the fallback: either way the link ends up selected)
    seller = make_user("tea-seller", "seller", "王春茶")
    listing = make_listing(seller)
    page = _phone(browser, live_server)
    _login(page, "tea-seller")
    page.goto(f"/seller/listings/{listing.pk}")
    # When she taps "copy link"
    page.get_by_role("button", name="复制链接").tap()
    # Then a visible line says it is copied, or that it is selected to copy
    status = page.locator("[data-copy-status]")
    expect(status).to_be_visible()
    expect(status).to_contain_text("链接")
    selected = page.evaluate(
        "() => { const f = document.querySelector('#checkout-url');"
        " return f.value.substring(f.selectionStart, f.selectionEnd); }"
    )
    assert selected.endswith(f"/c/{listing.code}")
    page.screenshot(path=ARTIFACTS / "listing-share.png", full_page=True)
