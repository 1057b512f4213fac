"""The notices page: opening it (a GET) changes nothing, so a prefetching browser or a link
checker cannot mark notices read; marking one read, or all, is a POST of the user's own."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.test import Client
from django.utils import timezone

from anxin.notices.models import Notification

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _database() -> dict[str, list[str]]:
    """Every row of every table, to show that a request changed nothing."""

    def row(values: tuple) -> str:
        return repr([bytes(v) if isinstance(v, memoryview) else v for v in values])

    return {
        m._meta.label: sorted(map(row, m._default_manager.values_list()))
        for m in apps.get_models()
        if m._meta.label != "sessions.Session"
    }


def _notice(user, kind: str = "reminder") -> Notification:
    return Notification.objects.create(user=user, kind=kind, created_at=timezone.now())


def test_opening_the_notices_changes_nothing_and_marking_read_is_a_post(
    seller, other_seller
) -> None:
    # Given a seller with three notices, and another seller with one
    mine = [_notice(seller), _notice(seller, "reverify"), _notice(seller, "blacklist_notice")]
    theirs = _notice(other_seller)
    c = client_for(seller)
    before = _database()
    # When she opens her notices page
    page = c.get("/notices/")
    # Then it lists her three and offers to mark all read
    assert page.status_code == 200
    assert page.content.decode().count('data-testid="notice"') == 3
    assert 'data-testid="read-all"' in page.content.decode()
    # And opening it again, as a prefetcher would, changed nothing in the database
    c.get("/notices/")
    assert _database() == before
    # When she marks one read
    r = c.post("/notices/", {"notice": mine[1].pk})
    # Then only that one is read
    assert r.status_code == 302
    assert r["Location"] == "/notices/"
    assert [n.pk for n in Notification.objects.filter(read_at__isnull=False)] == [mine[1].pk]
    # When she marks someone else's notice, or one that is not a number
    before = _database()
    # Then each is refused and nothing changed
    assert c.post("/notices/", {"notice": theirs.pk}).status_code == 404
    bad = c.post("/notices/", {"notice": "1; DROP"})
    assert bad.status_code == 422
    assert "notice" in bad.content.decode()
    assert _database() == before
    # When she marks all read
    c.post("/notices/")
    # Then all hers are read, not anyone else's, and the page no longer offers it
    assert set(Notification.objects.filter(read_at__isnull=False).values_list("pk", flat=True)) == {
        n.pk for n in mine
    }
    assert 'data-testid="read-all"' not in c.get("/notices/").content.decode()
