"""Every write of intake (B-1..B-9, P-1..P-3), split by verb group: `check` (the preliminary
check: submit, pass, request and complete information, escalate, decide, cancel a draft),
`portal` (orders customers place), `inquiries` and `imports` (spreadsheets).

The order's content (create, edit, lines, the duplicate check) is written by `oms.orders.actions`;
its verbs are offered here too, because every way into intake (the page, the API, the portal, an
inquiry, a spreadsheet) enters an order through them.
"""

from oms.intake.actions.check import (
    cancel_draft,
    complete_info,
    decide,
    escalate,
    pass_check,
    request_info,
    submit_order,
)
from oms.intake.actions.imports import cancel_import, confirm_import, preview_import
from oms.intake.actions.inquiries import (
    INQUIRY_FIELDS,
    assign_inquiry,
    close_inquiry,
    convert_inquiry,
    record_inquiry,
)
from oms.intake.actions.portal import PORTAL_FIELDS, place_customer_order
from oms.orders.actions import (
    AMOUNT_DIGITS,
    CENT,
    HEADER_FIELDS,
    DuplicateSuspected,
    create_order,
    customer_out_of_scope,
    line_errors,
    saved_lines,
    update_order,
)

__all__ = [
    "AMOUNT_DIGITS",
    "CENT",
    "HEADER_FIELDS",
    "INQUIRY_FIELDS",
    "PORTAL_FIELDS",
    "DuplicateSuspected",
    "assign_inquiry",
    "cancel_draft",
    "cancel_import",
    "close_inquiry",
    "complete_info",
    "confirm_import",
    "convert_inquiry",
    "create_order",
    "customer_out_of_scope",
    "decide",
    "escalate",
    "line_errors",
    "pass_check",
    "place_customer_order",
    "preview_import",
    "record_inquiry",
    "request_info",
    "saved_lines",
    "submit_order",
    "update_order",
]
