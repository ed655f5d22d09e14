"""Issue 22, point 2: `oms.wiring` fills every seam of `oms.core.registry`, and a side effect of a
transition runs inside the transition's own transaction."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction

from oms.archive.actions import file_finished, file_on_end
from oms.archive.integrity import check_access_log
from oms.audit.models import AuditEvent
from oms.core import registry
from oms.core.registry import Registry, SideEffect
from oms.core.tests.machine.models import Ticket
from oms.engine import workflow
from oms.feedback.actions import on_order_closed
from oms.notifications.channels import on_transition
from oms.orders.models import OrderStatus
from oms.wiring.wiring import _start_review_round

CLOSE = workflow.Transition(
    name="close", label="关闭", source={"open"}, target="closed", permission=lambda u, t: True
)


def test_the_menu_lists_every_section_in_order() -> None:
    titles = [str(section.title) for section in registry.menu]
    assert titles == [
        "工作台",
        "订单",
        "基础资料",
        "组织",
        "系统设置",
        "客户之声",
        "档案",
        "监督检查",
        "考核与分析",
        "审计",
    ]
    assert all(section.entries for section in registry.menu)


def test_every_other_seam_is_filled() -> None:
    jobs = list(registry.periodic_jobs)
    assert file_finished in jobs and len(jobs) == 5  # with expire_files (issue 24.2)
    assert len(registry.credit_exposure_sources) == 1
    assert list(registry.audit_checks) == [check_access_log]


def test_an_order_closing_runs_webhooks_then_the_rating_then_the_archive() -> None:
    order_effects = [
        e
        for e in registry.side_effects
        if e.model == "orders.SalesOrder" and e.handler is not _start_review_round
    ]
    assert [e.handler for e in order_effects] == [on_transition, on_order_closed, file_on_end]
    assert [e.wants("orders.SalesOrder", OrderStatus.CLOSED) for e in order_effects] == [True, True, True]
    assert [e.wants("orders.SalesOrder", OrderStatus.CANCELLED) for e in order_effects] == [True, False, True]
    assert all(e.why for e in order_effects)


def test_wiring_twice_keeps_one_copy() -> None:
    from oms.wiring.wiring import wire

    before = [len(r) for r in (registry.menu, registry.periodic_jobs, registry.side_effects)]
    wire()
    assert [len(r) for r in (registry.menu, registry.periodic_jobs, registry.side_effects)] == before


@pytest.mark.django_db
def test_a_side_effect_runs_inside_the_transitions_transaction(monkeypatch: Any) -> None:
    seen: list[tuple[str, int]] = []

    def effect(*, instance: Any, transition: Any, actor: Any) -> None:
        seen.append((Ticket.objects.get(pk=instance.pk).status, AuditEvent.objects.count()))
        raise RuntimeError("the side effect fails")

    wired: Registry[SideEffect] = Registry("side_effects")
    wired.add(SideEffect(model="machine.Ticket", targets=frozenset({"closed"}), handler=effect, why="test"))
    monkeypatch.setattr(registry, "side_effects", wired)
    ticket = Ticket.objects.create(note="done")
    with pytest.raises(RuntimeError), transaction.atomic():
        workflow.apply(CLOSE, ticket, actor="test")
    ticket.refresh_from_db()
    # It ran after the transition was saved and audited, in the same transaction: its failure
    # undid both.
    assert seen == [("closed", 1)]
    assert (ticket.status, ticket.version, AuditEvent.objects.count()) == ("open", 1, 0)


def test_the_review_round_opens_only_on_entering_review() -> None:
    """C-1: passing the check (or management's acceptance) opens the round: the one side effect
    on the order's way into review, and on no other state."""
    (effect,) = [e for e in registry.side_effects if e.handler is _start_review_round]
    assert effect.targets == frozenset({OrderStatus.IN_REVIEW})
    assert not effect.wants("orders.SalesOrder", OrderStatus.CLOSED)
