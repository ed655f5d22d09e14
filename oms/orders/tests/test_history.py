"""H-1: the order's change history reads as words, labelled fields old -> new and local time,
not as action codes, raw JSON and UTC."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from oms.intake.tests.fixtures import order_in_review

pytestmark = pytest.mark.django_db


def _history(client, order) -> str:
    text = client.get(reverse("workbench:order_detail", args=[order.pk]) + "?tab=records").content.decode()
    start = text.index('data-testid="history"')
    return text[start : text.index("</table>", start)]


def test_history_names_actions_fields_and_states_in_words(client, org) -> None:
    order = order_in_review(org)
    client.force_login(org["head"])
    history = _history(client, order)
    assert ("创建订单" in history, "初审通过" in history) == (True, True)
    assert ("待初审" in history, "评审中" in history) == (True, True)
    assert ("order.create" in history, "transition:" in history, "pending_check" in history) == (
        False,
        False,
        False,
    )


def test_history_shows_local_times_and_figures_as_written(client, org) -> None:
    order = order_in_review(org)
    client.force_login(org["head"])
    history = _history(client, order)
    # No ISO timestamps with a T and a zone; the submission time in Beijing time.
    assert re.findall(r"\d{4}-\d\d-\d\dT\d\d:\d\d", history) == []
    assert "2,000.00" in history  # the order's total, as an amount
