"""Issue 24.2 with M-2, M-3: an archive packet of many documents is zipped by the worker for the
reader who asked, logged then, and fetched from "my downloads"."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest
from django.urls import reverse

from conftest import make_user
from oms.archive.models import AccessLog, ArchiveRecord
from oms.intake import actions as intake
from oms.intake.tests.fixtures import header
from oms.web.models import GeneratedFile

pytestmark = pytest.mark.django_db


@pytest.fixture
def record(org: dict[str, Any], settings: Any, tmp_path: Any) -> ArchiveRecord:
    settings.MEDIA_ROOT = tmp_path
    order = intake.create_order(
        actor=org["sales"],
        data=header(org),
        lines=[{"product": org["gear"].pk, "quantity": "2", "unit_price": "1000"}],
        duplicate_reason="test",
    )
    intake.cancel_draft(actor=org["sales"], order=order, reason="客户取消询价")
    return ArchiveRecord.objects.get(order=order)


def test_a_packet_over_the_threshold_is_zipped_by_the_worker(client, record, settings) -> None:
    settings.OMS_PACKET_INLINE_FILES = 0
    keeper = make_user("keeper1", kind="administration")
    client.force_login(keeper)
    response = client.get(reverse("archive:packet", args=[record.pk]))
    row = GeneratedFile.objects.get()
    assert response["Location"] == reverse("core:download_status", args=[row.pk])
    row.refresh_from_db()
    assert (row.kind, row.status, row.file_name) == ("archive.zip", "done", f"{record.number}.zip")
    fetched = client.get(reverse("core:download_file", args=[row.pk]))
    with zipfile.ZipFile(io.BytesIO(b"".join(fetched.streaming_content))) as z:
        assert {"summary.pdf", "manifest.json", "download.json"} <= set(z.namelist())
    assert list(AccessLog.objects.values_list("user", "kind")) == [(keeper.pk, "packet")]


def test_a_reader_without_a_grant_is_refused_and_nothing_is_queued(client, record, settings) -> None:
    settings.OMS_PACKET_INLINE_FILES = 0
    client.force_login(make_user("prod9", kind="production"))
    assert client.get(reverse("archive:packet", args=[record.pk])).status_code == 403
    assert not GeneratedFile.objects.exists() and not AccessLog.objects.exists()


def test_a_small_packet_is_still_answered_at_once(client, record) -> None:
    client.force_login(make_user("keeper1", kind="administration"))
    response = client.get(reverse("archive:packet", args=[record.pk]))
    assert (response.status_code, response["Content-Type"]) == (200, "application/zip")
    assert not GeneratedFile.objects.exists()
