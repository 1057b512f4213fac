"""Prometheus metrics (/metrics): django-prometheus' request, response, latency-by-view and
(with ANXIN_METRICS_DB) database metrics, with Anxin's own gauges read at each scrape: the
task queue's backlog and the evidence sequencer's lag (the health endpoint's measures).

Under gunicorn each worker process counts its own requests: prometheus_client's multiprocess
mode (PROMETHEUS_MULTIPROC_DIR, set up by ops.gunicorn_conf) sums them, whichever worker
answers the scrape.

Protected (README, "Production"): served to a request with `Authorization: Bearer
<ANXIN_METRICS_TOKEN>`, or from a connection whose own address is in
ANXIN_METRICS_ALLOWED_IPS (a forwarded address is never trusted for this); to anyone else
the path does not exist (404).
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import os
from collections.abc import Iterator

from django.conf import settings
from django.db import DatabaseError
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from anxin.ops.health import sequencer_lag, task_backlog

_log = logging.getLogger(__name__)


def allowed(request: HttpRequest) -> bool:
    token = settings.ANXIN_METRICS_TOKEN
    given = request.headers.get("Authorization", "")
    if token and hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        return True
    try:
        peer = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return any(
        peer in ipaddress.ip_network(a, strict=False) for a in settings.ANXIN_METRICS_ALLOWED_IPS
    )


class _Process(Collector):
    """This process's own metrics (no multiprocess mode: runserver, the tests)."""

    def collect(self) -> Iterator[Metric]:
        yield from REGISTRY.collect()


class AnxinCollector(Collector):
    """The queue's backlog and the sequencer's lag, read from the database at each scrape."""

    def collect(self) -> Iterator[Metric]:
        try:
            backlog, lag = task_backlog(), sequencer_lag()
        except DatabaseError:
            _log.warning("metrics: the database did not answer", exc_info=True)
            return
        yield GaugeMetricFamily("anxin_tasks_due", "Queued tasks due and not taken", backlog.due)
        yield GaugeMetricFamily(
            "anxin_tasks_late",
            "Queued tasks due longer than ANXIN_HEALTH_TASK_DELAY_SECONDS",
            backlog.late,
        )
        yield GaugeMetricFamily(
            "anxin_tasks_oldest_due_seconds",
            "How long the longest-waiting due task has been due",
            backlog.oldest_seconds,
        )
        yield GaugeMetricFamily(
            "anxin_evidence_pending", "Evidence records waiting for the sequencer", lag.pending
        )
        yield GaugeMetricFamily(
            "anxin_evidence_lag_seconds",
            "How long the oldest pending evidence record has waited",
            lag.seconds,
        )


@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    if not allowed(request):
        raise Http404
    registry = CollectorRegistry(auto_describe=False)
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        MultiProcessCollector(registry)
    else:
        registry.register(_Process())
    registry.register(AnxinCollector())
    return HttpResponse(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)
