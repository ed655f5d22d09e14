"""Every write of change and cancellation requests (I-1..I-4, J-1), one module per verb group.

- `raising`: raise a change or a cancellation, withdraw it (I-1, J-1);
- `customer`: the customer asks through a one-time link or the portal (I-1, B-8);
- `deciding`: the departments' opinions and the leader's decision (I-2);
- `applying`: an approved change takes effect on the order (I-3, I-4);
- `cancelling`: the loss of a cancellation and what approving it stops (J-1);
- `follow_up`: the signed agreement and the refusal explained (I-3);
- `proposal`: what a request changes, checked against the order as it is.

The public verbs are re-exported here, so `from oms.changes import actions; actions.x(...)` keeps
working.
"""

from oms.changes.actions.applying import agreement_context
from oms.changes.actions.cancelling import loss_facts
from oms.changes.actions.customer import (
    customer_link,
    issue_customer_link,
    request_by_customer,
    request_in_portal,
)
from oms.changes.actions.deciding import check_opinion_giver, give_opinion, may_decide
from oms.changes.actions.follow_up import record_explanation, sign_agreement
from oms.changes.actions.proposal import CENT, TERM_ASPECTS, current_proposal, describe, term_label
from oms.changes.actions.raising import raise_request, withdraw

__all__ = [
    "CENT",
    "TERM_ASPECTS",
    "agreement_context",
    "check_opinion_giver",
    "current_proposal",
    "customer_link",
    "describe",
    "give_opinion",
    "issue_customer_link",
    "loss_facts",
    "may_decide",
    "raise_request",
    "record_explanation",
    "request_by_customer",
    "request_in_portal",
    "sign_agreement",
    "term_label",
    "withdraw",
]
