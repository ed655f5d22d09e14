"""Every write of the order's content (B-3..B-5, B-9, P-1, S-1), split by verb group:
`entry` (create, edit, the duplicate check, the customer scope) and `lines` (the lines built
and checked). The order's process verbs live with the stage that runs them (the preliminary
check in `oms.intake.actions`, review in `oms.review.actions`, …)."""

from oms.orders.actions.entry import (
    HEADER_FIELDS,
    DuplicateSuspected,
    create_order,
    customer_out_of_scope,
    save_new_order,
    saved_lines,
    update_order,
)
from oms.orders.actions.lines import AMOUNT_DIGITS, CENT, build_lines, line_errors, lines_snapshot

__all__ = [
    "AMOUNT_DIGITS",
    "CENT",
    "HEADER_FIELDS",
    "DuplicateSuspected",
    "build_lines",
    "create_order",
    "customer_out_of_scope",
    "line_errors",
    "lines_snapshot",
    "save_new_order",
    "saved_lines",
    "update_order",
]
