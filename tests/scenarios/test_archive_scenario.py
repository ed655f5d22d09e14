"""Scenarios of the archive (M-2, M-3): a closed order is filed with all its records; someone
outside the archive asks to read it, their department head approves or refuses; an approved
grant reads and downloads (each logged for the auditors) until it expires by itself."""

from __future__ import annotations

import io
import zipfile
from datetime import date, timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import make_user
from oms.accounts.models import Role
from oms.archive.models import AccessLog, AccessRequest, ArchiveRecord
from oms.notifications.models import Notification
from tests.scenarios.test_settlement_scenario import _close, _invoice, _pay, _received, _settle

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def archived(more_heads: dict[str, Any]) -> tuple[dict[str, Any], ArchiveRecord]:
    """M-1 → M-2: delivered, accepted, settled, invoiced, paid and closed: filed."""
    org = more_heads
    org["keeper"] = make_user("keeper1", kind="administration")
    org["auditor"] = make_user("audit1", kind="supervision", role=Role.AUDITOR)
    order = _received(org, "on_delivery")
    _invoice(org, _settle(org, order), "D1", "10000")
    _pay(org, "10000", date(2026, 12, 6), "B1")
    _close(org, order)
    return org, ArchiveRecord.objects.get(order=order)


def _ask(client: Any, org: dict[str, Any], record: ArchiveRecord) -> AccessRequest:
    client.force_login(org["prod"])
    page = client.get(reverse("archive:detail", args=[record.pk])).content.decode()
    assert 'data-testid="request-card"' in page and 'data-testid="section-lines"' not in page
    response = client.post(
        reverse("archive:request_access", args=[record.pk]), {"reason": "客户投诉，核对验收记录"}
    )
    assert response.status_code == 302
    return AccessRequest.objects.get()


def _decide(client: Any, org: dict[str, Any], request: AccessRequest, verb: str, note: str) -> None:
    client.force_login(org["prod_head"])
    page = client.get(reverse("archive:request", args=[request.pk])).content.decode()
    assert f'data-testid="{verb}"' in page
    client.post(
        reverse("archive:request", args=[request.pk]),
        {"verb": verb, "reason": note, "version": request.version},
    )


def test_a_closed_order_is_filed_and_leaves_the_order_list(client, archived) -> None:
    """M-2: filed as a completed order on closing; the order list no longer shows it."""
    org, record = archived
    assert (record.category, record.status, record.retention_years) == ("closed", "filed", 3)
    client.force_login(org["sales"])
    assert record.order.number.encode() not in client.get(reverse("workbench:order_list")).content
    response = client.get(reverse("workbench:order_detail", args=[record.order.pk]))
    assert (response.status_code, response["Location"]) == (302, reverse("archive:detail", args=[record.pk]))


def test_an_approved_request_reads_and_downloads_and_every_access_is_logged(
    client, archived, django_capture_on_commit_callbacks
) -> None:
    """M-3: request with a reason → the requester's head approves → read, download the packet;
    each access in the access log, which the auditor browses."""
    org, record = archived
    with django_capture_on_commit_callbacks(execute=True):
        request = _ask(client, org, record)
    assert (request.approver, request.status) == (org["prod_head"], "pending")
    assert Notification.objects.filter(
        recipient=org["prod_head"], url=f"/archive/requests/{request.pk}/"
    ).exists()
    with django_capture_on_commit_callbacks(execute=True):
        _decide(client, org, request, "approve_access", "同意，限本次投诉处理")
    request.refresh_from_db()
    assert (request.status, request.decision_note) == ("approved", "同意，限本次投诉处理")
    assert Notification.objects.filter(recipient=org["prod"], url=f"/archive/{record.pk}/").exists()

    client.force_login(org["prod"])
    page = client.get(reverse("archive:detail", args=[record.pk])).content.decode()
    assert 'data-testid="section-delivery"' in page and "张伟" in page
    packet = client.get(reverse("archive:packet", args=[record.pk]))
    with zipfile.ZipFile(io.BytesIO(packet.content)) as z:
        names = set(z.namelist())
    assert {"summary.pdf", "manifest.json", "06-delivery/s.pdf"} <= names
    assert any(n.startswith("03-contract/") for n in names)
    log = list(AccessLog.objects.order_by("pk").values_list("user__username", "kind", "request_id"))
    assert log == [("prod1", "view", request.pk), ("prod1", "packet", request.pk)]

    client.force_login(org["auditor"])
    rows = client.get(reverse("archive:log_list")).content.decode()
    assert (record.number in rows, "下载档案包" in rows, "客户投诉，核对验收记录" in rows) == (
        True,
        True,
        True,
    )


def test_a_refused_request_reads_nothing(client, archived) -> None:
    org, record = archived
    request = _ask(client, org, record)
    _decide(client, org, request, "refuse_access", "与本岗位无关")
    request.refresh_from_db()
    assert (request.status, request.granted_until, request.decision_note) == ("refused", None, "与本岗位无关")
    client.force_login(org["prod"])
    page = client.get(reverse("archive:detail", args=[record.pk])).content.decode()
    assert 'data-testid="section-lines"' not in page
    assert client.get(reverse("archive:packet", args=[record.pk])).status_code == 403
    assert AccessLog.objects.count() == 0


def test_a_grant_expires_by_itself(client, archived, time_machine) -> None:
    """M-3: the policy's 7 days after approval, reading stops without anyone acting."""
    org, record = archived
    request = _ask(client, org, record)
    _decide(client, org, request, "approve_access", "同意")
    time_machine.move_to(timezone.now() + timedelta(days=7, minutes=1))
    client.force_login(org["prod"])
    page = client.get(reverse("archive:detail", args=[record.pk])).content.decode()
    assert 'data-testid="section-lines"' not in page and 'data-testid="request-card"' in page
    assert client.get(reverse("archive:packet", args=[record.pk])).status_code == 403
    status = client.get(reverse("archive:request", args=[request.pk])).content.decode()
    assert "已过期" in status
    assert AccessLog.objects.count() == 0
