"""The statutory calendar (法定节假日与调休) as published in the chinesecalendar package (C-3)."""

from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar


def last_known_year() -> int:
    return max(d.year for d in chinese_calendar.constants.holidays)


def statutory_days(year: int) -> list[tuple[date, bool, str]]:
    """Every day of `year` as (date, is working day, label); NotImplementedError past the data."""
    result = []
    day = date(year, 1, 1)
    while day.year == year:
        _on_holiday, name = chinese_calendar.get_holiday_detail(day)
        workday = chinese_calendar.is_workday(day)
        label = str(name or "")
        if workday and day.weekday() >= 5:
            label = "调休上班" + (f"（{name}）" if name else "")
        result.append((day, workday, label[:60]))
        day += timedelta(days=1)
    return result
