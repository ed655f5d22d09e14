"""F-1, F-3 (000 四(三)1–3): release gives the technical department its task — the technical
documents and the technical briefing (技术交底) — due per the policy; it is done only with the
documents distributed to production and quality and the briefing recorded. An order with special
requirements goes into production only after its briefing, when the policy says so (default)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from oms.audit.models import AuditEvent
from oms.contracts import actions as contracts
from oms.core.errors import NotAllowed
from oms.engine.workflow import TransitionBlocked
from oms.fulfilment import actions
from oms.fulfilment.models import DepartmentTask, Milestone, ProgressReport
from oms.intake.tests.fixtures import set_policy, signed_order
from oms.orders.models import OrderStatus
from oms.policy import selectors as policy_selectors
from oms.tracking.models import WorkItem

pytestmark = pytest.mark.django_db
BRIEFING_NEEDED = "订单有特殊要求，须先由技术部门完成技术交底才能开始生产。"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _brief(org: dict[str, Any], order: Any) -> Any:
    return contracts.record_briefing(
        actor=org["tech_head"],
        order=order,
        held_on=date(2026, 11, 26),
        topic="定制齿轮箱工艺交底",
        attendees=[org["prod_head"], org["quality_head"]],
    )


def _report(org: dict[str, Any], order: Any) -> Any:
    return actions.report_progress(
        actor=org["prod"],
        order=order,
        milestone=Milestone.objects.get(order=order, seq=1),
        progress=20,
        quantity_done=Decimal("0"),
        material_issued="钢材 1 吨",
    )


def test_release_gives_the_technical_department_its_dated_task(more_heads, time_machine) -> None:
    """F-1, F-3: the technical head gets the task, due `release.technical_docs_days` working days on."""
    org = more_heads
    order = signed_order(org)
    released_at = datetime(2026, 11, 25, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    time_machine.move_to(released_at, tick=False)
    order = actions.release_order(actor=org["head"], order=order)
    task = DepartmentTask.objects.get(order=order, kind="technical_docs")
    calendar = policy_selectors.work_calendar(order.policy_version.number)
    assert (task.department.kind, task.assignee, task.due_at) == (
        "technical",
        org["tech_head"],
        calendar.add_working_days(released_at, order.policy().release.technical_docs_days),
    )
    assert order.policy().release.technical_docs_days == 2
    item = WorkItem.objects.get(kind="release.task", object_id=task.pk, status="open")
    assert (item.assignee, item.due_at) == (org["tech_head"], task.due_at)


def test_technical_task_is_done_only_with_documents_distributed_and_the_briefing(more_heads) -> None:
    """F-3: completion is refused, naming what is missing, until a technical document is distributed
    to production and quality and the briefing is recorded; the done task names them."""
    org = more_heads
    order = actions.release_order(actor=org["head"], order=signed_order(org))
    task = DepartmentTask.objects.get(order=order, kind="technical_docs")
    with pytest.raises(TransitionBlocked) as refused:
        actions.complete_task(actor=org["tech_head"], task=task, note="图纸已下发")
    assert refused.value.reasons == [
        "尚未上传技术文件（图纸、工艺文件、作业指导书或检验规范）。尚未记录技术交底。"
    ]
    drawing = contracts.upload_document(
        actor=org["tech_head"],
        order=order,
        doc_type="drawing",
        title="总装图",
        upload=SimpleUploadedFile("a.pdf", b"%PDF-1.4 drawing"),
    )
    contracts.distribute(actor=org["tech_head"], document=drawing, recipients=[org["prod_head"]])
    briefing = _brief(org, order)
    with pytest.raises(TransitionBlocked) as refused:
        actions.complete_task(actor=org["tech_head"], task=task, note="图纸已下发")
    assert refused.value.reasons == ["技术文件“总装图”v1 尚未分发给：质量部。"]
    task.refresh_from_db()
    assert (task.status, task.version) == ("open", 1)
    contracts.distribute(actor=org["tech_head"], document=drawing, recipients=[org["quality_head"]])
    task = actions.complete_task(actor=org["tech_head"], task=task, note="图纸已下发并交底")
    assert (task.status, task.briefing, list(task.documents.all())) == ("done", briefing, [drawing])


def test_only_the_technical_department_records_the_briefing(more_heads) -> None:
    """F-3 (000 四(三)3): the technical department holds the briefing; production cannot record it."""
    org = more_heads
    order = actions.release_order(actor=org["head"], order=signed_order(org, needs_customisation=True))
    with pytest.raises(NotAllowed):
        contracts.record_briefing(
            actor=org["prod_head"],
            order=order,
            held_on=date(2026, 11, 26),
            topic="自己交底",
            attendees=[org["prod_head"]],
        )
    assert order.briefings.count() == 0


def test_special_order_cannot_start_production_before_the_briefing(client, more_heads) -> None:
    """F-3: the first progress report of a customised order is refused, by the action and the page,
    and changes nothing; after the briefing it starts production."""
    org = more_heads
    order = actions.release_order(actor=org["head"], order=signed_order(org, needs_customisation=True))
    order.refresh_from_db()
    before = (order.status, order.version, AuditEvent.objects.count(), ProgressReport.objects.count())
    with pytest.raises(TransitionBlocked) as refused:
        _report(org, order)
    assert refused.value.reasons == [BRIEFING_NEEDED]
    client.force_login(org["prod"])
    page = client.post(
        reverse("fulfilment:execution", args=[order.pk, "progress"]),
        {"milestone": Milestone.objects.get(order=order, seq=1).pk, "progress": "20", "quantity_done": "0"},
        follow=True,
    )
    assert [str(m) for m in page.context["messages"]] == [f"无法执行“开始生产”：{BRIEFING_NEEDED}"]
    order.refresh_from_db()
    milestone = Milestone.objects.get(order=order, seq=1)
    assert (order.status, order.version, AuditEvent.objects.count(), ProgressReport.objects.count()) == before
    assert milestone.progress == 0
    _brief(org, order)
    _report(org, order)
    order.refresh_from_db()
    assert order.status == OrderStatus.IN_PRODUCTION


def test_normal_order_starts_production_without_a_briefing(more_heads) -> None:
    """F-3: the rule concerns orders with special requirements only."""
    org = more_heads
    order = actions.release_order(actor=org["head"], order=signed_order(org))
    _report(org, order)
    order.refresh_from_db()
    assert order.status == OrderStatus.IN_PRODUCTION


def test_policy_switch_off_lets_a_special_order_start_without_the_briefing(more_heads) -> None:
    """F-3: `release.briefing_before_production` off lifts the rule."""
    org = more_heads
    set_policy(org, release__briefing_before_production=False)
    order = actions.release_order(actor=org["head"], order=signed_order(org, needs_customisation=True))
    _report(org, order)
    order.refresh_from_db()
    assert order.status == OrderStatus.IN_PRODUCTION
