"""PostgreSQL plans an action's statements once per connection (ADR 0021, issue 21): inside a
transaction a statement sent again is prepared; a page's read outside a transaction never is, so
it keeps a plan made for its own values."""

from __future__ import annotations

import pytest
from django.db import connection, transaction

pytestmark = [
    pytest.mark.postgres,
    # Reads outside any transaction need autocommit, which a test wrapped in one never has.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="prepared statements are PostgreSQL's; SQLite's driver keeps its own statement cache",
    ),
]


def _prepared(text: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE statement = %s", [text])
        return cursor.fetchone()[0] == 1


def _send_three_times(offset: int) -> None:
    with connection.cursor() as cursor:
        for value in range(3):
            cursor.execute(f"SELECT %s::int + {offset}", [value])
            assert cursor.fetchone()[0] == value + offset


def test_a_statement_sent_again_inside_a_transaction_is_prepared() -> None:
    with transaction.atomic():
        _send_three_times(101)
    assert _prepared("SELECT $1::int + 101")


def test_a_statement_sent_again_outside_a_transaction_is_not_prepared() -> None:
    _send_three_times(202)
    assert not _prepared("SELECT $1::int + 202")


def test_a_bulk_update_beyond_the_bound_values_limit_is_written_in_batches() -> None:
    """With values bound on the server a statement takes at most 65,535 of them; Django writes a
    bulk_update as one statement on PostgreSQL unless the backend gives it a batch size."""
    from conftest import make_user
    from oms.core.models import IdempotencyRecord

    user = make_user("bulk")
    IdempotencyRecord.objects.bulk_create(
        IdempotencyRecord(user=user, key=f"k{i}", status=201, body="{}") for i in range(11_000)
    )
    rows = list(IdempotencyRecord.objects.filter(user=user))
    for row in rows:
        row.key, row.status, row.body = f"{row.key}x", 200, "[]"
    IdempotencyRecord.objects.bulk_update(rows, ["key", "status", "body"])  # 77,000 values in one
    assert IdempotencyRecord.objects.filter(user=user, status=200, body="[]").count() == 11_000
