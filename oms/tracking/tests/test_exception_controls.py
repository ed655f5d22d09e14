"""H-2, H-4, P-5, S-1: an auditor only reads an order's tracking; whoever raised an exception
never resolves it. Each refusal is tried on every path that can take the step (the action and the
order page's form), with valid input, and changes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from oms.audit.models import AuditEvent
from oms.core.errors import NotAllowed
from oms.engine.workflow import SelfDecision
from oms.intake.tests.fixtures import order_in_review
from oms.notifications.models import Notification
from oms.tracking import actions
from oms.tracking.models import ExceptionStatus, OrderException, TrackingEntry, WorkItem

pytestmark = pytest.mark.django_db

READ_ONLY = "审计员只能查看，不能记录跟踪台账或提出、处理异常。"
SELF = "不能自己决定“处理完毕”"


def state() -> tuple[Any, ...]:
    """Everything a tracking write changes: exceptions (with status and version), ledger lines,
    work, the audit log and the inbox."""
    return (
        list(OrderException.objects.order_by("pk").values_list("pk", "status", "version")),
        TrackingEntry.objects.count(),
        WorkItem.objects.count(),
        AuditEvent.objects.count(),
        Notification.objects.count(),
    )


def raised(org: dict[str, Any], *, by: Any, responsible: Any) -> OrderException:
    return actions.raise_exception(
        actor=by, order=order_in_review(org), kind="shortage", description="轴承缺货", responsible=responsible
    )


def test_the_auditor_cannot_raise_an_exception_through_the_action(org: dict[str, Any], auditor: Any) -> None:
    """H-4, S-1: the auditor reads; raising an exception is refused and nothing is written."""
    order = order_in_review(org)
    before = state()
    with pytest.raises(NotAllowed) as info:
        actions.raise_exception(
            actor=auditor, order=order, kind="shortage", description="轴承缺货", responsible=org["prod_head"]
        )
    assert (info.value.message, state()) == (READ_ONLY, before)


def test_the_auditor_cannot_raise_an_exception_through_the_page(
    client: Any, org: dict[str, Any], auditor: Any
) -> None:
    """H-4, S-1: a hand-made POST of a complete, valid exception as the auditor is refused."""
    order = order_in_review(org)
    client.force_login(auditor)
    before = state()
    response = client.post(
        reverse("tracking:order_tracking", args=[order.pk, "exception"]),
        {"kind": "shortage", "description": "轴承缺货", "responsible": org["prod_head"].pk},
        follow=True,
    )
    assert READ_ONLY in response.content.decode()
    assert state() == before


def test_the_auditor_cannot_write_the_ledger(client: Any, org: dict[str, Any], auditor: Any) -> None:
    """H-2, S-1: a valid ledger line posted by the auditor is refused and not written."""
    order = order_in_review(org)
    client.force_login(auditor)
    before = state()
    response = client.post(
        reverse("tracking:order_tracking", args=[order.pk, "entry"]),
        {"kind": "progress", "text": "已排产"},
        follow=True,
    )
    assert READ_ONLY in response.content.decode()
    assert state() == before


def test_the_auditor_cannot_resolve_an_exception(client: Any, org: dict[str, Any], auditor: Any) -> None:
    """H-4, S-1: the auditor's valid resolution is refused before its input is read."""
    exception = raised(org, by=org["prod"], responsible=org["prod_head"])
    client.force_login(auditor)
    before = state()
    response = client.post(
        reverse("tracking:order_tracking", args=[exception.order_id, "resolve"]),
        {"exception": exception.pk, "cause": "供应商延迟", "resolution": "已调货"},
        follow=True,
    )
    assert READ_ONLY in response.content.decode()
    assert state() == before


def test_the_auditor_is_offered_no_tracking_form(client: Any, org: dict[str, Any], auditor: Any) -> None:
    """S-1: the order page shows the auditor the ledger and exceptions without a form to write."""
    exception = raised(org, by=org["prod"], responsible=org["prod_head"])
    client.force_login(auditor)
    page = client.get(reverse("workbench:order_detail", args=[exception.order_id])).content.decode()
    assert 'data-testid="raise-exception"' not in page
    assert 'data-testid="add-entry"' not in page
    assert reverse("tracking:order_tracking", args=[exception.order_id, "resolve"]) not in page


def test_anyone_else_who_sees_the_order_still_raises(org: dict[str, Any]) -> None:
    """H-4: production staff raise an exception owned by their head."""
    exception = raised(org, by=org["prod"], responsible=org["prod_head"])
    assert (exception.status, exception.raised_by, exception.responsible) == (
        ExceptionStatus.OPEN,
        org["prod"],
        org["prod_head"],
    )


def test_the_raiser_cannot_resolve_through_the_page(client: Any, org: dict[str, Any]) -> None:
    """H-4, P-5: the responsible head who raised the exception posts a complete resolution:
    refused, nothing changed."""
    exception = raised(org, by=org["prod_head"], responsible=org["prod_head"])
    client.force_login(org["prod_head"])
    before = state()
    response = client.post(
        reverse("tracking:order_tracking", args=[exception.order_id, "resolve"]),
        {"exception": exception.pk, "cause": "供应商延迟", "resolution": "已调货"},
        follow=True,
    )
    assert SELF in response.content.decode()
    assert state() == before


def test_the_raiser_is_not_offered_the_resolve_form(client: Any, org: dict[str, Any]) -> None:
    """H-4, P-5: the order page offers the raiser no resolution of their own exception."""
    exception = raised(org, by=org["prod_head"], responsible=org["prod_head"])
    client.force_login(org["prod_head"])
    page = client.get(reverse("workbench:order_detail", args=[exception.order_id])).content.decode()
    assert reverse("tracking:order_tracking", args=[exception.order_id, "resolve"]) not in page


def test_an_executive_who_raised_it_cannot_resolve_it(org: dict[str, Any]) -> None:
    """H-4, P-5: an executive may resolve exceptions, but not one he raised."""
    exception = raised(org, by=org["exec"], responsible=org["prod_head"])
    before = state()
    with pytest.raises(SelfDecision):
        actions.resolve_exception(actor=org["exec"], exception=exception, resolution="已调货", cause="x")
    assert state() == before


def test_a_responsible_raiser_hands_the_step_to_their_head_who_resolves(org: dict[str, Any]) -> None:
    """H-4, P-5: production staff raise an exception and name themselves responsible: the step
    waits on their head, who resolves it."""
    exception = raised(org, by=org["prod"], responsible=org["prod"])
    item = WorkItem.objects.get(kind="order.exception", object_id=exception.pk)
    assert item.assignee == org["prod_head"]
    resolved = actions.resolve_exception(
        actor=org["prod_head"], exception=exception, resolution="已调货", cause="供应商延迟"
    )
    assert (resolved.status, resolved.resolved_by) == (ExceptionStatus.RESOLVED, org["prod_head"])


def test_the_responsible_person_who_did_not_raise_it_resolves(org: dict[str, Any]) -> None:
    """H-4: the responsible person resolves an exception someone else raised."""
    exception = raised(org, by=org["prod"], responsible=org["procurement_head"])
    resolved = actions.resolve_exception(
        actor=org["procurement_head"], exception=exception, resolution="已调货", cause="供应商延迟"
    )
    assert resolved.status == ExceptionStatus.RESOLVED


def test_a_head_of_another_department_cannot_resolve(org: dict[str, Any]) -> None:
    """H-4: only a head over the responsible person's department resolves in their stead."""
    from oms.engine.workflow import PermissionDenied

    exception = raised(org, by=org["prod"], responsible=org["prod_head"])
    before = state()
    with pytest.raises(PermissionDenied):
        actions.resolve_exception(actor=org["quality_head"], exception=exception, resolution="x", cause="y")
    assert state() == before
