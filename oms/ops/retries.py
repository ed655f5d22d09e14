"""Retries of failed background tasks with backoff (issue 24.2).

django-tasks records a failure and stops; here a task that failed on the database queue is
queued again after OMS_TASK_BACKOFF_SECONDS, then twice as long, until OMS_TASK_MAX_ATTEMPTS
runs in all. The last failure stays for the administrator, who may retry it at /system/."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any
from uuid import UUID

from django.conf import settings
from django.db import transaction
from django.utils import timezone

log = logging.getLogger("oms.ops.tasks")


def attempt_of(task_id: str | UUID) -> int:
    """The run number of a task: 1, or one more than the run it retried."""
    from oms.ops.models import TaskRetry

    previous = TaskRetry.objects.filter(retry_id=str(task_id)).values_list("attempt", flat=True).first()
    return previous or 1


def requeue(db_result: Any, *, attempt: int, delay: timedelta, by: Any = None) -> Any:
    """Queue the failed task `db_result` again as run number `attempt`, `delay` from now."""
    from django.utils.module_loading import import_string

    from oms.ops.models import TaskRetry

    # The task as configured now (not as stored): a retry goes to whichever backend is current.
    task = import_string(db_result.task_path).using(
        priority=db_result.priority, queue_name=db_result.queue_name
    )
    if delay:
        task = task.using(run_after=timezone.now() + delay)
    with transaction.atomic():
        retry = task.enqueue(*db_result.args_kwargs["args"], **db_result.args_kwargs["kwargs"])
        TaskRetry.objects.create(failed_id=db_result.pk, retry_id=str(retry.id), attempt=attempt, by=by)
    return retry


def on_finished(sender: Any, task_result: Any, **kwargs: Any) -> None:
    db_result = getattr(task_result, "db_result", None)
    if db_result is None or task_result.status != "FAILED":
        return  # only the database queue retries; the immediate backend raises to its caller
    attempt = attempt_of(task_result.id)
    error = task_result.errors[-1].exception_class_path if task_result.errors else ""
    if attempt >= settings.OMS_TASK_MAX_ATTEMPTS:
        log.error("task %s failed for good after %s runs: %s", task_result.task.name, attempt, error)
        return
    delay = timedelta(seconds=settings.OMS_TASK_BACKOFF_SECONDS * 2 ** (attempt - 1))
    requeue(db_result, attempt=attempt + 1, delay=delay)
    log.warning("task %s failed (%s); run %s in %s", task_result.task.name, error, attempt + 1, delay)


def connect() -> None:
    from django_tasks.signals import task_finished

    task_finished.connect(on_finished, dispatch_uid="oms.ops.retries")
