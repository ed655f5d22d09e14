"""Issue 21: the policy and the calendar are cached (parsed once per published version; the
calendar read again only when the table changed), and every change is seen at once."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.db import transaction

from oms.policy import actions, selectors
from oms.policy.models import CalendarDay
from oms.policy.schema import PolicyData

pytestmark = pytest.mark.django_db


def _publish(**changes: object) -> None:
    data = PolicyData().model_dump(mode="json")
    for key, value in changes.items():
        section, field = key.split("__")
        data[section][field] = value
    actions.publish_policy(actor="test", data=data)


def test_a_published_version_is_seen_by_the_next_read() -> None:
    assert selectors.policy().review.mode == "parallel"
    _publish(review__mode="sequential")
    assert selectors.policy().review.mode == "sequential"


def test_publishing_inside_a_transaction_is_seen_in_it() -> None:
    with transaction.atomic():
        first = selectors.current_version().number
        _publish(review__mode="sequential")
        assert (selectors.current_version().number, selectors.policy().review.mode) == (
            first + 1,
            "sequential",
        )


def test_a_pinned_version_keeps_its_values_after_a_new_one() -> None:
    old = selectors.current_version().number
    _publish(review__mode="sequential")
    assert selectors.policy(old).review.mode == "parallel"


def test_the_policy_is_read_once_per_transaction(django_assert_num_queries) -> None:
    with transaction.atomic():
        selectors.policy()
        with django_assert_num_queries(0):
            selectors.policy()
            selectors.time_limit_hours(order_class="normal")


def test_a_calendar_edit_is_seen_by_the_next_calendar(admin_user) -> None:
    day = CalendarDay.objects.get(date=date(2025, 3, 3))
    assert selectors.work_calendar().is_workday(day.date) is True
    actions.set_calendar_day(
        actor=admin_user, day=day, is_workday=False, name="公司假日", version=day.version
    )
    assert selectors.work_calendar().is_workday(day.date) is False


@pytest.mark.django_db(
    transaction=True, serialized_rollback=True
)  # an earlier transactional test may have emptied the seeds
def test_a_calendar_changed_without_signals_is_seen_too(admin_user) -> None:
    """A day changed by a bulk write (no signals, or another process) changes the table's stamp,
    which the next transaction reads."""
    if not CalendarDay.objects.filter(date__year=2031).exists():  # a transactional test may have emptied it
        actions.add_calendar_year(actor=admin_user, year=2031)
    day = CalendarDay.objects.get(date=date(2031, 3, 3))
    assert selectors.work_calendar().is_workday(day.date) is True
    CalendarDay.objects.filter(pk=day.pk).update(is_workday=False, version=day.version + 1)
    assert selectors.work_calendar().is_workday(day.date) is False


def test_an_added_year_is_seen_by_the_next_calendar(admin_user) -> None:
    year = max(selectors.calendar_years()) + 1
    with pytest.raises(Exception, match=str(year)):
        selectors.work_calendar().is_workday(date(year, 3, 1))
    actions.add_calendar_year(actor=admin_user, year=year)
    assert selectors.work_calendar().is_workday(date(year, 3, 1)) is True


def test_an_unchanged_calendar_is_not_read_again(django_assert_num_queries) -> None:
    with transaction.atomic():
        selectors.work_calendar()
        with django_assert_num_queries(0):  # the stamp and the policy are remembered by the transaction
            selectors.work_calendar()


def test_an_orders_pinned_version_is_read_once_per_process(
    org: dict[str, object], django_assert_num_queries: Any
) -> None:
    """Issue 21: `order.policy_version` of any instance of any order pinned to a version already
    read in this process costs no query (a published version is never edited)."""
    from oms.intake import actions as intake
    from oms.intake.tests.fixtures import header, lines
    from oms.orders.models import SalesOrder

    order = intake.create_order(actor=org["sales"], data=header(org), lines=lines(org))
    number = SalesOrder.objects.get(pk=order.pk).policy_version.number
    again = SalesOrder.objects.get(pk=order.pk)
    with django_assert_num_queries(0):
        assert again.policy_version.number == number


def test_a_published_version_empties_the_pinned_rows() -> None:
    row = selectors.current_version()
    selectors.pinned_row(row.pk, lambda: row)
    _publish(review__mode="sequential")
    assert selectors._ROWS == {}
