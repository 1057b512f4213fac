from __future__ import annotations

import hashlib
import re
import secrets

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from anxin.accounts.models import SELF_SERVICE_ROLES, ApiToken, Role, SellerProfile, User
from anxin.core.errors import Conflict, ValidationFailed
from anxin.core.text import clean_phone, clean_text

_USERNAME = re.compile(r"^[A-Za-z0-9_.-]{3,32}$")


@transaction.atomic
def user_signup(
    *,
    username: str,
    password: str,
    role: str,
    display_name: str = "",
    shop_name: str = "",
    contact_phone: str = "",
    wechat_id: str = "",
) -> User:
    if role not in SELF_SERVICE_ROLES:
        raise ValidationFailed(f"role: must be buyer or seller, not {role!r}", field="role")
    if not _USERNAME.match(username or ""):
        raise ValidationFailed(
            "username: 3 to 32 letters, digits, '.', '_' or '-'", field="username"
        )
    if User.objects.filter(username__iexact=username).exists():
        raise Conflict("username: already taken", code="username_taken", field="username")
    display_name = clean_text(display_name, "display_name", 80, required=False) or username
    try:
        validate_password(password)
    except ValidationError as e:
        raise ValidationFailed("password: " + " ".join(e.messages), field="password") from None
    user = User(username=username, role=role, display_name=display_name)
    user.set_password(password)
    user.save()
    if role == Role.SELLER:
        seller_profile_update(
            user=user,
            shop_name=shop_name or display_name,
            contact_phone=contact_phone,
            wechat_id=wechat_id,
        )
    return user


@transaction.atomic
def seller_profile_update(
    *, user: User, shop_name: str, contact_phone: str, wechat_id: str
) -> SellerProfile:
    if user.role != Role.SELLER:
        raise ValidationFailed("only sellers have a seller profile")
    shop_name = clean_text(shop_name, "shop_name", 80)
    contact_phone = clean_phone(contact_phone, "contact_phone", required=False)
    wechat_id = clean_text(wechat_id, "wechat_id", 64, required=False)
    profile, _ = SellerProfile.objects.update_or_create(
        user=user,
        defaults={"shop_name": shop_name, "contact_phone": contact_phone, "wechat_id": wechat_id},
    )
    return profile


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def api_token_create(*, user: User, name: str = "api") -> tuple[ApiToken, str]:
    token = "ax_" + secrets.token_urlsafe(32)
    row = ApiToken.objects.create(
        user=user, name=clean_text(name, "name", 64), prefix=token[:10], digest=_digest(token)
    )
    return row, token


def api_token_authenticate(token: str) -> User | None:
    try:
        row = ApiToken.objects.select_related("user").get(
            digest=_digest(token), revoked_at__isnull=True
        )
    except ApiToken.DoesNotExist:
        return None
    if not row.user.is_active:
        return None
    ApiToken.objects.filter(pk=row.pk).update(last_used_at=timezone.now())
    return row.user


@transaction.atomic
def api_token_revoke(*, user: User, token: str) -> bool:
    """Log a program out: the bearer token stops working at once. True if it was live."""
    return bool(
        ApiToken.objects.filter(digest=_digest(token), user=user, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
    )
