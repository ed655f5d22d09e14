"""Issue 21, H-4: statement budgets of raising and resolving an exception, at the levels measured
on SQLite and PostgreSQL (PostgreSQL adds the audit chain's advisory lock once per transaction).
Kept apart from the write path's budgets (tests/test_statement_budgets.py). A budget that fails
means the action started reading or writing row by row again: find the repeated statement rather
than raising the number."""

from __future__ import annotations

from typing import Any

import pytest

from oms.intake import actions as intake
from oms.intake.tests.fixtures import header, lines
from oms.orders.models import SalesOrder
from oms.tracking import actions as tracking
from oms.tracking.models import OrderException

pytestmark = pytest.mark.django_db

# What each action may use at most (statements, savepoints included), as measured on both engines
# (2026-12-06): raise 8 (insert, its step, the order's lock and risk, audit, message), resolve 9.
RAISE = 8
RESOLVE = 9


def _order(org: dict[str, Any]) -> SalesOrder:
    order = intake.create_order(actor=org["sales"], data=header(org), lines=lines(org))
    return intake.submit_order(actor=org["sales"], order=order)


def _raise(org: dict[str, Any], order: SalesOrder) -> OrderException:
    return tracking.raise_exception(
        actor=org["prod"], order=order, kind="shortage", description="轴承缺货", responsible=org["prod_head"]
    )


def test_raising_an_exception_keeps_its_budget(
    org: dict[str, Any], django_assert_max_num_queries: Any
) -> None:
    """H-4: raising an exception (its step, its customer notice by policy, the order's kept risk,
    audit and message) is within its budget; the order's first exception is measured after one
    raised before, so nothing read once per transaction is left to the measured one."""
    order = _order(org)
    _raise(org, order)
    with django_assert_max_num_queries(RAISE):
        _raise(org, order)


def test_resolving_an_exception_keeps_its_budget(
    org: dict[str, Any], django_assert_max_num_queries: Any
) -> None:
    """H-4: resolving an exception (the transition, its step closed, the order's kept risk) is
    within its budget."""
    exception = _raise(org, _order(org))
    exception = OrderException.objects.get(pk=exception.pk)  # as the page reads it
    with django_assert_max_num_queries(RESOLVE):
        tracking.resolve_exception(
            actor=org["prod_head"], exception=exception, resolution="已调货", cause="供应商延迟"
        )
