"""Handing a step to the next actor (T-1, P-2, P-3): the step opens in their "my work" with its
deadline and they are told, in the inbox and on their chosen channels, in one call (issue 23)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import connection, models, transaction

from oms.accounts import selectors
from oms.accounts.models import Department, User
from oms.core import inserts
from oms.core.phrases import Phrase
from oms.notifications.actions import message_rows, queue_written
from oms.policy import selectors as policy_selectors
from oms.tracking.actions import together
from oms.tracking.actions.items import Closing, new_item, open_items
from oms.tracking.models import WorkItem, WorkStatus

# A step waiting on a whole department tells its members; a department larger than this tells
# its first members only (the step still shows in every member's "my work").
TELL_AT_MOST = 50


def department_staff(department: Department) -> list[User]:
    """T-1: who is told of a step that waits on the department with nobody named."""
    return selectors.department_staff(department, TELL_AT_MOST)


@dataclass
class HandOff:
    """A hand-off made ready by `prepare_hand_off`: the step (not saved yet) and whom to tell."""

    item: WorkItem
    recipients: list[User]
    title: str | Phrase
    url: str
    event: str


def prepare_hand_off(
    *,
    target: models.Model,
    order: Any,
    kind: str,
    title: str | Phrase,
    department: Department,
    assignee: User | None,
    url: str,
    event: str,
    hours: Decimal | None = None,
    days: int | None = None,
    due: datetime | None = None,
    message: str | Phrase | None = None,
) -> HandOff:
    """`hand_off` without writing: `deliver` writes several with one insert of their steps and
    one of their messages (issue 21: release hands on to six departments, production and the
    salesperson at once). `message`: what the people are told, when it is not the step's title."""
    if due is None and hours is None and days is None:
        hours = policy_selectors.time_limit_hours(order_class=order.order_class, of=order)
    item = new_item(
        target=target,
        kind=kind,
        title=title,
        department=department,
        assignee=assignee,
        calendar=policy_selectors.work_calendar(of=order),
        hours=hours,
        days=days,
        due=due,
        order_id=order.pk,
    )
    recipients = [assignee] if assignee is not None else department_staff(department)
    return HandOff(item=item, recipients=recipients, title=message or title, url=url, event=event)


def deliver(
    hand_offs: Sequence[HandOff], *, also: Sequence[WorkItem] = (), closing: Closing | None = None
) -> list[WorkItem]:
    """The hand-off itself: close the finished steps (`closing`), open the steps of `hand_offs`
    (and the further items `also`) with one insert, tell each step's people with one insert (a
    person told the same thing twice is told once), and queue the channels' deliveries of each
    event. On PostgreSQL the close and the two inserts are one statement (issue 21)."""
    items = [h.item for h in hand_offs] + list(also)
    by_event: dict[str, dict[tuple[int, str, str], tuple[User, str | Phrase, str]]] = {}
    for h in hand_offs:
        messages = by_event.setdefault(h.event, {})
        for person in h.recipients:
            if person is not None and person.pk:
                messages.setdefault((person.pk, str(h.title), h.url), (person, h.title, h.url))
    rows = {event: message_rows(messages.values()) for event, messages in by_event.items()}
    written = [row for event_rows in rows.values() for row in event_rows]
    with transaction.atomic(savepoint=False):
        if connection.vendor == "postgresql":
            closed, late_orders = together.write(closing, items, written)
            if closing is not None:
                closing.closed(closed, late_orders)
        else:
            if closing is not None:
                closing.close()
            open_items(items)
            inserts.insert(written)  # built once per row count (issue 21), as `open_items`
        for event, event_rows in rows.items():
            if event_rows:
                queue_written(event_rows, event)
    return [h.item for h in hand_offs]


def waiting_step(*, target: models.Model, kind: str) -> WorkItem | None:
    """T-1: the open step of `kind` on `target`, if any: a hand-off that may repeat opens and
    announces its step only while none is waiting (`hand_off(once=True)`; one query)."""
    return (
        WorkItem.objects.filter(
            content_type=ContentType.objects.get_for_model(target),
            object_id=target.pk,
            kind=kind,
            status=WorkStatus.OPEN,
        )
        .order_by("pk")
        .first()
    )


def hand_off(
    *,
    target: models.Model,
    order: Any,
    kind: str,
    title: str | Phrase,
    department: Department,
    assignee: User | None,
    url: str,
    event: str,
    hours: Decimal | None = None,
    days: int | None = None,
    due: datetime | None = None,
    message: str | Phrase | None = None,
    once: bool = False,
    closing: Closing | None = None,
) -> WorkItem:
    """T-1, P-2, P-3: open the step for the next actor — the named person, or the department
    when anyone in it may act — due `hours` working hours from now (by default the order class's
    time limit from the order's policy, B-7), `days` working days, or at `due`, on the working
    calendar of the order's policy; then tell them (`message`, or the step's title). The action that takes the step closes it (`close_items`, or
    `closing` here: the step the acting person finished, closed with the same statement).

    `once`: for a hand-off an action may repeat (a second final inspection, a second packed
    reservation), a step of the kind already open on the target is kept and nobody is told twice;
    the one query it costs is spent only then (issue 21's budgets)."""
    if once:
        if closing is not None:
            # Closed first, as a separate statement: the step it finishes may be of `kind`.
            closing.close()
            closing = None
        waiting = waiting_step(target=target, kind=kind)
        if waiting is not None:
            return waiting
    ready = prepare_hand_off(
        target=target,
        order=order,
        kind=kind,
        title=title,
        department=department,
        assignee=assignee,
        url=url,
        event=event,
        hours=hours,
        days=days,
        due=due,
        message=message,
    )
    return deliver([ready], closing=closing)[0]
