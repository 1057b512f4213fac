"""The JSON API end to end: a seller lists, a buyer checks out and pays, errors are problems."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.test import Client
from PIL import Image

from anxin.conftest import Api, deliver_all
from anxin.orders.models import Order
from anxin.payments.models import NotificationStatus, PaymentNotification
from anxin.payments.providers.sandbox import SandboxProvider, sign

pytestmark = pytest.mark.django_db
SNAPSHOT = Path(__file__).parent / "openapi.snapshot.json"

ORDER_BODY = {
    "quantity": 2,
    "recipient_name": "张伟",
    "recipient_phone": "13900001111",
    "shipping_address": "杭州市西湖区文三路 100 号",
}


def _png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (40, 30), (10, 120, 90)).save(buf, "PNG")
    return buf.getvalue()


def test_signup_token_and_me() -> None:
    # Given an anonymous API client
    anon = Api(None)
    # When it signs up a seller with a shop
    r = anon.post(
        "/auth/signup",
        {
            "username": "chen",
            "password": "a-long-pass-phrase",
            "role": "seller",
            "shop_name": "陈记茶行",
            "wechat_id": "chen_tea",
        },
    )
    # Then the account is made, with the seller's profile
    assert r.status_code == 201
    assert r.json()["seller_profile"] == {
        "shop_name": "陈记茶行",
        "contact_phone": "",
        "wechat_id": "chen_tea",
    }
    # When she asks for a token with her password
    r = anon.post("/auth/token", {"username": "chen", "password": "a-long-pass-phrase"})
    # Then she gets one, and it says who she is
    assert r.status_code == 201
    token = r.json()["token"]
    me = Client().get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.json()["role"] == "seller"
    # When she asks with a wrong password
    bad = anon.post("/auth/token", {"username": "chen", "password": "wrong"})
    # Then she is refused
    assert bad.status_code == 401
    assert bad.json()["code"] == "bad_credentials"
    # When she signs out with the token
    auth = {"Authorization": f"Bearer {token}"}
    # Then the sign-out is accepted and the token no longer works
    assert Client().post("/api/v1/auth/logout", headers=auth).status_code == 204
    after = Client().get("/api/v1/me", headers=auth)
    assert after.status_code == 401
    assert after.json()["code"] == "invalid_token"


def test_the_api_docs_load_their_assets_locally() -> None:
    import re

    # When the API docs page is loaded
    page = Client().get("/api/docs").content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', page)
    # Then it refers to assets, every one of them under /static/
    assert assets
    assert all(a.startswith("/static/") for a in assets), assets


@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        ({"username": "x", "password": "a-long-pass-phrase", "role": "buyer"}, "username", 422),
        ({"username": "chen", "password": "short", "role": "buyer"}, "password", 422),
        ({"username": "chen", "password": "a-long-pass-phrase", "role": "operator"}, "role", 422),
        ({"username": "chen", "password": "a-long-pass-phrase"}, "role", 422),
    ],
)
def test_signup_refusals_name_the_field(body, field, code) -> None:
    # When a sign-up has one bad or missing field
    r = Api(None).post("/auth/signup", body)
    # Then the problem+json answer names that field
    assert r.status_code == code
    assert r["Content-Type"] == "application/problem+json"
    problem = r.json()
    assert problem["field"] == field
    assert problem["detail"].startswith(field)
    assert set(problem) >= {"type", "title", "status", "detail", "code", "instance"}


def test_seller_lists_buyer_checks_out_and_pays(seller, buyer) -> None:
    from anxin.conftest import verify_seller

    # Given a seller licensed for food
    verify_seller(seller, licences=("food_business",))  # tea is food: licensed
    # When she uploads an image and lists a tea with it
    s = Api(seller)
    img = s.client.post("/api/v1/images", {"image": io.BytesIO(_png())}, headers=s.headers)
    assert img.status_code == 201, img.content
    sha = img.json()["sha256"]
    r = s.post(
        "/listings",
        {
            "title": "明前龙井",
            "description": "手工炒制",
            "price_fen": 36800,
            "shipping_days": 2,
            "stock": 5,
            "category": "food",
            "images": [sha],
        },
    )
    # Then the listing is made, with a checkout link
    assert r.status_code == 201, r.content
    listing = r.json()
    assert listing["checkout_url"].endswith(f"/c/{listing['code']}")

    # When anyone opens the checkout
    page = Api(None).get(f"/checkout/{listing['code']}").json()
    # Then it shows the price and the seller's WeChat
    assert page["snapshot"]["price_fen"] == 36800
    assert page["seller"]["wechat_id"] == "wx_tea-seller"

    # When a buyer orders two
    b = Api(buyer)
    body = {**ORDER_BODY, "listing_code": listing["code"], "snapshot_id": page["snapshot"]["id"]}
    r = b.post("/orders", body, **{"Idempotency-Key": "k-1"})
    # Then the order awaits payment of twice the price, fee included
    assert r.status_code == 201, r.content
    order = r.json()
    assert order["status"] == "awaiting_payment"
    assert order["amount_fen"] == 73600
    assert order["fee_fen"] == 441
    # When she sends the same order with the same key
    again = b.post("/orders", body, **{"Idempotency-Key": "k-1"})
    # Then she gets the same order, and no second one is made
    assert again.json()["number"] == order["number"]
    assert Order.objects.count() == 1
    # When she reuses the key for a different order
    clash = b.post("/orders", {**body, "quantity": 1}, **{"Idempotency-Key": "k-1"})
    # Then it is refused as a reused key
    assert clash.status_code == 409
    assert clash.json()["code"] == "idempotency_key_reused"

    # When she starts paying
    payment = b.post(f"/orders/{order['number']}/pay").json()
    # Then she is sent to the sandbox's pay page
    assert payment["pay_url"].startswith("/sandbox/pay/")
    # When she pays there and the notification is delivered
    SandboxProvider().buyer_pays(payment["provider_payment_id"])
    deliver_all()
    # Then the order is paid, with its image, and its timeline says so
    detail = b.get(f"/orders/{order['number']}").json()
    assert detail["status"] == "paid"
    assert [e["kind"] for e in detail["timeline"]] == ["created", "paid"]
    assert detail["snapshot"]["images"] == [sha]

    # When the seller edits the listing
    s.patch(
        f"/listings/{listing['id']}",
        {
            "content": {
                "title": "明前龙井（新）",
                "price_fen": 39800,
                "shipping_days": 3,
                "images": [sha],
            }
        },
    )
    # Then the buyer's order still shows what she bought
    detail = b.get(f"/orders/{order['number']}").json()
    assert detail["snapshot"]["title"] == "明前龙井"
    assert detail["snapshot"]["version"] == 1

    # When the seller opens her dashboard
    dash = s.get("/seller/dashboard").json()
    # Then it holds the price less the fee, and the order is to ship
    assert dash["held_fen"] == 73600 - 441
    assert [o["number"] for o in dash["to_ship"]] == [order["number"]]


@pytest.mark.parametrize(
    ("patch", "field"),
    [
        ({"quantity": 0}, "quantity"),
        ({"quantity": "two"}, "quantity"),
        ({"recipient_phone": "call me"}, "recipient_phone"),
        ({"shipping_address": ""}, "shipping_address"),
        ({"snapshot_id": 999999}, "snapshot_id"),
    ],
)
def test_bad_order_input_is_a_4xx_naming_the_field(buyer, listing, patch, field) -> None:
    # Given an order with one bad field
    body = {
        **ORDER_BODY,
        "listing_code": listing.code,
        "snapshot_id": listing.current_snapshot_id,
        **patch,
    }
    # When the buyer places it
    r = Api(buyer).post("/orders", body, **{"Idempotency-Key": "k"})
    # Then it is refused naming that field, and no order is made
    assert 400 <= r.status_code < 500
    assert r.json()["field"] == field, r.json()
    assert not Order.objects.exists()


def test_an_order_needs_an_idempotency_key(buyer, listing) -> None:
    # Given a good order body
    body = {**ORDER_BODY, "listing_code": listing.code, "snapshot_id": listing.current_snapshot_id}
    # When the buyer posts it without an Idempotency-Key
    r = Api(buyer).post("/orders", body)
    # Then the missing header is named
    assert r.status_code == 422
    assert r.json()["field"] == "Idempotency-Key"


def test_malformed_json_is_a_4xx(buyer) -> None:
    # When a buyer posts an order whose body is not JSON
    r = Client().post(
        "/api/v1/orders",
        data="{not json",
        content_type="application/json",
        headers={**Api(buyer).headers, "Idempotency-Key": "k"},
    )
    # Then it is refused, as problem+json
    assert 400 <= r.status_code < 500
    assert r["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (b"GIF89a" + b"\x00" * 100, "image"),
        (b"<?php echo 1; ?>", "image"),
    ],
)
def test_disguised_or_unreadable_images_are_refused(seller, data, field) -> None:
    # When a seller uploads bytes that are not a readable image
    s = Api(seller)
    r = s.client.post("/api/v1/images", {"image": io.BytesIO(data)}, headers=s.headers)
    # Then the image is refused
    assert r.status_code == 422
    assert r.json()["field"] == field


def test_oversized_images_are_refused(seller, settings) -> None:
    # Given an image limit of 50 bytes
    settings.ANXIN_MAX_IMAGE_BYTES = 50
    # When a seller uploads a larger PNG
    s = Api(seller)
    r = s.client.post("/api/v1/images", {"image": io.BytesIO(_png())}, headers=s.headers)
    # Then it is refused, naming the limit
    assert r.status_code == 422
    assert "limit" in r.json()["detail"]


def test_only_sellers_list_and_only_buyers_order(buyer, seller, listing) -> None:
    # When a buyer tries to list goods
    r = Api(buyer).post("/listings", {"title": "x", "price_fen": 1, "shipping_days": 1, "stock": 1})
    # Then she is told she is not a seller
    assert r.status_code == 403
    assert r.json()["code"] == "not_a_seller"
    # When a seller tries to order
    body = {**ORDER_BODY, "listing_code": listing.code, "snapshot_id": listing.current_snapshot_id}
    r = Api(seller).post("/orders", body, **{"Idempotency-Key": "k"})
    # Then she is told she is not a buyer
    assert r.status_code == 403
    assert r.json()["code"] == "not_a_buyer"


def test_a_seller_cannot_edit_another_sellers_listing(other_seller, listing) -> None:
    # Given another seller's listing with ten in stock
    # When a seller tries to set its stock to zero
    r = Api(other_seller).patch(f"/listings/{listing.pk}", {"stock": 0})
    # Then it is not found for her, and its stock is unchanged
    assert r.status_code == 404
    listing.refresh_from_db()
    assert listing.stock == 10


def _notification_body(order_number: str) -> bytes:
    return json.dumps(
        {
            "id": "evt_1",
            "event_type": "payment.succeeded",
            "created_at": "2026-05-01T02:00:00+00:00",
            "resource": {"payment_id": "sbxpay_unknown", "amount_fen": 1},
        }
    ).encode()


def test_the_webhook_refuses_and_records_a_bad_signature() -> None:
    # Given a notification signed over another body
    body = _notification_body("x")
    headers = sign(body)
    headers["x-sandbox-signature"] = sign(b"other body")["x-sandbox-signature"]
    # When it is posted to the sandbox webhook
    r = Client().post(
        "/api/v1/payments/notify/sandbox",
        data=body,
        content_type="application/json",
        headers={k: v for k, v in headers.items()},
    )
    # Then it is refused for its signature, and recorded as rejected with the reason
    assert r.status_code == 401
    assert r.json()["code"] == "notification_bad_signature"
    row = PaymentNotification.objects.get()
    assert row.status == NotificationStatus.REJECTED
    assert "bad_signature" in row.reason


def test_the_webhook_accepts_a_signed_notification_once(buyer, listing) -> None:
    from anxin.conftest import pay, place_order
    from anxin.payments.models import SandboxNotification

    # Given a placed order whose payment notification the sandbox has not delivered
    order = place_order(buyer, listing)
    pay(order, deliver=False)
    row = SandboxNotification.objects.get()
    body = SandboxProvider().body_for(row)

    def post():
        return Client().post(
            "/api/v1/payments/notify/sandbox",
            data=body,
            content_type="application/json",
            headers=sign(body),
        )

    # When the signed notification is posted twice
    # Then the first is applied and the second is a duplicate
    assert post().json() == {"code": "SUCCESS", "result": "applied"}
    assert post().json() == {"code": "SUCCESS", "result": "duplicate"}
    # And the order is paid
    order.refresh_from_db()
    assert order.status == "paid"


def test_a_stale_signature_is_a_replay(clock) -> None:
    import datetime as dt

    # Given a signed notification
    body = _notification_body("x")
    headers = sign(body)
    # When it is posted ten minutes later
    clock.shift(dt.timedelta(minutes=10))
    r = Client().post(
        "/api/v1/payments/notify/sandbox",
        data=body,
        content_type="application/json",
        headers=headers,
    )
    # Then it is refused as a replay
    assert r.status_code == 401
    assert r.json()["code"] == "notification_stale_signature"


def test_unknown_provider_is_404() -> None:
    # When a notification is posted for a provider Anxin does not use
    r = Client().post("/api/v1/payments/notify/paypal", data=b"{}", content_type="application/json")
    # Then it is not found
    assert r.status_code == 404


def test_ledger_audit_endpoint_is_for_operators(operator, buyer) -> None:
    # When an operator asks for the ledger audit
    # Then she gets a clean audit
    assert Api(operator).get("/ledger/audit").json() == {"ok": True, "problems": []}
    # When a buyer asks for it
    # Then the buyer is refused
    assert Api(buyer).get("/ledger/audit").status_code == 403


def test_openapi_matches_the_snapshot() -> None:
    """The API is a contract: any change to it shows up here and is reviewed. Regenerate with
    ANXIN_UPDATE_SNAPSHOTS=1."""
    import os

    # When the OpenAPI schema is fetched
    schema = Client().get("/api/openapi.json").json()
    text = json.dumps(schema, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    if os.environ.get("ANXIN_UPDATE_SNAPSHOTS"):
        SNAPSHOT.write_text(text)
    assert SNAPSHOT.exists(), "no reviewed snapshot: make one with ANXIN_UPDATE_SNAPSHOTS=1"
    # Then it is the reviewed snapshot, and it has the confirm endpoint
    assert text == SNAPSHOT.read_text()
    assert "/api/v1/orders/{number}/confirm" in schema["paths"]


def test_the_openapi_document_names_each_key_once_so_swagger_ui_can_read_it() -> None:
    # Given the document the API's page (/api/docs) loads
    body = Client().get("/api/openapi.json").content
    repeated: list[str] = []

    def keys_once(pairs: list[tuple[str, object]]) -> dict[str, object]:
        names = [name for name, _ in pairs]
        repeated.extend(name for name in set(names) if names.count(name) > 1)
        return dict(pairs)

    # When it is read as strictly as Swagger UI's parser does
    json.loads(body, object_pairs_hook=keys_once)
    # Then no object in it has a key twice
    assert repeated == []
