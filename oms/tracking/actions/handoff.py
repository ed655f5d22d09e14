"""Handing a step to the next actor (T-1, P-2, P-3): the step opens in their "my work" with its
deadline and they are told, in the inbox and on their chosen channels, in one call (issue 23)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from oms.accounts.models import Department, User
from oms.core.phrases import Phrase
from oms.notifications.actions import notify, notify_each
from oms.policy import selectors as policy_selectors
from oms.tracking.actions.items import new_item, open_items
from oms.tracking.models import WorkItem, WorkStatus

# A step waiting on a whole department tells its members; a department larger than this tells
# its first members only (the step still shows in every member's "my work").
TELL_AT_MOST = 50


def department_staff(department: Department) -> list[User]:
    """T-1: who is told of a step that waits on the department with nobody named."""
    return list(User.objects.filter(department=department, is_active=True).order_by("pk")[:TELL_AT_MOST])


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
    due: datetime | None = None,
) -> HandOff:
    """`hand_off` without writing: `deliver` writes several with one insert of their steps and
    one of their messages (issue 21: release hands on to six departments, production and the
    salesperson at once)."""
    if due is None and hours is None:
        hours = policy_selectors.time_limit_hours(order_class=order.order_class, of=order)
    item = new_item(
        target=target,
        kind=kind,
        title=title,
        department=department,
        assignee=assignee,
        calendar=policy_selectors.work_calendar(of=order),
        hours=hours,
        due=due,
        order_id=order.pk,
    )
    recipients = [assignee] if assignee is not None else department_staff(department)
    return HandOff(item=item, recipients=recipients, title=title, url=url, event=event)


def deliver(hand_offs: Sequence[HandOff], *, also: Sequence[WorkItem] = ()) -> list[WorkItem]:
    """Open the steps of `hand_offs` (and the further items `also`) with one insert, then tell
    each step's people with one insert per event; a person told the same thing twice is told once."""
    open_items([h.item for h in hand_offs] + list(also))
    by_event: dict[str, dict[tuple[int, str, str], tuple[User, str | Phrase, str]]] = {}
    for h in hand_offs:
        messages = by_event.setdefault(h.event, {})
        for person in h.recipients:
            if person is not None and person.pk:
                messages.setdefault((person.pk, str(h.title), h.url), (person, h.title, h.url))
    for event, messages in by_event.items():
        notify_each(event=event, messages=list(messages.values()))
    return [h.item for h in hand_offs]


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
    due: datetime | None = None,
    once: bool = False,
) -> WorkItem:
    """T-1, P-2, P-3: open the step for the next actor — the named person, or the department
    when anyone in it may act — due `hours` working hours from now (by default the order class's
    time limit from the order's policy, B-7) or at `due`, on the working calendar of the order's
    policy; then tell them. The action that takes the step closes it (`close_items`).

    `once`: for a hand-off an action may repeat (a second final inspection, a second packed
    reservation), a step of the kind already open on the target is kept and nobody is told twice;
    the one query it costs is spent only then (issue 21's budgets)."""
    if once:
        waiting = (
            WorkItem.objects.filter(
                content_type=ContentType.objects.get_for_model(target),
                object_id=target.pk,
                kind=kind,
                status=WorkStatus.OPEN,
            )
            .order_by("pk")
            .first()
        )
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
        due=due,
    )
    ready.item.save()
    notify(recipients=ready.recipients, title=title, url=url, event=event)
    return ready.item
