from __future__ import annotations

from django.contrib.auth import authenticate
from ninja import Router, Status

from anxin.accounts import services
from anxin.accounts.models import User
from anxin.accounts.schemas import SellerProfileOut, SignupIn, TokenIn, TokenOut, UserOut
from anxin.api.auth import AuthedRequest
from anxin.core.errors import Unauthorized

router = Router(tags=["accounts"])


def user_out(user: User) -> UserOut:
    profile = getattr(user, "seller_profile", None) if user.role == "seller" else None
    return UserOut(
        id=user.pk,
        username=user.username,
        display_name=str(user),
        role=user.role,
        seller_profile=SellerProfileOut(
            shop_name=profile.shop_name,
            contact_phone=profile.contact_phone,
            wechat_id=profile.wechat_id,
        )
        if profile
        else None,
    )


@router.post("/auth/signup", response={201: UserOut}, auth=None)
def signup(request: AuthedRequest, payload: SignupIn):
    user = services.user_signup(**payload.dict())
    return Status(201, user_out(user))


@router.post("/auth/token", response={201: TokenOut}, auth=None)
def token(request: AuthedRequest, payload: TokenIn):
    user = authenticate(request, username=payload.username, password=payload.password)
    if user is None:
        raise Unauthorized("username or password is wrong", code="bad_credentials")
    row, raw = services.api_token_create(user=user, name=payload.name)
    return Status(201, TokenOut(token=raw, prefix=row.prefix))


@router.get("/me", response=UserOut)
def me(request: AuthedRequest) -> UserOut:
    return user_out(request.auth)


@router.post("/auth/logout", response={204: None})
def logout(request: AuthedRequest):
    """End this session: revoke the bearer token the request carries, or log the browser
    session out."""
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        services.api_token_revoke(user=request.auth, token=header[7:].strip())
    else:
        from django.contrib.auth import logout as session_logout

        session_logout(request)
    return Status(204, None)
