from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from ninja import Schema
from pydantic import Field

from anxin.api.types import Whole
from anxin.catalog.schemas import SnapshotOut


class OrderCreateIn(Schema):
    listing_code: str = Field(max_length=16)
    snapshot_id: Whole = Field(description="The snapshot the buyer was shown (from /checkout)")
    quantity: Annotated[Whole, Field(ge=1)] = 1
    recipient_name: str = Field(max_length=60)
    recipient_phone: str = Field(max_length=32)
    shipping_address: str = Field(max_length=300)
    buyer_note: str = Field("", max_length=300)


class OrderShipIn(Schema):
    carrier: str = Field(max_length=40)
    tracking_number: str = Field(max_length=40)


class ReasonIn(Schema):
    reason: str = Field(max_length=500)


class DecideIn(Schema):
    approve: bool
    reason: str = Field(max_length=500)


class EventOut(Schema):
    kind: str
    from_status: str
    to_status: str
    actor_role: str
    at: dt.datetime
    detail: dict[str, Any]


class OrderOut(Schema):
    number: str
    status: str
    buyer_id: int
    seller_id: int
    quantity: int
    unit_price_fen: int
    amount_fen: int
    fee_fen: int
    seller_share_fen: int
    currency: str
    created_at: dt.datetime
    pay_by: dt.datetime
    paid_at: dt.datetime | None
    shipped_at: dt.datetime | None
    carrier: str
    tracking_number: str
    auto_confirm_at: dt.datetime | None
    auto_confirm_paused: bool
    completed_at: dt.datetime | None
    confirmed_by: str
    closed_at: dt.datetime | None
    close_reason: str
    snapshot: SnapshotOut


class OrderDetailOut(OrderOut):
    recipient_name: str
    recipient_phone: str
    shipping_address: str
    buyer_note: str
    timeline: list[EventOut]


class PaymentOut(Schema):
    provider: str
    provider_payment_id: str
    amount_fen: int
    status: str
    pay_url: str


class SellerDashboardOut(Schema):
    held_fen: int
    released_fen: int
    fees_fen: int
    balance_fen: int
    to_ship: list[OrderOut]


class AttachmentOut(Schema):
    id: int
    sha256: str
    content_type: str
    size: int
    url: str | None  # None once erased


class MessageOut(Schema):
    id: int
    author_role: str
    mine: bool
    text: str
    attachment: AttachmentOut | None
    at: dt.datetime
