"""B-4, issue 21: the search by order number matches anywhere in the number; typed from the
start of the format's literal prefix it is a prefix range (an index walk at 10^6), which finds
the same orders because that prefix stands nowhere else in a number."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from django.db.models import Q

from oms.orders import selectors


def _format(monkeypatch: Any, fmt: str) -> None:
    monkeypatch.setattr(selectors, "policy", lambda: SimpleNamespace(numbering=SimpleNamespace(order=fmt)))


@pytest.mark.parametrize("q", ["SO20261206", "so2026", "SO2026120600"])
def test_a_number_typed_from_its_prefix_is_a_prefix_search(monkeypatch: Any, q: str) -> None:
    """Issue 21: "SO…" under "SO{yyyy}{mm}{dd}{seq:04d}" is a range of the number's index."""
    _format(monkeypatch, "SO{yyyy}{mm}{dd}{seq:04d}")
    assert selectors.number_search(q) == Q(number__istartswith=q)


@pytest.mark.parametrize("q", ["20261206", "SO", "O2026", "XS2026"])
def test_anything_else_is_searched_anywhere_in_the_number(monkeypatch: Any, q: str) -> None:
    """B-4: a tail, the bare prefix or another text is matched anywhere (icontains)."""
    _format(monkeypatch, "SO{yyyy}{mm}{dd}{seq:04d}")
    assert selectors.number_search(q) == Q(number__icontains=q)


@pytest.mark.parametrize("fmt", ["SO{yyyy}A{seq:04d}", "S1{yyyy}{seq:04d}", "SO{seq:x}", "{yyyy}SO{seq:04d}"])
def test_a_format_whose_prefix_could_stand_elsewhere_keeps_icontains(monkeypatch: Any, fmt: str) -> None:
    """Issue 21: a letter after the prefix, a prefix ending in a digit, a hexadecimal sequence or
    no literal prefix: "contains" is not "starts with", so the search stays icontains."""
    _format(monkeypatch, fmt)
    q = "SO2026" if not fmt.startswith("S1") else "S12026"
    assert selectors.number_search(q) == Q(number__icontains=q)


@pytest.mark.django_db
def test_the_orders_page_finds_an_order_by_its_number_and_by_its_tail(
    client: Any, org: dict[str, Any]
) -> None:
    """B-4: typed whole (a prefix search) or its last digits (anywhere), the same order is found;
    another order of the scope is not."""
    from oms.intake import actions as intake
    from oms.intake.tests.fixtures import header

    line = [{"product": org["gear"].pk, "quantity": "1", "unit_price": "10"}]
    found, other = (
        intake.create_order(actor=org["sales"], data=header(org), lines=line, duplicate_reason="t")
        for _ in range(2)
    )
    client.force_login(org["sales"])
    pages = [client.get("/orders/", {"q": q}).content.decode() for q in (found.number, found.number[-6:])]
    assert [(found.number in page, other.number in page) for page in pages] == [(True, False), (True, False)]
