from __future__ import annotations

from ninja import Schema
from pydantic import Field


class SignupIn(Schema):
    username: str = Field(max_length=32)
    password: str = Field(max_length=128)
    role: str = Field(description="buyer or seller")
    display_name: str = Field("", max_length=80)
    shop_name: str = Field("", max_length=80)
    contact_phone: str = Field("", max_length=32)
    wechat_id: str = Field("", max_length=64)


class TokenIn(Schema):
    username: str = Field(max_length=150)
    password: str = Field(max_length=128)
    name: str = Field("api", max_length=64)


class TokenOut(Schema):
    token: str
    prefix: str


class SellerProfileOut(Schema):
    shop_name: str
    contact_phone: str
    wechat_id: str


class UserOut(Schema):
    id: int
    username: str
    display_name: str
    role: str
    seller_profile: SellerProfileOut | None = None
