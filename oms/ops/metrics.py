"""Prometheus metrics (issue 24.5): request latency by route from every server process, and
figures read from the database at each scrape (task queue depth and age, overdue work items,
periodic jobs' lag, failed messages, live workers).

Under gunicorn each process keeps its own counters; the server's configuration points
PROMETHEUS_MULTIPROC_DIR at a folder they share, and a scrape adds them up."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from prometheus_client import CollectorRegistry, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import REGISTRY, Collector

REQUEST_SECONDS = Histogram(
    "oms_http_request_duration_seconds",
    "Time to answer an HTTP request, by route pattern",
    ["method", "route", "status"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)


class MetricsMiddleware:
    """Times every request under its route pattern (never the raw path: ids would explode it)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        start = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        route = ("/" + match.route) if match is not None and match.route else "unmatched"
        REQUEST_SECONDS.labels(request.method or "", route, str(response.status_code)).observe(
            time.perf_counter() - start
        )
        return response


class DatabaseCollector(Collector):
    """Figures that live in the database, read when Prometheus scrapes."""

    def collect(self) -> Iterator[Metric]:
        from django.apps import apps
        from django.db.models import Count, Min
        from django_tasks_db.models import DBTaskResult

        from oms.ops.jobs import states
        from oms.ops.worker import live_workers

        now = timezone.now()
        depth = GaugeMetricFamily("oms_task_queue_depth", "Background tasks by state", labels=["status"])
        counts = dict(
            DBTaskResult.objects.filter(status__in=["READY", "RUNNING", "FAILED"])
            .values_list("status")
            .annotate(n=Count("id"))
        )
        for status in ("READY", "RUNNING", "FAILED"):
            depth.add_metric([status.lower()], counts.get(status, 0))
        yield depth
        # ready(): a task queued without a time to wait for has run_after = the largest date (the
        # backend's "no date"), so a plain run_after <= now would miss every ordinary task.
        oldest = DBTaskResult.objects.ready().aggregate(at=Min("enqueued_at"))["at"]
        yield GaugeMetricFamily(
            "oms_task_queue_oldest_age_seconds",
            "Age of the oldest task waiting to run (0 when none waits)",
            value=(now - oldest).total_seconds() if oldest else 0.0,
        )
        yield GaugeMetricFamily(
            "oms_work_items_overdue",
            "Open steps past their deadline",
            value=apps.get_model("tracking", "WorkItem").objects.filter(status="open", overdue=True).count(),
        )
        yield GaugeMetricFamily(
            "oms_messages_failed",
            "Messages finally marked failed",
            value=apps.get_model("notifications", "OutboundMessage").objects.filter(status="failed").count(),
        )
        yield GaugeMetricFamily(
            "oms_messages_queued",
            "Messages waiting to be sent",
            value=apps.get_model("notifications", "OutboundMessage").objects.filter(status="queued").count(),
        )
        lag = GaugeMetricFamily(
            "oms_job_lag_seconds", "How long past due the job's next run is", labels=["job"]
        )
        last = GaugeMetricFamily(
            "oms_job_last_run_timestamp_seconds", "When the job last started", labels=["job"]
        )
        for state in states(now):
            if state.last is not None:
                lag.add_metric([state.name], state.lag_seconds or 0.0)
                last.add_metric([state.name], state.last.started_at.timestamp())
        yield lag
        yield last
        yield GaugeMetricFamily(
            "oms_workers_alive", "Workers with a recent heartbeat", value=len(live_workers(now))
        )


def exposition() -> bytes:
    """The text format of every metric: this process's (or all server processes') and the
    database's."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        own = generate_latest(registry)
    else:
        own = generate_latest(REGISTRY)
    database = CollectorRegistry()
    database.register(DatabaseCollector())
    return own + generate_latest(database)


def allowed(request: HttpRequest, token: str) -> bool:
    """A bearer token equal to OMS_METRICS_TOKEN, or without one a direct call from this machine."""
    import hmac

    if token:
        sent = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        return hmac.compare_digest(sent.encode(), token.encode())
    direct = "X-Forwarded-For" not in request.headers and "Forwarded" not in request.headers
    return direct and request.META.get("REMOTE_ADDR") in {"127.0.0.1", "::1"}
