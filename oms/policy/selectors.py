"""Reading the policy in force, a pinned version, and the calendar (DESIGN 5)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.utils import timezone

from oms.policy.models import CalendarDay, PolicyVersion
from oms.policy.schema import PolicyData
from oms.policy.worktime import WorkCalendar


def current_version() -> PolicyVersion:
    """The version in force: the newest published one (version 1 is seeded by a migration)."""
    version = PolicyVersion.objects.order_by("-number").first()
    if version is None:
        raise PolicyVersion.DoesNotExist("no policy version has been published")
    return version


def policy(version: int | None = None) -> PolicyData:
    """The policy in force, or the version an order was pinned to."""
    row = current_version() if version is None else PolicyVersion.objects.get(number=version)
    return PolicyData.model_validate(row.data)


def policy_of_request(user: Any) -> PolicyData:
    """The policy in force, read once per request: the menu's and a page's role predicates ask
    it several times (the user object lives as long as the request)."""
    cached = getattr(user, "_oms_policy", None)
    if cached is None:
        cached = policy()
        if user is not None:
            user._oms_policy = cached
    return cached


def time_limit_hours(*, order_class: str, version: int | None = None) -> Decimal:
    """B-7: the processing time limit of an order class, in working hours."""
    for rule in policy(version).order_classes:
        if rule.code == order_class:
            return rule.time_limit_hours
    raise KeyError(f"unknown order class {order_class!r}")


def versions() -> list[PolicyVersion]:
    return list(PolicyVersion.objects.select_related("created_by").order_by("-number"))


def work_calendar(version: int | None = None) -> WorkCalendar:
    """The calendar with the office hours of the given policy version (one query each)."""
    hours = policy(version).working_time
    days = dict(CalendarDay.objects.values_list("date", "is_workday"))
    return WorkCalendar(
        days,
        office_start=hours.office_start,
        lunch_start=hours.lunch_start,
        lunch_end=hours.lunch_end,
        office_end=hours.office_end,
    )


def calendar_years() -> list[int]:
    return sorted({d.year for d in CalendarDay.objects.dates("date", "year")})


def missing_next_year(today: date | None = None) -> int | None:
    """C-3: the next year when it has no calendar data yet (for the administrator's warning)."""
    today = today or timezone.localdate()
    next_year = today.year + 1
    return None if CalendarDay.objects.filter(date__year=next_year).exists() else next_year
