"""Issue 24.2: long exports are written by the worker into `default_storage` and fetched from
"my downloads"; short ones are still answered at once."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from openpyxl import load_workbook

from conftest import make_user
from oms.audit.models import AuditEvent
from oms.customers.tests.factories import CustomerFactory
from oms.web.downloads import actions
from oms.web.listing.export import watermark
from oms.web.models import GeneratedFile

pytestmark = pytest.mark.django_db
LIST = "customers:customer_list"
NOW = timezone.make_aware(timezone.datetime(2026, 12, 6, 9, 30))


@pytest.fixture(autouse=True)
def _storage(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path
    settings.OMS_EXPORT_INLINE_ROWS = 2


def _sheet(content: bytes) -> tuple[list[list[Any]], str, str]:
    book = load_workbook(io.BytesIO(content))
    sheet = book.active
    return (
        [list(r) for r in sheet.iter_rows(values_only=True)],
        book.properties.creator,
        sheet.oddHeader.right.text,
    )


def _queued(client: Any, user: Any, **query: str) -> GeneratedFile:
    client.force_login(user)
    response = client.get(reverse(LIST), {"export": "xlsx", **query})
    row = GeneratedFile.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("core:download_status", args=[row.pk])
    return row


def test_a_short_list_is_still_exported_at_once(client, production_staff) -> None:
    CustomerFactory.create_batch(2, owner=production_staff)
    client.force_login(production_staff)
    response = client.get(reverse(LIST), {"export": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert not GeneratedFile.objects.exists()


def test_a_long_list_is_generated_by_the_worker_with_the_same_rows_and_watermark(
    client, production_staff, settings
) -> None:
    """Same selector, scope, field policy (production sees no credit limit), filters and sort
    as the page, and the asking user's watermark."""
    CustomerFactory.create_batch(3, owner=production_staff)
    CustomerFactory(code="X0001", owner=production_staff, name="杭州恒信")
    CustomerFactory.create_batch(2)  # outside production_staff's scope
    query = {"q": "恒信", "sort": "-code"}
    with time_machine.travel(NOW, tick=False):
        row = _queued(client, production_staff, **query)
        settings.OMS_EXPORT_INLINE_ROWS = 10_000
        inline = client.get(reverse(LIST), {"export": "xlsx", **query})
    row.refresh_from_db()
    assert (row.status, row.kind, row.error) == ("done", "list.xlsx", "")
    assert row.expires_at == NOW + timedelta(hours=24)
    generated = client.get(reverse("core:download_file", args=[row.pk]))
    content = b"".join(generated.streaming_content)
    rows, creator, header = _sheet(content)
    assert rows == _sheet(inline.content)[0]
    assert len(rows) == 5 and "信用额度" not in rows[0]
    assert [r[0] for r in rows[1:]] == sorted((r[0] for r in rows[1:]), reverse=True)
    with time_machine.travel(NOW, tick=False):
        assert creator == watermark(production_staff)
    assert header == f"导出：{creator}"
    assert row.size == len(content) and row.file_name.endswith(".xlsx")
    assert generated["Content-Disposition"].startswith("attachment")


def test_the_generated_file_is_audited(client, production_staff) -> None:
    CustomerFactory.create_batch(3, owner=production_staff)
    row = _queued(client, production_staff)
    events = list(AuditEvent.objects.filter(object_type="web.generatedfile").order_by("seq"))
    assert [e.action for e in events] == ["export.requested", "export.generated"]
    assert events[1].actor_id == production_staff.pk
    row.refresh_from_db()
    with default_storage.open(row.storage_name, "rb") as stored:
        import hashlib

        assert events[1].after["sha256"] == hashlib.sha256(stored.read()).hexdigest()


def test_only_the_requester_or_an_administrator_may_download(client, production_staff, admin_user) -> None:
    CustomerFactory.create_batch(3, owner=production_staff)
    row = _queued(client, production_staff)
    other = make_user("prod2", kind="production")
    client.force_login(other)
    assert client.get(reverse("core:download_file", args=[row.pk])).status_code == 404
    assert client.get(reverse("core:download_status", args=[row.pk])).status_code == 404
    assert b"data-status" not in client.get(reverse("core:downloads")).content.split(b"<tbody>")[1]
    client.force_login(admin_user)
    assert client.get(reverse("core:download_file", args=[row.pk])).status_code == 200


def test_the_expiry_job_deletes_the_stored_file_and_keeps_the_row(client, production_staff) -> None:
    CustomerFactory.create_batch(3, owner=production_staff)
    row = _queued(client, production_staff)
    row.refresh_from_db()
    assert default_storage.exists(row.storage_name)
    assert actions.expire_files(row.expires_at - timedelta(seconds=1)) == 0
    assert actions.expire_files(row.expires_at) == 1
    row.refresh_from_db()
    assert row.status == "expired" and not default_storage.exists(row.storage_name)
    assert AuditEvent.objects.filter(action="export.expired", object_id=str(row.pk)).count() == 1
    client.force_login(production_staff)
    assert client.get(reverse("core:download_file", args=[row.pk])).status_code == 404
    assert actions.expire_files(row.expires_at + timedelta(days=1)) == 0


def test_the_expiry_job_runs_with_the_periodic_jobs() -> None:
    from oms.core import registry

    assert actions.expire_files in list(registry.periodic_jobs)


def test_a_failed_generation_shows_its_error(client, production_staff, monkeypatch) -> None:
    CustomerFactory.create_batch(3, owner=production_staff)

    def broken(row: GeneratedFile) -> tuple[bytes, str]:
        raise OSError("disk full")

    monkeypatch.setitem(actions.RENDERERS, "list.xlsx", broken)
    row = _queued(client, production_staff)
    row.refresh_from_db()
    assert (row.status, row.error, row.storage_name) == ("failed", "OSError: disk full", "")
    page = client.get(reverse("core:download_status", args=[row.pk])).content.decode()
    assert 'data-testid="download-error"' in page and "disk full" in page
    assert AuditEvent.objects.filter(action="export.failed", object_id=str(row.pk)).count() == 1


def test_a_user_no_longer_allowed_gets_a_refusal_not_a_file(production_staff) -> None:
    CustomerFactory.create_batch(3)
    row = GeneratedFile.objects.create(
        requested_by=production_staff,
        kind="list.xlsx",
        title="客户",
        params={"path": reverse("audit:list"), "query": "export=xlsx", "language": "zh-hans"},
    )
    assert actions.generate(row.pk) == "failed"
    row.refresh_from_db()
    assert (row.status, row.storage_name, row.error) == ("failed", "", "您已无权导出这些数据。")


def test_a_pending_file_page_polls_every_two_seconds(client, production_staff) -> None:
    row = GeneratedFile.objects.create(requested_by=production_staff, kind="list.xlsx", title="客户")
    client.force_login(production_staff)
    page = client.get(reverse("core:download_status", args=[row.pk])).content.decode()
    url = reverse("core:download_status", args=[row.pk])
    assert f'hx-get="{url}" hx-trigger="every 2s"' in page
    assert '<noscript><meta http-equiv="refresh" content="2"></noscript>' in page
    partial = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert partial.lstrip().startswith('<div id="generated-file"') and "<html" not in partial


def test_my_downloads_lists_my_files_in_bounded_queries(
    client, production_staff, django_assert_max_num_queries
) -> None:
    for n in range(5):
        GeneratedFile.objects.create(requested_by=production_staff, kind="list.xlsx", title=f"客户{n}")
    GeneratedFile.objects.create(
        requested_by=make_user("prod2", kind="production"), kind="list.xlsx", title="别人"
    )
    client.force_login(production_staff)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("core:downloads")).content.decode()
    assert page.count('data-status="queued"') == 5 and "别人" not in page
    assert f'href="{reverse("core:downloads")}"' in page  # the side menu's entry


QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # the worker commits, as in production
def test_on_the_database_queue_the_request_only_queues_and_a_worker_writes_the_file(client, settings) -> None:
    settings.TASKS = QUEUE
    user = make_user("prod9", kind="production")
    CustomerFactory.create_batch(3, owner=user)
    row = _queued(client, user)
    row.refresh_from_db()
    task = DBTaskResult.objects.get()
    assert (row.status, task.status, task.args_kwargs["args"]) == ("queued", "READY", [row.pk])
    call_command("run_worker", batch=True, startup_delay=False, verbosity=0)
    row.refresh_from_db()
    assert (row.status, DBTaskResult.objects.get().status) == ("done", "SUCCESSFUL")
    response = client.get(reverse("core:download_file", args=[row.pk]))
    assert len(_sheet(b"".join(response.streaming_content))[0]) == 4


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # the worker commits, as in production
def test_a_failed_generation_is_retried_by_the_queue_and_then_done(client, settings, monkeypatch) -> None:
    settings.TASKS = QUEUE
    settings.OMS_TASK_MAX_ATTEMPTS = 2
    settings.OMS_TASK_BACKOFF_SECONDS = 0
    user = make_user("prod8", kind="production")
    CustomerFactory.create_batch(3, owner=user)
    calls: list[int] = []

    def flaky(row: GeneratedFile) -> tuple[bytes, str]:
        calls.append(row.pk)
        if len(calls) == 1:
            raise OSError("storage unreachable")
        return actions.render_page(row)

    monkeypatch.setitem(actions.RENDERERS, "list.xlsx", flaky)
    row = _queued(client, user)
    call_command("run_worker", batch=True, startup_delay=False, verbosity=0)
    row.refresh_from_db()
    runs = [r.status for r in DBTaskResult.objects.order_by("enqueued_at")]
    assert (runs, row.status, row.error, len(calls)) == (["FAILED", "SUCCESSFUL"], "done", "", 2)
    events = AuditEvent.objects.filter(object_type="web.generatedfile", object_id=str(row.pk))
    assert list(events.order_by("seq").values_list("action", flat=True)) == [
        "export.requested",
        "export.failed",
        "export.generated",
    ]
