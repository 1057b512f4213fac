"""Hostile input, from the API and the pages: no 500 whatever is sent, on SQLite and PostgreSQL
alike; every refusal names what was wrong, as problem+json in the API and as a page elsewhere."""

from __future__ import annotations

import io
import json
import struct
import zlib

import pytest
from django.test import Client

from anxin.catalog.models import Listing, ListingImage
from anxin.conftest import Api, place_order
from anxin.orders.models import Order, OrderMessage

pytestmark = pytest.mark.django_db

HUGE = 2**64
PROBLEM = "application/problem+json"
ORDER_BODY = {
    "quantity": 1,
    "recipient_name": "张伟",
    "recipient_phone": "13900001111",
    "shipping_address": "杭州市西湖区文三路 100 号",
}
ORDER_FORM = {**{k: str(v) for k, v in ORDER_BODY.items()}, "idempotency_key": "k-page"}


def _problem(r, status: int | tuple[int, ...], field: str | None = None) -> dict:
    statuses = (status,) if isinstance(status, int) else status
    assert r.status_code in statuses, (r.status_code, r.content[:300])
    assert r["Content-Type"] == PROBLEM, r["Content-Type"]
    body = r.json()
    assert body["status"] == r.status_code
    assert body["instance"] == r.wsgi_request.path
    if field is not None:
        assert body["field"] == field, body
        assert body["detail"].startswith(field), body
    return body


def logged_in(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG that says it is width x height pixels and holds almost nothing: tens of bytes that
    would decode to gigabytes."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data)
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


def _png(width: int = 40, height: int = 30) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (width, height), (10, 120, 90)).save(buf, "PNG")
    return buf.getvalue()


# --- 1. images: a pixel limit before any pixel is decoded ------------------------------------


@pytest.mark.parametrize("size", [(20000, 20000), (9000, 9000)])
def test_an_image_declaring_too_many_pixels_is_refused_naming_the_field(seller, size) -> None:
    # Given a PNG under 100 bytes that declares more pixels than allowed
    bomb = _png_header_only(*size)
    assert len(bomb) < 100
    # When a seller uploads it
    s = Api(seller)
    r = s.client.post("/api/v1/images", {"image": io.BytesIO(bomb)}, headers=s.headers)
    # Then it is refused naming the image and its pixels, and nothing is stored
    body = _problem(r, 422, "image")
    assert "pixels" in body["detail"]
    assert not ListingImage.objects.exists()


def test_the_pixel_limit_is_a_setting(seller, settings) -> None:
    # Given a pixel limit one below a 40 x 30 image
    settings.ANXIN_MAX_IMAGE_PIXELS = 40 * 30 - 1
    # When a seller uploads the image
    s = Api(seller)
    r = s.client.post("/api/v1/images", {"image": io.BytesIO(_png())}, headers=s.headers)
    # Then it is refused, quoting the limit
    assert f"{40 * 30 - 1}" in _problem(r, 422, "image")["detail"]
    # When the limit is raised to the image's size and she uploads it again
    settings.ANXIN_MAX_IMAGE_PIXELS = 40 * 30
    r = s.client.post("/api/v1/images", {"image": io.BytesIO(_png())}, headers=s.headers)
    # Then it is stored
    assert r.status_code == 201


def test_the_pages_refuse_an_image_bomb_in_chat_and_in_a_listing(buyer, seller, listing) -> None:
    # Given an order, and a PNG that declares 20000 x 20000 pixels in a few bytes
    order = place_order(buyer, listing)
    bomb = _png_header_only(20000, 20000)
    # When the buyer sends it in the order's chat
    r = logged_in(buyer).post(
        f"/orders/{order.number}/messages",
        {"text": "看图", "image": io.BytesIO(bomb)},
        headers={"HX-Request": "true"},
    )
    # Then it is refused in the page's language saying the image is too large, and no message
    # is posted
    assert r.status_code == 422
    assert "图片尺寸太大" in r.content.decode()
    assert not OrderMessage.objects.exists()
    # When the seller lists goods with it on the page
    r = logged_in(seller).post(
        "/seller/listings/new",
        {
            "title": "茶",
            "price_yuan": "10",
            "shipping_days": "2",
            "stock": "1",
            "category": "general",
            "return_policy": "no_reason_7_days",
            "images": io.BytesIO(bomb),
        },
    )
    # Then it is refused saying the image is too large, and no listing is added
    assert r.status_code in (400, 422)
    assert "图片尺寸太大" in r.content.decode()
    assert Listing.objects.count() == 1


# --- 2. anonymous and authenticated 500s ------------------------------------------------------


def test_the_qr_code_of_an_unknown_checkout_link_is_404() -> None:
    # When the QR code of a checkout link that does not exist is asked for
    r = Client().get("/c/NOSUCHCODE/qr.svg")
    # Then it is not found
    assert r.status_code == 404


@pytest.mark.parametrize("ts", ["9" * 30, "99999999999", str(2**63)])
def test_a_carrier_push_with_an_impossible_timestamp_is_refused_naming_it(ts) -> None:
    # When a carrier push comes with a timestamp no clock can hold
    r = Client().post(
        "/api/v1/carriers/notify/sandbox",
        data=b"{}",
        content_type="application/json",
        headers={"x-carrier-timestamp": ts, "x-carrier-signature": "00"},
    )
    # Then it is refused as a problem naming the timestamp header
    _problem(r, (400, 401, 422), "x-carrier-timestamp")


@pytest.mark.parametrize(
    ("who", "method", "path", "field"),
    [
        ("buyer", "get", f"/orders?offset={HUGE}", "offset"),
        ("buyer", "get", f"/orders?limit=10&offset={-HUGE}", "offset"),
        # Found by the fuzz test: a schema-wide bound once replaced the operation's own.
        ("buyer", "get", "/orders?limit=-96", "limit"),
        ("buyer", "get", "/orders?offset=-1", "offset"),
        ("seller", "get", f"/listings/{HUGE}", "listing_id"),
        ("seller", "patch", f"/listings/{HUGE}", "listing_id"),
        (None, "get", f"/sellers/{HUGE}/reviews", "seller_id"),
        (None, "get", f"/sellers/{HUGE}/credit", "seller_id"),
        ("buyer", "get", f"/sellers/{HUGE}/identity", "seller_id"),
        ("operator", "post", f"/licences/{HUGE}/review", "licence_id"),
        ("seller", "post", f"/blacklist/{HUGE}/appeal", "entry_id"),
        ("operator", "post", f"/blacklist/{HUGE}/decide", "entry_id"),
        ("operator", "post", f"/sellers/{HUGE}/credit/adjustments", "seller_id"),
    ],
)
def test_api_integers_past_64_bits_are_refused_naming_the_parameter(
    request, who, method, path, field
) -> None:
    # Given the table's user, and a path whose integer is out of range, mostly past 64 bits
    user = request.getfixturevalue(who) if who else None
    bodies = {
        "patch": {"stock": 1},
        "post": {"approve": True, "text": "x", "list_seller": False, "reasons": "x"},
    }
    api = Api(user)
    # When the request is sent
    if method == "get":
        r = api.get(path)
    elif method == "patch":
        r = api.patch(path, bodies["patch"])
    else:
        r = api.post(path, {**bodies["post"], "points": 1, "days": 1, "reason": "x"})
    # Then it is refused naming that parameter
    _problem(r, 422, field)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("snapshot_id", HUGE),
        ("quantity", HUGE),
    ],
)
def test_api_body_integers_past_64_bits_are_refused(buyer, listing, field, value) -> None:
    # Given an order whose one field is 2**64
    body = {**ORDER_BODY, "listing_code": listing.code, "snapshot_id": listing.current_snapshot_id}
    # When the buyer places it
    r = Api(buyer).post("/orders", {**body, field: value}, **{"Idempotency-Key": "k"})
    # Then it is refused naming that field, and no order is made
    _problem(r, 422, field)
    assert not Order.objects.exists()


def test_page_integers_past_64_bits_are_refused(buyer, seller, operator, listing) -> None:
    # Given an order, and a number past 64 bits
    order = place_order(buyer, listing)
    # When the buyer opens an attachment or a seller's page with that number
    for path in (
        f"/orders/{order.number}/attachments/{HUGE}",
        f"/s/{HUGE}",
    ):
        # Then neither is found
        r = logged_in(buyer).get(path)
        assert r.status_code == 404, path
    # When the seller opens a listing with that number, or its edit page
    # Then neither is found
    r = logged_in(seller).get(f"/seller/listings/{HUGE}")
    assert r.status_code == 404
    r = logged_in(seller).get(f"/seller/listings/{HUGE}/edit")
    assert r.status_code == 404
    # When an operator reviews such a licence or adjusts credit by such points,
    # or the seller appeals such a blacklist entry
    # Then each form only sends them back
    r = logged_in(operator).post("/desk/licences", {"licence": str(HUGE), "approve": "1"})
    assert r.status_code == 302
    r = logged_in(operator).post(f"/s/{listing.seller_id}/adjust", {"points": str(HUGE)})
    assert r.status_code == 302
    r = logged_in(seller).post("/blacklist/", {"entry": str(HUGE), "text": "x"})
    assert r.status_code == 302
    # When the buyer checks out naming such a snapshot
    form = {**ORDER_FORM, "snapshot_id": str(HUGE)}
    r = logged_in(buyer).post(f"/c/{listing.code}", form)
    # Then it is refused naming the snapshot
    assert r.status_code in (400, 404, 409, 422)
    assert "snapshot_id" in r.content.decode()
    # When she checks out such a quantity
    r = logged_in(buyer).post(
        f"/c/{listing.code}",
        {**ORDER_FORM, "snapshot_id": str(listing.current_snapshot_id), "quantity": str(HUGE)},
    )
    # Then it is refused naming the quantity, and no order is added
    assert r.status_code in (400, 422)
    assert "quantity" in r.content.decode()
    assert Order.objects.count() == 1


# --- 3. NUL, control characters and invisible text -------------------------------------------


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/auth/token", {"username": "zhangwei\x00", "password": "x"}, "username"),
        (
            "/auth/signup",
            {"username": "chen", "password": "p\x00ssword-long", "role": "buyer"},
            "password",
        ),
        (
            "/listings",
            {"title": "茶", "price_fen": 1, "shipping_days": 1, "stock": 1, "images": ["\x00"]},
            "images.0",
        ),
    ],
)
def test_a_nul_anywhere_in_an_api_body_is_refused_naming_it(
    buyer, seller, path, body, field
) -> None:
    # When a seller posts a body with a NUL in one field
    r = Api(seller).post(path, body)
    # Then it is refused naming that field
    _problem(r, 422, field)


def test_a_nul_in_the_query_string_the_path_or_a_header_is_refused(buyer, listing) -> None:
    # When a buyer sends a NUL in the query string, then in the path
    # Then each is refused naming where it was
    _problem(Api(buyer).get("/orders?status=paid%00"), 422, "status")
    _problem(Api(buyer).get("/orders/AX%00"), 422, "path")
    # When she places an order with a NUL in its Idempotency-Key
    body = {**ORDER_BODY, "listing_code": listing.code, "snapshot_id": listing.current_snapshot_id}
    r = Api(buyer).post("/orders", body, **{"Idempotency-Key": "k\x00"})
    # Then the header is refused and no order is made
    _problem(r, 422, "Idempotency-Key")
    assert not Order.objects.exists()


def test_a_payment_notification_with_a_nul_is_refused_before_it_is_read() -> None:
    from anxin.payments.models import PaymentNotification
    from anxin.payments.providers.sandbox import sign

    # Given a signed payment notification whose id holds a NUL
    body = json.dumps(
        {"id": "evt\u0000", "event_type": "payment.succeeded", "resource": {"payment_id": "p"}}
    ).encode()
    # When it is posted to the sandbox webhook
    r = Client().post(
        "/api/v1/payments/notify/sandbox",
        data=body,
        content_type="application/json",
        headers=sign(body),
    )
    # Then it is refused naming the id, and nothing is recorded
    _problem(r, 422, "id")
    assert not PaymentNotification.objects.exists()


def test_a_lone_surrogate_is_refused_like_a_nul() -> None:
    """A JSON "\\ud800" decodes to text that neither database can encode."""
    from anxin.payments.models import PaymentNotification
    from anxin.payments.providers.sandbox import sign

    # Given a signed payment notification whose id holds a lone surrogate
    body = (
        b'{"id": "evt\\ud800", "event_type": "payment.succeeded", '
        b'"created_at": "2026-05-01T02:00:00+00:00", '
        b'"resource": {"payment_id": "sbxpay_unknown", "amount_fen": 1}}'
    )
    # When it is posted to the sandbox webhook
    r = Client().post(
        "/api/v1/payments/notify/sandbox",
        data=body,
        content_type="application/json",
        headers=sign(body),
    )
    # Then it is refused naming the id, and nothing is recorded
    _problem(r, 422, "id")
    assert not PaymentNotification.objects.exists()


def test_the_pages_refuse_a_nul_on_a_plain_page_in_the_readers_language(buyer) -> None:
    # When someone signs in with a NUL in the name
    r = Client().post("/login/", {"username": "zhangwei\x00", "password": "x"})
    # Then the page refuses it naming the field, in Chinese
    assert r.status_code == 422
    assert r["Content-Type"].startswith("text/html")
    assert "username: 含有无法保存的字符" in r.content.decode()
    # When someone signs up in English with a NUL in the role
    r = Client(headers={"accept-language": "en"}).post(
        "/signup/", {"username": "chen", "password": "x" * 12, "role": "buyer\x00"}
    )
    # Then the page refuses it naming the field, in English
    assert r.status_code == 422
    assert "role: contains a character" in r.content.decode()
    # When a buyer searches her orders for a NUL
    r = logged_in(buyer).get("/orders/?q=%00")
    # Then the search is refused
    assert r.status_code == 422


@pytest.mark.parametrize(
    ("field", "value", "why"),
    [
        ("recipient_name", "张\x1b[31m伟", "control characters"),
        ("recipient_name", "张\n伟", "line breaks"),
        ("recipient_name", "\u200b\u200b", "nothing visible"),
        ("recipient_name", "\ufeff\u200d", "nothing visible"),
        ("recipient_name", "\u3164", "nothing visible"),
        ("recipient_name", "张伟\u202e", "bidirectional"),
        ("shipping_address", "\u2066\u2069", "bidirectional"),
        ("shipping_address", "杭州\x07", "control characters"),
        ("buyer_note", "\u200b", "nothing visible"),
    ],
)
def test_control_and_invisible_text_is_refused_naming_the_field(
    buyer, listing, field, value, why
) -> None:
    # Given an order whose one text field holds control, invisible or bidirectional characters
    body = {**ORDER_BODY, "listing_code": listing.code, "snapshot_id": listing.current_snapshot_id}
    # When the buyer places it
    r = Api(buyer).post("/orders", {**body, field: value}, **{"Idempotency-Key": "k"})
    # Then it is refused naming the field and why, and no order is made
    assert why in _problem(r, 422, field)["detail"]
    assert not Order.objects.exists()


def test_titles_and_names_refuse_invisible_text_and_descriptions_keep_their_lines(seller) -> None:
    # Given a seller
    base = {"price_fen": 100, "shipping_days": 1, "stock": 1}
    s = Api(seller)
    # When she lists goods whose title is invisible or holds a tab
    # Then each is refused naming the title
    _problem(s.post("/listings", {**base, "title": "\u200b \ufeff"}), 422, "title")
    _problem(s.post("/listings", {**base, "title": "龙井\t新茶"}), 422, "title")
    # When she lists goods whose description has a CRLF line break and a tab
    r = s.post("/listings", {**base, "title": "龙井", "description": "第一行\r\n\t第二行"})
    # Then they are listed, the description keeping its tab and its line, made LF
    assert r.status_code == 201, r.content
    assert r.json()["snapshot"]["description"] == "第一行\n\t第二行"
    # When someone signs up a shop whose name is invisible
    r = Api(None).post(
        "/auth/signup",
        {
            "username": "chen",
            "password": "a-long-pass-phrase",
            "role": "seller",
            "shop_name": "\u200b",
        },
    )
    # Then the shop name is refused
    _problem(r, 422, "shop_name")


# --- 4. strict integers -------------------------------------------------------------------


@pytest.mark.parametrize("value", [True, "1", 1.0, "1.0", None])
@pytest.mark.parametrize("field", ["quantity", "snapshot_id"])
def test_api_integers_are_json_integers(buyer, listing, field, value) -> None:
    # Given an order whose quantity or snapshot id is a boolean, a string, a float or null
    body = {**ORDER_BODY, "listing_code": listing.code, "snapshot_id": listing.current_snapshot_id}
    if field == "snapshot_id" and type(value) is float:
        value = float(listing.current_snapshot_id)
    # When the buyer places it
    r = Api(buyer).post("/orders", {**body, field: value}, **{"Idempotency-Key": "k"})
    # Then it is refused naming that field, and no order is made
    _problem(r, 422, field)
    assert not Order.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": "茶", "price_fen": "100", "shipping_days": 1, "stock": 1}, "price_fen"),
        ({"title": "茶", "price_fen": 100, "shipping_days": True, "stock": 1}, "shipping_days"),
        ({"title": "茶", "price_fen": 100, "shipping_days": 1, "stock": 1.0}, "stock"),
    ],
)
def test_listing_integers_are_strict(seller, body, field) -> None:
    # When a seller lists goods with a number given as a string, a boolean or a float
    # Then it is refused naming that field, and no listing is made
    _problem(Api(seller).post("/listings", body), 422, field)
    assert not Listing.objects.exists()


def test_every_integer_in_the_api_schemas_is_strict_and_bounded() -> None:
    """Every integer an operation takes in a JSON body is declared with the 64-bit bounds; so
    a new schema that forgets them fails here."""
    # Given the OpenAPI document
    schema = Client().get("/api/openapi.json").json()
    found = []

    def walk(node, where):
        if isinstance(node, dict):
            if node.get("type") == "integer":
                found.append(where)
                assert "maximum" in node, where
                assert "minimum" in node, where
            for k, v in node.items():
                walk(v, f"{where}.{k}")
        elif isinstance(node, list):
            for i, v in enumerate(node):
                walk(v, f"{where}[{i}]")

    # When every integer in the request schemas and the parameters is walked
    for name, comp in schema["components"]["schemas"].items():
        if name.endswith("In") or name.endswith("Params"):
            walk(comp, name)
    for path, ops in schema["paths"].items():
        for method, op in ops.items():
            walk(op.get("parameters", []), f"{method} {path}")
    # Then each had both bounds, checked as it was found, and more than twenty were found
    assert len(found) > 20


# --- 5. one error format --------------------------------------------------------------------


def test_an_unknown_api_path_is_a_problem() -> None:
    # When an unknown path under /api/v1/ and under /api/ is asked for
    # Then each is a 404 problem
    _problem(Client().get("/api/v1/no-such-thing"), 404)
    _problem(Client().get("/api/nothing"), 404)


def test_a_method_the_path_does_not_take_is_a_405_problem_with_allow(buyer) -> None:
    # When a buyer sends DELETE to the orders collection
    r = Client().delete("/api/v1/orders", headers=Api(buyer).headers)
    # Then it is a 405 problem whose Allow header lists GET and POST
    body = _problem(r, 405)
    assert set(r["Allow"].replace(" ", "").split(",")) == {"GET", "POST"}
    assert body["code"] == "method_not_allowed"


def test_a_broken_multipart_body_is_a_400_problem(seller) -> None:
    # When a seller uploads a multipart body that never ends
    r = Client().post(
        "/api/v1/images",
        data=b'--x\r\nContent-Disposition: form-data; name="image"\r\n\r\nabc',
        content_type="multipart/form-data",
        headers=Api(seller).headers,
    )
    # Then it is a 400 problem
    _problem(r, 400)


def test_a_body_over_the_limit_is_a_413_problem(buyer, settings) -> None:
    # Given a request body limit of 1000 bytes
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    # When a buyer posts an order of more than 2000 bytes
    r = Client().post(
        "/api/v1/orders",
        data=json.dumps({"buyer_note": "x" * 2000}),
        content_type="application/json",
        headers={**Api(buyer).headers, "Idempotency-Key": "k"},
    )
    # Then it is a 413 problem
    _problem(r, 413)


def test_the_openapi_document_declares_each_operations_errors() -> None:
    # When the OpenAPI document is fetched
    schema = Client().get("/api/openapi.json").json()
    # Then it has a Problem schema
    assert "Problem" in schema["components"]["schemas"]
    # And every operation declares the common errors, 403 if secured and 413 if it takes a
    # body, each as problem+json
    for path, ops in schema["paths"].items():
        for method, op in ops.items():
            codes = set(op["responses"])
            assert {"400", "401", "404", "409", "422", "429"} <= codes, (method, path, codes)
            if op.get("security"):
                assert "403" in codes, (method, path, codes)
            if "requestBody" in op:
                assert "413" in codes, (method, path, codes)
            for code in (c for c in codes if int(c) >= 400):
                content = op["responses"][code]["content"]
                assert list(content) == [PROBLEM], (method, path, code)


@pytest.mark.parametrize("length", ["I9", "-1", "１２", "9 9"])
def test_a_content_length_that_is_not_a_number_is_a_400_problem(length) -> None:
    from django.test import Client

    # When a request says its body's length is not a number of bytes (as a fuzzer sent it),
    # to the API and to a page
    c = Client()
    api = c.post("/api/v1/orders", b"{}", "application/json", CONTENT_LENGTH=length)
    page = c.post("/login/", b"", "text/plain", CONTENT_LENGTH=length)
    # Then each is refused as unreadable, not a server error, and the API says so as a problem
    assert api.status_code == 400
    assert api.json()["code"] == "malformed_body"
    assert page.status_code == 400
