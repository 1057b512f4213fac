"""A seller facing the supervisors on a phone: it answers a regulator's order to correct with a
note and a photo, which the regulator then sees, and publishes a reply beside its public
complaint figures, which any visitor then reads."""

from __future__ import annotations

import pytest
from django.urls import reverse

from anxin.web.tests.phone import Phone
from anxin.web.tests.test_roles import PASSWORD, _act, _seller_figures, _success

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def _png() -> bytes:
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (30, 120, 80)).save(buf, "PNG")
    return buf.getvalue()


@pytest.mark.parametrize("lang", ["zh-CN", "en-US"])
def test_a_seller_answers_a_correction_order_and_replies_to_its_figures_on_a_phone(
    browser, live_server, demo, lang
) -> None:
    from anxin.evidence.models import Record
    from anxin.supervision.models import SellerReply
    from anxin.supervision.models_regulator import ActionKind, RegulatorAction

    # Given the demo's formula shop, which the regulator ordered to correct (still open)
    order = RegulatorAction.objects.get(
        kind=ActionKind.CORRECTION,
        seller__username="seller-formula",
        answered_at__isnull=True,
        defaulted_at__isnull=True,
    )
    records = Record.objects.count()
    seller = Phone.open(browser, live_server.url, "seller-supervision", lang=lang)
    seller.login("seller-formula", PASSWORD)
    # When the seller opens it from its office page and sends what it did, with a photo
    seller.visit(reverse("web:supervision"), "acts")
    with seller.page.expect_navigation():
        seller.page.locator(f"a[href$='{order.number}']").first.click()
    seller.look("correction-open")
    form = seller.page.locator("form[enctype='multipart/form-data']")
    form.locator("textarea[name=note]").fill("已在店铺首页公示营业执照信息。")
    form.locator("input[name=evidence]").set_input_files(
        files=[{"name": "licence.png", "mimeType": "image/png", "buffer": _png()}]
    )
    _act(seller, form, "correction-answered")
    # Then the page says it was sent and shows the answer with its evidence
    assert _success(seller)
    order.refresh_from_db()
    assert order.answered_at is not None
    assert order.answer_note == "已在店铺首页公示营业执照信息。"
    assert [f.name for f in order.answer_files.all()] == ["licence.png"]
    assert seller.page.get_by_test_id("answer-file").inner_text() == "licence.png"
    # And the answer is on the evidence log
    assert Record.objects.count() > records

    # When the regulator opens the order, the seller's photo opens for them
    regulator = Phone.open(browser, live_server.url, "regulator-sees-answer", lang=lang)
    regulator.login("regulator", PASSWORD)
    regulator.visit(reverse("web:regulator_action", args=[order.number]), "answer-seen")
    href = regulator.page.get_by_test_id("answer-file").get_attribute("href")
    assert href
    shown = regulator.page.request.get(live_server.url + href)
    assert shown.status == 200
    assert shown.body() == _png()

    # When the seller publishes a reply beside its complaint figures
    seller.visit(_seller_figures("seller-formula"), "figures-own")
    reply = seller.page.get_by_test_id("reply-form")
    reply.locator("textarea[name=text]").fill("缺货加价一事已全部退款，欢迎监督。")
    _act(seller, reply, "figures-replied")
    assert _success(seller)
    # Then a visitor reads it on the seller's figures page
    visitor = Phone.open(browser, live_server.url, "visitor-reads-reply", lang=lang)
    visitor.visit(_seller_figures("seller-formula"), "figures-reply")
    assert visitor.page.get_by_test_id("reply-text").inner_text() == (
        "缺货加价一事已全部退款，欢迎监督。"
    )
    assert SellerReply.objects.get(seller__username="seller-formula").text.startswith("缺货")
    # And the visitor has no reply form
    assert visitor.page.get_by_test_id("reply-form").count() == 0
