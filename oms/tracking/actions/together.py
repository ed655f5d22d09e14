"""A hand-off in one statement on PostgreSQL (issue 21): the finished steps closed, the next
steps inserted and their messages inserted by one `WITH … UPDATE … INSERT … INSERT` instead of
three round trips. SQLite has no data-modifying WITH; there `tracking.deliver` runs the three
statements one after the other (in-process, they cost no round trip).

The parts of one such statement share its snapshot: the UPDATE sees none of the rows the
INSERTs add, which is what is wanted (a step opened by the hand-off is never the one it closes).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import connection, models
from django.db.models.sql import InsertQuery

from oms.notifications.models import Notification
from oms.tracking.actions.items import Closing
from oms.tracking.models import WorkItem, WorkStatus

# Written out, with bound parameters only (ADR 0017 rule 5): the ORM's building of this UPDATE
# cost more than the database's answer.
_CLOSE = (
    'UPDATE "tracking_workitem" SET "status" = %s, "closed_at" = %s, "closed_by_id" = %s, '
    '"outcome" = %s WHERE "content_type_id" = %s AND "object_id" = %s AND "status" = %s'
)


def _close(closing: Closing) -> tuple[str, list[Any]]:
    values = closing.values()
    user = values["closed_by"]
    params = [
        values["status"],
        values["closed_at"],
        user.pk if user is not None else None,
        values["outcome"],
        ContentType.objects.get_for_model(closing.target).pk,
        closing.target.pk,
        WorkStatus.OPEN,
    ]
    if not closing.kinds:
        return _CLOSE, params
    return f'{_CLOSE} AND "kind" = ANY(%s)', [*params, list(closing.kinds)]


def _insert(model: type[models.Model], objs: list[Any]) -> tuple[str, list[Any]]:
    """The one INSERT `bulk_create` would send for `objs` (no primary keys yet)."""
    fields = [f for f in model._meta.concrete_fields if not f.primary_key and not f.generated]
    for obj in objs:
        obj._prepare_related_fields_for_save(operation_name="bulk_create")
    query = InsertQuery(model)
    query.insert_values(fields, objs)
    [(sql, params)] = query.get_compiler(connection=connection).as_sql()
    return sql, list(params)


def write(
    closing: Closing | None, items: list[WorkItem], messages: list[Notification]
) -> tuple[int, list[int | None]]:
    """Close, open and tell with one statement; the rows inserted get their primary keys.
    Returns how many steps were closed, and the orders of those closed late (`Closing.closed`)."""
    parts: list[str] = []
    params: list[Any] = []
    answers: list[str] = []
    if closing is not None:
        sql, more = _close(closing)
        # Each closed step's order when it was closed after its limit unflagged: the order
        # timeliness (O-1) turns bad, as `outcomes.close_returning` answers for a close alone.
        parts.append(f'c AS ({sql} RETURNING "order_id", "closed_at" > "due_at" AND NOT "overdue" AS late)')
        params += more
        answers.append("(SELECT count(*) FROM c)")
        answers.append('ARRAY(SELECT "order_id" FROM c WHERE late)')
    else:
        answers.append("0")
        answers.append("NULL")
    for name, model, objs in (("w", WorkItem, items), ("n", Notification, messages)):
        if objs:
            sql, more = _insert(model, objs)
            parts.append(f'{name} AS ({sql} RETURNING "id")')
            params += more
            # One multi-row INSERT draws its ids from the sequence in the order of its rows.
            answers.append(f'ARRAY(SELECT "id" FROM {name} ORDER BY "id")')  # noqa: S608 (constant names)
        else:
            answers.append("NULL")
    if not parts:
        return 0, []
    with connection.cursor() as cursor:
        cursor.execute(f"WITH {', '.join(parts)} SELECT {', '.join(answers)}", params)
        closed, late_orders, item_ids, message_ids = cursor.fetchone()
    for objs, ids in ((items, item_ids), (messages, message_ids)):
        for obj, pk in zip(objs, ids or [], strict=True):
            obj.pk = pk
            obj._state.adding = False
            obj._state.db = connection.alias
    return int(closed), list(late_orders or [])


class CloseAlong:
    """The close of the steps an action finishes, as a part of the statement that saves the
    transition (`workflow.Along`, issue 21): on PostgreSQL one `WITH` instead of two UPDATEs;
    elsewhere `Closing.close` on its own, as `close_items`. Either way `Closing.closed` follows
    (the order timeliness, O-1, and the kept risk, H-6). The steps are those of the record as
    saved (`locked`), whose current state the kept risk reads, not of the caller's copy."""

    def __init__(self, closing: Closing) -> None:
        self.closing = closing
        self.count = 0

    def _of(self, locked: Any) -> Closing:
        return replace(self.closing, target=locked)

    def part(self, locked: Any) -> tuple[str, list[Any], list[str]]:
        sql, params = _close(self._of(locked))
        return (
            f'{sql} RETURNING "order_id", "closed_at" > "due_at" AND NOT "overdue" AS late',
            params,
            ["(SELECT count(*) FROM along)", 'ARRAY(SELECT "order_id" FROM along WHERE late)'],
        )

    def answered(self, locked: Any, values: Any) -> None:
        closed, late_orders = values
        self.count = self._of(locked).closed(int(closed), list(late_orders or []))

    def alone(self, locked: Any) -> None:
        self.count = self._of(locked).close()


def closing_along(
    *, target: models.Model, actor: Any, outcome: str, kinds: tuple[str, ...] | None = None
) -> CloseAlong:
    """`close_items` with the transition's save (`workflow.apply(…, along=…)`)."""
    return CloseAlong(Closing(target=target, actor=actor, outcome=outcome, kinds=kinds))
