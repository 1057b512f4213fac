"""What the notices page, the menu and the API read."""

from __future__ import annotations

from django.db.models import QuerySet

from anxin.accounts.models import User
from anxin.notices.models import Notification


def notices_of(user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user)


def notices_list(user: User, *, limit: int = 100) -> list[Notification]:
    """The user's latest notices, newest first."""
    return list(notices_of(user).order_by("-created_at", "-pk")[:limit])


def notices_unread_count(user: User) -> int:
    return notices_of(user).filter(read_at__isnull=True).count()
