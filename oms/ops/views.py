"""Probes, metrics and the administrator's view of the running system (issue 24.2, 24.3, 24.5)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import DatabaseError, connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from oms.accounts.permissions import is_admin
from oms.ops import actions, metrics, selectors
from oms.ops.worker import live_workers

_migrated = False  # once true it stays true for this process: new migrations come with new code


def uses_queue() -> bool:
    """True when tasks go to the database queue, so workers must be running."""
    return str(settings.TASKS["default"]["BACKEND"]).startswith("django_tasks_db")


def healthz(request: HttpRequest) -> JsonResponse:
    """The process is up and answering; touches nothing else (a liveness probe)."""
    return JsonResponse({"status": "ok"})


def _migrations_applied() -> bool:
    global _migrated
    if not _migrated:
        from django.db.migrations.executor import MigrationExecutor

        executor = MigrationExecutor(connection)
        _migrated = not executor.migration_plan(executor.loader.graph.leaf_nodes())
    return _migrated


def readyz(request: HttpRequest) -> JsonResponse:
    """Ready for traffic: the database answers, every migration is applied and, when tasks go to
    the database queue, some worker's heartbeat is recent. 503 with the failing checks if not."""
    checks: dict[str, Any] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
        checks["migrations"] = "ok" if _migrations_applied() else "pending"
        if uses_queue():
            checks["worker"] = "ok" if live_workers() else "no recent heartbeat"
        else:
            checks["worker"] = "not needed (tasks run in the request)"
    except DatabaseError as exc:
        checks["database"] = f"unreachable: {type(exc).__name__}"
    ready = (
        checks.get("database") == "ok"
        and checks.get("migrations") == "ok"
        and checks["worker"] != "no recent heartbeat"
    )
    return JsonResponse(
        {"status": "ok" if ready else "unavailable", "checks": checks}, status=200 if ready else 503
    )


def metrics_view(request: HttpRequest) -> HttpResponse:
    if not metrics.allowed(request, settings.OMS_METRICS_TOKEN):
        raise Http404
    return HttpResponse(metrics.exposition(), content_type="text/plain; version=0.0.4; charset=utf-8")


@login_required
def system(request: HttpRequest) -> HttpResponse:
    """The administrator's page: periodic jobs with last run and lag, workers, failed tasks."""
    if not is_admin(request.user):
        raise Http404
    return render(
        request,
        "ops/system.html",
        {
            "jobs": selectors.job_states(request.user),
            "workers": selectors.workers(request.user),
            "failed": selectors.failed_tasks(request.user),
            "queue": selectors.queue_counts(request.user),
            "uses_queue": uses_queue(),
            "now": timezone.now(),
        },
    )


@login_required
@require_POST
def retry(request: HttpRequest, task_id: str) -> HttpResponse:
    if not is_admin(request.user):
        raise Http404
    failed = selectors.failed_task(request.user, task_id)
    if failed is not None:
        actions.retry_task(actor=request.user, failed=failed)
    elif not selectors.retried_task_exists(request.user, task_id):
        raise Http404
    # Sent twice (a double click, a second administrator): the one retry already stands.
    messages.success(request, _("已重新排队。"))
    return redirect("ops:system")
