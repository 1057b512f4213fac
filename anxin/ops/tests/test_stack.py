"""The compose file's commands, run on this machine without a container runtime: against a
throwaway PostgreSQL database, the migrations, then gunicorn (`anxin serve`), a task worker,
the sequencer and the deadlines loop, each started with the very command compose.yaml gives
it and the example environment (deploy/anxin.env.example); the health endpoint polled until
healthy, real requests through the server as the TLS proxy sends them, then everything
stopped with SIGTERM as `docker compose stop` does."""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import psycopg
import pytest
import yaml

from anxin.ops.tests.test_compose import ROOT, env_example

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

HOST = "anxin.example.com"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(port: int, path: str, headers: dict[str, str] | None = None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
    try:
        conn.request("GET", path, headers=headers or {})
        r = conn.getresponse()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
    finally:
        conn.close()


def stack_env(database: str, tmp_path: Path) -> dict[str, str]:
    """The example production environment (deploy/anxin.env.example) on this machine: its
    database `database`, folders under `tmp_path`, two web workers; nothing of this
    process's own Anxin settings."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("ANXIN_", "DATABASE_URL", "PROMETHEUS_"))
        # set by the browser tests' fixture for this process; the deploy checks refuse it
        and k != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    return (
        env
        | env_example()
        | {
            "PATH": f"{Path(sys.executable).parent}:{env.get('PATH', '/usr/bin:/bin')}",
            "PYTHONPATH": str(ROOT),
            "DATABASE_URL": database,
            "ANXIN_DATA_DIR": str(tmp_path / "data"),
            "ANXIN_STATIC_ROOT": str(tmp_path / "static"),
            "ANXIN_KEYS_DIR": str(tmp_path / "keys"),
            "ANXIN_WEB_WORKERS": "2",
        }
    )


@pytest.fixture
def database():
    """A database of its own on the PostgreSQL the tests run against, dropped afterwards."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        pytest.skip("needs PostgreSQL: run under scripts/with-postgres.sh")
    name = f"anxin_stack_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield url.rsplit("/", 1)[0] + "/" + name
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


def test_the_compose_commands_serve_a_healthy_site(database, tmp_path) -> None:
    # Given the compose file's commands, the Dockerfile's static build step and the example
    # environment, with this machine's database, folders and a free port
    services = yaml.safe_load((ROOT / "compose.yaml").read_text())["services"]
    build = re.search(
        r"/venv/bin/(anxin collectstatic[^\\&\n]*)", (ROOT / "Dockerfile").read_text()
    )
    assert build is not None
    port = _free_port()
    example = env_example()
    env = stack_env(database, tmp_path) | {"ANXIN_BIND": f"127.0.0.1:{port}"}
    logs = tmp_path / "logs"
    logs.mkdir()

    def run(cmd: list[str]) -> subprocess.CompletedProcess[str]:
        return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)

    # When the image's build step and the one-off migration run
    collect = run(build.group(1).split())
    migrate = run(services["migrate"]["command"])
    # Then both succeed
    assert collect.returncode == 0, collect.stderr
    assert migrate.returncode == 0, migrate.stderr
    # When the long-running services start, each with its compose command
    procs: dict[str, subprocess.Popen[bytes]] = {}
    for name in ("web", "worker", "sequencer", "deadlines"):
        with (logs / f"{name}.out").open("wb") as out, (logs / f"{name}.err").open("wb") as err:
            procs[name] = subprocess.Popen(
                services[name]["command"], env=env, stdout=out, stderr=err, start_new_session=True
            )

    def log(name: str) -> str:
        return (logs / f"{name}.out").read_text() + (logs / f"{name}.err").read_text()

    try:
        # Then the health endpoint, asked as compose's healthcheck asks it, turns healthy
        deadline = time.monotonic() + 120
        status, body = 0, b""
        while time.monotonic() < deadline:
            for name, p in procs.items():
                assert p.poll() is None, f"{name} exited {p.returncode}:\n{log(name)}"
            try:
                status, _, body = _get(port, "/health/")
            except OSError:
                status = 0
            if status == 200:
                break
            time.sleep(0.5)
        assert status == 200, (body, log("web"))
        assert json.loads(body)["status"] == "ok"

        # When a visitor's request comes through the TLS proxy, with the proxy's request id
        proxy = {"Host": HOST, "X-Forwarded-Proto": "https", "X-Request-ID": "proxy-req-1"}
        status, headers, page = _get(port, "/", proxy)
        # Then the landing page is served with the security headers and the request's id
        assert status == 200, page[:500]
        assert headers["strict-transport-security"].startswith("max-age=31536000")
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "same-origin"
        assert headers["x-frame-options"] == "DENY"
        assert headers["cross-origin-opener-policy"] == "same-origin"
        assert "frame-ancestors 'none'" in headers["content-security-policy"]
        assert headers["x-request-id"] == "proxy-req-1"
        # When the same page is asked over plain HTTP
        plain, headers_plain, _ = _get(port, "/", {"Host": HOST})
        # Then it is redirected to HTTPS
        assert plain == 301
        assert headers_plain["location"] == f"https://{HOST}/"
        # When the browser fetches the page's stylesheet, taking Brotli
        css = re.search(rb'href="(/static/web/anxin\.[0-9a-f]{12}\.css)"', page)
        assert css is not None
        status, headers, _ = _get(
            port, css.group(1).decode(), {**proxy, "Accept-Encoding": "gzip, br"}
        )
        # Then it comes compressed, to be kept a year and more
        assert status == 200
        assert headers["content-encoding"] == "br"
        assert headers["cache-control"] == "max-age=315360000, public, immutable"
        # When Prometheus scrapes with the token
        token = {"Authorization": f"Bearer {example['ANXIN_METRICS_TOKEN']}", "Host": HOST}
        status, _, metrics = _get(port, "/metrics", token)
        # Then it gets every worker's request latencies by view and the database's metrics
        text = metrics.decode()
        assert status == 200
        assert (
            'django_http_requests_latency_seconds_by_view_method_count{method="GET",view="web:home"}'
            in text
        )
        assert "django_db_execute_total{" in text
        assert "anxin_evidence_pending " in text
        # And the web server's access log is JSON lines naming the request's id
        access = [
            json.loads(line)
            for line in log("web").splitlines()
            if line.startswith("{") and '"gunicorn.access"' in line
        ]
        assert any(a["request_id"] == "proxy-req-1" and a["status"] == 200 for a in access)
        # When the server is told to reload (SIGHUP: new workers replace the old gracefully)
        os.kill(procs["web"].pid, signal.SIGHUP)
        until = time.monotonic() + 60
        while "Handling signal: hup" not in log("web") and time.monotonic() < until:
            time.sleep(0.2)
        # Then it keeps answering
        assert "Handling signal: hup" in log("web"), log("web")
        assert _get(port, "/health/")[0] == 200
        # And the deadlines loop has fired the deadlines once (then it sleeps a minute)
        until = time.monotonic() + 60
        while "tasks_reclaimed: 0" not in log("deadlines") and time.monotonic() < until:
            time.sleep(0.5)
        assert "tasks_reclaimed: 0" in log("deadlines"), log("deadlines")
    finally:
        # When every service is sent SIGTERM, as `docker compose stop` does
        for p in procs.values():
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGTERM)
        codes = {}
        for name, p in procs.items():
            try:
                codes[name] = p.wait(timeout=45)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                codes[name] = p.wait()
    # Then the server, the worker and the sequencer stop cleanly
    assert codes["web"] == 0, log("web")
    assert codes["worker"] == 0, log("worker")
    assert codes["sequencer"] == 0, log("sequencer")
