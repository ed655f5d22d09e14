"""Issue 21 (A-4, P-3): the heads, the departments and the department tree are kept per process
while the "api_tokens" change stamp stays; a write of a user or a department — by this
transaction, another process or raw SQL — is seen by the next lookup."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection, transaction

from oms.accounts.models import Role
from oms.accounts.selectors import department_of_kind, head_of
from oms.core import stamps

pytestmark = pytest.mark.django_db


def test_a_second_lookup_reads_nothing(org: dict[str, Any], django_assert_num_queries: Any) -> None:
    """Kept: the heads are read once, then served from the process's copy."""
    dept = org["prod_head"].department
    with transaction.atomic():
        head_of(dept)
        with django_assert_num_queries(0):
            assert head_of(dept) == org["prod_head"]


def test_a_head_deactivated_by_raw_sql_is_seen_by_the_next_transaction(org: dict[str, Any]) -> None:
    """A-4: the trigger renews the stamp on any write, raw SQL included; the next transaction
    (which reads the tokens afresh: `stamps.forget` stands for it here) no longer names them."""
    dept = org["prod_head"].department
    with transaction.atomic():
        assert head_of(dept) == org["prod_head"]
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE accounts_user SET is_active = %s WHERE id = %s", [False, org["prod_head"].pk]
            )
        stamps.forget()
        assert head_of(dept) is None


def test_a_head_appointed_in_the_same_transaction_is_seen(org: dict[str, Any]) -> None:
    """A-4: a user saved by this transaction is seen by its next lookup (the save forgets the
    transaction's tokens, the trigger has renewed the stamp)."""
    prod = org["prod"]
    with transaction.atomic():
        assert head_of(prod.department) == org["prod_head"]
        org["prod_head"].is_active = False
        org["prod_head"].save()
        assert head_of(prod.department) is None
        prod.role = Role.HEAD
        prod.save()
        assert head_of(prod.department) == prod


def test_a_kept_head_is_a_copy(org: dict[str, Any]) -> None:
    """Nothing one caller sets on a kept user reaches the next caller."""
    dept = org["prod_head"].department
    with transaction.atomic():
        head_of(dept).first_name = "changed"  # type: ignore[union-attr]
        assert head_of(dept).first_name != "changed"  # type: ignore[union-attr]


def test_a_department_deactivated_is_seen(org: dict[str, Any]) -> None:
    """The departments by kind are kept the same way: a deactivated one is no longer found."""
    with transaction.atomic():
        found = department_of_kind("production")
        assert found == org["prod_head"].department
        found.active = False  # type: ignore[union-attr]
        found.save()  # type: ignore[union-attr]
        assert department_of_kind("production") is None
