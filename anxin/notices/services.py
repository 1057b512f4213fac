"""Sending notices: one call for every app, in the app and by e-mail (queued, sent by a
worker), and marking them read."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar, Protocol

from django.db import connection
from django.utils import timezone

from anxin.accounts.models import User
from anxin.core.sql import insert_many
from anxin.core.tasks_backend import enqueue_each
from anxin.notices.models import Notification
from anxin.notices.tasks import notice_email_task


class Subject(Protocol):
    """What a notice can be about: a model instance with a number (a case, an order)."""

    number: str
    _meta: ClassVar[Any]


def subject_of(subject: Subject | None) -> str:
    return f"{subject._meta.model_name}:{subject.number}" if subject is not None else ""


def notices_build(
    users: Iterable[User | int | None], kind: str, *, subject: Subject | None = None, **params: Any
) -> list[Notification]:
    """The notices, unsaved: one per user (each once, none for a missing user)."""
    now = timezone.now()
    about = subject_of(subject)
    ids = sorted({u if isinstance(u, int) else u.pk for u in users if u is not None})
    return [
        Notification(user_id=u, subject=about, kind=kind, params=params, created_at=now)
        for u in ids
    ]


def notices_save(rows: list[Notification], *, email: bool = True) -> None:
    """The notices in one INSERT and, with `email`, their e-mails' queue rows in another."""
    if not rows:
        return
    # As bulk_create saves them (each field's pre_save, the keys read back), with the arrays
    # sent in binary (core.sql.insert_many): Django's UNNEST insert sends them as text,
    # whose quoting cost the driver more than the rest of the statement.
    fields = [f for f in Notification._meta.concrete_fields if not f.primary_key]
    values = [{f.name: f.pre_save(n, add=True) for f in fields} for n in rows]  # type: ignore[union-attr]
    if not email:
        insert_many(Notification, values)
        return
    keys = insert_many(Notification, values, returning=True)
    for n, pk in zip(rows, keys, strict=True):
        n.pk = pk
        n._state.adding = False
        n._state.db = connection.alias
    enqueue_each(notice_email_task, [(pk,) for pk in keys])


def notice_send(
    users: Iterable[User | int | None],
    kind: str,
    *,
    subject: Subject | None = None,
    email: bool = True,
    **params: Any,
) -> None:
    """An in-app notice for each user, and (with `email`) an e-mail queued with it. `kind`
    names the text (notices.texts.TEXTS); `params` fill it in."""
    notices_save(notices_build(users, kind, subject=subject, **params), email=email)


def notices_mark_read(user: User, *, pk: int | None = None) -> int:
    """Mark the user's unread notices read (one, when `pk` is given); how many changed."""
    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    if pk is not None:
        unread = unread.filter(pk=pk)
    return unread.update(read_at=timezone.now())
