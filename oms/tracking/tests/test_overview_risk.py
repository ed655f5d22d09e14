"""H-6 (issue 21): the overview's risk kept on the order equals what the overview computed per
order before (late steps, open exceptions, idleness), after each kind of change, and the page's
order is the same."""

from __future__ import annotations

import importlib
from datetime import date, timedelta
from typing import Any

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Exists, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from oms.intake import actions as intake
from oms.intake.tests.fixtures import header, lines
from oms.orders.models import OPEN_STATUSES, SalesOrder
from oms.orders.selectors import orders_for
from oms.tracking import actions as tracking
from oms.tracking import selectors
from oms.tracking.models import ExceptionStatus, OrderException, WorkItem, WorkStatus

pytestmark = pytest.mark.django_db


def _computed(orders: Any) -> Any:
    """The overview's risk as it was computed per order at request time before issue 21."""
    ct = ContentType.objects.get_for_model(SalesOrder)
    steps = WorkItem.objects.filter(content_type=ct, object_id=OuterRef("pk"), status=WorkStatus.OPEN)
    exceptions = (
        OrderException.objects.filter(order=OuterRef("pk"), status=ExceptionStatus.OPEN)
        .order_by()
        .values("order")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return orders.annotate(
        has_late=Exists(steps.filter(overdue=True)),
        is_idle=Exists(steps.filter(kind="order.idle")),
        open_exceptions=Coalesce(Subquery(exceptions), Value(0), output_field=IntegerField()),
    )


def _risks(order: SalesOrder) -> tuple[tuple[bool, int, bool], tuple[bool, int, bool]]:
    """(kept, computed) for one order."""
    row = _computed(SalesOrder.objects.filter(pk=order.pk)).get()
    return (row.risk_late, row.risk_exceptions, row.risk_idle), (
        row.has_late,
        row.open_exceptions,
        row.is_idle,
    )


def _submitted(org: dict[str, Any], reason: str = "") -> SalesOrder:
    order = intake.create_order(
        actor=org["sales"], data=header(org), lines=lines(org), duplicate_reason=reason
    )
    return intake.submit_order(actor=org["sales"], order=order)


def _late(order: SalesOrder) -> None:
    """The sweep, just after the order's check fell due."""
    item = WorkItem.objects.get(order=order, kind="order.check", status=WorkStatus.OPEN)
    tracking.sweep(now=item.due_at + timedelta(minutes=1))


def _raise(org: dict[str, Any], order: SalesOrder) -> OrderException:
    return tracking.raise_exception(
        actor=org["prod"], order=order, kind="shortage", description="轴承缺货", responsible=org["prod_head"]
    )


def test_a_submitted_order_is_at_no_risk(org) -> None:
    order = _submitted(org)
    assert _risks(order) == ((False, 0, False), (False, 0, False))


def test_the_sweep_marks_the_order_of_a_late_step(org) -> None:
    order = _submitted(org)
    _late(order)
    assert _risks(order) == ((True, 0, False), (True, 0, False))


def test_finishing_the_late_step_clears_it(org) -> None:
    order = _submitted(org)
    _late(order)
    intake.pass_check(actor=org["head"], order=order)  # the instance read before the sweep
    assert _risks(order) == ((False, 0, False), (False, 0, False))


def test_ending_the_order_clears_its_late_step(org) -> None:
    order = _submitted(org)
    _late(order)
    tracking.end_order_items(order=SalesOrder.objects.get(pk=order.pk), actor=org["head"], reason="客户撤单")
    assert _risks(order) == ((False, 0, False), (False, 0, False))


def test_a_late_step_of_something_else_leaves_the_order_as_it_was(org) -> None:
    """Only the order's own steps count, as they always did: an exception's late step does not."""
    order = intake.pass_check(actor=org["head"], order=_submitted(org))
    _raise(org, order)
    item = WorkItem.objects.get(kind="order.exception")
    tracking.sweep(now=item.due_at + timedelta(minutes=1))
    assert WorkItem.objects.get(kind="order.exception").overdue is True
    assert _risks(order) == ((False, 1, False), (False, 1, False))


def test_raising_exceptions_counts_them(org) -> None:
    order = _submitted(org)
    _raise(org, order)
    _raise(org, order)
    assert _risks(order) == ((False, 2, False), (False, 2, False))


def test_resolving_an_exception_counts_it_off(org) -> None:
    order = _submitted(org)
    first = _raise(org, order)
    _raise(org, order)
    tracking.resolve_exception(
        actor=org["prod_head"], exception=first, resolution="已调货", cause="供应商延迟"
    )
    assert _risks(order) == ((False, 1, False), (False, 1, False))


def test_an_idle_order_is_marked(org) -> None:
    order = _submitted(org)
    assert tracking.flag_idle_orders(now=timezone.now() + timedelta(days=4)) == 1
    assert _risks(order) == ((False, 0, True), (False, 0, True))


def test_a_ledger_entry_clears_idleness(org) -> None:
    order = _submitted(org)
    tracking.flag_idle_orders(now=timezone.now() + timedelta(days=4))
    order = SalesOrder.objects.get(pk=order.pk)  # as the page that records the entry reads it
    tracking.add_entry(actor=org["sales"], order=order, kind="contact", text="已电话联系客户")
    assert _risks(order) == ((False, 0, False), (False, 0, False))


def test_saving_an_order_read_before_the_sweep_keeps_the_risk(org) -> None:
    """A whole-row save writes every field but the kept risk."""
    order = _submitted(org)
    stale = SalesOrder.objects.get(pk=order.pk)
    _late(order)
    stale.contact_name = "李娜"
    stale.save()
    assert SalesOrder.objects.values_list("contact_name", "risk_late").get(pk=order.pk) == ("李娜", True)


def test_the_migration_fills_the_risk_of_existing_orders(org) -> None:
    at_risk = _submitted(org)
    _late(at_risk)
    _raise(org, at_risk)
    quiet = _submitted(org, "二号")
    SalesOrder.objects.update(risk_late=False, risk_exceptions=0, risk_idle=False)
    importlib.import_module("oms.orders.migrations.0018_overview_risk").fill_risk(apps, None)
    assert (_risks(at_risk), _risks(quiet)) == (
        ((True, 1, False), (True, 1, False)),
        ((False, 0, False), (False, 0, False)),
    )


def test_the_overview_orders_as_the_computed_risk_did(org) -> None:
    """Late first, then more exceptions, then idle, then the nearest delivery; the same rows in
    the same order as the per-order computation gave."""
    made = [
        intake.create_order(
            actor=org["sales"],
            data=header(org, delivery_date=date(2027, 3, 1) + timedelta(days=9 - i)),
            lines=lines(org),
            duplicate_reason=f"{i}",
        )
        for i in range(8)
    ]
    intake.submit_order(actor=org["sales"], order=made[0])
    _late(made[0])
    for order in made[1:5]:
        intake.submit_order(actor=org["sales"], order=order)
    _raise(org, made[1])
    _raise(org, made[1])
    _raise(org, made[2])
    tracking.flag_idle_orders(now=timezone.now() + timedelta(days=4))  # every submitted order
    _raise(org, made[5])  # a draft: not open, not shown
    scoped = orders_for(org["exec"])
    shown = [o.pk for o in selectors.overview(org["exec"], scoped)]
    before = [
        o.pk
        for o in _computed(scoped.filter(status__in=OPEN_STATUSES)).order_by(
            "-has_late", "-open_exceptions", "-is_idle", "delivery_date", "pk"
        )
    ]
    assert shown == before == [made[0].pk, made[1].pk, made[2].pk, made[4].pk, made[3].pk]


def test_a_ledger_entry_from_a_copy_read_before_the_idle_sweep_clears_idleness(org) -> None:
    """H-5, H-6: the page read the order, the idle sweep opened and committed a reminder, then the
    entry was recorded from the page's copy: the entry answers the reminder and the badge goes
    with it (the order is locked and its kept risk read again, not taken from the copy)."""
    order = _submitted(org)
    page_copy = SalesOrder.objects.get(pk=order.pk)
    tracking.flag_idle_orders(now=timezone.now() + timedelta(days=4))
    tracking.add_entry(actor=org["sales"], order=page_copy, kind="contact", text="已电话联系客户")
    assert _risks(order) == ((False, 0, False), (False, 0, False))
