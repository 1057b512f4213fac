from __future__ import annotations

from django.contrib.auth import authenticate
from django.http import HttpRequest
from ninja import Router

from anxin.accounts import services
from anxin.accounts.models import User
from anxin.accounts.schemas import SignupIn, TokenIn, TokenOut, UserOut
from anxin.core.errors import Unauthorized

router = Router(tags=["accounts"])


def user_out(user: User) -> UserOut:
    profile = getattr(user, "seller_profile", None) if user.role == "seller" else None
    return UserOut(id=user.pk, username=user.username, display_name=str(user), role=user.role,
                   seller_profile=profile and {"shop_name": profile.shop_name,
                                               "contact_phone": profile.contact_phone,
                                               "wechat_id": profile.wechat_id})


@router.post("/auth/signup", response={201: UserOut}, auth=None)
def signup(request: HttpRequest, payload: SignupIn):  # noqa: ANN201
    user = services.user_signup(**payload.dict())
    return 201, user_out(user)


@router.post("/auth/token", response={201: TokenOut}, auth=None)
def token(request: HttpRequest, payload: TokenIn):  # noqa: ANN201
    user = authenticate(request, username=payload.username, password=payload.password)
    if user is None:
        raise Unauthorized("username or password is wrong", code="bad_credentials")
    row, raw = services.api_token_create(user=user, name=payload.name)
    return 201, TokenOut(token=raw, prefix=row.prefix)


@router.get("/me", response=UserOut)
def me(request: HttpRequest) -> UserOut:
    return user_out(request.auth)
