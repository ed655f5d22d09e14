"""The reporting cadence on running orders (H-3)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext_noop

from oms.accounts.models import Department, DepartmentKind, User
from oms.accounts.selectors import department_of_kind, head_of
from oms.core.phrases import phrase
from oms.fulfilment.models import (
    ProgressReport,
)
from oms.notifications.actions import notify
from oms.orders.links import order_url
from oms.orders.models import OrderStatus, SalesOrder
from oms.policy import selectors as policy_selectors
from oms.policy.models import PolicyVersion
from oms.policy.schema import PolicyData
from oms.tracking import actions as tracking
from oms.tracking.models import EntryKind, TrackingEntry, WorkItem, WorkStatus


@dataclass(frozen=True)
class ReportStream:
    """H-3: one side's periodic reporting on a running order: the reminder it owes when late,
    the policy setting of its cadence (`policy.reporting.<setting>`, calendar days), when it last
    reported (a subquery on the order), and who owes it: the head of a department of that kind,
    or, without one, the order's salesperson in the order's sales department."""

    kind: str
    setting: str
    last: Callable[[], Subquery]
    department: str | None
    title: str


def _last_entry(kind: str) -> Callable[[], Subquery]:
    return lambda: Subquery(
        TrackingEntry.objects.filter(order=OuterRef("pk"), kind=kind)
        .order_by("-created_at")
        .values("created_at")[:1]
    )


# H-3 (000 六(二)1, 001 六(三)1): one table, one check; a new cadence is one more row here.
REPORT_STREAMS: tuple[ReportStream, ...] = (
    ReportStream(
        kind="report.production",
        setting="production_report_days",
        last=lambda: Subquery(
            ProgressReport.objects.filter(milestone__order=OuterRef("pk"))
            .order_by("-reported_at")
            .values("reported_at")[:1]
        ),
        department=DepartmentKind.PRODUCTION,
        title=gettext_noop("订单 %(n)s 超过 %(d)s 天没有生产进度汇报"),
    ),
    ReportStream(
        kind="report.procurement",
        setting="procurement_report_days",
        last=_last_entry(EntryKind.PROCUREMENT_REPORT),
        department=DepartmentKind.PROCUREMENT,
        title=gettext_noop("订单 %(n)s 超过 %(d)s 天没有采购进度汇报"),
    ),
    ReportStream(
        kind="report.quality",
        setting="quality_report_days",
        last=_last_entry(EntryKind.QUALITY_REPORT),
        department=DepartmentKind.QUALITY,
        title=gettext_noop("订单 %(n)s 超过 %(d)s 天没有质量检验情况汇报"),
    ),
    ReportStream(
        kind="report.contact",
        setting="sales_contact_days",
        last=_last_entry(EntryKind.CONTACT),
        department=None,
        title=gettext_noop("订单 %(n)s 超过 %(d)s 天没有联系客户"),
    ),
)


def _department_owners() -> dict[str, tuple[Department, User | None] | None]:
    """Who owes each department's report: the head of the department of that kind."""
    owners: dict[str, tuple[Department, User | None] | None] = {}
    for stream in REPORT_STREAMS:
        if stream.department is not None:
            dept = department_of_kind(stream.department)
            # A company without such a department owes no such report.
            owners[stream.kind] = (dept, head_of(dept)) if dept is not None else None
    return owners


def _remind(
    order: SalesOrder,
    stream: Any,
    owner: tuple[Department, User | None],
    days: int,
    now: datetime,
    calendar: Any,
    within_days: int,
) -> None:
    """H-3, T-1: the reminder of a missing report in its owner's work, and its owner told (the
    person, else the department's staff)."""
    title = phrase(stream.title, n=order.number, d=days)
    department, person = owner
    tracking.open_item(
        target=order,
        kind=stream.kind,
        title=title,
        department=department,
        assignee=person,
        calendar=calendar,
        days=within_days,
        start=now,
    )
    notify(
        event="tracking.report",
        recipients=[person] if person is not None else tracking.department_staff(department),
        title=title,
        url=order_url(order),
    )


def check_reporting(now: datetime | None = None) -> int:
    """H-3: each side reports on a running order at the cadence its policy version sets (an
    important order more often, see `Reporting`); a report missing for longer than that, counted
    from the last one or else from the release, becomes one reminder in the work of whoever owes
    it, due within the policy's working days, and the deadline sweeper escalates it to their
    superior when that passes. Idempotent: one open reminder per order and kind; the report
    closes it. Returns how many reminders this run opened."""
    now = now or timezone.now()
    ct = ContentType.objects.get_for_model(SalesOrder)
    opened = 0
    running = [OrderStatus.RELEASED, OrderStatus.IN_PRODUCTION]
    open_reminders = set(
        WorkItem.objects.filter(
            content_type=ct, status=WorkStatus.OPEN, kind__in=[s.kind for s in REPORT_STREAMS]
        ).values_list("object_id", "kind")
    )
    owners = _department_owners()
    for version in PolicyVersion.objects.filter(
        pk__in=SalesOrder.objects.filter(status__in=running).values("policy_version")
    ):
        rules = PolicyData.model_validate(version.data).reporting
        calendar = policy_selectors.work_calendar(version.number)
        orders = (
            SalesOrder.objects.filter(policy_version=version, status__in=running)
            .annotate(**{f"last_{i}": s.last() for i, s in enumerate(REPORT_STREAMS)})
            .select_related("department", "salesperson", "customer", "policy_version")
        )
        for order in orders:
            important = (rules.important_key_customers and order.customer.is_key) or (
                rules.important_special_requirements and order.has_special_requirements
            )
            for i, stream in enumerate(REPORT_STREAMS):
                if (order.pk, stream.kind) in open_reminders:
                    continue
                if stream.department is None:
                    owner: tuple[Department, User | None] | None = (order.department, order.salesperson)
                else:
                    owner = owners[stream.kind]
                if owner is None:
                    continue
                days = rules.cadence_days(getattr(rules, stream.setting), important=important)
                last = getattr(order, f"last_{i}") or order.updated_at  # since the release
                if now - last < timedelta(days=days):
                    continue
                _remind(order, stream, owner, days, now, calendar, rules.missing_report_days)
                open_reminders.add((order.pk, stream.kind))
                opened += 1
    return opened
