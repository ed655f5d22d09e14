"""Fixtures shared by quality's test modules."""

from __future__ import annotations

from typing import Any

import pytest

from oms.quality.tests.fixtures import released_with_plan


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def released(more_heads: dict[str, Any], request: pytest.FixtureRequest) -> tuple[dict[str, Any], Any]:
    """The organisation and a released order planned with the test module's `PLAN` (G-3)."""
    return released_with_plan(more_heads, request.module.PLAN)
