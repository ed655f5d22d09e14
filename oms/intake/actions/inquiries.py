"""Inquiries (B-2): recorded by customer service, handed to a salesperson who follows them up,
then turned into an order or closed with a reason."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from oms.accounts.models import DepartmentKind, User
from oms.audit import recorder
from oms.core.errors import FieldErrors
from oms.core.phrases import phrase
from oms.engine import records, workflow
from oms.notifications.actions import notify
from oms.orders import permissions, states
from oms.orders.actions import create_order
from oms.orders.models import Inquiry, SalesOrder
from oms.policy import selectors as policy_selectors
from oms.tracking import actions as tracking

INQUIRY_FIELDS = ("customer", "prospect_name", "contact_name", "contact_phone", "channel", "content")


@transaction.atomic
@recorder.batched
def record_inquiry(*, actor: User, data: Mapping[str, Any], assignee: User | None = None) -> Inquiry:
    """B-2: customer service records an inquiry, optionally handing it straight to a salesperson."""
    records.require(permissions.can_record_inquiry(actor))
    inquiry = Inquiry(**data, received_by=actor)
    if not inquiry.customer_id and not str(data.get("prospect_name", "")).strip():
        raise FieldErrors({"customer": _("请选择客户或填写潜在客户名称。")})
    inquiry = records.create(actor=actor, obj=inquiry, fields=INQUIRY_FIELDS, action="inquiry.create")
    if assignee is not None:
        inquiry = assign_inquiry(actor=actor, inquiry=inquiry, assignee=assignee)
    return inquiry


@transaction.atomic
@recorder.batched
def assign_inquiry(*, actor: User, inquiry: Inquiry, assignee: User) -> Inquiry:
    """B-2: hand the inquiry to a salesperson, who must follow it up within the policy's time."""
    if assignee.department_kind != DepartmentKind.SALES:
        raise FieldErrors({"assigned_to": _("只能分配给销售部门的人员。")})
    inquiry = workflow.apply(states.ASSIGN_INQUIRY, inquiry, actor=actor, changes={"assigned_to": assignee})
    tracking.close_items(target=inquiry, actor=actor, outcome=_("已转交"))
    assert assignee.department is not None
    title = phrase("跟进咨询：%(c)s", c=inquiry.customer or inquiry.prospect_name)
    tracking.open_item(
        target=inquiry,
        kind="inquiry.followup",
        title=title,
        department=assignee.department,
        assignee=assignee,
        calendar=policy_selectors.work_calendar(),
        hours=policy_selectors.policy().intake.inquiry_followup_hours,
    )
    # T-1: the salesperson the inquiry is handed to is told, not left to find it in their work.
    notify(
        event="intake.inquiry",
        recipients=[assignee],
        title=title,
        url=reverse("intake:inquiry_detail", args=[inquiry.pk]),
    )
    return inquiry


@transaction.atomic
@recorder.batched
def convert_inquiry(
    *,
    actor: User,
    inquiry: Inquiry,
    data: Mapping[str, Any],
    lines: Sequence[Mapping[str, Any]],
    duplicate_reason: str = "",
) -> SalesOrder:
    """B-2: the salesperson turns the inquiry into an order."""
    inquiry = workflow.apply(states.CONVERT_INQUIRY, inquiry, actor=actor)
    tracking.close_items(target=inquiry, actor=actor, outcome=_("已转订单"))
    return create_order(
        actor=actor, data=data, lines=lines, duplicate_reason=duplicate_reason, inquiry=inquiry
    )


@transaction.atomic
@recorder.batched
def close_inquiry(*, actor: User, inquiry: Inquiry, reason: str) -> Inquiry:
    """B-2: an inquiry that does not become an order is closed with a reason."""
    inquiry = workflow.apply(
        states.CLOSE_INQUIRY, inquiry, actor=actor, reason=reason, changes={"close_reason": reason[:200]}
    )
    tracking.close_items(target=inquiry, actor=actor, outcome=reason)
    return inquiry
