from __future__ import annotations

import datetime as dt
from typing import Annotated

from ninja import Schema
from pydantic import Field

from anxin.api.types import Whole


class ListingContentIn(Schema):
    title: str = Field(max_length=120)
    description: str = Field("", max_length=5000)
    category: str = "general"
    price_fen: Annotated[
        Whole, Field(gt=0, description="Price of one unit in fen (1 yuan = 100 fen)")
    ]
    shipping_days: Annotated[
        Whole, Field(ge=0, le=60, description="Promised days from payment to shipment")
    ]
    return_policy: str = "no_reason_7_days"
    return_policy_note: str = Field("", max_length=500)
    images: list[str] = Field(default_factory=list, description="SHA-256 names of uploaded images")


class ListingCreateIn(ListingContentIn):
    stock: Annotated[Whole, Field(ge=0, le=1_000_000)]


class ListingUpdateIn(Schema):
    content: ListingContentIn | None = None
    stock: Annotated[Whole, Field(ge=0, le=1_000_000)] | None = None
    is_active: bool | None = None


class SnapshotOut(Schema):
    id: int
    version: int
    title: str
    description: str
    category: str
    price_fen: int
    currency: str
    shipping_days: int
    return_policy: str
    return_policy_note: str
    images: list[str]
    image_urls: list[str]
    digest: str
    created_at: dt.datetime


class SellerPublicOut(Schema):
    id: int
    shop_name: str
    wechat_id: str


class ListingOut(Schema):
    id: int
    code: str
    checkout_url: str
    stock: int
    is_active: bool
    snapshot: SnapshotOut


class CheckoutOut(Schema):
    code: str
    available: bool
    stock: int
    seller: SellerPublicOut
    snapshot: SnapshotOut


class ImageOut(Schema):
    sha256: str
    content_type: str
    width: int
    height: int
    url: str
