"""Opening, closing and escalating pending steps (P-2, P-3, C-3 escalation), and the tracking
ledger with its exceptions (H-2, H-4, H-5), one module per verb group. The public verbs are
re-exported here so `from oms.tracking import actions as tracking; tracking.open_item(...)` keeps working."""

from oms.tracking.actions.escalation import (
    decider_for,
    remind,
    rollup_steps,
    superior_of,
    sweep,
)
from oms.tracking.actions.handoff import (
    HandOff,
    deliver,
    department_staff,
    hand_off,
    prepare_hand_off,
    waiting_step,
)
from oms.tracking.actions.items import (
    ORDERLESS_TARGETS,
    OUTLIVE_THE_ORDER,
    Closing,
    close_items,
    end_order_items,
    new_item,
    open_item,
    open_items,
)
from oms.tracking.actions.ledger import (
    add_entry,
    entry_closes,
    flag_idle_orders,
    open_exception,
    raise_exception,
    resolve_exception,
)
from oms.tracking.actions.together import closing_along

__all__ = [
    "ORDERLESS_TARGETS",
    "OUTLIVE_THE_ORDER",
    "Closing",
    "HandOff",
    "add_entry",
    "close_items",
    "closing_along",
    "decider_for",
    "deliver",
    "department_staff",
    "end_order_items",
    "entry_closes",
    "flag_idle_orders",
    "hand_off",
    "new_item",
    "open_exception",
    "open_item",
    "open_items",
    "prepare_hand_off",
    "raise_exception",
    "remind",
    "resolve_exception",
    "rollup_steps",
    "superior_of",
    "sweep",
    "waiting_step",
]
