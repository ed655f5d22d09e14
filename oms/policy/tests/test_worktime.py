"""C-3: working-time arithmetic on the statutory calendar, make-up workdays included."""

from __future__ import annotations

from datetime import date, datetime, timedelta
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
def test_adding_then_measuring_days_gives_back_n_on_a_working_day(start: datetime, days: int) -> None:
    end = CAL.add_working_days(start, days)
    assert CAL.working_days_between(start, end) == days
    assert CAL.is_workday(end.date())


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
