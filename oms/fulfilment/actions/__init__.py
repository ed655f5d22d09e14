"""Every write of release and execution (D-4, F-1, F-2, F-4, G-2), one module per verb group:
`prepayments`, `release` (department tasks), `progress` (milestones), `procurement` (purchase
orders, incoming inspections, supplier decisions), `warehouse` (reservations, picking), `shipments`,
`changes` (what an approved change or a cancellation does) and `reporting` (the H-3 cadence).
The public verbs are re-exported here: `from oms.fulfilment.actions import ship` keeps working."""

from oms.fulfilment.actions.changes import adjust_for_change, stop_work
from oms.fulfilment.actions.prepayments import record_prepayment
from oms.fulfilment.actions.procurement import create_purchase_order, decide_supplier, receive_goods
from oms.fulfilment.actions.progress import report_progress
from oms.fulfilment.actions.release import complete_task, release_order
from oms.fulfilment.actions.reporting import REPORT_STREAMS, ReportStream, check_reporting
from oms.fulfilment.actions.shipments import ship
from oms.fulfilment.actions.warehouse import pack, pick, release_reservations, reserve, second_check
from oms.fulfilment.selectors import shipped_quantities, shortages

__all__ = [
    "REPORT_STREAMS",
    "ReportStream",
    "adjust_for_change",
    "check_reporting",
    "complete_task",
    "create_purchase_order",
    "decide_supplier",
    "pack",
    "pick",
    "receive_goods",
    "record_prepayment",
    "release_order",
    "release_reservations",
    "report_progress",
    "reserve",
    "second_check",
    "ship",
    "shipped_quantities",
    "shortages",
    "stop_work",
]
