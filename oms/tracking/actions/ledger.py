"""The tracking ledger, exceptions and idle orders (H-2, H-4, H-5)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from oms.accounts.models import DepartmentKind, User
from oms.audit import recorder
from oms.core.errors import FieldErrors, NotAllowed
from oms.core.phrases import phrase
from oms.engine import workflow
from oms.notifications.actions import notify, tell_customer
from oms.orders.links import order_url
from oms.orders.models import OPEN_STATUSES, SalesOrder
from oms.policy.models import PolicyVersion
from oms.policy.schema import PolicyData
from oms.policy.selectors import work_calendar
from oms.policy.worktime import WorkCalendar
from oms.tracking import states
from oms.tracking.actions.escalation import decider_for
from oms.tracking.actions.items import close_items, open_item
from oms.tracking.actions.risk import refresh_risk
from oms.tracking.models import (
    REPORT_ENTRIES,
    EntryKind,
    ExceptionKind,
    OrderException,
    TrackingEntry,
    WorkItem,
    WorkStatus,
)
from oms.tracking.permissions import READ_ONLY_REFUSED, can_record_entry, can_write_tracking


def _calendar(order: Any) -> WorkCalendar:
    return work_calendar(of=order)


def entry_closes(kind: str) -> tuple[str, ...]:
    """H-3, H-5: the kinds of the order's steps an entry of `kind` answers (its idleness reminder,
    and the reporting reminder of a report)."""
    return ("order.idle", REPORT_ENTRIES[kind][1]) if kind in REPORT_ENTRIES else ("order.idle",)


def add_entry(*, actor: User, order: Any, kind: str, text: str, by_caller: bool = False) -> TrackingEntry:
    """H-2: progress, a contact with the customer, a problem or its resolution, in the ledger.
    H-3: a contact with the customer, procurement's or quality's report answers that side's
    reporting reminder; a department's report is written by that department only.

    The input is checked before any write, so the writing needs no savepoint of its own inside a
    caller's transaction (issue 21: release writes its ledger line this way). `by_caller`: the
    entry is returned unsaved, and the caller, holding the order, writes it and closes the steps
    it answers (`entry_closes`) with statements it runs anyway (issue 21: release, with its tasks
    and its own step)."""
    if not can_write_tracking(actor):
        raise NotAllowed(str(READ_ONLY_REFUSED))  # S-1: asked before the input (issue 23)
    errors = {}
    if kind not in EntryKind.values:
        errors["kind"] = _("请选择类别。")
    if not text.strip():
        errors["text"] = _("请填写内容。")
    if errors:
        raise FieldErrors(errors)
    if not can_record_entry(actor, kind):
        owner = REPORT_ENTRIES[kind][0] or DepartmentKind.SALES
        raise NotAllowed(
            _("只有%(d)s可以记录“%(k)s”。") % {"d": DepartmentKind(owner).label, "k": EntryKind(kind).label}
        )
    return _write_entry(actor=actor, order=order, kind=kind, text=text, by_caller=by_caller)


@transaction.atomic(savepoint=False)
def _write_entry(*, actor: User, order: Any, kind: str, text: str, by_caller: bool) -> TrackingEntry:
    if not workflow.held(order):
        # H-5, H-6 (ADR 0017): the order's row is locked before its idleness reminder is closed
        # and its kept risk read under the lock. From a copy read earlier, a reminder the sweep
        # opened and committed since would be closed here while the copy says there was none to
        # lower, and the idle badge would stay. An action that holds the order (release) has it.
        order = workflow.hold(SalesOrder.objects.select_for_update().get(pk=order.pk))
    entry = TrackingEntry(order=order, kind=kind, text=text.strip(), author=actor)
    if not by_caller:
        entry.save()
        close_items(target=order, actor=actor, outcome=_("已更新跟踪台账"), kinds=entry_closes(kind))
    recorder.record(actor=actor, obj=order, action="tracking.entry", after={"kind": kind, "text": entry.text})
    return entry


@transaction.atomic
def raise_exception(
    *,
    actor: User,
    order: Any,
    kind: str,
    description: str,
    responsible: User,
    customer_informed: bool = False,
) -> OrderException:
    """H-4: anyone who may write the order's tracking raises an exception (an auditor reads only);
    it has one responsible person and a deadline, and is escalated when late."""
    if not can_write_tracking(actor):
        raise NotAllowed(str(READ_ONLY_REFUSED))  # S-1: asked before the input (issue 23)
    return open_exception(
        actor=actor,
        order=order,
        kind=kind,
        description=description,
        responsible=responsible,
        customer_informed=customer_informed,
    )


def open_exception(
    *,
    actor: Any,
    order: Any,
    kind: str,
    description: str,
    responsible: User,
    customer_informed: bool = False,
) -> OrderException:
    """H-4, K-3: the exception that another permitted action raises as its consequence (a
    customer's rejection of a delivery): recorded as raised by whoever took that action, the
    customer included, whom `raise_exception`'s own rule would refuse. The caller holds the
    transaction and has checked who may."""
    _check_exception(kind=kind, description=description, responsible=responsible)
    rules = order.policy().reporting
    days = rules.exception_resolve_days
    calendar = _calendar(order)
    now = timezone.now()
    # H-4, T-1: the customer hears of a delay from us, not from the missed date; what they are
    # told is the fact and who follows it up, never the internal description.
    announce = kind in rules.customer_notice_kinds
    exception = OrderException.objects.create(
        order=order,
        kind=kind,
        description=description.strip(),
        raised_by=actor,
        responsible=responsible,
        due_at=calendar.add_working_days(now, days),
        customer_informed=customer_informed or announce,
    )
    if announce:
        tell_customer(
            order=order,
            event=f"order.exception.{kind}",
            title=_("您的订单 %(n)s 出现%(k)s，%(s)s 正在跟进，将尽快与您联系。")
            % {"n": order.number, "k": exception.get_kind_display(), "s": order.salesperson},
        )
    _open_exception_step(exception, calendar=calendar, days=days, start=now)
    refresh_risk([order.pk])  # H-6: one more open exception (issue 21)
    _record_and_notify(actor=actor, exception=exception)
    return exception


def _check_exception(*, kind: str, description: str, responsible: User) -> None:
    errors = {}
    if kind not in ExceptionKind.values:
        errors["kind"] = _("请选择异常类型。")
    if not description.strip():
        errors["description"] = _("请说明异常情况。")
    if not responsible.is_active or responsible.department_id is None:
        errors["responsible"] = _("请选择在职且有部门的负责人。")
    if errors:
        raise FieldErrors(errors)


def _open_exception_step(
    exception: OrderException, *, calendar: WorkCalendar, days: int, start: datetime
) -> None:
    """The responsible person's step, due in the policy's working days (H-4). P-5: resolving is a
    decision on the exception, so a responsible person who raised it hands the step to their
    head (`decider_for`), who resolves it."""
    order, responsible = exception.order, exception.responsible
    assert responsible.department is not None
    title = phrase("处理订单 %(n)s 的异常：%(k)s", n=order.number, k=exception.get_kind_display())
    open_item(
        target=exception,
        kind="order.exception",
        title=title,
        department=responsible.department,
        assignee=decider_for(candidate=responsible, target=exception, what=title, url=order_url(order)),
        calendar=calendar,
        days=days,
        start=start,
    )


def _record_and_notify(*, actor: User, exception: OrderException) -> None:
    order = exception.order
    recorder.record(
        actor=actor,
        obj=order,
        action="exception.raise",
        after={
            "exception": exception.pk,
            "kind": exception.kind,
            "responsible": exception.responsible_id,
            "description": exception.description,
            "customer_informed": exception.customer_informed,
        },
    )
    notify(
        event="tracking",
        recipients=[exception.responsible, order.salesperson],
        title=phrase("订单 %(n)s 出现异常：%(k)s", n=order.number, k=exception.get_kind_display()),
        url=reverse("workbench:order_detail", args=[order.pk]),
    )


@transaction.atomic
def resolve_exception(
    *,
    actor: User,
    exception: OrderException,
    resolution: str,
    cause: str,
    liability: str = "",
    customer_informed: bool = False,
) -> OrderException:
    """H-4: resolved with the cause and any contractual liability; the customer's being told is recorded."""
    if not cause.strip():
        raise FieldErrors({"cause": _("请填写异常原因。")})
    exception = workflow.apply(
        states.RESOLVE,
        exception,
        actor=actor,
        reason=resolution,
        changes={
            "resolution": resolution.strip(),
            "cause": cause.strip(),
            "liability": liability.strip(),
            "resolved_by": actor,
            "resolved_at": timezone.now(),
            "customer_informed": customer_informed or exception.customer_informed,
        },
    )
    close_items(target=exception, actor=actor, outcome=_("已解决"))
    refresh_risk([exception.order_id])  # H-6: one open exception fewer (issue 21)
    return exception


def flag_idle_orders(*, now: datetime | None = None) -> int:
    """H-5: an open order with no change and no ledger entry for the policy's idle days gets one
    reminder in its salesperson's work; idempotent (one open reminder per order)."""
    now = now or timezone.now()
    ct = ContentType.objects.get_for_model(SalesOrder)
    reminded = WorkItem.objects.filter(content_type=ct, kind="order.idle", status=WorkStatus.OPEN).values(
        "object_id"
    )
    flagged = 0
    for version in PolicyVersion.objects.filter(
        pk__in=SalesOrder.objects.filter(status__in=OPEN_STATUSES).values("policy_version")
    ):
        days = PolicyData.model_validate(version.data).reporting.idle_days
        cutoff = now - timedelta(days=days)
        idle = (
            SalesOrder.objects.filter(policy_version=version, status__in=OPEN_STATUSES, updated_at__lt=cutoff)
            .exclude(pk__in=reminded)
            .annotate(last_entry=Max("tracking_entries__created_at"))
            .select_related("salesperson", "department", "policy_version")
        )
        for order in idle:
            if order.last_entry and order.last_entry >= cutoff:
                continue
            with transaction.atomic():
                title = phrase("订单 %(n)s 已 %(d)s 天无进展", n=order.number, d=days)
                open_item(
                    target=order,
                    kind="order.idle",
                    title=title,
                    department=order.department,
                    assignee=order.salesperson,
                    calendar=_calendar(order),
                    days=1,
                    start=now,
                )
                refresh_risk([order.pk])  # H-6: the order is idle now (issue 21)
                # T-1: the reminder is announced to the salesperson who must record progress.
                notify(
                    event="tracking.idle", recipients=[order.salesperson], title=title, url=order_url(order)
                )
            flagged += 1
    return flagged
