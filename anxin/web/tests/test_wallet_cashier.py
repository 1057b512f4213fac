"""A buyer pays with a real provider's adapter on a phone, in Chinese and in English, with no
network: WeChat Pay's native code shown on Anxin's own cashier page, and Alipay's wap cashier
the order page sends the buyer to. Each payment is then notified through the real notification
endpoint with a body signed as the provider signs it, and the buyer's page moves on to the paid
order. Screenshots go to $ANXIN_TEST_ARTIFACTS/screens/wallet-<language>/.

Where the provider is asked over HTTP, the answer comes from the adapter's own transport seam,
as in the adapter tests: WeChat Pay's SDK module `requests` (wechatpayv3.core.requests) is a
stand-in answering what WeChat Pay answers, signed with a platform key made here. Alipay's wap
pay is a signed URL the browser opens (the order page's pay button redirects to it): Alipay's
gateway is a stand-in cashier on 127.0.0.1 over HTTPS, reached under Alipay's host name (the
browser's host resolver maps it), which checks the URL's RSA2 signature with the app's public
key and sends the buyer back to the return URL, as Alipay does."""

from __future__ import annotations

import html
import json
import os
import re
import secrets
import ssl
import threading
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
import segno
from cryptography.hazmat.primitives.asymmetric import rsa

from anxin.conftest import PASSWORD, make_listing, make_user
from anxin.web.tests.conftest import CHROMIUM, CHROMIUM_ARGS
from anxin.web.tests.phone import Phone

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

CODE_URL = "weixin://wxpay/bizpayurl?pr=p4lpSuKzz"
ALIPAY_GATEWAY = "https://openapi.alipay.com/gateway.do"
GATEWAY_HOST = "openapi.alipay.com"

# Per language: the Accept-Language, the order status once paid, and what the cashier says.
LANGS = {
    "zh": ("zh-CN", "已付款，资金托管中", "扫一扫", "订单"),
    "en": ("en-US", "Paid, held in escrow", "Scan", "Order"),
}


def _key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
def phones() -> Iterator[list[Phone]]:
    opened: list[Phone] = []
    yield opened
    problems = [p for phone in opened for p in phone.problems]
    assert problems == [], "\n".join(problems)


def _buyer_orders(phone: Phone, code: str) -> str:
    """The buyer signs in, orders from the checkout link with her address; the order's number."""
    page = phone.page
    phone.login("zhangwei", PASSWORD)
    page.goto(f"/c/{code}")
    page.fill("input[name=recipient_name]", "张伟")
    page.fill("input[name=recipient_phone]", "13900001111")
    page.fill("textarea[name=shipping_address]", "杭州市西湖区文三路 100 号")
    with page.expect_navigation():
        page.click("form.checkout button[type=submit]")
    return page.get_by_test_id("order-number").inner_text().strip()


def _post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
    """The provider's notification, sent over HTTP to the live server's endpoint."""
    assert url.startswith("http://")  # the live server's, nothing else
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310
    with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310
        return answer.status, answer.read()


@pytest.fixture
def wechatpay(settings: Any, tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """Anxin configured for WeChat Pay (native) from key files made here, and WeChat Pay's
    API answered by the SDK transport's stand-in."""
    import wechatpayv3.core

    from anxin.payments.providers import get_provider
    from anxin.payments.tests.wechatpay.helpers import FakeRequests, Keys, configure

    keys = Keys(merchant=_key(), platform=_key(), apiv3=secrets.token_hex(16))
    configure(settings, tmp_path, keys)
    settings.ANXIN_PAYMENT_PROVIDER = "wechatpay"
    fake = FakeRequests(keys.platform)
    monkeypatch.setattr(wechatpayv3.core, "requests", fake)
    get_provider.cache_clear()
    yield keys, fake
    get_provider.cache_clear()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_buyer_pays_by_scanning_wechats_code_and_the_page_moves_on(
    browser, live_server, wechatpay, phones, lang
) -> None:
    from playwright.sync_api import expect

    from anxin.orders.models import Order
    from anxin.payments.models import Payment
    from anxin.payments.tests.wechatpay.helpers import PAID, notification

    keys, wechat = wechatpay
    accept, paid_status, scan_word, order_word = LANGS[lang]
    # Given a seller's listing at 128 yuan, a buyer with an order awaiting payment, and WeChat
    # Pay ready to answer the order with its native code
    seller = make_user("tea-seller", "seller", "王春茶")
    make_user("zhangwei", "buyer", "张伟")
    listing = make_listing(seller, price_fen=12800, title="明前西湖龙井 250克")
    phone = Phone.open(browser, live_server.url, "wallet", lang=accept)
    phones.append(phone)
    page = phone.page
    number = _buyer_orders(phone, listing.code)
    wechat.answer(200, {"code_url": CODE_URL})
    # When she taps the pay button
    with page.expect_navigation():
        page.click(f"form[action='/orders/{number}/pay'] button")
    # Then WeChat Pay was asked for the order's amount, and she is on Anxin's cashier page
    assert wechat.sent[-1].json["amount"] == {"total": 12800, "currency": "CNY"}
    assert re.search(r"/pay/\d+$", page.url)
    # And the QR code is drawn: an image that loaded, of a size a phone's camera reads, and
    # WeChat's code (the image is segno's QR code of it)
    qr = page.get_by_test_id("wallet-qr")
    expect(qr).to_be_visible()
    assert qr.evaluate("i => i.complete && i.naturalWidth") >= 150
    box = qr.bounding_box()
    assert box is not None
    assert min(box["width"], box["height"]) >= 150
    assert qr.get_attribute("src") == segno.make(CODE_URL, error="m").png_data_uri(
        scale=7, border=2
    )
    # And the amount and the order are shown, and the page says in plain words to scan it
    expect(page.locator(".cashier h1")).to_have_text("¥128.00")
    expect(page.get_by_test_id("cashier-order")).to_contain_text(number)
    expect(page.get_by_test_id("cashier-order")).to_contain_text(order_word)
    expect(page.get_by_test_id("cashier-order")).to_contain_text("明前西湖龙井 250克")
    expect(page.get_by_test_id("wallet-cashier")).to_contain_text(scan_word)
    phone.look("wechat-cashier")

    # When WeChat Pay notifies Anxin that she paid, signed with its platform key
    payment = Payment.objects.get(order__number=number)
    resource = {
        **PAID,
        "out_trade_no": payment.provider_payment_id,
        "attach": number,
        "amount": {**PAID["amount"], "total": 12800, "payer_total": 12800},
    }
    body, headers = notification(keys, "TRANSACTION.SUCCESS", resource)
    status, answer = _post(
        f"{live_server.url}/api/v1/payments/notify/wechatpay",
        body,
        {**headers, "Content-Type": "application/json"},
    )
    # Then the endpoint takes it, and the order is paid
    assert status == 200
    assert json.loads(answer)["code"] == "SUCCESS"
    assert Order.objects.get(number=number).status == "paid"
    # And the cashier page moves on by itself to the order, which shows the money in escrow
    expect(page).to_have_url(re.compile(rf"/orders/{number}(\?paid=1)?$"), timeout=15_000)
    expect(page.get_by_test_id("order-status")).to_have_text(paid_status)
    phone.look("wechat-paid")


@pytest.fixture
def alipay(settings: Any, tmp_path: Any, live_server: Any) -> Iterator[Any]:
    """Anxin configured for Alipay (wap) from key files made here, sending the buyer back to
    its return page."""
    from anxin.payments.providers import get_provider
    from anxin.payments.tests.alipay.helpers import Keys, configure

    keys = Keys(app=_key(), alipay=_key())
    configure(settings, tmp_path, keys, f"{live_server.url}/api/v1/payments/notify/alipay")
    settings.ANXIN_PAYMENT_PROVIDER = "alipay"
    settings.ANXIN_ALIPAY_RETURN_URL = f"{live_server.url}/pay/return/alipay"
    settings.ANXIN_ALIPAY_PAY_KIND = "wap"
    get_provider.cache_clear()
    yield keys
    get_provider.cache_clear()


@dataclass
class AlipayStandIn:
    """Alipay's wap cashier on 127.0.0.1 over HTTPS (a certificate made here for Alipay's
    gateway's name), which the phone's browser reaches under that name: it checks the signed
    URL as Alipay does (RSA2 with the app's public key), records it, and shows a page whose
    button sends the buyer back to the URL's return_url, as Alipay's does once she paid (Alipay
    adds the trade's parameters; Anxin reads only which payment it was)."""

    port: int = 0
    keys: Any = None
    opened: list[dict[str, str]] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)


def _certificate(tmp: Path) -> tuple[Path, Path]:
    import datetime as dt

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.x509.oid import NameOID

    key = _key()
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, GATEWAY_HOST)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=2))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(GATEWAY_HOST)]), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp / "gateway.crt", tmp / "gateway.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


@pytest.fixture(scope="module")
def alipay_gateway(tmp_path_factory: Any) -> Iterator[AlipayStandIn]:
    from anxin.payments.tests.alipay.helpers import app_signature_verifies

    stand_in = AlipayStandIn()

    class Cashier(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            params = dict(parse_qsl(urlsplit(self.path).query, keep_blank_values=True))
            if not params.get("sign") or not app_signature_verifies(params, stand_in.keys.app):
                stand_in.refused.append(self.path)
                self.send_response(400)
                self.end_headers()
                return
            stand_in.opened.append(params)
            biz = json.loads(params["biz_content"])
            back = (
                params["return_url"]
                + "?"
                + urlencode(
                    {
                        "out_trade_no": biz["out_trade_no"],
                        "trade_no": "2026120422001404070500001234",
                        "total_amount": biz["total_amount"],
                        "method": "alipay.trade.wap.pay.return",
                    }
                )
            )
            page = (
                "<!doctype html><meta charset=utf-8><title>支付宝</title><link rel=icon href='data:,'>"
                f"<p>¥{biz['total_amount']}</p><a id=done href='{html.escape(back)}'>完成</a>"
            ).encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, *args: Any) -> None:
            pass

    cert, key = _certificate(tmp_path_factory.mktemp("gateway"))
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(cert, key)
    server = ThreadingHTTPServer(("127.0.0.1", 0), Cashier)
    server.socket = tls.wrap_socket(server.socket, server_side=True)
    stand_in.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield stand_in
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser(alipay_gateway: AlipayStandIn) -> Iterator[Any]:
    """Chromium as the page tests launch it (conftest.py), with Alipay's gateway's name
    resolving to the stand-in on 127.0.0.1 (its certificate is made here, so certificate
    errors are let by). One Playwright per module: this one stands in for conftest's."""
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                *CHROMIUM_ARGS,
                f"--host-resolver-rules=MAP {GATEWAY_HOST} 127.0.0.1:{alipay_gateway.port}",
                "--ignore-certificate-errors",
            ],
        )
        yield b
        b.close()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_buyer_pays_at_alipays_cashier_and_comes_back_to_the_paid_order(
    browser, alipay_gateway, live_server, alipay, phones, lang
) -> None:
    from playwright.sync_api import expect

    from anxin.orders.models import Order
    from anxin.payments.tests.alipay.helpers import notification

    keys = alipay
    accept, paid_status, _, _ = LANGS[lang]
    alipay_word = "支付宝" if lang == "zh" else "Alipay"
    # Given a seller's listing at 128 yuan and a buyer with an order awaiting payment, on the
    # order page that sends her to Alipay (and says so); Alipay's cashier is its stand-in
    seller = make_user("tea-seller", "seller", "王春茶")
    make_user("zhangwei", "buyer", "张伟")
    listing = make_listing(seller, price_fen=12800, title="明前西湖龙井 250克")
    alipay_gateway.keys, alipay_gateway.opened = keys, []
    opened = alipay_gateway.opened
    phone = Phone.open(browser, live_server.url, "wallet", lang=accept)
    phones.append(phone)
    page = phone.page
    number = _buyer_orders(phone, listing.code)
    pay = page.locator(f"form[action='/orders/{number}/pay'] button")
    expect(pay).to_be_visible()
    expect(page.get_by_test_id("pay-with")).to_contain_text(alipay_word)
    phone.look("alipay-order")
    # When she taps the pay button
    with page.expect_navigation():
        pay.click()
    # Then her phone opens Alipay's wap cashier with the order's amount, signed by the app
    assert page.url.startswith(ALIPAY_GATEWAY)
    assert alipay_gateway.refused == []
    assert len(opened) == 1
    assert opened[0]["method"] == "alipay.trade.wap.pay"
    biz = json.loads(opened[0]["biz_content"])
    assert (biz["out_trade_no"], biz["total_amount"]) == (f"{number}_1", "128.00")
    # When Alipay notifies Anxin that she paid, signed with Alipay's key
    status, answer = _post(
        f"{live_server.url}/api/v1/payments/notify/alipay",
        notification(
            keys,
            out_trade_no=biz["out_trade_no"],
            total_amount="128.00",
            receipt_amount="128.00",
            body=number,
        ),
        {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
    )
    # Then the endpoint answers Alipay's word, and the order is paid
    assert (status, answer) == (200, b"success")
    assert Order.objects.get(number=number).status == "paid"
    # When she taps Alipay's button to go back
    with page.expect_navigation():
        page.click("#done")
    # Then she is back on her order, which shows the money in escrow
    expect(page).to_have_url(re.compile(rf"/orders/{number}(\?paid=1)?$"))
    expect(page.get_by_test_id("order-status")).to_have_text(paid_status)
    phone.look("alipay-returned")
