"""Working-time arithmetic on the company calendar (C-3, P-2).

A working day is a day the calendar marks as working (statutory holidays off, make-up
workdays 调休 on). Working hours are the office periods of a working day, lunch excluded.
All arithmetic is done in the company's time zone and in whole seconds.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from django.conf import settings


class CalendarMissing(Exception):
    """The calendar has no data for a year that the arithmetic needs; it never guesses."""

    def __init__(self, year: int) -> None:
        super().__init__(f"the working calendar has no data for {year}")
        self.year = year


def _parse(hhmm: str) -> time:
    hours, minutes = hhmm.split(":")
    return time(int(hours), int(minutes))


class WorkCalendar:
    """Which days work, and the office periods of a working day."""

    def __init__(
        self,
        days: Mapping[date, bool],
        *,
        office_start: str = "09:00",
        lunch_start: str = "12:00",
        lunch_end: str = "13:00",
        office_end: str = "18:00",
        tz: str | None = None,
    ) -> None:
        self._days = dict(days)
        self._years = {d.year for d in self._days}
        self.tz = ZoneInfo(tz or settings.TIME_ZONE)
        periods = [(_parse(office_start), _parse(lunch_start)), (_parse(lunch_end), _parse(office_end))]
        self.periods = [(a, b) for a, b in periods if a < b]

    @property
    def years(self) -> set[int]:
        return set(self._years)

    def is_workday(self, day: date) -> bool:
        if day.year not in self._years:
            raise CalendarMissing(day.year)
        return self._days.get(day, False)

    def _local(self, moment: datetime) -> datetime:
        if moment.tzinfo is None:
            raise ValueError("naive datetime: working-time arithmetic needs an aware moment")
        return moment.astimezone(self.tz)

    def _intervals_from(self, day: date) -> Iterator[tuple[datetime, datetime]]:
        """Office periods of working days from `day` on, as aware local datetimes."""
        while True:
            if self.is_workday(day):
                for start, end in self.periods:
                    yield datetime.combine(day, start, self.tz), datetime.combine(day, end, self.tz)
            day += timedelta(days=1)

    def add_working_seconds(self, start: datetime, seconds: int) -> datetime:
        """The moment `seconds` of working time after `start`."""
        if seconds < 0:
            raise ValueError("seconds must not be negative")
        local = self._local(start)
        remaining = seconds
        if remaining == 0:
            return local
        for begin, end in self._intervals_from(local.date()):
            if end <= local:
                continue
            begin = max(begin, local)
            available = int((end - begin).total_seconds())
            if remaining <= available:
                return begin + timedelta(seconds=remaining)
            remaining -= available
        raise AssertionError("unreachable")  # pragma: no cover

    def add_working_hours(self, start: datetime, hours: Decimal | int) -> datetime:
        seconds = (Decimal(hours) * 3600).quantize(Decimal(1), rounding=ROUND_HALF_UP)
        return self.add_working_seconds(start, int(seconds))

    def working_seconds_between(self, start: datetime, end: datetime) -> int:
        """Working time in [start, end); negative when end is before start."""
        a, b = self._local(start), self._local(end)
        if b < a:
            return -self.working_seconds_between(end, start)
        total = 0
        day = a.date()
        while day <= b.date():
            if self.is_workday(day):
                for p_start, p_end in self.periods:
                    lo = max(datetime.combine(day, p_start, self.tz), a)
                    hi = min(datetime.combine(day, p_end, self.tz), b)
                    if hi > lo:
                        total += int((hi - lo).total_seconds())
            day += timedelta(days=1)
        return total

    def working_hours_between(self, start: datetime, end: datetime) -> Decimal:
        return (Decimal(self.working_seconds_between(start, end)) / 3600).quantize(Decimal("0.01"))

    @property
    def working_day_seconds(self) -> int:
        """The working time of one working day (office periods, lunch excluded)."""
        return sum(
            int((datetime.combine(date.min, b) - datetime.combine(date.min, a)).total_seconds())
            for a, b in self.periods
        )

    def add_working_days(self, start: datetime, days: int) -> datetime:
        """C-3: the moment `days` whole working days after `start`.

        The rule: a limit of N working days gives N whole working days of office time, counted
        from the next working moment, across weekends, statutory holidays and make-up
        workdays (调休, which count as working days). Precisely, the due moment is the moment
        N × (one working day's office time) of working time after `start`, so that:

        - a start outside working time (a rest day, a holiday, before or after office hours,
          lunch) counts from the next working moment; from the beginning of a working day the
          limit ends at the close of office hours of the N-th working day, that day counted
          as the first (released on a Saturday, 1 working day is due Monday at the close of
          office hours, a full working day later; never Monday at the opening with nothing left);
        - a start inside office hours ends at the same clock time on the N-th working day
          after it (Friday 10:00 + 1 → Monday 10:00).

        The working hours measured between the start and the due moment are therefore always
        N × the working day's hours, which is what "my work" shows as time left. 0 days is `start`.
        """
        if days < 0:
            raise ValueError("days must not be negative")
        return self.add_working_seconds(start, days * self.working_day_seconds)

    def end_of_day(self, day: date) -> datetime:
        """The end of office hours on `day`: a deadline given as a date falls due then."""
        return datetime.combine(day, self.periods[-1][1], self.tz)

    def working_day_before(self, day: date, days: int) -> date:
        """The `days`-th working day before `day` (0: `day` itself if it works, else the one before)."""
        if days < 0:
            raise ValueError("days must not be negative")
        counted = 0
        while not self.is_workday(day):
            day -= timedelta(days=1)
        while counted < days:
            day -= timedelta(days=1)
            if self.is_workday(day):
                counted += 1
        return day

    def working_days_between(self, start: datetime, end: datetime) -> int:
        """Working days after start's date up to and including end's date."""
        a, b = self._local(start).date(), self._local(end).date()
        sign = 1
        if b < a:
            a, b, sign = b, a, -1
        count = 0
        day = a
        while day < b:
            day += timedelta(days=1)
            if self.is_workday(day):
                count += 1
        return sign * count
