"""The statistics helper runs on both engines without error (and the sweeper command calls it)."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from oms.core.db import refresh_statistics

pytestmark = pytest.mark.django_db


def test_refresh_statistics_runs() -> None:
    refresh_statistics()


def test_sweeper_command_runs_once() -> None:
    call_command("sweep_deadlines")
