"""Every order endpoint against every role. A denied request changes nothing."""

from __future__ import annotations

import pytest

from anxin.conftest import Api, make_user, pay, place_order
from anxin.ledger.models import Transfer
from anxin.orders import services
from anxin.orders.models import Order, OrderEvent

pytestmark = pytest.mark.django_db

ROLES = [
    "anonymous",
    "buyer",
    "other_buyer",
    "seller",
    "other_seller",
    "mediator",
    "adjudicator",
    "regulator",
    "operator",
]


@pytest.fixture
def people(buyer, other_buyer, seller, other_seller, operator, staff):
    return {
        "anonymous": None,
        "buyer": buyer,
        "other_buyer": other_buyer,
        "seller": seller,
        "other_seller": other_seller,
        "operator": operator,
        **staff,
    }


def _in_state(state: str, buyer, seller, listing):
    order = place_order(buyer, listing)
    if state == "awaiting_payment":
        return order
    pay(order)
    if state == "paid":
        return order
    services.order_ship(
        actor=seller, number=order.number, carrier="顺丰速运", tracking_number="SF1234567890"
    )
    if state == "shipped":
        return order
    services.order_refund_request(actor=buyer, number=order.number, reason="破损")
    return order  # "requested": shipped with an open refund request


# (method, path suffix, body, state the order must be in, roles allowed)
ACTIONS = [
    ("get", "", None, "paid", {"buyer", "seller", "operator"}),
    ("post", "/pay", {}, "awaiting_payment", {"buyer"}),
    (
        "post",
        "/ship",
        {"carrier": "顺丰速运", "tracking_number": "SF0000000001"},
        "paid",
        {"seller"},
    ),
    ("post", "/confirm", {}, "shipped", {"buyer"}),
    ("post", "/cancel", {"reason": "不要了"}, "paid", {"buyer", "seller", "operator"}),
    ("post", "/refund", {"reason": "同意退款"}, "shipped", {"seller", "operator"}),
    ("post", "/refund-request", {"reason": "破损"}, "shipped", {"buyer"}),
    (
        "post",
        "/refund-request/decide",
        {"approve": True, "reason": "同意"},
        "requested",
        {"seller", "operator"},
    ),
    ("post", "/refund-request/withdraw", {}, "requested", {"buyer"}),
]
VISIBLE = {"buyer", "seller", "operator"}


def _snapshot(order: Order) -> tuple:
    order.refresh_from_db()
    return (
        order.status,
        OrderEvent.objects.filter(order=order).count(),
        Transfer.objects.count(),
        order.holds.filter(closed_at__isnull=True).count(),
    )


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("method", "suffix", "body", "state", "allowed"),
    ACTIONS,
    ids=[f"{a[0]}{a[1] or '/'}" for a in ACTIONS],
)
def test_role_matrix(
    people, buyer, seller, listing, role, method, suffix, body, state, allowed
) -> None:
    # Given an order in the state the action needs
    order = _in_state(state, buyer, seller, listing)
    before = _snapshot(order)
    # When the role sends the action
    client = Api(people[role])
    path = f"/orders/{order.number}{suffix}"
    response = client.get(path) if method == "get" else client.post(path, body)
    # Then the role gets 200 if allowed, 401 if anonymous, 403 if it may see the order, else 404
    if role == "anonymous":
        expected = 401
    elif role in allowed:
        expected = 200
    elif role in VISIBLE:
        expected = 403
    else:
        expected = 404  # not theirs: indistinguishable from an order that does not exist
    assert response.status_code == expected, response.content
    # And a refusal is problem+json and changes nothing, while an allowed post other than
    # paying changes the order's status, events, transfers or holds
    if expected != 200:
        assert response["Content-Type"] == "application/problem+json"
        assert _snapshot(order) == before
    elif method == "post" and suffix != "/pay":
        assert _snapshot(order) != before


def test_a_missing_order_and_someone_elses_order_look_the_same(buyer, other_buyer, listing) -> None:
    # Given a buyer's order
    order = place_order(buyer, listing)
    # When another buyer asks for it, and for an order that does not exist
    theirs = Api(other_buyer).get(f"/orders/{order.number}")
    missing = Api(other_buyer).get("/orders/AX20260501DEADBEEF")
    # Then both answers are the same 404, not found
    assert theirs.status_code == missing.status_code == 404
    assert theirs.json()["code"] == missing.json()["code"] == "not_found"


def test_order_lists_show_only_ones_own(
    buyer, other_buyer, seller, other_seller, listing, operator
) -> None:
    # Given two buyers' orders on one seller's listing
    mine = place_order(buyer, listing)
    place_order(other_buyer, listing)
    # When each asks for the list of orders
    # Then a buyer sees only hers, the seller both, another seller none and the operator both
    assert [o["number"] for o in Api(buyer).get("/orders").json()] == [mine.number]
    assert len(Api(seller).get("/orders").json()) == 2
    assert Api(other_seller).get("/orders").json() == []
    assert len(Api(operator).get("/orders").json()) == 2
    # And a regulator, party to neither, sees none
    regulator = make_user("reg", "regulator")
    assert Api(regulator).get("/orders").json() == []


STATES = ["awaiting_payment", "paid", "shipped", "requested", "completed", "cancelled", "refunded"]
OWNER_ACTIONS = [
    ("/pay", {}, "buyer", {"awaiting_payment"}),
    ("/ship", {"carrier": "顺丰速运", "tracking_number": "SF0000000001"}, "seller", {"paid"}),
    ("/confirm", {}, "buyer", {"shipped"}),
    ("/cancel", {"reason": "不要了"}, "buyer", {"awaiting_payment", "paid"}),
    ("/refund", {"reason": "同意退款"}, "seller", {"paid", "shipped", "requested"}),
    ("/refund-request", {"reason": "破损"}, "buyer", {"shipped"}),
    ("/refund-request/decide", {"approve": False, "reason": "不同意"}, "seller", {"requested"}),
]


def _any_state(state: str, buyer, seller, listing):
    if state in ("awaiting_payment", "paid", "shipped", "requested"):
        return _in_state(state, buyer, seller, listing)
    order = _in_state("paid" if state == "cancelled" else "shipped", buyer, seller, listing)
    if state == "completed":
        services.order_confirm(actor=buyer, number=order.number)
    elif state == "cancelled":
        services.order_cancel(actor=buyer, number=order.number, reason="x")
    else:
        services.order_refund(actor=seller, number=order.number, reason="x")
    return order


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize(
    ("suffix", "body", "who", "valid"), OWNER_ACTIONS, ids=[a[0] for a in OWNER_ACTIONS]
)
def test_no_action_applies_in_a_state_that_does_not_allow_it(
    buyer, seller, listing, state, suffix, body, who, valid
) -> None:
    """The owner of the action, in every state: allowed where the pipeline says so, otherwise
    409 and nothing changes. No order moves backwards."""
    # Given an order in this case's state
    order = _any_state(state, buyer, seller, listing)
    before = _snapshot(order)
    # When the action's owner sends it
    r = Api(buyer if who == "buyer" else seller).post(f"/orders/{order.number}{suffix}", body)
    # Then it applies where the pipeline allows it; elsewhere it is refused as a conflict and
    # changes nothing
    if state in valid:
        assert r.status_code == 200, r.content
    else:
        assert r.status_code == 409, r.content
        assert r.json()["code"] in {
            "invalid_transition",
            "hold_open",
            "no_refund_request",
            "payment_window_closed",
        }
        assert _snapshot(order) == before
