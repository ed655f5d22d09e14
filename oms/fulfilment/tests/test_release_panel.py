"""F-1 (issue 23.5): the execution tab offers release as the toolbar does — enabled only when no
guard refuses it, else disabled with the guard's reason beside it."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from oms.intake.tests.fixtures import confirmed_order, signed_order

pytestmark = pytest.mark.django_db


def _execution_tab(client: Any, org: dict[str, Any], order: Any) -> str:
    client.force_login(org["head"])
    return client.get(reverse("workbench:order_detail", args=[order.pk]) + "?tab=execution").content.decode()


def test_an_unsigned_order_shows_release_disabled_with_the_reason(
    client: Any, more_heads: dict[str, Any]
) -> None:
    page = _execution_tab(client, more_heads, confirmed_order(more_heads))
    assert ('data-testid="release"' in page, 'data-testid="release-why"' in page, "合同尚未签订" in page) == (
        False,
        True,
        True,
    )


def test_a_signed_order_shows_release_enabled(client: Any, more_heads: dict[str, Any]) -> None:
    page = _execution_tab(client, more_heads, signed_order(more_heads))
    assert ('data-testid="release"' in page, 'data-testid="release-why"' in page) == (True, False)
