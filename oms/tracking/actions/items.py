"""Opening and closing pending steps (P-2, P-3): every step has one person or department, a
deadline on the working calendar, and ends with its order unless it outlives it (H-5)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

from oms.accounts.models import Department, User
from oms.audit import recorder
from oms.core import inserts
from oms.core.phrases import Phrase, stored
from oms.orders.models import SalesOrder
from oms.policy.worktime import WorkCalendar
from oms.tracking.actions import outcomes
from oms.tracking.actions.risk import may_lower, refresh_risk
from oms.tracking.models import (
    WorkItem,
    WorkStatus,
)


def new_item(
    *,
    target: models.Model,
    kind: str,
    title: str | Phrase,
    department: Department,
    assignee: User | None,
    calendar: WorkCalendar,
    hours: Decimal | None = None,
    days: int | None = None,
    start: datetime | None = None,
    due: datetime | None = None,
    order_id: int | None = None,
) -> WorkItem:
    """A pending step due `hours` working hours (or `days` working days) from `start`, or at `due`
    when the caller derived it (e.g. working days before a delivery date).

    The step records its order (the target itself, the target's `order`, or `order_id` from a
    caller whose target reaches the order further away) so that ending the order ends it (H-5).
    Not saved: `open_items` saves several with one insert (issue 21); `open_item` saves one."""
    order_id = order_id or _order_id_of(target)
    if order_id is None and target._meta.label_lower not in ORDERLESS_TARGETS:
        raise ValueError(f"a work item of {target._meta.label_lower} needs the order it belongs to")
    start = start or timezone.now()
    if due is not None:
        pass
    elif hours is not None:
        due = calendar.add_working_hours(start, hours)
    elif days is not None:
        due = calendar.add_working_days(start, days)
    else:
        raise ValueError("a work item needs a time limit in hours or days")
    text, text_phrase = stored(title, 200)
    return WorkItem(
        kind=kind,
        title=text,
        title_phrase=text_phrase,
        content_type=ContentType.objects.get_for_model(target),
        object_id=target.pk,
        order_id=order_id,
        department=department,
        assignee=assignee,
        started_at=start,
        due_at=due,
    )


def open_item(**kwargs: Any) -> WorkItem:
    """`new_item`, saved."""
    item = new_item(**kwargs)
    item.save()
    return item


def open_items(items: list[WorkItem]) -> list[WorkItem]:
    """Work items from `new_item`, saved with one insert (issue 21: an INSERT built once per row
    count, `core.inserts`, not compiled by `bulk_create` each time)."""
    inserts.insert(items)
    return items


# Targets whose steps belong to no order: an inquiry before it becomes one, an improvement
# action raised from a survey.
ORDERLESS_TARGETS = frozenset({"orders.inquiry", "feedback.improvementaction"})


def _order_id_of(target: models.Model) -> int | None:
    if isinstance(target, SalesOrder):
        return int(target.pk)
    found = getattr(target, "order_id", None)
    return int(found) if found is not None else None


# Steps that outlive their order's end: procurement settles a cancelled order's open purchases
# with the supplier (J-1), a complaint and its improvement actions are handled after closure (N-2).
OUTLIVE_THE_ORDER = ("purchase.decision", "complaint.step", "improvement.action")


def end_order_items(*, order: SalesOrder, actor: Any, reason: str) -> int:
    """H-5, P-3: an order that reached an end (closed, cancelled, declined) waits on nobody: every
    open step of it and of everything belonging to it (department tasks, review tasks, approval
    steps, change requests and their tasks, confirmation, dunning, exceptions…) is withdrawn
    (已撤销) with the reason, so it leaves everyone's "my work". Steps that outlive the order
    (`OUTLIVE_THE_ORDER`) stay. Called by each action that ends an order, right after its
    transition; returns how many steps were withdrawn."""
    qs = WorkItem.objects.filter(order=order, status=WorkStatus.OPEN).exclude(kind__in=OUTLIVE_THE_ORDER)
    user = actor if getattr(actor, "is_authenticated", False) else None
    ended = list(qs.values_list("pk", flat=True))
    if not ended:
        return 0
    outcome = (_("订单已结束：%(r)s") % {"r": reason})[:200]
    withdrawn = outcomes.close_returning(
        WorkItem.objects.filter(pk__in=ended),
        status=WorkStatus.CANCELLED,
        closed_at=timezone.now(),
        closed_by=user,
        outcome=outcome,
    )
    outcomes.late(order_id for order_id, late in withdrawn if late)  # O-1 order timeliness (issue 21)
    if may_lower(order):
        refresh_risk([order.pk])  # H-6: the overview's risk (issue 21)
    recorder.record(
        actor=actor,
        obj=order,
        action="tracking.end_items",
        after={"items": ended, "status": WorkStatus.CANCELLED},
        reason=outcome,
    )
    return len(ended)


@dataclass(frozen=True)
class Closing:
    """The steps an action finishes: every open step of `target` (of `kinds`, or all), closed by
    `actor` with `outcome`. `close_items` closes them alone; `tracking.deliver` closes them with
    the statement that opens the next steps (issue 21)."""

    target: models.Model
    actor: Any
    outcome: str
    kinds: tuple[str, ...] | None = None

    def values(self) -> dict[str, Any]:
        user = self.actor if getattr(self.actor, "is_authenticated", False) else None
        return {
            "status": WorkStatus.DONE,
            "closed_at": timezone.now(),
            "closed_by": user,
            "outcome": self.outcome[:200],
        }

    def close(self) -> int:
        """Close the steps with a statement of their own; returns how many were closed."""
        done = outcomes.close_steps(
            content_type_id=ContentType.objects.get_for_model(self.target).pk,
            object_id=self.target.pk,
            kinds=self.kinds,
            values=self.values(),
        )
        return self.closed(len(done), [order_id for order_id, late in done if late])

    def closed(self, count: int, late_orders: Iterable[int | None] = ()) -> int:
        """`count` steps were closed, those of `late_orders` after their limit without the sweep's
        flag: the order timeliness (O-1) and the order's kept risk (H-6) follow."""
        outcomes.late(late_orders)  # O-1 order timeliness (issue 21)
        if count and may_lower(self.target):
            refresh_risk([self.target.pk])  # a late step or idleness reminder of the order (issue 21)
        return count


def close_items(
    *, target: models.Model, actor: Any, outcome: str, kinds: tuple[str, ...] | None = None
) -> int:
    """Close every open step of `target` (of the given kinds); returns how many were closed."""
    return Closing(target=target, actor=actor, outcome=outcome, kinds=kinds).close()
