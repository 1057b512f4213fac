"""The replica router and the view marker, without a replica (the real streaming replica is
tried in anxin/ops/tests/test_replica.py on PostgreSQL)."""

from __future__ import annotations

import os
import subprocess
import sys

from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory

from anxin.core import replica


def test_a_marked_view_reads_the_primary_when_no_replica_is_configured(settings) -> None:
    # Given no replica alias, and a view marked to read from the replica
    assert "replica" not in settings.DATABASES
    seen = []

    @replica.replica_reads()
    def view(request: HttpRequest) -> HttpResponse:
        seen.append(replica.ReplicaRouter().db_for_read(None))
        return HttpResponse("ok")

    # When it is asked for
    view(RequestFactory().get("/"))
    # Then its reads go to the default alias
    assert seen == [None]


def test_only_the_get_of_a_chosen_reader_is_read_from_the_replica(settings) -> None:
    # Given a replica alias, and a view marked for readers the predicate accepts
    settings.DATABASES = {**settings.DATABASES, "replica": settings.DATABASES["default"]}
    seen = []

    @replica.replica_reads(when=lambda request: request.GET.get("who") == "visitor")
    def view(request: HttpRequest) -> HttpResponse:
        seen.append(replica.ReplicaRouter().db_for_read(None))
        return HttpResponse("ok")

    factory = RequestFactory()
    # When a visitor, someone else, and a visitor's POST ask for it
    view(factory.get("/?who=visitor"))
    view(factory.get("/?who=seller"))
    view(factory.post("/?who=visitor"))
    # Then only the visitor's GET reads the replica
    assert seen == ["replica", None, None]
    # And writes and migrations never go to it
    assert replica.ReplicaRouter().db_for_write(None) is None
    assert replica.ReplicaRouter().allow_migrate("replica", "orders") is False


def test_a_replica_without_postgresql_is_refused_at_start() -> None:
    # Given a replica URL but no DATABASE_URL (the SQLite demo)
    env = {
        k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")
    }
    env["ANXIN_REPLICA_DATABASE_URL"] = "postgres://anxin@127.0.0.1:5999/anxin"
    # When the settings are read
    done = subprocess.run(
        [sys.executable, "-c", "import anxin.settings"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    # Then they are refused, saying why
    assert done.returncode != 0
    assert "ANXIN_REPLICA_DATABASE_URL: a replica needs PostgreSQL" in done.stderr
