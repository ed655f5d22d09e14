"""The order-execution register (订单执行跟踪表, issue 23 point 10, H-1, S-1)."""

from __future__ import annotations

import io
from datetime import date, timedelta
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from conftest import make_user
from oms.intake.tests.fixtures import order_in_review
from oms.orders.models import SalesOrder
from oms.tracking.models import WorkItem

pytestmark = pytest.mark.django_db
URL = "workbench:register_list"


def _get(client: Any, user: Any, **params: str) -> Any:
    client.force_login(user)
    return client.get(reverse(URL), params)


def _late(order: SalesOrder) -> WorkItem:
    return WorkItem.objects.create(
        kind="review",
        title="评审",
        content_type=ContentType.objects.get_for_model(SalesOrder),
        object_id=order.pk,
        order=order,
        department=order.department,
        started_at=timezone.now() - timedelta(days=3),
        due_at=timezone.now() - timedelta(hours=1),
    )


def test_a_row_shows_the_day_each_stage_was_reached(client, org) -> None:
    order = order_in_review(org)
    response = _get(client, org["sales"])
    row = next(obj for obj, _cells in response.context["rows"] if obj.pk == order.pk)
    today = timezone.localdate()
    assert (row.reached_pending_check, row.reached_in_review, row.reached_confirmed, row.overdue_steps) == (
        today,
        today,
        None,
        0,
    )


def test_the_overdue_filter_keeps_orders_with_a_late_step(client, org) -> None:
    late, on_time = order_in_review(org), order_in_review(org)
    _late(late)
    response = _get(client, org["sales"], overdue="1")
    rows = [(obj.pk, obj.overdue_steps) for obj, _cells in response.context["rows"]]
    assert (rows, on_time.pk in [pk for pk, _n in rows]) == ([(late.pk, 1)], False)


def test_filters_by_customer_and_date_range(client, org) -> None:
    order_in_review(org, order_date=date(2026, 11, 2))
    wanted = order_in_review(org, order_date=date(2026, 11, 20))
    response = _get(
        client, org["sales"], customer=str(org["customer"].pk), date_from="2026-11-10", date_to="2026-11-30"
    )
    assert [obj.pk for obj, _cells in response.context["rows"]] == [wanted.pk]


def test_a_salesperson_sees_only_their_own_orders(client, org) -> None:
    order_in_review(org)
    response = _get(client, make_user("sales2", kind="sales"))
    assert list(response.context["rows"]) == []


def test_export_has_typed_date_and_number_cells(client, org) -> None:
    order = order_in_review(org)
    _late(order)
    response = _get(client, org["sales"], export="xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    header = [c.value for c in sheet[1]]
    row = [c.value for c in sheet[2]]
    submitted = row[header.index("提交")]
    assert (row[0], submitted.date(), row[header.index("超时事项")]) == (
        order.number,
        timezone.localdate(),
        1,
    )


def test_a_page_is_a_bounded_number_of_queries(client, org, django_assert_max_num_queries) -> None:
    for _ in range(4):
        order_in_review(org)
    client.force_login(org["sales"])
    with django_assert_max_num_queries(12):
        response = client.get(reverse(URL))
    assert len(response.context["rows"]) == 4


def test_filters_by_stage_and_salesperson(client, org) -> None:
    in_review = order_in_review(org)
    SalesOrder.objects.filter(pk=order_in_review(org).pk).update(status="in_approval")
    response = _get(client, org["sales"], status="in_review", salesperson=str(org["sales"].pk))
    assert [obj.pk for obj, _cells in response.context["rows"]] == [in_review.pk]
