"""Every write of settlement and invoicing (L-1..L-6, M-1), one module per verb group.

Sales prepares a statement from what the customer accepted, at the contract's (the order line's)
prices, plus fees such as freight, reconciled with a named customer contact; finance approves it
or returns it with reasons; invoices are recorded against approved statements only, never more
than the statement's total; payments are matched to invoices; overdue invoices are dunned; the
order closes when everything is delivered, accepted and paid.

The public verbs are re-exported here: `from oms.billing.actions import x` and
`from oms.billing import actions; actions.x(...)` keep working.
"""

from oms.billing.actions.closing import close_order
from oms.billing.actions.dunning import check_dunning, record_dunning
from oms.billing.actions.instalments import set_instalments
from oms.billing.actions.invoices import due_date, record_invoice
from oms.billing.actions.payments import record_payment
from oms.billing.actions.reversal import reverse_invoice
from oms.billing.actions.statements import prepare_statement, review_statement
from oms.billing.receivables import outstanding
from oms.billing.selectors import accepted_quantities, billable, billed_quantities

__all__ = [
    "accepted_quantities",
    "billable",
    "billed_quantities",
    "check_dunning",
    "close_order",
    "due_date",
    "outstanding",
    "prepare_statement",
    "record_dunning",
    "record_invoice",
    "record_payment",
    "reverse_invoice",
    "review_statement",
    "set_instalments",
]
