from __future__ import annotations

import datetime as dt

from ninja import Schema
from pydantic import Field


class SignupIn(Schema):
    username: str = Field(max_length=32)
    password: str = Field(max_length=128)
    role: str = Field(description="buyer or seller")
    display_name: str = Field("", max_length=80)
    email: str = Field("", max_length=254, description="where password-reset links go")
    shop_name: str = Field("", max_length=80)
    contact_phone: str = Field("", max_length=32)
    wechat_id: str = Field("", max_length=64)


class TokenIn(Schema):
    username: str = Field(max_length=150)
    password: str = Field(max_length=128)
    name: str = Field("api", max_length=64)
    otp: str = Field(
        "",
        max_length=16,
        description="operators and regulators: the current code of their authenticator app, "
        "or a backup code",
    )


class PhoneCodeIn(Schema):
    phone: str = Field(max_length=20, description="a mainland China mobile number")


class PhoneCodeOut(Schema):
    detail: str
    expires_in: int = Field(description="seconds the code works")
    resend_after: int = Field(description="seconds before another code can be asked for")


class PhoneTokenIn(Schema):
    phone: str = Field(max_length=20)
    code: str = Field(max_length=16, description="the 6-digit code sent by text message")
    name: str = Field("api", max_length=64)


class TokenOut(Schema):
    token: str
    prefix: str
    expires_at: dt.datetime


class PhoneTokenOut(TokenOut):
    new_account: bool = Field(description="the number had no account: a buyer account was made")


class ApiTokenOut(Schema):
    """A token as its owner sees it later: never the token itself."""

    id: int
    name: str
    prefix: str
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    expires_at: dt.datetime
    current: bool = Field(description="the token this request was made with")


class TokensRevokedOut(Schema):
    revoked: int


class PasswordChangeIn(Schema):
    current_password: str = Field(max_length=128)
    new_password: str = Field(max_length=128)


class PasswordResetIn(Schema):
    username: str = Field(max_length=254, description="user name or e-mail address")


class PasswordResetOut(Schema):
    detail: str


class PasswordResetConfirmIn(Schema):
    uid: str = Field(max_length=64)
    token: str = Field(max_length=128)
    new_password: str = Field(max_length=128)


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


class AddressIn(Schema):
    recipient_name: str = Field(max_length=60)
    recipient_phone: str = Field(max_length=32, description="a mainland mobile or a landline")
    shipping_address: str = Field(max_length=300)
    is_default: bool = Field(False, description="make it the address the checkout fills in")


class AddressOut(Schema):
    id: int
    recipient_name: str
    recipient_phone: str
    shipping_address: str
    is_default: bool
    created_at: dt.datetime
