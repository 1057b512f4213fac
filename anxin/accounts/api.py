from __future__ import annotations

from django.contrib.auth import logout as session_logout
from ninja import Router, Status

from anxin.accounts import selectors, services
from anxin.accounts.models import SavedAddress, User
from anxin.accounts.schemas import (
    AddressIn,
    AddressOut,
    ApiTokenOut,
    PasswordChangeIn,
    PasswordResetConfirmIn,
    PasswordResetIn,
    PasswordResetOut,
    SellerProfileOut,
    SignupIn,
    TokenIn,
    TokenOut,
    TokensRevokedOut,
    UserOut,
)
from anxin.accounts.throttle import client_address
from anxin.api.auth import AuthedRequest
from anxin.api.types import Id

router = Router(tags=["accounts"])

RESET_ANSWER = (
    "if an account has this user name or e-mail address and an e-mail address on file, "
    "a reset link is on its way to it"
)


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
    user = services.user_signup(**payload.dict(), address=client_address(request))
    return Status(201, user_out(user))


@router.post("/auth/token", response={201: TokenOut}, auth=None)
def token(request: AuthedRequest, payload: TokenIn):
    """Throttled per user name and per address (429 `too_many_attempts`, with `retry_after`
    in seconds); a wrong password and an unknown name get the same 401."""
    user = services.user_authenticate(
        request=request, username=payload.username, password=payload.password
    )
    row, raw = services.api_token_create(user=user, name=payload.name)
    return Status(201, TokenOut(token=raw, prefix=row.prefix, expires_at=row.expires_at))


@router.get("/auth/tokens", response=list[ApiTokenOut])
def tokens(request: AuthedRequest) -> list[ApiTokenOut]:
    """Your live tokens, newest first. The tokens themselves are never shown again."""
    current = getattr(request, "anxin_token_id", None)
    return [
        ApiTokenOut(
            id=t.pk,
            name=t.name,
            prefix=t.prefix,
            created_at=t.created_at,
            last_used_at=t.last_used_at,
            expires_at=t.expires_at,
            current=t.pk == current,
        )
        for t in selectors.api_tokens_live(request.auth)
    ]


@router.delete("/auth/tokens/{token_id}", response={204: None})
def token_revoke(request: AuthedRequest, token_id: Id):
    services.api_token_revoke_id(user=request.auth, token_id=token_id)
    return Status(204, None)


@router.delete("/auth/tokens", response=TokensRevokedOut)
def tokens_revoke_all(request: AuthedRequest) -> TokensRevokedOut:
    """Revoke every token of yours, this one included."""
    return TokensRevokedOut(revoked=services.api_tokens_revoke_all(user=request.auth))


@router.post("/auth/password", response={204: None})
def password_change(request: AuthedRequest, payload: PasswordChangeIn):
    """Needs the current password. Every API token (this one included) and every other
    session ends: sign in again for a new token."""
    services.password_change(
        request=request,
        user=request.auth,
        current_password=payload.current_password,
        new_password=payload.new_password,
    )
    return Status(204, None)


@router.post("/auth/password-reset", response={202: PasswordResetOut}, auth=None)
def password_reset(request: AuthedRequest, payload: PasswordResetIn):
    """Mails a one-time link (valid ANXIN_PASSWORD_RESET_MINUTES). The answer is the same
    whether or not the account exists."""
    services.password_reset_request(login=payload.username, address=client_address(request))
    return Status(202, PasswordResetOut(detail=RESET_ANSWER))


@router.post("/auth/password-reset/confirm", response={204: None}, auth=None)
def password_reset_confirm(request: AuthedRequest, payload: PasswordResetConfirmIn):
    """`uid` and `token` are the last two parts of the mailed link. Ends every session and
    every API token of the account."""
    services.password_reset_confirm(
        uid=payload.uid, token=payload.token, new_password=payload.new_password
    )
    return Status(204, None)


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
        session_logout(request)
    return Status(204, None)


def address_out(a: SavedAddress) -> AddressOut:
    return AddressOut(
        id=a.pk,
        recipient_name=a.recipient_name,
        recipient_phone=a.recipient_phone,
        shipping_address=a.shipping_address,
        is_default=a.is_default,
        created_at=a.created_at,
    )


@router.get("/me/addresses", response=list[AddressOut])
def addresses(request: AuthedRequest) -> list[AddressOut]:
    """Your address book: the default first, then the newest."""
    return [address_out(a) for a in selectors.addresses_of(request.auth)]


@router.post("/me/addresses", response={201: AddressOut})
def address_add(request: AuthedRequest, payload: AddressIn):
    """Checked as the checkout checks a recipient. The same address again is not added twice;
    at most 20 (409 `too_many_addresses`)."""
    row = services.address_save(
        user=request.auth,
        recipient_name=payload.recipient_name,
        recipient_phone=payload.recipient_phone,
        shipping_address=payload.shipping_address,
        make_default=payload.is_default,
    )
    return Status(201, address_out(row))


@router.post("/me/addresses/{address_id}/default", response=AddressOut)
def address_default(request: AuthedRequest, address_id: Id) -> AddressOut:
    """Make this the address the checkout fills in."""
    return address_out(services.address_default_set(user=request.auth, address_id=address_id))


@router.delete("/me/addresses/{address_id}", response={204: None})
def address_delete(request: AuthedRequest, address_id: Id):
    services.address_delete(user=request.auth, address_id=address_id)
    return Status(204, None)
