"""Reads for the administrator's system page (issue 24); every one asks who is reading."""

from __future__ import annotations

from typing import Any

from django.db.models import Count

from oms.accounts.permissions import is_admin
from oms.ops import jobs
from oms.ops.models import TaskRetry, WorkerHeartbeat


def job_states(user: Any) -> list[jobs.JobState]:
    return jobs.states() if is_admin(user) else []


def workers(user: Any) -> list[WorkerHeartbeat]:
    return list(WorkerHeartbeat.objects.order_by("worker_id")) if is_admin(user) else []


def _failed_unretried(user: Any) -> Any:
    from django_tasks_db.models import DBTaskResult

    if not is_admin(user):
        return DBTaskResult.objects.none()
    return DBTaskResult.objects.filter(status="FAILED").exclude(id__in=TaskRetry.objects.values("failed_id"))


def failed_tasks(user: Any) -> list[Any]:
    """Tasks that failed on their last allowed run (or failed again after a retry), newest first."""
    return list(_failed_unretried(user).order_by("-finished_at")[:200])


def failed_task(user: Any, task_id: str) -> Any:
    import uuid

    try:
        pk = uuid.UUID(task_id)
    except ValueError:
        return None
    return _failed_unretried(user).filter(pk=pk).first()


def retried_task_exists(user: Any, task_id: str) -> bool:
    """A failed task that has been queued again already."""
    import uuid

    try:
        pk = uuid.UUID(task_id)
    except ValueError:
        return False
    return is_admin(user) and TaskRetry.objects.filter(failed_id=pk).exists()


def queue_counts(user: Any) -> dict[str, int]:
    from django_tasks_db.models import DBTaskResult

    if not is_admin(user):
        return {}
    return dict(DBTaskResult.objects.values_list("status").annotate(n=Count("id")))
