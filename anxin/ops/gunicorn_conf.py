"""gunicorn's configuration for Anxin (`anxin serve` runs `gunicorn -c python:anxin.ops.
gunicorn_conf anxin.wsgi:application`). Every value can be set from the environment
(README, "Production").

Graceful restart: SIGHUP reloads the configuration and replaces the workers one by one after
they finish their requests (up to `graceful_timeout`); SIGTERM stops the same way. Each
worker is also replaced after `max_requests` requests (with jitter, so they do not all
restart at once).
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
from typing import Any

from gunicorn.glogging import Logger


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name, "")
    return int(raw) if raw else default


bind = [os.environ.get("ANXIN_BIND", "0.0.0.0:8000")]
# Sync workers, two per core and one more (gunicorn's advice for a server whose requests wait
# on the database).
workers = _int("ANXIN_WEB_WORKERS", 0) or 2 * (os.cpu_count() or 1) + 1
worker_class = "sync"
timeout = _int("ANXIN_WEB_TIMEOUT", 30)
graceful_timeout = _int("ANXIN_WEB_GRACEFUL_TIMEOUT", 30)
keepalive = 5
max_requests = _int("ANXIN_WEB_MAX_REQUESTS", 2000)
max_requests_jitter = max_requests // 10
# The TLS proxy in front: the addresses whose X-Forwarded-Proto/For gunicorn believes
# (Django's own rule is ANXIN_HTTPS with SECURE_PROXY_SSL_HEADER).
forwarded_allow_ips = os.environ.get("ANXIN_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
# Heartbeat files in memory, not on a container's overlay disk.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108
proc_name = "anxin"
# No control socket (gunicorn 27's `gunicornc`): its default path is one per user, which two
# servers on one machine would share; signals do the same (see above).
control_socket_disable = True
# Both logs on standard error and standard output, one JSON object a line (ops below).
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("ANXIN_LOG_LEVEL", "info").lower()


def on_starting(server: Any) -> None:
    """prometheus_client's multiprocess mode: each worker writes its counters to files in
    PROMETHEUS_MULTIPROC_DIR and /metrics adds them up. Set in the master before any worker
    is forked (the workers inherit it, and import the application after): the folder given,
    emptied, or a fresh temporary one. A dead worker's files are marked in child_exit."""
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR") or tempfile.mkdtemp(
        prefix="anxin-prometheus-"
    )
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder, exist_ok=True)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = folder


def child_exit(server: Any, worker: Any) -> None:
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


class JsonLogger(Logger):
    """gunicorn's error and access logs in Anxin's JSON lines (anxin.core.logs): an access
    line carries the method, path, status, bytes, duration, the client and the request id the
    application put in the response's X-Request-ID header."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        from anxin.core.logs import JsonFormatter, TextFormatter

        text = os.environ.get("ANXIN_LOG_FORMAT", "json") == "text"
        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                handler.setFormatter(TextFormatter() if text else JsonFormatter())

    def access(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> None:
        if not self.access_log_enabled:
            return
        headers = {k.lower(): v for k, v in resp.headers}
        status = resp.status.split(None, 1)[0] if isinstance(resp.status, str) else resp.status
        took: dt.timedelta = request_time
        self.access_log.info(
            "%s %s %s",
            environ.get("REQUEST_METHOD"),
            environ.get("RAW_URI") or environ.get("PATH_INFO"),
            status,
            extra={
                "request_id": headers.get("x-request-id"),
                "method": environ.get("REQUEST_METHOD"),
                "path": environ.get("PATH_INFO"),
                "query": environ.get("QUERY_STRING") or None,
                "status": int(status),
                "bytes": getattr(resp, "sent", None),
                "duration_ms": round(took.total_seconds() * 1000, 3),
                "remote_addr": environ.get("REMOTE_ADDR"),
                "forwarded_for": environ.get("HTTP_X_FORWARDED_FOR"),
                "user_agent": environ.get("HTTP_USER_AGENT"),
            },
        )


logger_class = JsonLogger
