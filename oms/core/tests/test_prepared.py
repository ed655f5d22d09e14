"""Issue 21: `oms.core.prepared` runs a read of a fixed shape by its statement compiled once, and
answers what the queryset itself answers: the same instances (with their joined rows and
annotations), the same dicts, one statement each; what it cannot keep it runs as it is."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection, connections, transaction
from django.db.models import QuerySet
from django.test.utils import CaptureQueriesContext

from conftest import make_user
from oms.accounts.models import User
from oms.core import prepared

pytestmark = pytest.mark.django_db


def _people(pk: int) -> QuerySet[User]:
    return User.objects.select_related("department").filter(pk=pk).order_by()


def test_instances_are_those_of_the_queryset_with_their_joined_rows() -> None:
    """Each call binds its own key to the kept statement; the rows, the joined department and the
    loaded values are those the queryset gives, with one statement per call."""
    first, second = make_user("prep1"), make_user("prep2")
    with transaction.atomic(), CaptureQueriesContext(connection) as ctx:
        got = [prepared.one(("test.people",), User, _people, u.pk) for u in (first, second, first)]
    expected = [_people(u.pk).get() for u in (first, second, first)]
    assert [(u.pk, u.username, u.department_id, u._state.adding) for u in got] == [
        (u.pk, u.username, u.department_id, False) for u in expected
    ]
    assert [u.department for u in got] == [u.department for u in expected]
    assert len(ctx.captured_queries) == 3


def test_a_missing_row_raises_does_not_exist() -> None:
    """As `QuerySet.get`."""
    with transaction.atomic(), pytest.raises(User.DoesNotExist):
        prepared.one(("test.people",), User, _people, 987_654)


def test_values_reads_answer_dicts_of_their_names() -> None:
    """A `values()` read answers the dicts the queryset answers."""
    user = make_user("prep3")

    def build(pk: int) -> QuerySet[Any]:
        return User.objects.filter(pk=pk).values("username", "is_active")

    with transaction.atomic():
        got = prepared.dicts(("test.values",), User, build, user.pk)
    assert got == list(build(user.pk))


def test_a_values_read_over_an_earlier_one_names_its_columns_as_django_does() -> None:
    """`values()` of an earlier `values()` with expressions: each value under its own name."""
    from django.db.models import F

    user = make_user("prep5")

    def build(pk: int) -> QuerySet[Any]:
        return (
            User.objects.filter(pk=pk).values(uname=F("username"), lname=F("last_name")).values("uname", "pk")
        )

    with transaction.atomic():
        got = prepared.dicts(("test.values.selected",), User, build, user.pk)
    assert got == [{"uname": "prep5", "pk": user.pk}]


def test_a_statement_whose_constant_equals_a_placeholder_is_run_as_it_is() -> None:
    """A queryset that binds the placeholder value itself cannot be kept: it is run as given and
    still answers its rows."""
    user = make_user("prep4")

    def build(pk: int) -> QuerySet[User]:
        return User.objects.filter(pk=pk).exclude(pk=prepared._MARKS[0]).order_by()

    with transaction.atomic():
        got = prepared.rows(("test.collision",), User, build, user.pk)
    assert [u.pk for u in got] == [user.pk]
    assert prepared._PLANS[connections["default"]][("test.collision",)] is None
