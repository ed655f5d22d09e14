"""Telling people (T-1). Messages are written after the deciding transaction commits, so a
refused action never leaves a message behind."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone

from oms.notifications.models import Notification


def notify(*, recipients: Iterable[Any], title: str, url: str = "") -> None:
    people = {r.pk: r for r in recipients if r is not None and getattr(r, "pk", None)}

    def write() -> None:
        Notification.objects.bulk_create(
            [Notification(recipient_id=pk, title=title[:200], url=url[:300]) for pk in people]
        )

    transaction.on_commit(write)


def mark_read(*, user: Any, ids: Iterable[int] | None = None) -> int:
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(read_at=timezone.now())
