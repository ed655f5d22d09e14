"""Issue 23, point 3: "my work" shows each step once, also to a head who sees the department's
queue; the start page counts the steps by kind in one query; time left reads right outside
working time (H-5, P-2, P-3)."""

from __future__ import annotations

import importlib
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from conftest import make_user
from oms.accounts.models import Role
from oms.intake.tests.fixtures import order_in_review
from oms.policy import selectors as policy_selectors
from oms.policy.worktime import WorkCalendar
from oms.tracking import actions as tracking
from oms.tracking.selectors import department_queue, my_work, my_work_counts
from oms.workbench.selectors import WorkClock, time_left

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
SATURDAY = datetime(2026, 12, 5, 10, 0, tzinfo=SH)


@pytest.fixture
def desk(org: dict[str, Any]) -> dict[str, Any]:
    """An order-confirmation desk: its head and a staff member, and steps of one order: one named
    to the head, two on the desk with nobody named (the head's own work too), one named to the
    staff member (only in the head's department queue)."""
    head = make_user("ochead", kind="order_confirmation", role=Role.HEAD)
    staff = make_user("ocstaff", kind="order_confirmation")
    order = order_in_review(org)
    calendar = policy_selectors.work_calendar()
    steps = [("contract.review", head, "甲"), ("order.release", None, "乙"), ("order.release", None, "丙")]
    steps.append(("contract.sign", staff, "丁"))
    for kind, person, title in steps:
        tracking.open_item(
            target=order,
            kind=kind,
            title=title,
            department=head.department,
            assignee=person,
            calendar=calendar,
            hours=Decimal("8"),
        )
    return {"head": head, "staff": staff, "order": order}


def test_a_head_sees_each_step_once(desk) -> None:
    """P-3: the department's queue leaves out what is already in the head's own work."""
    mine = [i.title for i in my_work(desk["head"])]
    queue = [i.title for i in department_queue(desk["head"])]
    assert (sorted(mine), queue) == (["丙", "乙", "甲"], ["丁"])


def test_the_work_page_lists_each_step_once_with_bounded_queries(
    client, desk, django_assert_max_num_queries
) -> None:
    client.force_login(desk["head"])
    with django_assert_max_num_queries(12):
        page = client.get(reverse("workbench:work")).content.decode()
    assert [page.count(f">{t}<") for t in ("甲", "乙", "丙", "丁")] == [1, 1, 1, 1]


def test_counts_by_kind_in_one_query(desk, django_assert_num_queries) -> None:
    """H-5: what waits on the user, by kind, most first; the staff member's named step is not the head's."""
    with django_assert_num_queries(1):
        counts = my_work_counts(desk["head"])
    assert [(c["kind"], str(c["label"]), c["n"], c["late"]) for c in counts] == [
        ("order.release", "下达订单", 2, 0),
        ("contract.review", "合同评审", 1, 0),
    ]


def test_the_start_page_shows_the_counts(client, desk, django_assert_max_num_queries) -> None:
    client.force_login(desk["staff"])
    with django_assert_max_num_queries(12):
        page = client.get(reverse("core:home")).content.decode()
    assert 'data-testid="work-counts"' in page
    assert (
        'data-testid="count-order.release">下达订单 <span class="badge text-bg-primary" data-testid="count-n">2<'
        in page
    )
    assert (
        'data-testid="count-contract.sign">登记合同签订 <span class="badge text-bg-primary" data-testid="count-n">1<'
        in page
    )


def test_on_a_saturday_a_step_due_monday_has_its_working_time_left() -> None:
    """P-2: Saturday 10:00, due Monday 10:00: one working hour left (Monday 09:00–10:00), not a
    negative or wall-clock figure; the clock waits until Monday 09:00."""
    calendar = policy_selectors.work_calendar()
    left = time_left(calendar, SATURDAY, datetime(2026, 12, 7, 10, 0, tzinfo=SH))
    assert (left.hours, left.late, left.resumes) == (
        Decimal("1.00"),
        False,
        datetime(2026, 12, 7, 9, 0, tzinfo=SH),
    )


def test_on_a_saturday_a_step_due_friday_evening_is_late() -> None:
    """P-2: no working time lies between Friday 18:00 and Saturday, yet the step is late."""
    calendar = policy_selectors.work_calendar()
    left = time_left(calendar, SATURDAY, datetime(2026, 12, 4, 18, 0, tzinfo=SH))
    assert (left.hours, left.late, left.resumes) == (Decimal("0.00"), True, None)


def test_on_a_holiday_the_clock_waits_for_the_next_working_day() -> None:
    """P-2, C-3: National Day week (1–7 October) rests; the Saturday after is a make-up workday (调休)."""
    days = {date(2026, 9, 30): True, date(2026, 10, 8): True, date(2026, 10, 10): True}
    calendar = WorkCalendar({**{date(2026, 10, d): False for d in range(1, 8)}, **days})
    left = time_left(
        calendar, datetime(2026, 10, 2, 15, 0, tzinfo=SH), datetime(2026, 10, 10, 10, 0, tzinfo=SH)
    )
    assert (left.hours, left.late, left.resumes) == (
        Decimal("9.00"),
        False,
        datetime(2026, 10, 8, 9, 0, tzinfo=SH),
    )


def test_during_office_hours_the_clock_runs() -> None:
    calendar = policy_selectors.work_calendar()
    now = datetime(2026, 12, 4, 10, 0, tzinfo=SH)
    left = time_left(calendar, now, datetime(2026, 12, 7, 10, 0, tzinfo=SH))
    assert (left.hours, left.late, left.resumes) == (Decimal("8.00"), False, None)


def test_the_work_page_says_the_clock_waits_on_a_saturday(client, desk) -> None:
    with time_machine.travel(SATURDAY, tick=False):
        client.force_login(desk["head"])
        page = client.get(reverse("workbench:work")).content.decode()
    # Opened Friday 10:00 with 8 working hours: due Monday 10:00, one working hour left.
    assert page.count("剩余 1.00 工作小时") == 4  # three of his own, one of the queue
    assert page.count("（非工作时间，12-07 09:00 起计时）") == 4
    assert "已超时" not in page


def test_one_clock_for_many_steps_reads_as_the_calendar_does() -> None:
    """Issue 21: the page's one clock gives every deadline the figure the calendar's own
    arithmetic gives, before and after now, across a weekend and a make-up workday."""
    calendar = policy_selectors.work_calendar()
    now = datetime(2026, 12, 4, 10, 30, tzinfo=SH)
    clock = WorkClock(calendar, now)
    dues = [datetime(2026, 11, 28, 8, 0, tzinfo=SH) + timedelta(minutes=97 * i) for i in range(300)]
    expected = [
        (min(calendar.working_hours_between(now, d), Decimal("0")), True)
        if d <= now
        else (calendar.working_hours_between(now, d), False)
        for d in dues
    ]
    assert [(clock.left(d).hours, clock.left(d).late) for d in dues] == expected


def test_one_clock_says_when_the_clock_resumes() -> None:
    calendar = policy_selectors.work_calendar()
    clock = WorkClock(calendar, SATURDAY)
    assert clock.left(datetime(2026, 12, 8, 10, 0, tzinfo=SH)).resumes == datetime(
        2026, 12, 7, 9, 0, tzinfo=SH
    )


def test_the_page_reads_steps_as_values_and_prints_them_as_the_models(desk) -> None:
    """Issue 21: "my work" reads its steps as values; each row prints what the step read as a
    model printed: title, link, responsible person or desk, deadline, escalation."""
    from oms.tracking.models import WorkItem
    from oms.workbench.views.work import _first, _work_rows

    WorkItem.objects.filter(title="乙").update(escalated_to=desk["staff"], overdue=True)
    for qs in (my_work(desk["head"]), department_queue(desk["head"])):
        as_models = _work_rows(list(qs[:100]))
        assert _work_rows(_first(qs)) == as_models
        assert as_models
    escalated = [r for r in _work_rows(_first(my_work(desk["head"]))) if r["escalated_to"]]
    assert [(r["title"], r["escalated_to"], r["late"]) for r in escalated] == [
        ("乙", str(desk["staff"]), True)
    ]


def test_a_head_s_full_lists_say_how_many_more_wait(
    client, desk, monkeypatch, django_assert_max_num_queries
) -> None:
    """H-5, issue 21: each list shows its first page and says how many more steps wait, counted
    with the page's own statement (the head's own three steps, one in the department's queue)."""
    work = importlib.import_module("oms.workbench.views.work")
    monkeypatch.setattr(work, "WORK_PAGE", 2)
    client.force_login(desk["head"])
    with django_assert_max_num_queries(6):
        response = client.get(reverse("workbench:work"))
    assert (response.context["mine_more"], response.context["queue_more"]) == (1, 0)
    assert [len(response.context["mine"]), len(response.context["queue"])] == [2, 1]


def test_a_count_past_the_cap_says_so(desk, monkeypatch) -> None:
    """Issue 21: counted no further than the cap, a list says "N+" more."""
    from oms.web.listing import query

    work = importlib.import_module("oms.workbench.views.work")
    monkeypatch.setattr(work, "WORK_PAGE", 1)
    monkeypatch.setattr(query, "COUNT_CAP", 2)
    mine, queue = work._pages([my_work(desk["head"]), department_queue(desk["head"])])
    assert [len(mine.steps), mine.found, mine.capped, mine.more] == [1, 2, True, "1+"]
    assert [len(queue.steps), queue.more] == [1, 0]


def test_a_head_of_no_department_opens_my_work(client: Any) -> None:
    """H-5: a head not (yet) given a department has no department queue; the page still opens."""
    head = make_user("nodept", role=Role.HEAD)
    type(head).objects.filter(pk=head.pk).update(department=None)
    client.force_login(type(head).objects.get(pk=head.pk))
    assert client.get(reverse("workbench:work")).status_code == 200
