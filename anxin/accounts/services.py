from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets

from django.conf import settings
from django.contrib.auth import authenticate, update_session_auth_hash
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode

from anxin.accounts.models import (
    SELF_SERVICE_ROLES,
    ApiToken,
    RateWindow,
    Role,
    SavedAddress,
    SellerProfile,
    User,
)
from anxin.accounts.tasks import password_reset_mail_task
from anxin.accounts.throttle import TooManyAttempts, quota_take, signin_refused
from anxin.core import hooks
from anxin.core.divisions import division_clean
from anxin.core.errors import Conflict, NotFound, Unauthorized, ValidationFailed, msg
from anxin.core.text import clean_phone, clean_recipient_phone, clean_text

_USERNAME = re.compile(r"^[A-Za-z0-9_.-]{3,32}$")
# Reset mails one account receives in an hour, whoever asks: more would let anyone flood an
# inbox; the asker is told the same either way.
RESET_MAILS_PER_HOUR = 3


def _check_password(password: str, user: User, field: str) -> None:
    try:
        validate_password(password, user)
    except ValidationError as e:
        # Django's validators already speak the active language; the template keeps the field.
        raise ValidationFailed(
            msg("{field}: {problems}", field=field, problems=" ".join(e.messages)), field=field
        ) from None


def _clean_email(email: str) -> str:
    email = clean_text(email, "email", 254, required=False)
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise ValidationFailed("email: not an e-mail address", field="email") from None
    return email


def user_signup(
    *,
    username: str,
    password: str,
    role: str,
    display_name: str = "",
    email: str = "",
    shop_name: str = "",
    contact_phone: str = "",
    wechat_id: str = "",
    address: str | None = None,
) -> User:
    """Whether a name is taken is only told to a complete, valid sign-up (a strong password
    included), after the password has been hashed as a real sign-up's is, and each such answer
    counts against the address's hourly quota (`address`; None for the demo and tests), as a
    sign-up does: names cannot be harvested quickly, nor told apart by the time taken."""
    if role not in SELF_SERVICE_ROLES:
        raise ValidationFailed(
            msg("role: must be buyer or seller, not {role}", role=repr(role)), field="role"
        )
    if not _USERNAME.match(username or ""):
        raise ValidationFailed(
            "username: 3 to 32 letters, digits, '.', '_' or '-'", field="username"
        )
    display_name = clean_text(display_name, "display_name", 80, required=False) or username
    email = _clean_email(email)
    user = User(username=username, role=role, display_name=display_name, email=email)
    _check_password(password, user, "password")
    if role == Role.SELLER:
        # Checked now, so that a refused profile never leaves an account behind.
        clean_text(shop_name or display_name, "shop_name", 80)
        clean_phone(contact_phone, "contact_phone", required=False)
        clean_text(wechat_id, "wechat_id", 64, required=False)
    if address is not None:
        wait = quota_take(
            scope="signup", key=address, limit=settings.ANXIN_ACCOUNT_REQUESTS_PER_HOUR
        )
        if wait:
            raise TooManyAttempts(
                "too many sign-ups from this address; try again later", retry_after=wait
            )
    user.password = make_password(password)
    return _user_create(user, shop_name=shop_name, contact_phone=contact_phone, wechat_id=wechat_id)


@transaction.atomic
def _user_create(user: User, *, shop_name: str, contact_phone: str, wechat_id: str) -> User:
    taken = Conflict("username: already taken", code="username_taken", field="username")
    if User.objects.filter(username__iexact=user.username).exists():
        raise taken
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:  # the same name signed up a moment ago
        raise taken from None
    if user.role == Role.SELLER:
        seller_profile_update(
            user=user,
            shop_name=shop_name or user.display_name,
            contact_phone=contact_phone,
            wechat_id=wechat_id,
        )
    return user


@transaction.atomic
def seller_profile_update(
    *,
    user: User,
    shop_name: str,
    contact_phone: str,
    wechat_id: str,
    return_address: str | None = None,
    address_region: str | None = None,
) -> SellerProfile:
    """Saves the shop profile; `return_address` or `address_region` None keeps the one on
    file ("" clears the region)."""
    if user.role != Role.SELLER:
        raise ValidationFailed("only sellers have a seller profile")
    shop_name = clean_text(shop_name, "shop_name", 80)
    contact_phone = clean_phone(contact_phone, "contact_phone", required=False)
    wechat_id = clean_text(wechat_id, "wechat_id", 64, required=False)
    defaults = {"shop_name": shop_name, "contact_phone": contact_phone, "wechat_id": wechat_id}
    if return_address is not None:
        defaults["return_address"] = clean_text(
            return_address, "return_address", 300, required=False, multiline=True
        )
    if address_region is not None:
        defaults["address_region"] = (
            division_clean(address_region, "address_region") if address_region else ""
        )
    # What the seller showed until now, read under the row's lock: the public figures count
    # its cases under its shown region and name, so a change republishes their records.
    before = (
        SellerProfile.objects.select_for_update()
        .filter(user=user)
        .values_list("shop_name", "address_region")
        .first()
    ) or ("", "")
    profile, _ = SellerProfile.objects.update_or_create(user=user, defaults=defaults)
    if (profile.shop_name, profile.address_region) != before:
        hooks.call(hooks.SELLER_SHOWN_CHANGED, seller_id=user.pk)
    return profile


# --- signing in and out ----------------------------------------------------------------------


def user_authenticate(*, request: HttpRequest, username: str, password: str) -> User:
    """Every sign-in (the web page, the API's token, a password change's current password)
    goes through here and through axes: one throttle, and one answer for a wrong password
    whether or not the name exists (Django's ModelBackend hashes the password either way)."""
    if "\x00" in username:
        # No name holds one, and PostgreSQL cannot even compare it: wrong, like any unknown name.
        raise Unauthorized("username or password is wrong", code="bad_credentials")
    user = authenticate(request, username=username, password=password)
    if user is None:
        if refused := signin_refused(request):
            raise refused
        raise Unauthorized("username or password is wrong", code="bad_credentials")
    return user  # type: ignore[return-value]


def _revoke_everything(user: User) -> None:
    """Ends every session (on every device) and every API token of the user."""
    now = timezone.now()
    ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=now)
    User.objects.filter(pk=user.pk).update(session_epoch=F("session_epoch") + 1)
    user.refresh_from_db(fields=["session_epoch"])


@transaction.atomic
def user_sign_out_everywhere(*, user: User) -> None:
    _revoke_everything(user)


def _confirm_password(request: HttpRequest, user: User, current_password: str) -> None:
    """The user's current password, checked as a sign-in (and throttled as one)."""
    try:
        user_authenticate(request=request, username=user.username, password=current_password)
    except Unauthorized:
        raise ValidationFailed(
            "current_password: this is not your current password",
            code="wrong_password",
            field="current_password",
        ) from None


def password_change(
    *, request: HttpRequest, user: User, current_password: str, new_password: str
) -> None:
    """Needs the current password (throttled as a sign-in is). Every other session and every
    API token ends; the session making the change, if any, stays signed in."""
    _confirm_password(request, user, current_password)
    _check_password(new_password, user, "new_password")
    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password"])
        _revoke_everything(user)
    if getattr(request, "user", None) is not None and request.user.pk == user.pk:
        update_session_auth_hash(request, user)


def user_email_change(
    *, request: HttpRequest, user: User, email: str, current_password: str
) -> User:
    """The address reset links go to: changing it needs the password, or a stolen session
    could take the account over through a reset. Not one transaction: a wrong password's
    failure must stay recorded for the throttle when the change is refused."""
    email = _clean_email(email)
    _confirm_password(request, user, current_password)
    user.email = email
    user.save(update_fields=["email"])
    return user


# --- password reset --------------------------------------------------------------------------


def password_reset_request(*, login: str, address: str | None) -> None:
    """Mails a reset link to the account with this user name or e-mail address, if there is
    one with an address. The caller answers the same whatever happened: nothing here tells
    whether the account exists."""
    login = (login or "").replace("\x00", "").strip()[:254]
    if not login:
        raise ValidationFailed("username: required", field="username")
    if address is not None:
        wait = quota_take(
            scope="reset", key=address, limit=settings.ANXIN_ACCOUNT_REQUESTS_PER_HOUR
        )
        if wait:
            raise TooManyAttempts(
                "too many reset requests from this address; try again later", retry_after=wait
            )
    found = User.objects.filter(
        Q(username__iexact=login) | Q(email__iexact=login), is_active=True
    ).exclude(email="")
    for user in found[:5]:
        if not user.has_usable_password():
            continue
        if quota_take(scope="reset-mail", key=str(user.pk), limit=RESET_MAILS_PER_HOUR):
            continue
        password_reset_mail_task.enqueue(user.pk)


def password_reset_user(*, uid: str, token: str) -> User | None:
    """The account a reset link is for, if the link is genuine, unused and not expired."""
    try:
        pk = int(force_str(urlsafe_base64_decode(uid)))
    except (ValueError, TypeError, OverflowError):
        return None
    user = User.objects.filter(pk=pk, is_active=True).first()
    if user is None or not default_token_generator.check_token(user, token):
        return None
    return user


def password_reset_confirm(*, uid: str, token: str, new_password: str) -> User:
    user = password_reset_user(uid=uid, token=token)
    if user is None:
        raise ValidationFailed(
            "token: this reset link is invalid, used or expired; ask for a new one",
            code="reset_link_invalid",
            field="token",
        )
    _check_password(new_password, user, "new_password")
    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password"])
        _revoke_everything(user)
    # Whoever holds the mailbox is the owner: a lock on the name (perhaps kept up by a
    # guesser) no longer stands between them and their account.
    from axes.handlers.proxy import AxesProxyHandler

    AxesProxyHandler.reset_attempts(username=user.username.lower())
    return user


# --- API tokens ------------------------------------------------------------------------------


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def api_token_create(*, user: User, name: str = "api") -> tuple[ApiToken, str]:
    token = "ax_" + secrets.token_urlsafe(32)
    now = timezone.now()
    row = ApiToken.objects.create(
        user=user,
        name=clean_text(name, "name", 64),
        prefix=token[:10],
        digest=_digest(token),
        expires_at=now + dt.timedelta(days=settings.ANXIN_API_TOKEN_DAYS),
    )
    # Past the cap, the oldest live tokens go: a script that signs in on every run cannot
    # pile up live credentials.
    live = ApiToken.objects.filter(user=user, revoked_at__isnull=True, expires_at__gt=now)
    extra = list(
        live.order_by("-created_at", "-pk").values_list("pk", flat=True)[
            settings.ANXIN_API_TOKENS_PER_USER :
        ]
    )
    if extra:
        ApiToken.objects.filter(pk__in=extra).update(revoked_at=now)
    return row, token


def api_token_authenticate(token: str) -> ApiToken | None:
    """The live token row for a bearer token (its user loaded), or None."""
    now = timezone.now()
    row = (
        ApiToken.objects.select_related("user")
        .filter(digest=_digest(token), revoked_at__isnull=True, expires_at__gt=now)
        .first()
    )
    if row is None or not row.user.is_active:
        return None
    ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
    return row


@transaction.atomic
def api_token_revoke(*, user: User, token: str) -> bool:
    """Log a program out: the bearer token stops working at once. True if it was live."""
    return bool(
        ApiToken.objects.filter(digest=_digest(token), user=user, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
    )


@transaction.atomic
def api_token_revoke_id(*, user: User, token_id: int) -> None:
    """Revoke one of the user's own live tokens; another's, or none, is the same 404."""
    done = ApiToken.objects.filter(
        pk=token_id, user=user, revoked_at__isnull=True, expires_at__gt=timezone.now()
    ).update(revoked_at=timezone.now())
    if not done:
        raise NotFound(
            msg("token {token_id}: not found", token_id=token_id), code="token_not_found"
        )


@transaction.atomic
def api_tokens_revoke_all(*, user: User) -> int:
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


def accounts_purge() -> dict[str, int]:
    """For `anxin deadlines`: deletes expired and revoked API tokens, quota counts and SMS
    codes older than a day, and sign-in failures past the throttle's memory (which axes
    otherwise clears only when someone next signs in)."""
    from axes.models import AccessAttempt

    now = timezone.now()
    tokens, _n = ApiToken.objects.filter(
        Q(expires_at__lte=now) | Q(revoked_at__isnull=False)
    ).delete()
    RateWindow.objects.filter(start__lt=now - dt.timedelta(days=1)).delete()
    AccessAttempt.objects.filter(
        attempt_time__lt=now - dt.timedelta(hours=settings.AXES_COOLOFF_TIME)
    ).delete()
    from anxin.accounts.phone import codes_purge

    codes_purge(now)
    return {"api_tokens_purged": tokens}


# --- the address book -------------------------------------------------------------------------

# Enough for home, work, parents and a few friends; more is a list nobody can pick from.
ADDRESSES_PER_USER = 20


def address_clean(
    *, recipient_name: str, recipient_phone: str, shipping_address: str
) -> tuple[str, str, str]:
    """A recipient as the checkout takes one (orders.services.order_create checks the same
    fields with the same rules, so a saved address is always one the checkout accepts)."""
    return (
        clean_text(recipient_name, "recipient_name", 60),
        clean_recipient_phone(recipient_phone, "recipient_phone"),
        clean_text(shipping_address, "shipping_address", 300, multiline=True),
    )


@transaction.atomic
def address_save(
    *,
    user: User,
    recipient_name: str,
    recipient_phone: str,
    shipping_address: str,
    make_default: bool = False,
) -> SavedAddress:
    """Add an address to the user's book (the same one again is not added twice). The first
    address, or one saved with make_default, becomes the default."""
    name, phone, address = address_clean(
        recipient_name=recipient_name,
        recipient_phone=recipient_phone,
        shipping_address=shipping_address,
    )
    # The user's row, locked: two saves at once cannot both pass the count or both be default.
    User.objects.select_for_update().filter(pk=user.pk).first()
    mine = SavedAddress.objects.filter(user=user)
    row = mine.filter(recipient_name=name, recipient_phone=phone, shipping_address=address).first()
    if row is None:
        count = mine.count()
        if count >= ADDRESSES_PER_USER:
            raise Conflict(
                msg(
                    "address book: at most {most} addresses; delete one first",
                    most=ADDRESSES_PER_USER,
                ),
                code="too_many_addresses",
            )
        row = SavedAddress.objects.create(
            user=user,
            recipient_name=name,
            recipient_phone=phone,
            shipping_address=address,
            is_default=False,
        )
        make_default = make_default or count == 0
    if make_default and not row.is_default:
        mine.filter(is_default=True).update(is_default=False)
        row.is_default = True
        row.save(update_fields=["is_default"])
    return row


def _address_mine(user: User, address_id: int) -> SavedAddress:
    row = SavedAddress.objects.select_for_update().filter(user=user, pk=address_id).first()
    if row is None:
        # Someone else's address looks like none at all.
        raise NotFound("address: no such address in your address book", field="address")
    return row


@transaction.atomic
def address_default_set(*, user: User, address_id: int) -> SavedAddress:
    """Make one of the user's addresses the one the checkout fills in."""
    row = _address_mine(user, address_id)
    if not row.is_default:
        SavedAddress.objects.filter(user=user, is_default=True).update(is_default=False)
        row.is_default = True
        row.save(update_fields=["is_default"])
    return row


@transaction.atomic
def address_delete(*, user: User, address_id: int) -> None:
    """Delete one of the user's addresses. If it was the default, the newest left takes over."""
    row = _address_mine(user, address_id)
    was_default = row.is_default
    row.delete()
    if was_default:
        nxt = SavedAddress.objects.filter(user=user).order_by("-created_at", "-pk").first()
        if nxt is not None:
            nxt.is_default = True
            nxt.save(update_fields=["is_default"])
