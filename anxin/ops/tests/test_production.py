"""The production server's endpoints and logs: /health/ (the database, the task queue's
backlog, the sequencer's lag), /metrics (protected), a request id in every log line, JSON
logs; and the compose file's structure."""

from __future__ import annotations

import datetime as dt
import json
import logging
import subprocess
import sys

import pytest
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone

from anxin.conftest import child_env
from anxin.core.logs import JsonFormatter, RequestIdFilter
from anxin.evidence import sequencer
from anxin.evidence.models import Record
from anxin.evidence.services import append


def _queue_task(*, due_seconds_ago: int) -> None:
    from django_tasks_db.models import DBTaskResult

    from anxin.notices.tasks import notice_email_task

    result = notice_email_task.enqueue(1)
    DBTaskResult.objects.filter(pk=result.id).update(
        enqueued_at=timezone.now() - dt.timedelta(seconds=due_seconds_ago)
    )


def _record(*, seconds_ago: int) -> None:
    with transaction.atomic():
        rid = append(chain="test:health", kind="probe", body={"n": 1})
    Record.objects.filter(pk=rid).update(at=timezone.now() - dt.timedelta(seconds=seconds_ago))


def test_health_is_ok_when_the_queue_and_the_sequencer_keep_up(db) -> None:
    # Given a task queued a moment ago and a record the sequencer has integrated
    _queue_task(due_seconds_ago=5)
    _record(seconds_ago=5)
    sequencer.integrate_all()
    # When a probe asks for the health, without session or sign-in
    r = Client().get("/health/")
    # Then every check passes, in JSON, not to be cached
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["status"] == "ok"
    assert {name: c["ok"] for name, c in body["checks"].items()} == {
        "Database": True,
        "TaskQueue": True,
        "Sequencer": True,
    }
    assert "no-cache" in r["Cache-Control"]
    assert "sessionid" not in r.cookies


def test_health_is_503_naming_the_count_when_tasks_wait_too_long(db, settings) -> None:
    # Given no worker ran for 10 minutes: two tasks due that long, one due just now
    settings.ANXIN_HEALTH_TASK_DELAY_SECONDS = 300
    _queue_task(due_seconds_ago=600)
    _queue_task(due_seconds_ago=601)
    _queue_task(due_seconds_ago=1)
    # When a probe asks
    r = Client().get("/health/")
    # Then the server is unhealthy because of the queue, which names the late tasks' count
    assert r.status_code == 503
    checks = r.json()["checks"]
    assert checks["TaskQueue"]["ok"] is False
    assert "2 of 3 due tasks waiting longer than 300 s" in checks["TaskQueue"]["error"]
    assert checks["Database"]["ok"] is True
    assert checks["Sequencer"]["ok"] is True


def test_health_ignores_timers_not_yet_due(db, settings) -> None:
    # Given a timer queued long ago to run tomorrow
    from anxin.notices.tasks import notice_email_task

    settings.ANXIN_HEALTH_TASK_DELAY_SECONDS = 60
    notice_email_task.using(run_after=timezone.now() + dt.timedelta(days=1)).enqueue(1)
    # When a probe asks
    r = Client().get("/health/")
    # Then the queue is healthy: nothing is due
    assert r.status_code == 200, r.content


def test_health_is_503_when_the_sequencer_lags(db, settings) -> None:
    # Given an evidence record waiting two minutes for a sequencer that does not run
    settings.ANXIN_HEALTH_SEQUENCER_LAG_SECONDS = 60
    _record(seconds_ago=120)
    # When a probe asks
    r = Client().get("/health/")
    # Then the server is unhealthy because of the sequencer, saying how many wait and how long
    assert r.status_code == 503
    error = r.json()["checks"]["Sequencer"]["error"]
    assert "1 evidence records pending, the oldest for 12" in error
    # When the sequencer catches up
    sequencer.integrate_all()
    # Then the server is healthy again
    assert Client().get("/health/").status_code == 200


def test_health_is_503_when_the_database_does_not_answer(db, monkeypatch) -> None:
    # Given a database that refuses connections
    from django.db import OperationalError, connections

    def refuse(*args, **kwargs):
        raise OperationalError("connection refused: no server")

    monkeypatch.setattr(type(connections["default"]), "temporary_connection", refuse)
    # When a probe asks
    r = Client().get("/health/")
    # Then the server is unhealthy because of the database
    assert r.status_code == 503
    assert r.json()["checks"]["Database"]["ok"] is False


def test_health_is_not_redirected_to_https_for_a_probe_speaking_http(db, settings) -> None:
    # Given a server behind TLS (plain HTTP is redirected)
    settings.SECURE_SSL_REDIRECT = True
    # When a probe asks over plain HTTP, and a visitor opens a page
    probe = Client().get("/health/")
    page = Client().get("/law/")
    # Then the probe is answered and the visitor redirected
    assert probe.status_code == 200
    assert page.status_code == 301


def test_metrics_are_refused_without_the_token_or_an_allowed_address(db, settings) -> None:
    # Given a metrics token and one allowed network
    settings.ANXIN_METRICS_TOKEN = "s3cret-token"
    settings.ANXIN_METRICS_ALLOWED_IPS = ["10.0.0.0/8"]
    # When a stranger asks, with a wrong token, or with a forwarded allowed address
    stranger = Client(REMOTE_ADDR="203.0.113.9").get("/metrics")
    wrong = Client(REMOTE_ADDR="203.0.113.9").get(
        "/metrics", headers={"Authorization": "Bearer guess"}
    )
    forwarded = Client(REMOTE_ADDR="203.0.113.9").get(
        "/metrics", headers={"X-Forwarded-For": "10.1.2.3"}
    )
    # Then the path does not exist for them
    assert [stranger.status_code, wrong.status_code, forwarded.status_code] == [404, 404, 404]
    # When the scraper asks with the token, or from the allowed network
    by_token = Client(REMOTE_ADDR="203.0.113.9").get(
        "/metrics", headers={"Authorization": "Bearer s3cret-token"}
    )
    by_address = Client(REMOTE_ADDR="10.1.2.3").get("/metrics")
    # Then both get the metrics
    assert [by_token.status_code, by_address.status_code] == [200, 200]


def test_metrics_disabled_when_neither_token_nor_address_is_set(db, settings) -> None:
    # Given the defaults: no token, no address
    settings.ANXIN_METRICS_TOKEN = ""
    settings.ANXIN_METRICS_ALLOWED_IPS = []
    # When even the local machine asks
    r = Client(REMOTE_ADDR="127.0.0.1").get("/metrics")
    # Then there are no metrics
    assert r.status_code == 404


def test_metrics_give_latency_by_view_and_the_queue_and_sequencer_gauges(db, settings) -> None:
    # Given a scraper allowed by its address, a page visited, a late task and a pending record
    settings.ANXIN_METRICS_ALLOWED_IPS = ["127.0.0.1"]
    settings.ANXIN_HEALTH_TASK_DELAY_SECONDS = 60
    Client().get("/law/")
    _queue_task(due_seconds_ago=120)
    _record(seconds_ago=30)
    # When it scrapes
    r = Client(REMOTE_ADDR="127.0.0.1").get("/metrics")
    text = r.content.decode()
    # Then it gets Prometheus' text format with the latency histogram by view and the gauges
    assert r.status_code == 200
    assert r["Content-Type"].startswith("text/plain; version=")
    assert "django_http_requests_latency_seconds_by_view_method_bucket{" in text
    assert 'view="web:law"' in text
    assert "anxin_tasks_due 1.0" in text
    assert "anxin_tasks_late 1.0" in text
    assert "anxin_evidence_pending 1.0" in text
    lag = next(ln for ln in text.splitlines() if ln.startswith("anxin_evidence_lag_seconds "))
    assert 25 <= float(lag.split()[1]) <= 120


def test_every_log_line_of_a_request_names_its_id(db, settings, caplog) -> None:
    # Given a request id the proxy set, trusted
    settings.ANXIN_TRUST_REQUEST_ID = True
    caplog.handler.addFilter(RequestIdFilter())
    # When a request fails on the server (a view raising)
    from django.urls import path

    def boom(request):
        logging.getLogger("anxin.test").warning("about to fail")
        raise RuntimeError("boom")

    settings.ROOT_URLCONF = type("U", (), {"urlpatterns": [path("boom", boom)]})
    client = Client(raise_request_exception=False)
    with caplog.at_level(logging.WARNING):
        r = client.get("/boom", headers={"X-Request-ID": "abc-123"})
    # Then the response gives the id back, and the app's line and Django's error line carry it
    assert r.status_code == 500
    assert r["X-Request-ID"] == "abc-123"
    lines = {rec.name: rec for rec in caplog.records}
    assert lines["anxin.test"].request_id == "abc-123"
    assert lines["django.request"].request_id == "abc-123"
    assert lines["django.request"].exc_info is not None


def test_an_untrusted_or_malformed_request_id_is_replaced(db, settings) -> None:
    # Given no proxy trusted to set the request id
    settings.ANXIN_TRUST_REQUEST_ID = False
    # When a client sends one
    r = Client().get("/health/", headers={"X-Request-ID": "mine"})
    # Then the server makes its own
    assert len(r["X-Request-ID"]) == 32
    assert r["X-Request-ID"] != "mine"
    # When a trusted proxy's header holds something that is no id (a log injection)
    settings.ANXIN_TRUST_REQUEST_ID = True
    bad = Client().get("/health/", headers={"X-Request-ID": 'x" \\n{"level": "ERROR"'})
    # Then it is replaced too
    assert len(bad["X-Request-ID"]) == 32


def test_the_json_formatter_writes_one_object_a_line_with_the_traceback() -> None:
    # Given a record of an error with an exception and extra fields
    try:
        raise ValueError("bad 值")
    except ValueError:
        import sys

        rec = logging.LogRecord(
            "anxin.x", logging.ERROR, __file__, 1, "failed %s", ("once",), sys.exc_info()
        )
    rec.request_id = "r1"
    rec.order = 42
    # When it is formatted
    line = JsonFormatter().format(rec)
    # Then it is one line of JSON with the fields, the extra and the traceback
    assert "\n" not in line
    got = json.loads(line)
    assert got["level"] == "ERROR"
    assert got["logger"] == "anxin.x"
    assert got["message"] == "failed once"
    assert got["request_id"] == "r1"
    assert got["order"] == 42
    assert "ValueError: bad 值" in got["exc_info"]
    assert got["time"].endswith("+00:00")


# --- anxin serve, database metrics (child processes) -----------------------------------------


def _child(env_extra: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    env = child_env() | {"ANXIN_SECRET_KEY": "k" * 60, "ANXIN_DEBUG": "0"} | env_extra
    env = {k: v for k, v in env.items() if v is not None}
    return subprocess.run(
        [sys.executable, "-m", "anxin", *args], env=env, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize(
    ("env_extra", "reason"),
    [
        ({"ANXIN_DEBUG": "1"}, "ANXIN_DEBUG is on"),
        ({"ANXIN_SECRET_KEY": ""}, "ANXIN_SECRET_KEY is not set"),
        ({"ANXIN_STATIC_MANIFEST": "1"}, "static files not collected"),
    ],
)
def test_serve_refuses_a_state_that_is_not_production(db, tmp_path, env_extra, reason) -> None:
    # Given debug on, or no secret key of its own, or static files never collected
    env_extra = {"ANXIN_STATIC_ROOT": str(tmp_path / "static"), **env_extra}
    # When the production server is started
    out = _child(env_extra, "serve")
    # Then it refuses, saying why, and no server starts
    assert out.returncode != 0
    assert reason in out.stderr
    assert "gunicorn" not in out.stderr.lower()


DB_METRICS_SCRIPT = """
import django
django.setup()
from django.db import connections
from django.test import Client
wrapper = type(connections["default"])
assert wrapper.__module__.startswith("django_prometheus.db.backends."), wrapper
client = Client(HTTP_HOST="localhost", REMOTE_ADDR="127.0.0.1")
assert client.get("/health/").status_code == 200
print(client.get("/metrics").content.decode())
"""


def test_database_metrics_count_the_queries_when_asked(db) -> None:
    # Given database metrics on and a scraper allowed from the machine itself
    env = {"ANXIN_METRICS_DB": "1", "ANXIN_METRICS_ALLOWED_IPS": "127.0.0.1"}
    # When a process answers a health probe (which queries the database) and is scraped
    out = subprocess.run(
        [sys.executable, "-c", DB_METRICS_SCRIPT],
        env=child_env() | env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    # Then the metrics count the queries and time them, by database vendor
    assert out.returncode == 0, out.stderr
    vendor = connection.vendor
    assert f'django_db_execute_total{{alias="default",vendor="{vendor}"}}' in out.stdout
    assert "django_db_query_duration_seconds_bucket{" in out.stdout


def test_gunicorns_access_log_is_a_json_line_with_the_request_id() -> None:
    # Given gunicorn's logger as anxin.ops.gunicorn_conf configures it, writing to a buffer
    import datetime as dt_
    import io

    from gunicorn.config import Config

    from anxin.ops import gunicorn_conf

    cfg = Config()
    cfg.set("accesslog", "-")
    logger = gunicorn_conf.JsonLogger(cfg)
    buffer = io.StringIO()
    for handler in logger.access_log.handlers:
        handler.stream = buffer  # type: ignore[attr-defined]

    class Resp:
        status = "200 OK"
        sent = 1234
        headers = [("Content-Type", "text/html"), ("X-Request-ID", "req-9")]

    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": "/law/?q=1",
        "PATH_INFO": "/law/",
        "QUERY_STRING": "q=1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_USER_AGENT": "probe",
    }
    # When it logs a request
    logger.access(Resp(), None, environ, dt_.timedelta(milliseconds=12))
    # Then the line is JSON with the request's id, status, size and duration
    line = json.loads(buffer.getvalue().strip().splitlines()[-1])
    assert line["logger"] == "gunicorn.access"
    assert line["message"] == "GET /law/?q=1 200"
    assert line["request_id"] == "req-9"
    assert line["status"] == 200
    assert line["bytes"] == 1234
    assert line["duration_ms"] == 12.0
    assert line["path"] == "/law/"
    assert line["user_agent"] == "probe"
