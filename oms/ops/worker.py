"""The background worker's heartbeat and the recovery of tasks a dead worker left running
(issue 24.2, 24.5)."""

from __future__ import annotations

import logging
import os
import threading
from datetime import datetime, timedelta

from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.utils import timezone

from oms.ops.jobs import node_name
from oms.ops.models import WorkerHeartbeat

log = logging.getLogger("oms.ops.worker")


def beat(worker_id: str, started_at: datetime) -> None:
    now = timezone.now()
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={"node": node_name(), "pid": os.getpid(), "started_at": started_at, "seen_at": now},
    )


def stale_before(now: datetime) -> datetime:
    return now - timedelta(seconds=settings.OMS_WORKER_HEARTBEAT_SECONDS * 3)


def live_workers(now: datetime | None = None) -> list[WorkerHeartbeat]:
    now = now or timezone.now()
    return list(WorkerHeartbeat.objects.filter(seen_at__gte=stale_before(now)).order_by("worker_id"))


class Heartbeat(threading.Thread):
    """Beats every OMS_WORKER_HEARTBEAT_SECONDS beside the worker's loop, on its own connection."""

    def __init__(self, worker_id: str) -> None:
        super().__init__(name=f"heartbeat-{worker_id}", daemon=True)
        self.worker_id = worker_id
        self.started_at = timezone.now()
        self.stopped = threading.Event()

    def start(self) -> None:
        beat(self.worker_id, self.started_at)  # the first beat before any task is taken
        super().start()

    def run(self) -> None:
        while not self.stopped.wait(settings.OMS_WORKER_HEARTBEAT_SECONDS):
            try:
                close_old_connections()
                beat(self.worker_id, self.started_at)
            except Exception:
                log.exception("heartbeat of %s failed", self.worker_id)
        connection.close()

    def stop(self) -> None:
        self.stopped.set()
        WorkerHeartbeat.objects.filter(worker_id=self.worker_id).delete()


def requeue_orphans(now: datetime) -> int:
    """A task still running under a worker whose heartbeat stopped (the process was killed) is
    made ready again; tasks are written to be run again safely (each claims its own rows)."""
    from django_tasks_db.models import DBTaskResult

    live = set(
        WorkerHeartbeat.objects.filter(seen_at__gte=stale_before(now)).values_list("worker_id", flat=True)
    )
    orphans = []
    with transaction.atomic():
        for result in DBTaskResult.objects.select_for_update(skip_locked=True).filter(
            status="RUNNING", started_at__lt=stale_before(now)
        ):
            if not result.worker_ids or result.worker_ids[-1] not in live:
                orphans.append(result.pk)
        DBTaskResult.objects.filter(pk__in=orphans).update(status="READY", started_at=None)
    if orphans:
        log.warning("queued again %s task(s) left running by stopped workers", len(orphans))
    return len(orphans)
