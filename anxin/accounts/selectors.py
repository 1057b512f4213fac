from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone

from anxin.accounts.models import ApiToken, SavedAddress, User


def api_tokens_live(user: User) -> QuerySet[ApiToken]:
    """The user's tokens that still work, newest first."""
    return ApiToken.objects.filter(
        user=user, revoked_at__isnull=True, expires_at__gt=timezone.now()
    ).order_by("-created_at", "-pk")


def addresses_of(user: User) -> QuerySet[SavedAddress]:
    """The user's saved addresses: the default first, then the newest."""
    return SavedAddress.objects.filter(user=user).order_by("-is_default", "-created_at", "-pk")


def address_of(user: User, address_id: int) -> SavedAddress | None:
    """One of the user's saved addresses, or None (also for someone else's)."""
    return SavedAddress.objects.filter(user=user, pk=address_id).first()


def address_default(user: User) -> SavedAddress | None:
    return SavedAddress.objects.filter(user=user, is_default=True).first()
