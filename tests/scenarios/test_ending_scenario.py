"""Scenarios of an order's end (H-5, P-3, M-3): closing or cancelling an order ends every open
step of it, with the reason, so nothing of it stays in anyone's "my work"; and every link left in
"my work" or the inbox still opens (an archived order's pages lead to its archive record, in the
user's language)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from oms.accounts.models import User
from oms.archive.models import ArchiveRecord
from oms.changes.models import ChangeRequest
from oms.changes.tests.fixtures import approve_all, raise_typed, released_order
from oms.notifications.models import Notification
from oms.orders.models import OrderStatus
from oms.tracking.models import WorkItem, WorkStatus
from oms.tracking.selectors import department_queue, my_work
from oms.workbench.views.work import _work_rows
from tests.scenarios.test_settlement_scenario import _close, _invoice, _pay, _received, _settle

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _language_restored() -> Any:
    """A request in English leaves English active in the thread; later tests expect Chinese."""
    before = translation.get_language()
    yield
    translation.activate(before)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _links_of(user: User) -> list[str]:
    """Every link the user is offered in "my work" (their own and their department's queue) and in
    the inbox."""
    rows = _work_rows(list(my_work(user))) + _work_rows(list(department_queue(user)))
    urls = [r["url"] for r in rows if r["url"]]
    urls += list(Notification.objects.filter(recipient=user).exclude(url="").values_list("url", flat=True))
    return sorted(set(urls))


def _every_link_opens(client: Any) -> list[tuple[str, str, int]]:
    """Walk every active user's links with the test client; return those not answering 200."""
    broken = []
    for user in User.objects.filter(is_active=True, is_customer=False).order_by("pk"):
        client.force_login(user)
        for url in _links_of(user):
            status = client.get(url, follow=True).status_code
            if status != 200:
                broken.append((user.username, url, status))
    return broken


def _cancel(org: dict[str, Any], order: Any) -> ChangeRequest:
    return approve_all(
        raise_typed(
            actor=org["sales"],
            order=order,
            kind="cancellation",
            source="customer",
            reason="客户项目取消",
            impact="停止生产",
            notice=SimpleUploadedFile("notice.pdf", b"%PDF-1.4 notice"),
            loss_amount="0",
        )
    )


def test_closing_ends_the_open_department_tasks_with_the_reason(more_heads) -> None:
    """H-5, P-3: the logistics plan still open when the order closes is withdrawn with the reason
    and leaves the logistics head's work."""
    org = more_heads
    order = _received(org, "on_delivery")
    plan = WorkItem.objects.get(order=order, kind="release.task", department__kind="logistics")
    assert (plan.status, plan in my_work(org["logistics_head"])) == (WorkStatus.OPEN, True)
    _invoice(org, _settle(org, order), "D1", "10000")
    _pay(org, "10000", date(2026, 12, 6), "B1")
    _close(org, order)
    plan.refresh_from_db()
    assert (plan.status, plan.outcome, plan.closed_by) == (
        WorkStatus.CANCELLED,
        "订单已结束：订单已关闭",
        org["sales"],
    )
    assert plan not in my_work(org["logistics_head"])
    assert not WorkItem.objects.filter(order=order, status=WorkStatus.OPEN).exists()


def test_after_closure_every_link_in_work_and_inbox_opens(
    client, more_heads, django_capture_on_commit_callbacks
) -> None:
    """H-5, M-3: after the order is closed and filed, no link of any user's work or inbox answers
    404; the order's pages lead to its archive record."""
    org = more_heads
    with django_capture_on_commit_callbacks(execute=True):
        order = _received(org, "on_delivery")
        _invoice(org, _settle(org, order), "D1", "10000")
        _pay(org, "10000", date(2026, 12, 6), "B1")
        _close(org, order)
    assert ArchiveRecord.objects.filter(order=order).exists()
    assert Notification.objects.filter(url=f"/orders/{order.pk}/").exists()
    assert _every_link_opens(client) == []


def test_cancellation_ends_every_open_item_including_the_change_agreement(more_heads) -> None:
    """J-1, H-5: an approved change left "签订变更协议" open; the approved cancellation ends it and
    every other open step of the order."""
    org = more_heads
    order = released_order(org, quantity="10")
    line = order.lines.get()
    change = approve_all(
        raise_typed(
            actor=org["sales"],
            order=order,
            kind="change",
            source="customer",
            reason="客户追加数量",
            impact="生产增加",
            lines=[
                {"line": line.pk, "quantity": "15", "unit_price": str(line.unit_price), "spec": line.spec}
            ],
            notice=SimpleUploadedFile("notice.pdf", b"%PDF-1.4 notice"),
        )
    )
    agreement = WorkItem.objects.get(order=order, kind="change.agreement", object_id=change.pk)
    assert agreement.status == WorkStatus.OPEN
    cancellation = _cancel(org, order)
    order.refresh_from_db()
    agreement.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    assert (agreement.status, agreement.outcome) == (
        WorkStatus.CANCELLED,
        f"订单已结束：取消申请 {cancellation.number} 已批准",
    )
    assert list(WorkItem.objects.filter(order=order, status=WorkStatus.OPEN)) == []
    assert agreement not in my_work(org["sales"])


def test_after_cancellation_every_link_in_work_and_inbox_opens(
    client, more_heads, django_capture_on_commit_callbacks
) -> None:
    """J-1, M-3: the inbox message telling departments to stop links to the cancellation request;
    after filing it opens the archive record, as every other remaining link opens."""
    org = more_heads
    with django_capture_on_commit_callbacks(execute=True):
        order = released_order(org, quantity="10")
        cancellation = _cancel(org, order)
    record = ArchiveRecord.objects.get(order=order)
    stop = Notification.objects.filter(recipient=org["sales"], title__contains="请停止执行").get()
    assert stop.url == f"/changes/{cancellation.pk}/"
    client.force_login(org["prod"])
    response = client.get(f"/changes/{cancellation.pk}/")
    assert (response.status_code, response["Location"]) == (302, reverse("archive:detail", args=[record.pk]))
    assert _every_link_opens(client) == []


def test_an_archived_change_request_opens_the_archive_in_the_users_language(client, more_heads) -> None:
    """M-3: someone without a grant is told, in English when they chose English, that reading
    needs a query request, with the form to file one."""
    org = more_heads
    order = released_order(org, quantity="10")
    cancellation = _cancel(org, order)
    client.force_login(org["prod"])
    client.cookies["django_language"] = "en"
    page = client.get(f"/changes/{cancellation.pk}/", follow=True)
    body = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="request-card"' in body and 'data-testid="request-access"' in body
    assert "This order is archived; read it in the order archive." in body
    assert "Not Found" not in body


@pytest.mark.parametrize(
    "page",
    ["review_task", "approval_step", "department_task", "statement", "invoice", "shipment_note", "report"],
)
def test_every_page_of_a_closed_order_leads_to_its_archive_record(client, more_heads, page) -> None:
    """M-3: the pages of a filed order's objects (review task and report, approval step,
    department task, statement, invoice, delivery note) lead to its archive record."""
    org = more_heads
    order = _received(org, "on_delivery")
    statement = _settle(org, order)
    invoice = _invoice(org, statement, "D1", "10000")
    _pay(org, "10000", date(2026, 12, 6), "B1")
    _close(org, order)
    record = ArchiveRecord.objects.get(order=order)
    rnd = order.review_rounds.get()
    url = {
        "review_task": reverse("review:task", args=[rnd.tasks.first().pk]),
        "report": reverse("review:report", args=[rnd.pk]),
        "approval_step": reverse("review:approval_step", args=[order.approval_steps.first().pk]),
        "department_task": reverse("fulfilment:task", args=[order.department_tasks.first().pk]),
        "statement": reverse("billing:statement", args=[statement.pk]),
        "invoice": reverse("billing:invoice", args=[invoice.pk]),
        "shipment_note": reverse("delivery:document", args=[order.shipments.get().pk, "note"]),
    }[page]
    client.force_login(org["sales"])
    response = client.get(url, follow=True)
    assert (response.status_code, response.redirect_chain[-1][0]) == (
        200,
        reverse("archive:detail", args=[record.pk]),
    )
