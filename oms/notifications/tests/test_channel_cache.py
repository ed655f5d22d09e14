"""Issue 21: the active channels are kept per process under their change stamp (oms.core.stamps):
read again only when a channel was written, whoever wrote it and however."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction
from django.db.models import F

from oms.core import stamps
from oms.core.models import ChangeStamp
from oms.notifications import channels
from oms.notifications.models import NotificationChannel

pytestmark = pytest.mark.django_db


def _token() -> int:
    return ChangeStamp.objects.get(key="channels").token


def _robot(name: str = "销售群") -> NotificationChannel:
    return NotificationChannel.objects.create(name=name, kind="wecom", webhook_url="https://robot.example/x")


def test_a_bulk_write_of_the_channels_gives_a_new_token() -> None:
    _robot()
    before = _token()
    NotificationChannel.objects.update(per_minute=F("per_minute") + 1)
    assert _token() != before


def test_unchanged_channels_are_not_read_again(django_assert_num_queries: Any) -> None:
    _robot()
    with transaction.atomic():
        channels._active_channels()
        with django_assert_num_queries(0):
            assert [c.name for c in channels._active_channels()] == ["销售群"]


def test_a_channel_saved_in_the_transaction_is_seen_by_its_next_message() -> None:
    with transaction.atomic():
        assert channels._active_channels() == []
        _robot("新群")
        assert [c.name for c in channels._active_channels()] == ["新群"]


def test_a_channel_written_without_signals_is_seen_by_the_next_transaction() -> None:
    channel = _robot()
    assert [c.name for c in channels._active_channels()] == ["销售群"]
    NotificationChannel.objects.filter(pk=channel.pk).update(active=False)
    stamps.forget()  # what the end of the transaction does; the trigger gave the stamp a new token
    assert channels._active_channels() == []
