"""The one transition engine, tested on its own small machine (DESIGN 4)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction

from oms.audit.models import AuditEvent
from oms.core.tests.machine.models import Ticket
from oms.engine import workflow

pytestmark = pytest.mark.django_db


def _is_owner(user: Any, ticket: Ticket) -> bool:
    return getattr(user, "username", "") == "owner"


def _not_blocked(user: Any, ticket: Ticket) -> str | None:
    return "ticket is blocked" if ticket.blocked else None


def _has_note(user: Any, ticket: Ticket) -> str | None:
    return None if ticket.note else "note is missing"


CLOSE = workflow.Transition(
    name="close",
    label="关闭",
    source={"open"},
    target="closed",
    permission=_is_owner,
    guards=(_not_blocked, _has_note),
)
REOPEN = workflow.Transition(
    name="reopen",
    label="重开",
    source={"closed"},
    target="open",
    permission=lambda u, t: True,
    requires_reason=True,
)
TABLE = workflow.TransitionTable.of("ticket", CLOSE, REOPEN)


class Owner:
    username = "owner"
    is_authenticated = False

    def __str__(self) -> str:
        return "owner"


class Stranger(Owner):
    username = "stranger"


def test_apply_moves_state_bumps_version_and_audits() -> None:
    ticket = Ticket.objects.create(note="done")
    with transaction.atomic():
        result = workflow.apply(CLOSE, ticket, actor=Owner(), reason="finished")
    ticket.refresh_from_db()
    event = AuditEvent.objects.get()
    assert (result.status, ticket.status, ticket.version) == ("closed", "closed", 2)
    assert (event.action, event.before, event.after, event.reason) == (
        "transition:close",
        {"status": "open"},
        {"status": "closed"},
        "finished",
    )


def test_wrong_source_state_is_invalid_and_changes_nothing() -> None:
    ticket = Ticket.objects.create(status="closed", note="x")
    with pytest.raises(workflow.InvalidTransition), transaction.atomic():
        workflow.apply(CLOSE, ticket, actor=Owner())
    ticket.refresh_from_db()
    assert (ticket.status, ticket.version, AuditEvent.objects.count()) == ("closed", 1, 0)


def test_permission_is_checked_before_guards() -> None:
    ticket = Ticket.objects.create(blocked=True)
    with pytest.raises(workflow.PermissionDenied), transaction.atomic():
        workflow.apply(CLOSE, ticket, actor=Stranger())
    ticket.refresh_from_db()
    assert (ticket.status, AuditEvent.objects.count()) == ("open", 0)


def test_every_guard_reason_is_collected() -> None:
    ticket = Ticket.objects.create(blocked=True, note="")
    with pytest.raises(workflow.TransitionBlocked) as info, transaction.atomic():
        workflow.apply(CLOSE, ticket, actor=Owner())
    ticket.refresh_from_db()
    assert info.value.reasons == ["ticket is blocked", "note is missing"]
    assert (ticket.status, AuditEvent.objects.count()) == ("open", 0)


def test_transition_that_requires_a_reason_refuses_without_one() -> None:
    ticket = Ticket.objects.create(status="closed")
    with pytest.raises(workflow.TransitionBlocked), transaction.atomic():
        workflow.apply(REOPEN, ticket, actor=Owner(), reason="  ")
    ticket.refresh_from_db()
    assert ticket.status == "closed"


def test_changes_are_saved_and_audited_with_the_state() -> None:
    ticket = Ticket.objects.create(note="a")
    with transaction.atomic():
        workflow.apply(CLOSE, ticket, actor=Owner(), changes={"note": "closed by owner"})
    ticket.refresh_from_db()
    event = AuditEvent.objects.get()
    assert ticket.note == "closed by owner"
    assert event.after == {"status": "closed", "note": "closed by owner"}


def test_available_lists_only_permitted_transitions_from_the_current_state() -> None:
    ticket = Ticket.objects.create()
    assert [t.name for t in TABLE.available(ticket, Owner())] == ["close"]
    assert [t.name for t in TABLE.available(ticket, Stranger())] == []


def test_apply_many_moves_every_record_with_one_lock_and_one_update() -> None:
    """Issue 21: several records of one model, locked with one statement and saved with one; each
    audited."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    tickets = [Ticket.objects.create(note=f"n{i}") for i in range(3)]
    with CaptureQueriesContext(connection) as ctx, transaction.atomic():
        done = workflow.apply_many(CLOSE, tickets, actor=Owner())
    assert [t.pk for t in done] == [t.pk for t in tickets]
    assert sum('"machine_ticket"' in q["sql"] for q in ctx.captured_queries) == 2
    assert list(Ticket.objects.order_by("pk").values_list("status", "version")) == [("closed", 2)] * 3
    assert AuditEvent.objects.filter(action="transition:close").count() == 3


def test_apply_many_refuses_all_when_one_is_refused() -> None:
    tickets = [Ticket.objects.create(note="x"), Ticket.objects.create(note="x", blocked=True)]
    with pytest.raises(workflow.TransitionBlocked), transaction.atomic():
        workflow.apply_many(CLOSE, tickets, actor=Owner())
    assert list(Ticket.objects.order_by("pk").values_list("status", "version")) == [("open", 1)] * 2
    assert AuditEvent.objects.count() == 0


def _ticket_statements(ctx: Any) -> list[str]:
    return [q["sql"] for q in ctx.captured_queries if '"machine_ticket"' in q["sql"]]


def test_apply_does_not_read_again_a_row_the_action_holds() -> None:
    """Issue 21: a row the action locked (or inserted) and held is updated without another read."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from oms.core import txmemo

    ticket = Ticket.objects.create(note="done")
    with CaptureQueriesContext(connection) as ctx, transaction.atomic(), txmemo.action_scope():
        held = workflow.hold(Ticket.objects.select_for_update().get(pk=ticket.pk))
        result = workflow.apply(CLOSE, held, actor=Owner())
    assert result is held
    assert [s.split()[0] for s in _ticket_statements(ctx)] == ["SELECT", "UPDATE"]
    ticket.refresh_from_db()
    assert (ticket.status, ticket.version) == ("closed", 2)


def test_a_row_held_by_an_earlier_action_is_locked_and_read_again() -> None:
    """Issue 21: the hold ends with its action; the next action's transition reads the row afresh
    (here the earlier instance is stale: another write closed the ticket since)."""
    from oms.core import txmemo

    ticket = Ticket.objects.create(note="done")
    with transaction.atomic():
        with txmemo.action_scope():
            stale = workflow.hold(Ticket.objects.select_for_update().get(pk=ticket.pk))
        Ticket.objects.filter(pk=ticket.pk).update(status="closed", version=2)
        with txmemo.action_scope(), pytest.raises(workflow.InvalidTransition):
            workflow.apply(CLOSE, stale, actor=Owner())
    ticket.refresh_from_db()
    assert (ticket.status, ticket.version) == ("closed", 2)
