"""DESIGN 4: the diagrams in docs/state-machines/ match the transition tables."""

from __future__ import annotations

from oms.devtools.diagrams import directory, expected


def test_state_machine_diagrams_are_current() -> None:
    stale = [
        name
        for name, text in expected().items()
        if not (directory() / name).exists() or (directory() / name).read_text(encoding="utf-8") != text
    ]
    assert stale == [], "run: python manage.py state_diagrams"


def test_the_order_has_one_diagram_of_its_whole_life() -> None:
    """Issue 22: every table that moves the order is found (none is listed by hand), and the
    order's diagram follows it from entry to closure."""
    from oms.devtools.diagrams import lives

    found = {table.name for _app, table in lives()["orders.SalesOrder"]}
    assert found == {
        "order",
        "order_execution",
        "order_quality",
        "order_cancellation",
        "order_receipt",
        "order_closure",
    }
    life = expected()["order.md"]
    assert "draft --> pending_check: submit" in life
    assert "received --> closed: close_order (order_closure" in life
