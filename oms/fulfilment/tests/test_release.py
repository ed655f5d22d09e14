"""D-4, F-1, F-2, F-4, G-2: release creates the departments' work; production progress moves the order."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from oms.core.errors import FieldErrors, NotAllowed
from oms.engine.workflow import PermissionDenied, TransitionBlocked
from oms.fulfilment import actions
from oms.fulfilment.models import DepartmentTask, Milestone
from oms.intake.tests.fixtures import confirmed_order, set_policy, signed_order
from oms.orders.models import CustomerStage, OrderStatus
from oms.policy.selectors import work_calendar
from oms.tracking.actions.items import open_item
from oms.tracking.models import TrackingEntry, WorkItem

pytestmark = pytest.mark.django_db
ALL_OK = {k: (True, "") for k in ("capacity", "process", "quantity", "price", "delivery")}


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_release_is_blocked_until_the_contract_is_signed(more_heads) -> None:
    org = more_heads
    order = confirmed_order(org)
    with pytest.raises(TransitionBlocked) as info:
        actions.release_order(actor=org["head"], order=order)
    assert info.value.reasons == ["合同尚未签订，不能下达。"]
    order.refresh_from_db()
    assert (order.status, DepartmentTask.objects.count()) == (OrderStatus.CONFIRMED, 0)


def test_prepayment_order_waits_for_the_money(more_heads) -> None:
    """D-4."""
    org = more_heads
    order = signed_order(org, payment_terms="prepayment")
    with pytest.raises(TransitionBlocked) as info:
        actions.release_order(actor=org["head"], order=order)
    assert info.value.reasons == ["预付款未到账：应收 2000.00，已收 0。"]
    with pytest.raises(NotAllowed):
        actions.record_prepayment(
            actor=org["sales"],
            order=order,
            amount=Decimal("2000"),
            received_on=date(2026, 11, 23),
            reference="BK-1",
        )
    actions.record_prepayment(
        actor=org["finance"],
        order=order,
        amount=Decimal("2000"),
        received_on=date(2026, 11, 23),
        reference="BK-1",
    )
    order = actions.release_order(actor=org["head"], order=order)
    assert order.status == OrderStatus.RELEASED


def test_release_creates_each_departments_task_milestones_and_tells_the_customer(more_heads) -> None:
    """F-1, F-2, F-4."""
    org = more_heads
    order = actions.release_order(actor=org["head"], order=signed_order(org))
    tasks = {t.kind: t for t in DepartmentTask.objects.filter(order=order)}
    assert sorted(tasks) == sorted(
        [
            "production_plan",
            "purchase_plan",
            "quality_plan",
            "technical_docs",
            "warehouse_allocation",
            "logistics_plan",
        ]
    )
    assert tasks["production_plan"].assignee == org["prod_head"]
    assert tasks["warehouse_allocation"].due_at.date() < order.delivery_date
    assert WorkItem.objects.filter(kind="release.task", status="open").count() == 6
    assert list(Milestone.objects.filter(order=order).values_list("name", flat=True)) == [
        "备料",
        "加工",
        "装配",
        "检验",
        "包装",
    ]
    assert "预计交货日期" in TrackingEntry.objects.get(order=order).text
    assert (
        WorkItem.objects.get(kind="report.contact", status="open").assignee == org["sales"]
    )  # F-4: sales tells the customer


def test_release_closes_the_orders_idleness_reminder_with_its_own_step(more_heads) -> None:
    """H-5, issue 21: the release's ledger line answers the order's open idleness reminder, which
    is closed by the releaser with the release step (one statement)."""
    org = more_heads
    order = signed_order(org)
    idle = open_item(
        target=order,
        kind="order.idle",
        title="订单停滞",
        department=order.department,
        assignee=org["sales"],
        calendar=work_calendar(of=order),
        days=1,
    )
    actions.release_order(actor=org["head"], order=order)
    idle.refresh_from_db()
    assert (idle.status, idle.closed_by, idle.outcome) == ("done", org["head"], "已下达")


def test_release_without_calendar_data_is_refused_clearly(org) -> None:
    from oms.core.errors import ActionError
    from oms.policy.models import CalendarDay

    set_policy(org, contracts__release_without_contract_classes=["normal"])
    from conftest import make_user

    make_user("whhead", kind="warehouse", role="head")
    make_user("lghead", kind="logistics", role="head")
    order = confirmed_order(org)
    # Removed only now: the preliminary check (B-6) already needed 2027 to judge the delivery date.
    CalendarDay.objects.filter(date__year=2027).delete()
    with pytest.raises(ActionError, match="工作日历没有 2027 年"):
        actions.release_order(actor=org["head"], order=order)
    order.refresh_from_db()
    assert order.status == OrderStatus.CONFIRMED


def test_only_sales_head_or_order_confirmation_releases(more_heads) -> None:
    org = more_heads
    order = signed_order(org)
    with pytest.raises(PermissionDenied):
        actions.release_order(actor=org["sales"], order=order)


def test_progress_moves_the_order_into_production(more_heads) -> None:
    """G-2: in production from the first report; the customer sees 生产中 (H-1)."""
    org = more_heads
    order = actions.release_order(actor=org["head"], order=signed_order(org))
    milestone = Milestone.objects.get(order=order, seq=1)
    with pytest.raises(FieldErrors):
        actions.report_progress(
            actor=org["prod"], order=order, milestone=milestone, progress=120, quantity_done=Decimal("1")
        )
    milestone.refresh_from_db()
    assert milestone.progress == 0
    actions.report_progress(
        actor=org["prod"],
        order=order,
        milestone=milestone,
        progress=50,
        quantity_done=Decimal("1"),
        material_issued="钢材 2 吨",
    )
    order.refresh_from_db()
    assert (order.status, order.customer_stage) == (OrderStatus.IN_PRODUCTION, CustomerStage.IN_PRODUCTION)


def test_progress_on_another_orders_milestone_is_refused(more_heads) -> None:
    org = more_heads
    first = actions.release_order(actor=org["head"], order=signed_order(org))
    second = actions.release_order(actor=org["head"], order=signed_order(org, quantity="3"))
    other = Milestone.objects.get(order=second, seq=1)
    with pytest.raises(FieldErrors) as info:
        actions.report_progress(
            actor=org["prod"], order=first, milestone=other, progress=10, quantity_done=Decimal("0")
        )
    assert list(info.value.errors) == ["milestone"]


def test_department_completes_its_plan(more_heads) -> None:
    org = more_heads
    order = actions.release_order(actor=org["head"], order=signed_order(org))
    task = DepartmentTask.objects.get(order=order, kind="quality_plan")
    with pytest.raises(FieldErrors):
        actions.complete_task(actor=org["quality_head"], task=task, note="")
    task = actions.complete_task(actor=org["quality_head"], task=task, note="首件检验 + 每批抽检 5%")
    assert task.status == "done"
    assert not WorkItem.objects.filter(kind="release.task", object_id=task.pk, status="open").exists()


def test_release_with_the_contract_waived_for_urgent_orders(more_heads) -> None:
    org = more_heads
    set_policy(org, contracts__release_without_contract_classes=["urgent"])
    order = actions.release_order(actor=org["head"], order=confirmed_order(org, order_class="urgent"))
    assert order.status == OrderStatus.RELEASED


def test_released_on_a_saturday_a_one_working_day_plan_has_a_whole_working_day(
    more_heads, client, time_machine
) -> None:
    """C-3, F-1: released on Saturday 5 December 2026, the production plan (1 working day) is due
    at the close of Monday, and "my work" shows a whole working day (8 hours) left, not 0."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from oms.fulfilment.models import TaskKind

    org = more_heads
    order = signed_order(org)
    saturday = datetime(2026, 12, 5, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    time_machine.move_to(saturday, tick=False)
    actions.release_order(actor=org["head"], order=order)
    task = DepartmentTask.objects.get(order=order, kind=TaskKind.PRODUCTION_PLAN)
    assert task.due_at == datetime(2026, 12, 7, 18, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    client.force_login(org["prod_head"])
    page = client.get("/work/").content.decode()
    assert "剩余 8.00 工作小时" in page
    assert "2026-12-07 18:00" in page
