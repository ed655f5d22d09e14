"""S-1: data scopes by role and department; confidential fields hidden per the policy."""

from __future__ import annotations

import pytest

from conftest import make_department, make_user
from oms.accounts.models import DataScope, Role
from oms.customers.selectors import customers_for
from oms.customers.tests.factories import CustomerFactory
from oms.policy.visibility import visible_field_groups

pytestmark = pytest.mark.django_db


@pytest.fixture
def book():
    """Two sales teams under the sales department; one customer each, one unassigned."""
    staff = make_user("s1")
    head = make_user("h1", role=Role.HEAD)
    sales = make_department("sales")
    east = type(sales).objects.create(code="sales_east", name="华东销售", kind="sales", parent=sales)
    east_rep = make_user("e1")
    east_rep.department = east
    east_rep.save()
    return {
        "staff": staff,
        "head": head,
        "east_rep": east_rep,
        "own": CustomerFactory(owner=staff, department=sales),
        "east": CustomerFactory(owner=east_rep, department=east),
        "other": CustomerFactory(owner=None, department=None),
    }


def _codes(qs):
    return sorted(c.code for c in qs)


def test_staff_sees_own_customers_only(book) -> None:
    assert _codes(customers_for(book["staff"])) == [book["own"].code]


def test_head_sees_department_and_below(book) -> None:
    assert _codes(customers_for(book["head"])) == sorted([book["own"].code, book["east"].code])


def test_department_scope_excludes_sub_departments(book) -> None:
    head = book["head"]
    head.data_scope = DataScope.DEPARTMENT
    assert _codes(customers_for(head)) == [book["own"].code]


@pytest.mark.parametrize("role", [Role.EXECUTIVE, Role.ADMIN, Role.AUDITOR])
def test_executive_admin_and_auditor_see_all(book, role) -> None:
    user = make_user(f"x-{role}", kind="management", role=role)
    assert len(_codes(customers_for(user))) == 3


@pytest.mark.parametrize(
    ("kind", "groups"),
    [
        ("sales", {"price", "contact"}),
        ("finance", {"price", "cost", "contact"}),
        ("production", set()),
        ("logistics", {"contact"}),
    ],
)
def test_field_groups_follow_the_policy(db, kind, groups) -> None:
    assert visible_field_groups(make_user(f"u-{kind}", kind=kind)) == frozenset(groups)
