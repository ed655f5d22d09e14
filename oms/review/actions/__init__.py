"""Every write of review, approval and confirmation (C-1..C-7, D-1..D-3), one module per verb group.

- `rounds`: a review round, its tasks and opinions, reassignment, resubmission (C-1..C-7);
- `renegotiation`: after a failed review, sales renegotiates or cancels (C-6);
- `approval`: the approval chain, signed step by step (D-1);
- `confirmation`: the customer's confirmation and modification window (D-2, D-3);
- `people`: who reviews and approves (C-1, P-5);
- `batch`: several tasks and steps decided at once, each through its own verb (issue 23).

The public verbs are re-exported here, so `from oms.review import actions; actions.x(...)` keeps
working.
"""

from oms.review.actions.approval import decide_step, may_sign, start_approval
from oms.review.actions.batch import Outcome, decide_many
from oms.review.actions.confirmation import (
    apply_customer_modification,
    confirm_by_link,
    confirm_in_portal,
    issue_confirmation_link,
    link_for,
    modification_deadline,
    open_items,
    record_confirmation,
)
from oms.review.actions.people import department_for, reviewer_of
from oms.review.actions.renegotiation import cancel_after_review, record_failure_cause
from oms.review.actions.rounds import (
    check_opinion_giver,
    give_opinion,
    major_reasons,
    may_give_opinion,
    reassign_task,
    resubmit_for_review,
    start_round,
)

__all__ = [
    "Outcome",
    "apply_customer_modification",
    "cancel_after_review",
    "check_opinion_giver",
    "confirm_by_link",
    "confirm_in_portal",
    "decide_many",
    "decide_step",
    "department_for",
    "give_opinion",
    "issue_confirmation_link",
    "link_for",
    "major_reasons",
    "may_give_opinion",
    "may_sign",
    "modification_deadline",
    "open_items",
    "reassign_task",
    "record_confirmation",
    "record_failure_cause",
    "resubmit_for_review",
    "reviewer_of",
    "start_approval",
    "start_round",
]
