"""The lifecycle of a complaint, one state per step of the policy (N-2), and of an improvement
action (N-1)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from oms.engine.workflow import Transition, TransitionTable, raised_by
from oms.feedback import permissions
from oms.feedback.models import ActionStatus as A
from oms.feedback.models import ComplaintStatus as S
from oms.feedback.models import SurveyStatus as V

COLLECT_EVIDENCE = Transition(
    name="collect_evidence",
    label=gettext_lazy("收集投诉资料"),
    source={S.REGISTERED},
    target=S.EVIDENCE,
    permission=permissions.can_work_step,
)
CHECK_RECEIPT = Transition(
    name="check_receipt",
    label=gettext_lazy("复查客户收货单"),
    source={S.EVIDENCE},
    target=S.RECEIPT,
    permission=permissions.can_work_step,
)
COMPARE_INSPECTION = Transition(
    name="compare_inspection",
    label=gettext_lazy("复查质检报告"),
    source={S.RECEIPT},
    target=S.INSPECTION,
    permission=permissions.can_work_step,
)
CHECK_WINDOW = Transition(
    name="check_window",
    label=gettext_lazy("复查投诉/退货期限"),
    source={S.INSPECTION},
    target=S.WINDOW,
    permission=permissions.can_work_step,
)
GATHER_MATERIALS = Transition(
    name="gather_materials",
    label=gettext_lazy("收集谈判资料"),
    source={S.WINDOW},
    target=S.MATERIALS,
    permission=permissions.can_work_step,
)
DECIDE_REMEDY = Transition(
    name="decide_remedy",
    label=gettext_lazy("处理会议确定方案"),
    source={S.MATERIALS},
    target=S.REMEDY,
    permission=permissions.can_work_step,
)
RECORD_NEGOTIATION = Transition(
    name="record_negotiation",
    label=gettext_lazy("登记协商结果"),
    source={S.REMEDY},
    target=S.NEGOTIATED,
    permission=permissions.can_work_step,
)
SUBMIT_REPORT = Transition(
    name="submit_report",
    label=gettext_lazy("向主管汇报"),
    source={S.NEGOTIATED},
    target=S.REPORTED,
    permission=permissions.can_work_step,
)
APPROVE = Transition(
    name="approve",
    label=gettext_lazy("批准处理方案"),
    source={S.REPORTED},
    target=S.APPROVED,
    permission=permissions.is_approver,
    raisers=raised_by,
)
REFUSE = Transition(
    name="refuse",
    label=gettext_lazy("退回重议"),
    source={S.REPORTED},
    target=S.MATERIALS,
    permission=permissions.is_approver,
    requires_reason=True,
    raisers=raised_by,
)
CARRY_OUT = Transition(
    name="carry_out",
    label=gettext_lazy("登记实施完毕"),
    source={S.APPROVED},
    target=S.CLOSED,
    permission=permissions.can_work_step,
)
COMPLAINT = TransitionTable.of(
    "complaint",
    COLLECT_EVIDENCE,
    CHECK_RECEIPT,
    COMPARE_INSPECTION,
    CHECK_WINDOW,
    GATHER_MATERIALS,
    DECIDE_REMEDY,
    RECORD_NEGOTIATION,
    SUBMIT_REPORT,
    APPROVE,
    REFUSE,
    CARRY_OUT,
)

FINISH_ACTION = Transition(
    name="finish",
    label=gettext_lazy("登记完成"),
    source={A.OPEN},
    target=A.DONE,
    permission=permissions.can_finish_action,
)
VERIFY_ACTION = Transition(
    name="verify",
    label=gettext_lazy("验证通过"),
    source={A.DONE},
    target=A.VERIFIED,
    permission=permissions.can_verify_action,
    raisers=raised_by,
)
REOPEN_ACTION = Transition(
    name="reopen",
    label=gettext_lazy("验证未通过"),
    source={A.DONE},
    target=A.OPEN,
    permission=permissions.can_verify_action,
    requires_reason=True,
    raisers=raised_by,
)
IMPROVEMENT = TransitionTable.of("improvement", FINISH_ACTION, VERIFY_ACTION, REOPEN_ACTION)

SEND_SURVEY = Transition(
    name="send",
    label=gettext_lazy("发送调查"),
    source={V.DRAFT},
    target=V.SENT,
    permission=lambda user, survey: permissions.can_manage_surveys(user),
)
CLOSE_SURVEY = Transition(
    name="close",
    label=gettext_lazy("结束调查"),
    source={V.SENT},
    target=V.CLOSED,
    permission=lambda user, survey: permissions.can_manage_surveys(user),
)
SURVEY = TransitionTable.of("survey", SEND_SURVEY, CLOSE_SURVEY)
