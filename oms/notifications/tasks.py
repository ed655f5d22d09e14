"""Background work of notifications (DESIGN 2): sending the queued messages (T-1)."""

from __future__ import annotations

import logging

from django_tasks import task

from oms.core.context import reset_request_id, set_request_id
from oms.notifications import channels

log = logging.getLogger(__name__)


@task()
def send_deliveries(request_id: str | None = None) -> int:
    """Send every due message; returns how many went out. `request_id` is the id of the request
    that queued the messages, carried into this task's logs (issue 24.5)."""
    token = set_request_id(request_id)
    try:
        outcome = channels.deliver_due()
        if outcome.sent or outcome.failed:
            log.info("messages sent %s, failed %s, waiting %s", outcome.sent, outcome.failed, outcome.waiting)
        return outcome.sent
    finally:
        reset_request_id(token)
