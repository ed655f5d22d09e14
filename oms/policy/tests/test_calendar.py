"""C-3: the working calendar is seeded from the statutory data and editable."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from oms.core.errors import FieldErrors
from oms.policy import actions, selectors
from oms.policy.models import CalendarDay
from oms.policy.statutory import last_known_year

pytestmark = pytest.mark.django_db


def test_migration_seeds_the_statutory_calendar() -> None:
    day = CalendarDay.objects.get(date=date(2025, 1, 26))
    assert (day.is_workday, day.name) == (True, "调休上班（Spring Festival）")
    assert CalendarDay.objects.get(date=date(2025, 10, 1)).is_workday is False


def test_missing_next_year_is_reported() -> None:
    year = last_known_year()
    assert selectors.missing_next_year(date(year, 6, 1)) == year + 1
    assert selectors.missing_next_year(date(year - 1, 6, 1)) is None


def test_seeding_a_year_without_statutory_data_is_refused(admin_user) -> None:
    year = last_known_year() + 1
    with pytest.raises(FieldErrors):
        actions.seed_calendar(actor=admin_user, years=[year])
    assert not CalendarDay.objects.filter(date__year=year).exists()


def test_a_year_can_be_added_as_weekdays_and_then_edited(admin_user) -> None:
    year = last_known_year() + 1
    assert actions.add_calendar_year(actor=admin_user, year=year) in (365, 366)
    day = CalendarDay.objects.get(date=date(year, 1, 1))
    actions.set_calendar_day(actor=admin_user, day=day, is_workday=False, name="元旦", version=day.version)
    day.refresh_from_db()
    assert (day.is_workday, day.name, day.source, day.version) == (False, "元旦", "manual", 2)


def test_stale_day_edit_is_refused(admin_user) -> None:
    day = CalendarDay.objects.get(date=date(2025, 3, 3))
    actions.set_calendar_day(actor=admin_user, day=day, is_workday=False, name="停电", version=1)
    from oms.core.errors import StaleVersion

    with pytest.raises(StaleVersion):
        actions.set_calendar_day(actor=admin_user, day=day, is_workday=True, name="", version=1)
    day.refresh_from_db()
    assert (day.is_workday, day.name) == (False, "停电")


def test_home_page_warns_the_administrator(admin_client) -> None:
    response = admin_client.get(reverse("core:home"))
    expected = selectors.missing_next_year()
    assert (b"calendar-warning" in response.content) == (expected is not None)


def test_work_calendar_uses_policy_office_hours() -> None:
    cal = selectors.work_calendar()
    assert cal.periods[0][0].hour == 9 and cal.periods[-1][1].hour == 18
