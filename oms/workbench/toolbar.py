"""The order page's toolbar (issue 23, point 5): what the current user may do to the order now.

Read from the transition tables through the engine (`workflow.offered`): the order's own
transitions (posted with the typed reason to `workbench:order_transition`) and those other apps
registered (`registry.order_actions`). A transition the user may not take is never shown; one
whose guards refuse is shown disabled, with every reason beside it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.urls import reverse

from oms.accounts.models import User
from oms.core import registry
from oms.engine import workflow
from oms.orders import states
from oms.orders.models import SalesOrder

_DANGER = frozenset({"decline", "cancel_draft", "cancel_after_review"})
_WARNING = frozenset({"request_info", "escalate"})


@dataclass(frozen=True)
class Action:
    """One button: `reasons` are why it is disabled (none: it may be taken)."""

    name: str
    label: str
    url: str
    reasons: tuple[str, ...]
    style: str
    # The order's own transitions post the reason typed beside them; another app's takes no input.
    takes_reason: bool = False
    # B-6: the pass button is also held while the check's report lists what blocks it, and its
    # reasons are that report's list.
    held_by_check: bool = False

    @property
    def disabled(self) -> bool:
        return bool(self.reasons) or self.held_by_check

    @property
    def described_by(self) -> str:
        return "check-blocking" if self.held_by_check else f"why-{self.name}"


def _style(name: str) -> str:
    if name in _DANGER:
        return "btn-outline-danger"
    return "btn-outline-warning" if name in _WARNING else "btn-primary"


def actions(order: SalesOrder, user: User, *, check_blocked: bool = False) -> list[Action]:
    """The order's own transitions, then the registered ones, each as the user is offered it."""
    found: list[Action] = []
    # One transaction for the guards: figures several guards share (the customer's credit) are
    # worked out once (`oms.core.txmemo` remembers only inside a transaction). Nothing is written.
    with transaction.atomic():
        for t in states.ORDER.transitions.values():
            reasons = workflow.offered(t, order, user)
            if reasons is None:
                continue
            url = reverse("workbench:order_transition", args=[order.pk, t.name])
            held = t.name == states.PASS_CHECK.name and check_blocked
            found.append(Action(t.name, str(t.label), url, tuple(reasons), _style(t.name), True, held))
        for entry in registry.order_actions:
            reasons = workflow.offered(entry.transition, order, user)
            if reasons is not None:
                name = entry.transition.name
                found.append(
                    Action(name, str(entry.transition.label), entry.url(order), tuple(reasons), "btn-primary")
                )
    return found
