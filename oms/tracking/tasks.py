"""Background work of tracking: the one idempotent deadline sweeper (DESIGN 2)."""

from __future__ import annotations

from django.utils import timezone
from django_tasks import task

from oms.audit.anchors import periodic_anchor
from oms.core import registry
from oms.notifications.channels import deliver_due
from oms.tracking import actions


@task()
def sweep_deadlines() -> int:
    """Escalate every step that passed its deadline since the last run (P-2, P-3) and remind
    about orders that have been idle too long (H-5); bring the step statistics up to date
    (O-1, Q-1); anchor the audit chain outside the database when due (S-2). Returns the
    number escalated."""
    escalated = actions.sweep()
    actions.flag_idle_orders()
    actions.rollup_steps()
    deliver_due()  # T-1: retries and messages that waited for a robot's rate
    now = timezone.now()
    for job in registry.periodic_jobs:  # every app's periodic jobs, wired in oms.wiring
        job(now)
    periodic_anchor(now)  # S-2: the chain's head outside the database (ADR 0014)
    return escalated
