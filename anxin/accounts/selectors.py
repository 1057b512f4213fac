from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone

from anxin.accounts.models import ApiToken, User


def api_tokens_live(user: User) -> QuerySet[ApiToken]:
    """The user's tokens that still work, newest first."""
    return ApiToken.objects.filter(
        user=user, revoked_at__isnull=True, expires_at__gt=timezone.now()
    ).order_by("-created_at", "-pk")
