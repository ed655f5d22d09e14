"""Every write of customers' voice (N-1..N-3), one module per verb group: complaints and their
steps, surveys with their invitations and answers, improvement actions. The public verbs are
re-exported here so `from oms.feedback import actions; actions.advance(...)` keeps working."""

from oms.feedback.actions.complaints import (
    COMPLAINT_STEP,
    advance,
    complain_in_portal,
    complaint_orders,
    register_complaint,
)
from oms.feedback.actions.improvements import IMPROVEMENT, add_action, decide_action
from oms.feedback.actions.surveys import (
    answer,
    answer_in_portal,
    close_survey,
    create_survey,
    customers_in_period,
    invitation_for,
    issue_link,
    on_order_closed,
    questions_of,
    record_conclusions,
    save_question,
    send_survey,
    tell_customers,
)
from oms.feedback.forms import STEP_FIELDS, StepField

__all__ = [
    "COMPLAINT_STEP",
    "IMPROVEMENT",
    "STEP_FIELDS",
    "StepField",
    "add_action",
    "advance",
    "answer",
    "answer_in_portal",
    "close_survey",
    "complain_in_portal",
    "complaint_orders",
    "create_survey",
    "customers_in_period",
    "decide_action",
    "invitation_for",
    "issue_link",
    "on_order_closed",
    "questions_of",
    "record_conclusions",
    "register_complaint",
    "save_question",
    "send_survey",
    "tell_customers",
]
