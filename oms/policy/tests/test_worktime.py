"""C-3: working-time arithmetic on the statutory calendar, make-up workdays included."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from oms.policy.statutory import statutory_days
from oms.policy.worktime import CalendarMissing, WorkCalendar

TZ = ZoneInfo("Asia/Shanghai")
CAL = WorkCalendar(
    {d: w for year in (2024, 2025, 2026) for d, w, _ in statutory_days(year)}, tz="Asia/Shanghai"
)

moments = st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2025, 12, 1)).map(
    lambda d: d.replace(tzinfo=TZ)
)


def at(y: int, m: int, d: int, hh: int = 9, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=TZ)


@settings(max_examples=200, deadline=None)
@given(start=moments, hours=st.integers(min_value=1, max_value=300))
def test_adding_then_measuring_hours_gives_back_n(start: datetime, hours: int) -> None:
    end = CAL.add_working_hours(start, hours)
    assert CAL.working_seconds_between(start, end) == hours * 3600


@settings(max_examples=200, deadline=None)
@given(start=moments, hours=st.integers(min_value=1, max_value=300))
def test_a_deadline_in_hours_never_lands_on_a_rest_day(start: datetime, hours: int) -> None:
    assert CAL.is_workday(CAL.add_working_hours(start, hours).date())


@settings(max_examples=200, deadline=None)
@given(start=moments, days=st.integers(min_value=1, max_value=60))
def test_n_working_days_are_n_whole_working_days_of_office_time(start: datetime, days: int) -> None:
    """C-3: wherever it starts, a limit of N working days leaves N × 8 working hours (default
    office hours) and falls due inside office hours of a working day."""
    end = CAL.add_working_days(start, days)
    assert CAL.working_seconds_between(start, end) == days * 8 * 3600
    assert CAL.is_workday(end.date())
    assert time(9) < end.timetz().replace(tzinfo=None) <= time(18)


@settings(max_examples=200, deadline=None)
@given(start=moments, days=st.integers(min_value=1, max_value=60))
def test_a_start_outside_working_time_counts_from_the_next_working_moment(start: datetime, days: int) -> None:
    """C-3: from a rest day, a holiday, or before or after office hours, N working days end at
    the close of office hours of the N-th working day, the next working day counted as the first."""
    clock = start.timetz().replace(tzinfo=None)
    if CAL.is_workday(start.date()) and time(9) < clock < time(18):
        return  # within the office day: the cases of the table below
    end = CAL.add_working_days(start, days)
    assert end.timetz().replace(tzinfo=None) == time(18)
    first = CAL.add_working_seconds(start, 1).date()
    assert CAL.working_days_between(datetime.combine(first, time(12), TZ), end) == days - 1


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        # Released on a Saturday: Monday is a whole working day (C-3), not due at its opening.
        (at(2025, 3, 8, 10), 1, at(2025, 3, 10, 18)),
        # After office hours on Friday: the same.
        (at(2025, 3, 7, 18, 30), 1, at(2025, 3, 10, 18)),
        # Friday mid-day: the same clock time on the next working day.
        (at(2025, 3, 7, 10), 1, at(2025, 3, 10, 10)),
        # Friday 17:30 is still office time with the default hours (they end at 18:00).
        (at(2025, 3, 7, 17, 30), 1, at(2025, 3, 10, 17, 30)),
        # From the opening of a working day: that day is the first, due at its close.
        (at(2025, 3, 10, 9), 1, at(2025, 3, 10, 18)),
        (at(2025, 3, 10, 7), 2, at(2025, 3, 11, 18)),
        # During lunch: counted from 13:00, due when the day's working time has passed, at the
        # close of the next morning (the earliest moment, as 18:00 rather than 09:00 next day).
        (at(2025, 3, 10, 12, 30), 1, at(2025, 3, 11, 12)),
        # The eve of National Day 2025 (1–8 October off), after hours and mid-day.
        (at(2025, 9, 30, 18, 30), 1, at(2025, 10, 9, 18)),
        (at(2025, 9, 30, 15), 1, at(2025, 10, 9, 15)),
        # Inside the holiday: the first working day after it is the first day.
        (at(2025, 10, 3, 10), 2, at(2025, 10, 10, 18)),
        # Make-up workdays (调休) count: Saturday 11 October 2025 and Sunday 26 January 2025.
        (at(2025, 10, 10, 18, 30), 1, at(2025, 10, 11, 18)),
        (at(2025, 10, 10, 10), 1, at(2025, 10, 11, 10)),
        (at(2025, 1, 25, 10), 1, at(2025, 1, 26, 18)),
        # Saturday 27 September 2025 is a rest day before the make-up Sunday.
        (at(2025, 9, 27, 10), 2, at(2025, 9, 29, 18)),
        (at(2025, 3, 8, 10), 0, at(2025, 3, 8, 10)),
    ],
)
def test_working_day_deadlines(start: datetime, days: int, due: datetime) -> None:
    """C-3: N working days are N whole working days from the next working moment."""
    assert CAL.add_working_days(start, days) == due


def test_after_hours_with_the_company_office_hours_loses_no_day() -> None:
    """C-3: with office hours ending 17:30, Friday 17:30 is after hours: due Monday at 17:30,
    the close of a whole working day."""
    cal = WorkCalendar(
        {d: w for d, w, _ in statutory_days(2025)},
        office_start="08:30",
        lunch_start="11:30",
        lunch_end="13:00",
        office_end="17:30",
        tz="Asia/Shanghai",
    )
    due = cal.add_working_days(at(2025, 3, 7, 17, 30), 1)
    assert due == at(2025, 3, 10, 17, 30)
    assert cal.working_hours_between(at(2025, 3, 7, 17, 30), due) == Decimal("7.50")


def test_make_up_workday_counts() -> None:
    """2025-01-26 was a Sunday worked in exchange for the Spring Festival (调休)."""
    assert CAL.is_workday(date(2025, 1, 26))
    assert CAL.add_working_hours(at(2025, 1, 24, 17), 2) == at(2025, 1, 26, 10)


def test_statutory_holiday_is_skipped() -> None:
    """National Day 2025: 1–8 October off, 28 September and 11 October worked."""
    assert CAL.add_working_hours(at(2025, 9, 30, 17), 2) == at(2025, 10, 9, 10)


def test_lunch_break_is_not_working_time() -> None:
    assert CAL.add_working_hours(at(2025, 3, 3, 11), 2) == at(2025, 3, 3, 14)


def test_evening_start_begins_next_morning() -> None:
    assert CAL.add_working_hours(at(2025, 3, 3, 20), 1) == at(2025, 3, 4, 10)


def test_configurable_office_hours() -> None:
    cal = WorkCalendar(
        {d: w for d, w, _ in statutory_days(2025)},
        office_start="08:30",
        lunch_start="11:30",
        lunch_end="13:00",
        office_end="17:30",
        tz="Asia/Shanghai",
    )
    assert cal.add_working_hours(at(2025, 3, 3, 11), 1) == at(2025, 3, 3, 13, 30)


def test_working_days_keep_the_time_of_day() -> None:
    assert CAL.add_working_days(at(2025, 9, 30, 15), 1) == at(2025, 10, 9, 15)


def test_working_day_before_skips_the_holiday_and_counts_the_make_up_day() -> None:
    """3 working days before Thu 9 Oct 2025: Tue 30 Sep, Mon 29 Sep, Sun 28 Sep (make-up workday)."""
    assert CAL.working_day_before(date(2025, 10, 9), 3) == date(2025, 9, 28)
    assert CAL.working_day_before(date(2025, 10, 4), 0) == date(2025, 9, 30)


def test_year_without_data_fails_loudly() -> None:
    with pytest.raises(CalendarMissing) as info:
        CAL.add_working_hours(at(2026, 12, 31, 17), 24)
    assert info.value.year == 2027


def test_naive_moment_is_refused() -> None:
    with pytest.raises(ValueError):
        CAL.add_working_hours(datetime(2025, 3, 3, 9), 1)


def test_measuring_backwards_is_negative() -> None:
    assert CAL.working_seconds_between(at(2025, 3, 3, 10), at(2025, 3, 3, 9)) == -3600
    assert CAL.working_days_between(at(2025, 3, 4), at(2025, 3, 3)) == -1
    assert timedelta(0) == CAL.add_working_hours(at(2025, 3, 3), 0) - at(2025, 3, 3)
