"""Issue 21: `oms.core.inserts` writes new rows with an INSERT whose text is kept per table and
row count, and leaves the instances as `save()` leaves them; it refuses what it would write
wrongly (a model with save receivers)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.db.models.signals import post_save
from django.test.utils import CaptureQueriesContext

from conftest import make_user
from oms.core import inserts
from oms.core.models import IdempotencyRecord

pytestmark = pytest.mark.django_db


def test_rows_are_written_in_one_statement_with_their_keys_and_save_time_values() -> None:
    """The keys come back on the instances, auto_now_add is filled and the instances are stored."""
    user = make_user("ins")
    rows = [IdempotencyRecord(user=user, key=f"k{i}", status=201, body="{}") for i in range(2)]
    with CaptureQueriesContext(connection) as ctx:
        inserts.insert(rows)
    stored = list(IdempotencyRecord.objects.order_by("pk").values_list("pk", "key", "created_at"))
    assert len(ctx.captured_queries) == 1
    assert stored == [(r.pk, r.key, r.created_at) for r in rows]
    assert [(r._state.adding, r._state.db) for r in rows] == [(False, "default"), (False, "default")]


def test_a_model_with_a_save_receiver_is_refused_and_nothing_is_written() -> None:
    """A receiver would be skipped, so the model is refused before anything is written."""
    user = make_user("ins")

    def receiver(**_kwargs: Any) -> None:
        pass

    post_save.connect(receiver, sender=IdempotencyRecord, dispatch_uid="test-inserts")
    try:
        with pytest.raises(TypeError):
            inserts.insert([IdempotencyRecord(user=user, key="k", status=201, body="{}")])
    finally:
        post_save.disconnect(sender=IdempotencyRecord, dispatch_uid="test-inserts")
    assert IdempotencyRecord.objects.count() == 0


def test_more_rows_than_one_statement_may_bind_go_in_several_statements(monkeypatch: Any) -> None:
    """A bulk action's rows beyond the database's limit of bound values are all written, in as
    many statements as the limit needs (SQLite 32,766 values, PostgreSQL 65,535)."""
    user = make_user("ins")
    monkeypatch.setitem(inserts._MAX_PARAMS, connection.vendor, 12)  # 2 rows of 6 values
    monkeypatch.setattr(inserts, "_ROWS", {})
    rows = [IdempotencyRecord(user=user, key=f"k{i}", status=201, body="{}") for i in range(5)]
    with CaptureQueriesContext(connection) as ctx:
        inserts.insert(rows)
    assert len(ctx.captured_queries) == 3
    assert list(IdempotencyRecord.objects.order_by("pk").values_list("pk", "key")) == [
        (r.pk, r.key) for r in rows
    ]
