"""Writes of the ops app (issue 24.2)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import transaction

from oms.audit.recorder import record
from oms.ops import retries


def retry_task(*, actor: Any, failed: Any) -> Any:
    """The administrator queues a failed task again at once; audited with the error it had."""
    with transaction.atomic():
        attempt = retries.attempt_of(failed.pk) + 1
        new = retries.requeue(failed, attempt=attempt, delay=timedelta(0), by=actor)
        record(
            actor=actor,
            obj=None,
            object_type="django_tasks_db.dbtaskresult",
            object_id=str(failed.pk),
            object_repr=failed.task_path[:255],
            action="task.retry",
            before={"status": "FAILED", "error": failed.exception_class_path},
            after={"retry": str(new.id), "attempt": attempt},
        )
    return new
