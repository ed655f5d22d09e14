"""Issue 24: the queue path on the database backend, retries, periodic jobs once per interval,
probes and metrics. Run on SQLite and on PostgreSQL."""

from __future__ import annotations

import contextlib
import fcntl
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection, connections
from django.urls import reverse
from django.utils import timezone
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from oms.audit.models import AuditEvent
from oms.core.context import reset_request_id, set_request_id
from oms.notifications import channels
from oms.notifications.models import NotificationChannel, OutboundMessage
from oms.notifications.tests.fixtures import SECRET
from oms.ops import jobs
from oms.ops.models import JobRun, TaskRetry, WorkerHeartbeat
from oms.ops.worker import beat, requeue_orphans

QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
pytestmark = pytest.mark.django_db


@task()
def always_fails() -> None:
    raise ValueError("the other system is down")


def _work_off() -> None:
    call_command("run_worker", batch=True, startup_delay=False, verbosity=0)


def _webhook(robot: Any) -> OutboundMessage:
    channel = NotificationChannel.objects.create(
        name="ERP", kind="webhook", webhook_url=f"{robot.url}/hook", secret=SECRET
    )
    return OutboundMessage.objects.create(
        channel=channel, event="order.released", target="ERP", title="t", payload={"n": 1}
    )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # the worker commits, as in production
def test_messages_go_through_the_database_queue_and_a_worker(settings: Any, robot: Any) -> None:
    settings.TASKS = QUEUE
    delivery = _webhook(robot)
    token = set_request_id("req-24")
    try:
        channels.send_soon()  # outside a transaction: queued at once
    finally:
        reset_request_id(token)
    queued = DBTaskResult.objects.get()
    assert (queued.status, queued.args_kwargs["kwargs"]) == ("READY", {"request_id": "req-24"})
    assert robot.requests == []  # the request did not wait on the outside system
    _work_off()
    delivery.refresh_from_db()
    assert (delivery.status, len(robot.requests)) == ("sent", 1)
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"


def test_a_claimed_message_is_not_claimed_again(robot: Any) -> None:
    delivery = _webhook(robot)
    now = timezone.now()
    due = OutboundMessage.objects.filter(status="queued", next_attempt_at__lte=now)
    assert [d.pk for d in channels._claim(due, now)] == [delivery.pk]
    assert (
        channels._claim(OutboundMessage.objects.filter(status="queued", next_attempt_at__lte=now), now) == []
    )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # the worker commits, as in production
def test_a_failed_task_is_retried_with_backoff_then_left_for_the_administrator(settings: Any) -> None:
    settings.TASKS = QUEUE
    settings.OMS_TASK_MAX_ATTEMPTS = 2
    settings.OMS_TASK_BACKOFF_SECONDS = 0
    always_fails.enqueue()
    _work_off()
    runs = list(DBTaskResult.objects.order_by("enqueued_at"))
    assert [r.status for r in runs] == ["FAILED", "FAILED"]
    retry = TaskRetry.objects.get()
    assert (retry.failed_id, retry.retry_id, retry.attempt, retry.by) == (
        runs[0].pk,
        str(runs[1].pk),
        2,
        None,
    )
    assert "the other system is down" in runs[1].traceback


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # the worker commits, as in production
def test_the_backoff_doubles(settings: Any) -> None:
    settings.TASKS = QUEUE
    settings.OMS_TASK_MAX_ATTEMPTS = 3
    settings.OMS_TASK_BACKOFF_SECONDS = 30
    always_fails.enqueue()
    before = timezone.now()
    _work_off()  # the retry waits 30 s, so the batch stops after the first run
    second = DBTaskResult.objects.get(status="READY")
    assert timedelta(seconds=29) < second.run_after - before < timedelta(seconds=40)
    DBTaskResult.objects.filter(pk=second.pk).update(run_after=timezone.now())  # its time has come
    before = timezone.now()
    _work_off()
    third = DBTaskResult.objects.get(status="READY")
    assert timedelta(seconds=59) < third.run_after - before < timedelta(seconds=70)
    assert TaskRetry.objects.get(retry_id=str(third.pk)).attempt == 3


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # the worker commits, as in production
def test_the_administrator_sees_a_failed_task_and_retries_it(settings: Any, admin_client: Any) -> None:
    settings.TASKS = QUEUE
    settings.OMS_TASK_MAX_ATTEMPTS = 1
    always_fails.enqueue()
    _work_off()
    failed = DBTaskResult.objects.get()
    page = admin_client.get(reverse("ops:system"))
    assert page.status_code == 200
    assert "always_fails" in page.content.decode() and "ValueError" in page.content.decode()
    response = admin_client.post(reverse("ops:retry", args=[failed.pk]))
    assert response.status_code == 302
    retry = TaskRetry.objects.get(failed_id=failed.pk)
    assert (retry.attempt, retry.by is not None) == (2, True)
    assert DBTaskResult.objects.get(pk=retry.retry_id).status == "READY"
    assert AuditEvent.objects.filter(action="task.retry", object_id=str(failed.pk)).count() == 1
    # Sent again, the one retry stands.
    assert admin_client.post(reverse("ops:retry", args=[failed.pk])).status_code == 302
    assert TaskRetry.objects.filter(failed_id=failed.pk).count() == 1
    assert "always_fails" not in admin_client.get(reverse("ops:system")).content.decode()


def test_the_system_page_is_the_administrators(client: Any, sales_staff: Any) -> None:
    client.force_login(sales_staff)
    assert client.get(reverse("ops:system")).status_code == 404


def test_a_task_left_running_by_a_dead_worker_runs_again(settings: Any) -> None:
    settings.TASKS = QUEUE
    result = always_fails.enqueue()
    long_ago = timezone.now() - timedelta(minutes=10)
    DBTaskResult.objects.filter(pk=result.id).update(
        status="RUNNING", started_at=long_ago, worker_ids=["dead"]
    )
    beat("alive", long_ago)
    assert requeue_orphans(timezone.now()) == 1
    assert DBTaskResult.objects.get(pk=result.id).status == "READY"


# --- periodic jobs ------------------------------------------------------------------------------

COUNTER: list[datetime] = []
JOB = jobs.Job("test_job", lambda: 60, lambda now: COUNTER.append(now) or len(COUNTER))


def test_a_job_runs_once_per_interval() -> None:
    COUNTER.clear()
    t = datetime(2026, 12, 4, 8, 0, 10, tzinfo=UTC)
    assert jobs.run_job(JOB, t) is not None
    assert jobs.run_job(JOB, t + timedelta(seconds=40)) is None  # same minute: already run
    assert jobs.run_job(JOB, t + timedelta(seconds=55)) is not None  # the next minute
    assert len(COUNTER) == 2
    assert list(JobRun.objects.filter(job="test_job").order_by("slot").values_list("slot", "ok")) == [
        (datetime(2026, 12, 4, 8, 0, tzinfo=UTC), True),
        (datetime(2026, 12, 4, 8, 1, tzinfo=UTC), True),
    ]


@contextlib.contextmanager
def _held_elsewhere(name: str) -> Iterator[None]:
    """The job's lock held by another process: another PostgreSQL session or file description."""
    if connection.vendor == "postgresql":
        other = connections.create_connection("default")
        try:
            with other.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_lock(%s)", [jobs._lock_key(name)])
            yield
        finally:
            other.close()
        return
    from django.conf import settings

    (settings.VAR_DIR / "locks").mkdir(exist_ok=True)
    with open(settings.VAR_DIR / "locks" / f"{name}.lock", "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def test_a_job_whose_lock_another_node_holds_is_left_to_it() -> None:
    COUNTER.clear()
    with _held_elsewhere("test_job"):
        assert jobs.run_job(JOB, timezone.now()) is None
    assert (COUNTER, JobRun.objects.filter(job="test_job").exists()) == ([], False)
    assert jobs.run_job(JOB, timezone.now()) is not None


def test_a_failing_job_records_its_error() -> None:
    def boom(now: datetime) -> None:
        raise RuntimeError("no")

    run = jobs.run_job(jobs.Job("boom", lambda: 60, boom))
    assert run is not None and (run.ok, "RuntimeError: no" in run.error) == (False, True)


def test_lag_is_how_long_the_next_run_is_overdue() -> None:
    t = datetime(2026, 12, 4, 8, 0, 10, tzinfo=UTC)
    jobs.run_job(JOB, t)
    JOBS = jobs.JOBS
    jobs.JOBS = [JOB]
    try:
        assert jobs.states(t + timedelta(seconds=30))[0].lag_seconds == 0
        assert jobs.states(t + timedelta(seconds=170))[0].lag_seconds == 120
    finally:
        jobs.JOBS = JOBS


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # the scheduler commits, as in production
def test_the_scheduler_runs_every_job_once() -> None:
    call_command("run_scheduler", once=True, verbosity=0)
    call_command("run_scheduler", once=True, verbosity=0)
    names = sorted(JobRun.objects.values_list("job", flat=True))
    assert names == sorted(j.name for j in jobs.JOBS)


# --- probes and metrics -------------------------------------------------------------------------


def test_healthz_touches_no_database(client: Any, django_assert_num_queries: Any) -> None:
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})


def test_readyz_with_tasks_in_the_request(client: Any) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["checks"]["database"] == "ok"


def test_readyz_wants_a_worker_when_tasks_are_queued(client: Any, settings: Any) -> None:
    settings.TASKS = QUEUE
    response = client.get("/readyz")
    assert (response.status_code, response.json()["checks"]["worker"]) == (503, "no recent heartbeat")
    beat("w1", timezone.now())
    assert client.get("/readyz").status_code == 200
    assert WorkerHeartbeat.objects.count() == 1


def test_readyz_is_unavailable_while_migrations_are_pending(
    client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.db.migrations.executor import MigrationExecutor

    from oms.ops import views

    monkeypatch.setattr(views, "_migrated", False)
    monkeypatch.setattr(MigrationExecutor, "migration_plan", lambda self, targets: [("ops.9999_new", False)])
    response = client.get("/readyz")
    assert (response.status_code, response.json()["checks"]["migrations"]) == (503, "pending")


class _UnreachableDatabase:
    def cursor(self) -> Any:
        from django.db import OperationalError

        raise OperationalError("connection refused")


def test_readyz_is_unavailable_when_the_database_does_not_answer(
    client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from oms.ops import views

    monkeypatch.setattr(views, "connection", _UnreachableDatabase())
    response = client.get("/readyz")
    assert (response.status_code, response.json()) == (
        503,
        {"status": "unavailable", "checks": {"database": "unreachable: OperationalError"}},
    )


def test_metrics_from_this_machine(client: Any) -> None:
    client.get("/healthz")
    body = client.get("/metrics").content.decode()
    assert 'oms_http_request_duration_seconds_count{method="GET",route="/healthz",status="200"}' in body
    for name in (
        "oms_task_queue_depth",
        "oms_work_items_overdue",
        "oms_messages_failed",
        "oms_workers_alive",
    ):
        assert name in body


def _sample(body: str, name: str) -> float:
    """The value of the one sample line `name` (with its labels) in the text format."""
    (line,) = [line for line in body.splitlines() if line.startswith(name + " ")]
    return float(line.split()[-1])


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # queued as a request would, committed
def test_metrics_give_the_age_of_the_oldest_waiting_task_and_each_job_s_lag(
    client: Any, settings: Any
) -> None:
    """Issue 24.5: queue depth and age, and the sweeper's lag. A task queued with no time to wait
    for (the usual case: the messages a request queues) counts as waiting."""
    settings.TASKS = QUEUE
    settings.OMS_SWEEP_SECONDS = 60
    channels.send_soon()
    DBTaskResult.objects.update(enqueued_at=timezone.now() - timedelta(seconds=300))
    now = timezone.now()
    JobRun.objects.create(
        job="sweep_deadlines",
        slot=now - timedelta(seconds=180),
        node="n1",
        started_at=now - timedelta(seconds=180),
    )
    body = client.get("/metrics").content.decode()
    assert _sample(body, 'oms_task_queue_depth{status="ready"}') == 1
    assert 300 <= _sample(body, "oms_task_queue_oldest_age_seconds") < 310
    assert 120 <= _sample(body, 'oms_job_lag_seconds{job="sweep_deadlines"}') < 130


def test_metrics_refuse_a_proxied_call_without_the_token(client: Any) -> None:
    assert client.get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"}).status_code == 404


def test_metrics_with_a_token(client: Any, settings: Any) -> None:
    settings.OMS_METRICS_TOKEN = "s3cret-token"
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 404
    assert client.get("/metrics", headers={"Authorization": "Bearer s3cret-token"}).status_code == 200


def test_logs_are_json_with_the_request_id() -> None:
    import json
    import logging

    from oms.ops.logs import JsonFormatter, RequestIdFilter

    record = logging.LogRecord("oms.x", logging.INFO, __file__, 1, "hello %s", ("you",), None)
    token = set_request_id("abc123")
    try:
        RequestIdFilter().filter(record)
    finally:
        reset_request_id(token)
    entry = json.loads(JsonFormatter().format(record))
    assert (entry["message"], entry["request_id"], entry["level"]) == ("hello you", "abc123", "INFO")
