"""Every seam between apps, in one place (issue 22, point 2; the seams are in `oms.core.registry`).

Read top to bottom to see how the apps meet: which pages the side menu offers, which jobs the
scheduler runs, where the credit check learns what a customer owes, what the audit verification
also checks, and what else happens when a record changes state.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from oms.core import registry
from oms.core.registry import OrderPanel, SideEffect
from oms.orders import states as order_states
from oms.orders.models import OrderStatus
from oms.review import actions as review_actions
from oms.wiring import panels


def wire() -> None:
    """Fill every registry; idempotent (a registry keeps one copy of each entry)."""
    _ = registry  # sections below are filled as the apps move their wiring here
    _order_panels()
    _order_side_effects()


# --- the order page and the order's life (issue 22, point 1) ------------------------------


def _order_panels() -> None:
    """The order page (H-1) shows one panel per process stage, in process order."""
    registry.order_panels.extend(
        [
            OrderPanel("review", _("评审与确认"), "review/_order_panel.html", panels.review, order=10),
            OrderPanel("changes", _("变更"), "changes/_order_panel.html", panels.changes, order=20),
            OrderPanel("fulfilment", _("执行"), "fulfilment/_order_panel.html", panels.fulfilment, order=30),
            OrderPanel("delivery", _("交付"), "delivery/_order_panel.html", panels.delivery, order=40),
            OrderPanel("billing", _("结算"), "billing/_order_panel.html", panels.billing, order=50),
            OrderPanel("quality", _("质量"), "quality/_order_panel.html", panels.quality, order=60),
            OrderPanel("tracking", _("跟踪"), "tracking/_order_panel.html", panels.tracking, order=70),
        ]
    )


def _start_review_round(*, instance: Any, transition: Any, actor: Any) -> None:
    """C-1: an order that passed the preliminary check, or that management accepted, is reviewed
    by every department concerned; a resubmission after a failed review starts its own round."""
    if transition in (order_states.PASS_CHECK, order_states.ACCEPT):
        review_actions.start_round(order=instance, actor=actor)


def _order_side_effects() -> None:
    """What else happens, in the same transaction, when the order changes state."""
    registry.side_effects.add(
        SideEffect(
            model="orders.SalesOrder",
            targets=frozenset({OrderStatus.IN_REVIEW.value}),
            handler=_start_review_round,
            why="C-1: passing the check (B-6) or management's acceptance opens the review round",
        )
    )
