"""OMS_PG_PREPARE decides how PostgreSQL statements travel (ADR 0021, issue 21)."""

from __future__ import annotations

import pytest

from config import settings


def test_statements_are_bound_on_the_server_and_prepared_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OMS_PG_PREPARE", raising=False)
    assert settings._prepared() == {"server_side_binding": True, "prepare_threshold": 2}


def test_oms_pg_prepare_0_sends_values_inlined_for_a_pooler(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OMS_PG_PREPARE", "0")
    assert settings._prepared() == {}
