"""Periodic jobs that any number of nodes may run, each once per interval (issue 24.3).

Every scheduler (`manage.py run_scheduler`) wakes up often and, for each job whose interval has
begun, takes the job's lock without waiting: a PostgreSQL advisory lock, or on SQLite (one
machine) an exclusive file lock in the instance folder. Holding it, it claims the interval by
inserting the run's row; the unique (job, slot) refuses a second claim, so a job runs once per
interval even when a run outlasts its lock. A node that dies mid-run leaves a row without an
end; the next interval runs as usual."""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import logging
import os
import socket
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from oms.ops.models import JobRun

log = logging.getLogger("oms.ops.jobs")


@dataclass(frozen=True)
class Job:
    name: str
    every: Callable[[], int]  # seconds, read from the settings when asked
    run: Callable[[datetime], object]


def _sweep(now: datetime) -> object:
    from oms.tracking.tasks import sweep_deadlines

    return sweep_deadlines.call()


def _statistics(now: datetime) -> object:
    from oms.core.db import refresh_statistics

    refresh_statistics()
    return "ok"


def _requeue_orphans(now: datetime) -> object:
    from oms.ops.worker import requeue_orphans

    return requeue_orphans(now)


# The sweeper does escalation, idle reminders, step statistics, message retries, the checks the
# apps register (reporting cadence, dunning, archive filing, monthly figures) and the audit anchor.
JOBS: list[Job] = [
    Job("sweep_deadlines", lambda: settings.OMS_SWEEP_SECONDS, _sweep),
    Job("refresh_statistics", lambda: settings.OMS_STATISTICS_SECONDS, _statistics),
    Job(
        "requeue_orphaned_tasks", lambda: max(settings.OMS_WORKER_HEARTBEAT_SECONDS * 3, 30), _requeue_orphans
    ),
]


def node_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def slot_of(now: datetime, every: int) -> datetime:
    """The start of the interval `now` falls in, counted from the epoch so all nodes agree."""
    seconds = int(now.timestamp()) // every * every
    return datetime.fromtimestamp(seconds, tz=UTC)


def _lock_key(name: str) -> int:
    return int.from_bytes(hashlib.sha256(f"oms.job.{name}".encode()).digest()[:8], "big", signed=True)


@contextlib.contextmanager
def job_lock(name: str) -> Iterator[bool]:
    """Yield True when this process holds the job's lock, False when another one does."""
    if connection.vendor == "postgresql":
        key = _lock_key(name)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
            held = bool(cursor.fetchone()[0])
        try:
            yield held
        finally:
            if held:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s)", [key])
        return
    folder = settings.VAR_DIR / "locks"
    folder.mkdir(exist_ok=True)
    with open(folder / f"{name}.lock", "a") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def run_job(job: Job, now: datetime | None = None) -> JobRun | None:
    """Run `job` for the interval `now` falls in unless another node holds it or has run it.

    Returns the run, or None when this node did nothing."""
    now = now or timezone.now()
    slot = slot_of(now, job.every())
    if JobRun.objects.filter(job=job.name, slot=slot).exists():
        return None
    with job_lock(job.name) as held:
        if not held:
            return None
        try:
            with transaction.atomic():
                run = JobRun.objects.create(
                    job=job.name, slot=slot, node=node_name(), started_at=timezone.now()
                )
        except IntegrityError:
            return None  # another node ran this interval already
        try:
            result = job.run(now)
        except Exception as exc:
            log.exception("job %s failed", job.name)
            run.ok, run.error = False, "".join(traceback.format_exception(exc))[-4000:]
        else:
            run.ok, run.result = True, str(result)[:255]
        run.finished_at = timezone.now()
        run.save(update_fields=["ok", "error", "result", "finished_at"])
        log.info("job %s ran for %s", job.name, slot.isoformat())
        return run


def run_due(now: datetime | None = None) -> list[JobRun]:
    """One pass of the scheduler: every job whose interval has not run yet."""
    return [run for job in JOBS if (run := run_job(job, now)) is not None]


@dataclass(frozen=True)
class JobState:
    name: str
    every: int
    last: JobRun | None
    lag_seconds: float | None  # how long past due the next run is (0 while on time)


def states(now: datetime | None = None) -> list[JobState]:
    """Each job's last run and its lag: how long ago the interval after the last run began, 0
    while the last run is the current interval's (issue 24.3, shown at /system/ and /metrics)."""
    now = now or timezone.now()
    result = []
    for job in JOBS:
        every = job.every()
        last = JobRun.objects.filter(job=job.name).order_by("-slot").first()
        lag = None if last is None else max((now - last.slot).total_seconds() - every, 0.0)
        result.append(JobState(job.name, every, last, lag))
    return result
