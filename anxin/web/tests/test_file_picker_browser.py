"""The file picker on a phone: every <input type=file> speaks the page's language (the
browser's own "Choose Files / No file chosen" follows the browser's language, not the page's),
shows what was chosen, and still sends the files (anxin.js, anxin.css, base.html)."""

from __future__ import annotations

import io
from typing import Any

import pytest

from anxin.conftest import PASSWORD, make_user
from anxin.web.tests.phone import PHONE, Phone

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

# What the picker says, by the page's language.
WORDS = {
    "zh-CN": {
        "many": "选择文件",
        "none": "未选择文件",
        "two": "已选 2 个文件",
        "clear": "清除所选",
    },
    "en-US": {
        "many": "Choose files",
        "none": "No file chosen",
        "two": "2 files chosen",
        "clear": "Clear the choice",
    },
}


def _png(colour: tuple[int, int, int]) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (8, 8), colour).save(buf, "PNG")
    return buf.getvalue()


TWO_FILES = [
    {"name": "聊天截图.png", "mimeType": "image/png", "buffer": _png((200, 30, 30))},
    {"name": "转账记录.png", "mimeType": "image/png", "buffer": _png((30, 200, 30))},
]


def _no_native_words(page: Any) -> None:
    """The browser's own words are nowhere in the page's text, and its own button is not seen:
    every file input is transparent over the picker's face."""
    text = page.locator("body").inner_text()
    assert "Choose Files" not in text
    if "zh" in (page.evaluate("document.documentElement.lang") or ""):
        assert "No file chosen" not in text
    for opacity in page.locator("input[type=file]").evaluate_all(
        "els => els.map(e => getComputedStyle(e).opacity)"
    ):
        assert opacity == "0"


def _label_heights(browser: Any, url: str, lang: str, storage: Any, selector: str) -> float:
    """The height of the label holding a file input, in a phone with no script: the native
    input, as without the picker."""
    ctx = browser.new_context(
        viewport=PHONE, locale=lang, java_script_enabled=False, storage_state=storage
    )
    page = ctx.new_page()
    page.goto(url)
    height = page.locator(selector).evaluate(
        "e => e.closest('label').getBoundingClientRect().height"
    )
    ctx.close()
    return float(height)


@pytest.mark.parametrize("lang", ["zh-CN", "en-US"])
def test_the_complaint_form_picks_files_in_the_pages_language(browser, live_server, lang) -> None:
    from playwright.sync_api import expect

    from anxin.accounts.models import SellerProfile, User
    from anxin.supervision.models import Complaint

    words = WORDS[lang]
    # Given a buyer whose mobile number is proven, on the complaint form about a seller on
    # Anxin (whose shown address chooses the regulator) on her phone
    seller = make_user("fp-fruit", "seller", "果果鲜果铺")
    SellerProfile.objects.filter(user=seller).update(address_region="330106")
    make_user("fp-buyer", "buyer", "王芳")
    User.objects.filter(username="fp-buyer").update(phone="13900004444")
    phone = Phone.open(browser, live_server.url, "file-picker", lang=lang)
    phone.login("fp-buyer", PASSWORD)
    page = phone.page
    page.goto(f"/complaints/new?seller={seller.pk}")
    picker = page.locator("input[name=evidence]").locator("xpath=..")
    # Then its evidence field offers "choose files" and says none is chosen, in the page's
    # language, with no word of the browser's own
    expect(picker.locator(".file-pick-button")).to_have_text(words["many"])
    expect(picker.locator(".file-pick-status")).to_have_text(words["none"])
    _no_native_words(page)
    # And the real input is still there, named by its label and described by the picker
    field = page.get_by_label("证据" if lang == "zh-CN" else "Evidence", exact=False)
    assert field.evaluate("e => e.type") == "file"
    described = field.get_attribute("aria-describedby") or ""
    assert page.locator(f"#{described.split()[-1]}").inner_text() == words["none"]
    # And the field is as tall as without script: nothing moves when the picker comes
    storage = page.context.storage_state()
    height = picker.evaluate("e => e.closest('label').getBoundingClientRect().height")
    native = _label_heights(
        browser,
        f"{live_server.url}/complaints/new?seller={seller.pk}",
        lang,
        storage,
        "input[name=evidence]",
    )
    assert abs(height - native) <= 1, (height, native)
    # And the keyboard's focus on the input rings the picker's button
    field.focus()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")
    outline = picker.locator(".file-pick-button").evaluate("e => getComputedStyle(e).outlineStyle")
    assert outline == "solid"
    phone.look("complaint-form")

    # When she chooses two files
    page.set_input_files("input[name=evidence]", files=TWO_FILES)
    # Then the picker says two are chosen and names them, and offers to clear the choice
    status = picker.locator(".file-pick-status")
    expect(status).to_contain_text(words["two"])
    expect(status).to_contain_text("聊天截图.png, 转账记录.png")
    expect(page.get_by_role("button", name=words["clear"])).to_be_visible()
    phone.look("complaint-form-two-files")
    # When she clears the choice
    page.get_by_role("button", name=words["clear"]).click()
    # Then nothing is chosen any more, and the button to clear is gone
    expect(status).to_have_text(words["none"])
    assert page.locator("input[name=evidence]").evaluate("e => e.files.length") == 0
    expect(page.get_by_role("button", name=words["clear"])).to_be_hidden()

    # When she chooses them again and files the complaint
    page.set_input_files("input[name=evidence]", files=TWO_FILES)
    page.fill("input[name=complainant_name]", "王芳")
    page.fill("input[name=complainant_address]", "杭州市西湖区文三路 90 号")
    page.fill("textarea[name=request]", "退款 128 元")
    page.fill("textarea[name=facts]", "群里买的草莓一半是烂的，店主不回消息。")
    page.fill("input[name=knew_at]", "2026-11-30")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    # Then the regulator's complaint holds both files
    complaint = Complaint.objects.get(complainant__username="fp-buyer")
    assert sorted(f.name for f in complaint.files.all()) == ["聊天截图.png", "转账记录.png"]
    phone.close()
    assert phone.problems == [], "\n".join(phone.problems)


@pytest.mark.parametrize("lang", ["zh-CN", "en-US"])
def test_the_dispute_form_picks_files_in_the_pages_language(browser, live_server, lang) -> None:
    from playwright.sync_api import expect

    from anxin.disputes.models import Dispute

    words = WORDS[lang]
    # Given a buyer who paid a seller outside Anxin, on the complaint form on her phone
    make_user("fp-seller", "seller", "茶店")
    make_user("fp-buyer", "buyer", "张伟")
    phone = Phone.open(browser, live_server.url, "file-picker-dispute", lang=lang)
    phone.login("fp-buyer", PASSWORD)
    page = phone.page
    page.goto("/disputes/new/")
    picker = page.locator("input[name=files]").locator("xpath=..")
    # Then its evidence field offers "choose files" in the page's language, and no word of the
    # browser's own; it is required, so there is no button to clear it
    expect(picker.locator(".file-pick-button")).to_have_text(words["many"])
    expect(picker.locator(".file-pick-status")).to_have_text(words["none"])
    _no_native_words(page)
    assert page.locator(".file-pick-clear").count() == 0
    phone.look("dispute-form")

    # When she chooses two files
    page.set_input_files("input[name=files]", files=TWO_FILES)
    # Then the picker says two are chosen and names them
    expect(picker.locator(".file-pick-status")).to_contain_text(words["two"])
    expect(picker.locator(".file-pick-status")).to_contain_text("聊天截图.png, 转账记录.png")
    phone.look("dispute-form-two-files")
    # When she fills in the rest and files it
    page.fill("input[name=seller]", "fp-seller")
    page.fill("input[name=description]", "明前龙井 250 克")
    page.fill("input[name=paid]", "268")
    page.fill("input[name=paid_on]", "2026-11-20")
    page.fill("input[name=evidence_text]", "聊天记录和转账记录")
    page.fill("input[name=claimed]", "268")
    page.fill("textarea[name=claim]", "收到的是陈茶，卖家不退款。")
    with page.expect_navigation():
        page.get_by_test_id("file").click()
    # Then the case holds both files as evidence
    dispute = Dispute.objects.get(buyer__username="fp-buyer")
    names = sorted(e.file_name for e in dispute.evidence.exclude(file=""))
    assert names == ["聊天截图.png", "转账记录.png"]
    phone.close()
    assert phone.problems == [], "\n".join(phone.problems)


def test_without_script_the_native_file_input_still_sends_files(browser, live_server) -> None:
    from anxin.disputes.models import Dispute

    # Given a buyer who paid a seller outside Anxin, in a browser that runs no script
    make_user("fp-seller2", "seller", "茶店")
    make_user("fp-noscript", "buyer", "李娜")
    ctx = browser.new_context(viewport=PHONE, locale="zh-CN", java_script_enabled=False)
    page = ctx.new_page()
    page.goto(live_server.url + "/login/")
    page.fill("input[name=username]", "fp-noscript")
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    page.goto(live_server.url + "/disputes/new/")
    # Then the evidence field is the browser's own, shown as it is
    field = page.locator("input[name=files]")
    assert field.evaluate("e => getComputedStyle(e).opacity") == "1"
    assert page.locator(".file-pick").count() == 0
    # When she chooses two files in it and files the complaint
    field.set_input_files(TWO_FILES)
    page.fill("input[name=seller]", "fp-seller2")
    page.fill("input[name=description]", "明前龙井 250 克")
    page.fill("input[name=paid]", "268")
    page.fill("input[name=paid_on]", "2026-11-20")
    page.fill("input[name=evidence_text]", "聊天记录和转账记录")
    page.fill("input[name=claimed]", "268")
    page.fill("textarea[name=claim]", "收到的是陈茶，卖家不退款。")
    with page.expect_navigation():
        page.click("[data-testid=file]")
    # Then the case holds both files as evidence
    dispute = Dispute.objects.get(buyer__username="fp-noscript")
    names = sorted(e.file_name for e in dispute.evidence.exclude(file=""))
    ctx.close()
    assert names == ["聊天截图.png", "转账记录.png"]


def test_the_chats_photo_picker_comes_back_after_a_message_is_sent(browser, live_server) -> None:
    from playwright.sync_api import expect

    from anxin.conftest import make_listing, pay, place_order
    from anxin.orders.models import OrderMessage

    # Given a paid order, and the buyer on its page
    buyer = make_user("fp-chat-buyer", "buyer", "买家")
    seller = make_user("fp-chat-seller", "seller", "茶店")
    order = place_order(buyer, make_listing(seller))
    pay(order)
    phone = Phone.open(browser, live_server.url, "file-picker-chat")
    phone.login("fp-chat-buyer", PASSWORD)
    page = phone.page
    page.goto(f"/orders/{order.number}")
    chat = page.locator("#chat")
    # Then the chat offers to choose a photo, in Chinese
    expect(chat.locator(".file-pick-button")).to_have_text("选择照片")
    expect(chat.locator(".file-pick-status")).to_have_text("未选择文件")
    # When she chooses one
    page.set_input_files("#chat input[name=image]", files=TWO_FILES[:1])
    # Then its name shows, and the input holds it
    expect(chat.locator(".file-pick-status")).to_have_text("聊天截图.png")
    assert page.locator("#chat input[name=image]").evaluate("e => e.files.length") == 1
    phone.look("chat-photo-chosen")
    # When she sends it (htmx puts a new chat in place of the old)
    with page.expect_response(lambda r: r.url.endswith(f"/orders/{order.number}/messages")):
        page.click("#chat button[type=submit]")
    expect(chat.locator("img")).to_have_count(1)
    # Then the server has the photo, and the new chat's form has its picker again, empty
    assert OrderMessage.objects.filter(order=order, attachment__isnull=False).count() == 1
    expect(chat.locator(".file-pick-button")).to_have_text("选择照片")
    expect(chat.locator(".file-pick-status")).to_have_text("未选择文件")
    assert chat.locator(".file-pick").count() == 1
    phone.look("chat-photo-sent")
    phone.close()
    assert phone.problems == [], "\n".join(phone.problems)


@pytest.mark.parametrize("lang", ["zh-CN", "en-US"])
def test_a_sellers_forms_pick_files_in_the_pages_language(browser, live_server, lang) -> None:
    from django.urls import reverse
    from playwright.sync_api import expect

    photos = {"zh-CN": "选择照片", "en-US": "Choose photos"}[lang]
    one = {"zh-CN": "选择文件", "en-US": "Choose a file"}[lang]
    # Given a seller on her phone
    make_user("fp-shop", "seller", "茶店")
    phone = Phone.open(browser, live_server.url, "file-picker-seller", lang=lang)
    phone.login("fp-shop", PASSWORD)
    page = phone.page
    # When she opens the form for a new listing
    phone.visit(reverse("web:listing_new"), "new-listing")
    # Then its pictures field offers to choose photos (several, images only)
    pictures = page.locator("input[name=images]").locator("xpath=..")
    expect(pictures.locator(".file-pick-button")).to_have_text(photos)
    # And when she opens her verification, each licence field offers to choose a file
    phone.visit(reverse("web:seller_verification"), "verification")
    buttons = page.locator(".file-pick-button")
    assert buttons.count() >= 1
    for text in buttons.all_inner_texts():
        assert text == one
    _no_native_words(page)
    phone.close()
    assert phone.problems == [], "\n".join(phone.problems)
