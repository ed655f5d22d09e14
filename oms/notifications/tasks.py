"""Background work of notifications (DESIGN 2): sending the queued messages (T-1)."""

from __future__ import annotations

from django_tasks import task

from oms.notifications import channels


@task()
def send_deliveries() -> int:
    """Send every due message; returns how many went out."""
    return channels.deliver_due().sent
