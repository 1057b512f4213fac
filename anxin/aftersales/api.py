from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from anxin.aftersales import services
from anxin.aftersales.models import AfterSale
from anxin.api.auth import AuthedRequest
from anxin.api.types import Whole, WholeParam
from anxin.carriers import services as carriers
from anxin.carriers.base import EventRejected
from anxin.core.errors import NotFound, ValidationFailed, msg
from anxin.orders.selectors import order_for

router = Router(tags=["after-sales"])


class PreviewIn(Schema):
    kind: str
    item_condition: str = "intact"
    # How many of the order's items (default: all not yet returned).
    quantity: Annotated[WholeParam, Field(ge=1)] | None = None


class PreviewOut(Schema):
    backed: bool
    decisions: list[dict[str, Any]]


class RequestIn(Schema):
    kind: str
    reason: str
    item_condition: str = "intact"
    # How many of the order's items (default: all not yet returned).
    quantity: Annotated[Whole, Field(ge=1)] | None = None


class AnswerIn(Schema):
    approve: bool
    reason: str = ""


class ShipBackIn(Schema):
    carrier: str
    tracking_number: str
    return_shipping_fen: Whole = 0


class ReceivedIn(Schema):
    gifts_not_returned_fen: Whole = 0
    free_shipping_deduction_fen: Whole = 0


class ReshipIn(Schema):
    carrier: str
    tracking_number: str


class ReasonIn(Schema):
    reason: str


class AfterSaleOut(Schema):
    id: int
    order: str
    kind: str
    quantity: int
    status: str
    reason: str
    item_condition: str
    law_backed: bool
    law: dict[str, Any]
    refund_fen: int
    requested_at: dt.datetime
    respond_by: dt.datetime
    responded_by: str
    refusal_reason: str
    return_by: dt.datetime | None
    return_address: str
    return_carrier: str
    return_tracking: str
    return_shipping_fen: int
    return_received_at: dt.datetime | None
    received_via: str
    refund_due_at: dt.datetime | None
    refunded_fen: int
    refunded_at: dt.datetime | None
    escalated_at: dt.datetime | None
    escalation_reason: str


def out(a: AfterSale) -> AfterSaleOut:
    fields = {f: getattr(a, f) for f in AfterSaleOut.model_fields if f not in ("id", "order")}
    return AfterSaleOut(id=a.pk, order=a.order.number, **fields)


def _latest(request: AuthedRequest, number: str) -> AfterSaleOut:
    order = order_for(request.auth, number)
    a = order.after_sales.order_by("-pk").first()
    if a is None:
        raise NotFound(
            msg("order {number}: no after-sales request", number=number), code="no_after_sale"
        )
    return out(a)


@router.get("/orders/{number}/after-sales/preview", response=PreviewOut)
def preview(request: AuthedRequest, number: str, q: Query[PreviewIn]) -> PreviewOut:
    """What the law says about a request, before it is sent."""
    decisions, backed = services.aftersale_preview(
        actor=request.auth,
        number=number,
        kind=q.kind,
        item_condition=q.item_condition,
        quantity=q.quantity,
    )
    return PreviewOut(backed=backed, decisions=[d.json() for d in decisions])


@router.get("/orders/{number}/after-sales", response=list[AfterSaleOut])
def after_sales(request: AuthedRequest, number: str) -> list[AfterSaleOut]:
    order = order_for(request.auth, number)
    return [out(a) for a in order.after_sales.order_by("pk")]


@router.post("/orders/{number}/after-sales", response={201: AfterSaleOut})
def create(request: AuthedRequest, number: str, payload: RequestIn) -> Status[AfterSaleOut]:
    a = services.aftersale_request(
        actor=request.auth,
        number=number,
        kind=payload.kind,
        reason=payload.reason,
        item_condition=payload.item_condition,
        quantity=payload.quantity,
    )
    return Status(201, out(a))


@router.post("/orders/{number}/after-sales/answer", response=AfterSaleOut)
def answer(request: AuthedRequest, number: str, payload: AnswerIn) -> AfterSaleOut:
    services.aftersale_answer(
        actor=request.auth, number=number, approve=payload.approve, reason=payload.reason
    )
    return _latest(request, number)


@router.post("/orders/{number}/after-sales/withdraw", response=AfterSaleOut)
def withdraw(request: AuthedRequest, number: str) -> AfterSaleOut:
    services.aftersale_withdraw(actor=request.auth, number=number)
    return _latest(request, number)


@router.post("/orders/{number}/after-sales/ship-back", response=AfterSaleOut)
def ship_back(request: AuthedRequest, number: str, payload: ShipBackIn) -> AfterSaleOut:
    services.aftersale_ship_back(
        actor=request.auth,
        number=number,
        carrier=payload.carrier,
        tracking_number=payload.tracking_number,
        return_shipping_fen=payload.return_shipping_fen,
    )
    return _latest(request, number)


@router.post("/orders/{number}/after-sales/received", response=AfterSaleOut)
def received(request: AuthedRequest, number: str, payload: ReceivedIn) -> AfterSaleOut:
    services.aftersale_confirm_received(
        actor=request.auth,
        number=number,
        gifts_not_returned_fen=payload.gifts_not_returned_fen,
        free_shipping_deduction_fen=payload.free_shipping_deduction_fen,
    )
    return _latest(request, number)


@router.post("/orders/{number}/after-sales/reship", response=AfterSaleOut)
def reship(request: AuthedRequest, number: str, payload: ReshipIn) -> AfterSaleOut:
    services.aftersale_reship(
        actor=request.auth,
        number=number,
        carrier=payload.carrier,
        tracking_number=payload.tracking_number,
    )
    return _latest(request, number)


@router.post("/orders/{number}/after-sales/escalate", response=AfterSaleOut)
def escalate(request: AuthedRequest, number: str, payload: ReasonIn) -> AfterSaleOut:
    services.aftersale_escalate(actor=request.auth, number=number, reason=payload.reason)
    return _latest(request, number)


class TrackOut(Schema):
    result: str


carrier_router = Router(tags=["carriers"])


@carrier_router.post("/carriers/notify/{carrier}", response=TrackOut, auth=None)
def carrier_notify(request: HttpRequest, carrier: str) -> TrackOut:
    """A carrier's signed tracking push."""
    try:
        return TrackOut(
            result=carriers.tracking_event_receive(carrier, request.body, request.headers)
        )
    except EventRejected as e:
        raise ValidationFailed(
            msg("{field}: {e}", field=e.field, e=e), code=e.code, field=e.field
        ) from None
