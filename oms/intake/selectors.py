"""The orders API's list page read as values (B-8, issue 21): the orders of a scoped query, their
live lines and their open work items, as the plain values the API writes, without a model
instance per row.

Fifty orders read as models were 200 instances (the order with its customer, salesperson and
department joined, every column of each) plus their lines and work items, then wrapped again
by django-ninja's validation of 50 nested items: most of the list's time in Python. The scope
is the query the caller passes (`orders_for`, S-1); nothing here widens it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet

from oms.orders.models import OrderLine, SalesOrder
from oms.policy.models import PolicyVersion
from oms.policy.selectors import pinned_row
from oms.tracking.models import WorkItem, WorkStatus


def order_rows(
    qs: QuerySet[SalesOrder], columns: Sequence[str], start: int, stop: int
) -> list[tuple[Any, ...]]:
    """The orders `qs[start:stop]` as tuples of `columns` (the query's own filters and order;
    no related rows joined: the API writes their keys only)."""
    return list(qs.select_related(None).values_list(*columns)[start:stop])


def live_lines(order_ids: Sequence[int], columns: Sequence[str]) -> dict[int, list[tuple[Any, ...]]]:
    """The live lines of these orders by line number (`OrderLine.objects`: removed lines are
    not the order's, B-3), as tuples of `columns`, by order."""
    result: dict[int, list[tuple[Any, ...]]] = {}
    if order_ids:
        rows = (
            OrderLine.objects.filter(order_id__in=order_ids)
            .order_by("line_no")
            .values_list("order_id", *columns)
        )
        for order_id, *values in rows:
            result.setdefault(order_id, []).append(tuple(values))
    return result


def open_items(order_ids: Sequence[int], columns: Sequence[str]) -> dict[int, list[tuple[Any, ...]]]:
    """The open work items waiting on these orders, earliest deadline first, as tuples of
    `columns`, by order."""
    result: dict[int, list[tuple[Any, ...]]] = {}
    if order_ids:
        rows = (
            WorkItem.objects.filter(
                content_type=ContentType.objects.get_for_model(SalesOrder),
                object_id__in=order_ids,
                status=WorkStatus.OPEN,
            )
            .order_by("due_at", "pk")
            .values_list("object_id", *columns)
        )
        for object_id, *values in rows:
            result.setdefault(object_id, []).append(tuple(values))
    return result


def version_number(pk: int) -> int:
    """The number of the pinned policy version with this key, from the per-process copy
    (`policy.selectors.pinned_row`; read once in the process, as the pinned field reads it)."""
    return pinned_row(pk, lambda: PolicyVersion.objects.get(pk=pk)).number
