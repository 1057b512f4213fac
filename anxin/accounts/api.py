from __future__ import annotations

from django.contrib.auth import logout as session_logout
from ninja import Router, Status

from anxin.accounts import phone, selectors, services, twofactor
from anxin.accounts.models import SavedAddress, User
from anxin.accounts.schemas import (
    AddressIn,
    AddressOut,
    ApiTokenOut,
    PasswordChangeIn,
    PasswordResetConfirmIn,
    PasswordResetIn,
    PasswordResetOut,
    PhoneCodeIn,
    PhoneCodeOut,
    PhoneTokenIn,
    PhoneTokenOut,
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
from anxin.core.errors import Unauthorized

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
    in seconds); a wrong password and an unknown name get the same 401. Operators and
    regulators also give `otp`, a code of their authenticator app (or a backup code): without
    it 401 `second_factor_required`, wrong 401 `second_factor_wrong`. Accounts that have no
    app yet enrol one on the web sign-in page first."""
    user = services.user_authenticate(
        request=request, username=payload.username, password=payload.password
    )
    if twofactor.required(user):
        if not payload.otp:
            raise Unauthorized(
                "otp: this account signs in with a second factor; give the code of its "
                "authenticator app",
                code="second_factor_required",
                field="otp",
            )
        if twofactor.verify(user, payload.otp) is None:
            raise Unauthorized(
                "otp: this code is wrong or already used", code="second_factor_wrong", field="otp"
            )
    row, raw = services.api_token_create(user=user, name=payload.name)
    return Status(201, TokenOut(token=raw, prefix=row.prefix, expires_at=row.expires_at))


PHONE_CODE_ANSWER = "a code is on its way to this number by text message"


@router.post("/auth/phone/code", response={202: PhoneCodeOut}, auth=None)
def phone_code(request: AuthedRequest, payload: PhoneCodeIn):
    """Texts a 6-digit sign-in code to a mainland mobile number, whether or not it has an
    account (the answer is the same). At most one a minute, and a few an hour and a day, per
    number and per address: 429 `too_many_codes` with `retry_after` in seconds. 422
    `phone_invalid` for a number that is not a mainland mobile; 503 `sms_unavailable` if the
    SMS provider did not take the message."""
    sent = phone.code_send(phone=payload.phone, address=client_address(request))
    return Status(
        202,
        PhoneCodeOut(
            detail=PHONE_CODE_ANSWER, expires_in=sent.expires_in, resend_after=sent.resend_after
        ),
    )


@router.post("/auth/phone/token", response={201: PhoneTokenOut}, auth=None)
def phone_token(request: AuthedRequest, payload: PhoneTokenIn):
    """Signs in with the number and its code: a token for the account with this number, or
    for a new buyer account made for it (`new_account`). A code works once, for a few
    minutes; wrong, used and expired codes get the same 422 `code_wrong`, and a few wrong
    tries burn the code. Staff accounts are refused (403 `phone_staff`)."""
    user, created = phone.phone_sign_in(phone=payload.phone, code=payload.code)
    row, raw = services.api_token_create(user=user, name=payload.name)
    return Status(
        201,
        PhoneTokenOut(token=raw, prefix=row.prefix, expires_at=row.expires_at, new_account=created),
    )


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
