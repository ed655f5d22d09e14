"""What the order's pages read besides the order itself: deadlines in working hours, who acted
and the order's timeline (H-1, H-5, D-2, I-1)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, Protocol, TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.utils import timezone
from django.utils.translation import gettext as _

from oms.audit.models import AuditEvent
from oms.orders.models import OrderStatus, SalesOrder
from oms.policy import selectors as policy_selectors
from oms.policy.worktime import CalendarMissing, WorkCalendar


@dataclass(frozen=True)
class TimeLeft:
    """H-5, P-2: how long a step has left, read on the working calendar (issue 23).

    `hours`: working hours from now to the deadline. `late`: the deadline has passed — judged
    on the clock, since a deadline that fell on Friday 18:00 is late on Saturday although no
    working time lies between them. `resumes`: outside working time (a weekend, a holiday, the
    night), the working moment the clock starts again; None while it runs."""

    hours: Decimal
    late: bool
    resumes: datetime | None = None


def time_left(calendar: WorkCalendar, now: datetime, due: datetime) -> TimeLeft:
    """P-2: the working time left before `due` as seen at `now` (CalendarMissing past the calendar)."""
    return WorkClock(calendar, now).left(due)


class WorkClock:
    """P-2, issue 21: the time left of many steps as seen at one moment, on one calendar.

    "My work" asked the calendar for 100 rows, each walking every day from now to its deadline
    and working out again when the clock resumes. Here the moment the clock resumes is worked out
    once, and the working seconds are counted from the start of `now`'s day: each day's total is
    kept, so a deadline costs the days not yet counted and the office periods of its own day.
    The figures are those of `WorkCalendar.working_hours_between` (the same periods and days;
    CalendarMissing for a day the calendar lacks)."""

    def __init__(self, calendar: WorkCalendar, now: datetime) -> None:
        self.calendar = calendar
        self.now = now
        self._origin = now.astimezone(calendar.tz).date()
        # Working seconds from the origin's midnight to each day's midnight (negative before it).
        self._at_midnight: dict[date, int] = {self._origin: 0}
        self._last = self._first = self._origin
        self._resumes: datetime | None = None
        self._resumes_known = False
        self._now_seconds: int | None = None

    def _day_seconds(self, day: date) -> int:
        if not self.calendar.is_workday(day):  # raises CalendarMissing past the calendar
            return 0
        return self.calendar.working_day_seconds

    def _midnight(self, day: date) -> int:
        while day > self._last:
            following = self._last + timedelta(days=1)
            self._at_midnight[following] = self._at_midnight[self._last] + self._day_seconds(self._last)
            self._last = following
        while day < self._first:
            previous = self._first - timedelta(days=1)
            self._at_midnight[previous] = self._at_midnight[self._first] - self._day_seconds(previous)
            self._first = previous
        return self._at_midnight[day]

    def _seconds(self, moment: datetime) -> int:
        """Working seconds from the origin's midnight to `moment`."""
        cal = self.calendar
        local = moment.astimezone(cal.tz)
        day = local.date()
        total = self._midnight(day)
        if cal.is_workday(day):
            for start, end in cal.periods:
                lo = datetime.combine(day, start, cal.tz)
                hi = min(datetime.combine(day, end, cal.tz), local)
                if hi > lo:
                    total += int((hi - lo).total_seconds())
        return total

    def _hours(self, seconds: int) -> Decimal:
        return (Decimal(seconds) / 3600).quantize(Decimal("0.01"))

    def left(self, due: datetime) -> TimeLeft:
        if self._now_seconds is None:
            self._now_seconds = self._seconds(self.now)
        between = self._seconds(due) - self._now_seconds
        if due <= self.now:
            return TimeLeft(hours=min(self._hours(between), Decimal("0")), late=True)
        if not self._resumes_known:
            # The next working moment: one working second on, less that second.
            resumes = self.calendar.add_working_seconds(self.now, 1) - timedelta(seconds=1)
            self._resumes = resumes if resumes > self.now else None
            self._resumes_known = True
        return TimeLeft(hours=self._hours(between), late=False, resumes=self._resumes)


class Deadlined(Protocol):
    """A step with a deadline: a `WorkItem`, or a row read as values for a page (issue 21)."""

    @property
    def due_at(self) -> datetime: ...


StepT = TypeVar("StepT", bound=Deadlined)


def hours_left(items: Sequence[StepT]) -> list[tuple[StepT, TimeLeft | None]]:
    """Each step's time left on the working calendar; None past the calendar. One clock for the
    page (issue 21)."""
    if not items:
        return []
    clock = WorkClock(policy_selectors.work_calendar(), timezone.now())
    result: list[tuple[StepT, TimeLeft | None]] = []
    for item in items:
        try:
            result.append((item, clock.left(item.due_at)))
        except CalendarMissing:
            result.append((item, None))
    return result


def who(e: AuditEvent) -> str:
    """D-2, I-1: who acted, saying so when it was the customer: their portal login (with their
    company), or the name they typed on a one-time link; staff by their name."""
    actor = e.actor
    if actor is not None and actor.is_customer:
        try:
            company = actor.portal_account.customer.name
        except ObjectDoesNotExist:
            company = ""
        return _("客户%(n)s（%(c)s）· 客户门户") % {"n": e.actor_name, "c": company}
    if actor is None and e.actor_name.startswith("客户："):
        return _("客户%(n)s · 客户链接") % {"n": e.actor_name.removeprefix("客户：")}
    return e.actor_name


def timeline(events: list[AuditEvent]) -> list[tuple[AuditEvent, Any, str]]:
    """H-1: creation and every change of state, labelled in the user's language, with who acted."""
    labels = dict(OrderStatus.choices)
    result: list[tuple[AuditEvent, Any, str]] = []
    for e in events:
        if e.action == "order.create":
            result.append((e, _("创建"), who(e)))
        elif e.action.startswith("transition:"):
            result.append((e, labels.get(e.after.get("status"), e.after.get("status")), who(e)))
    return result


def order_events(order: SalesOrder) -> list[AuditEvent]:
    """H-1: the order's audit events, oldest first, with what `who` reads."""
    return list(
        AuditEvent.objects.filter(object_type="orders.salesorder", object_id=str(order.pk))
        .select_related("actor__portal_account__customer")
        .order_by("id")[:500]
    )
