"""The spot-check checklist (O-2): for each policy requirement, what the records of one order
show. `None` means the order has not reached the stage the check is about."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from oms.audit.models import AuditEvent
from oms.billing.models import Statement, StatementStatus
from oms.changes.models import ChangeRequest, RequestStatus
from oms.contracts.models import Contract, Distribution
from oms.delivery.models import ACCEPTING, Acceptance
from oms.orders.models import SalesOrder
from oms.quality.models import Inspection, Stage
from oms.review.models import ApprovalStep, ReviewTask, StepStatus, TaskStatus
from oms.tracking.models import WorkItem


@dataclass(frozen=True)
class Result:
    ok: bool | None
    detail: str


def _released_at(order: SalesOrder) -> Any:
    event = (
        AuditEvent.objects.filter(
            object_type="orders.salesorder", object_id=str(order.pk), action="transition:release"
        )
        .order_by("id")
        .first()
    )
    return event.occurred_at if event else None


def review_opinions(order: SalesOrder) -> Result:
    """C-1, C-3: every review task has its opinion, none given after its deadline."""
    tasks = list(ReviewTask.objects.filter(round__order=order).exclude(status=TaskStatus.SKIPPED))
    if not tasks:
        return Result(None, _("未进行评审"))
    missing = [t for t in tasks if t.status == TaskStatus.DONE and not t.verdict]
    pending = [t for t in tasks if t.status != TaskStatus.DONE]
    late = WorkItem.objects.filter(
        content_type=ContentType.objects.get_for_model(ReviewTask),
        object_id__in=[t.pk for t in tasks],
        overdue=True,
    ).count()
    ok = not missing and not pending and late == 0
    return Result(
        ok,
        _("评审任务 %(n)s 个，缺意见 %(m)s 个，未完成 %(p)s 个，超时 %(l)s 个")
        % {"n": len(tasks), "m": len(missing), "p": len(pending), "l": late},
    )


def approval_complete(order: SalesOrder) -> Result:
    """D-1: each approval step of the last attempt decided by its approver."""
    steps = list(ApprovalStep.objects.filter(order=order).order_by("-attempt", "seq"))
    if not steps:
        return Result(None, _("未进入审批"))
    last = [s for s in steps if s.attempt == steps[0].attempt]
    approved = [s for s in last if s.status == StepStatus.APPROVED]
    return Result(
        len(approved) == len(last) or any(s.status == StepStatus.REJECTED for s in last),
        _("最近一次审批 %(n)s 步，已同意 %(a)s 步") % {"n": len(last), "a": len(approved)},
    )


def contract_before_release(order: SalesOrder) -> Result:
    """E-2, F-1: the contract was signed before the order was released."""
    released = _released_at(order)
    if released is None:
        return Result(None, _("未下达"))
    contract = Contract.objects.filter(order=order).first()
    if contract is None or contract.signed_at is None:
        return Result(False, _("下达时没有已签订的合同"))
    return Result(
        contract.signed_at <= released,
        _("合同 %(n)s 签订 %(s)s，订单下达 %(r)s")
        % {
            "n": contract.number,
            "s": timezone.localtime(contract.signed_at).strftime("%Y-%m-%d %H:%M"),
            "r": timezone.localtime(released).strftime("%Y-%m-%d %H:%M"),
        },
    )


def distribution_signoffs(order: SalesOrder) -> Result:
    """F-3, M-4: every distributed document was signed for."""
    rows = list(Distribution.objects.filter(document__order=order))
    if not rows:
        return Result(None, _("没有分发记录"))
    unsigned = [d for d in rows if d.acknowledged_at is None]
    return Result(not unsigned, _("分发 %(n)s 份，未签收 %(u)s 份") % {"n": len(rows), "u": len(unsigned)})


def inspection_before_shipment(order: SalesOrder) -> Result:
    """G-4, G-5: a passed final inspection before the first shipment."""
    first = order.shipments.order_by("shipped_on", "pk").first()
    if first is None:
        return Result(None, _("未发货"))
    passed = (
        Inspection.objects.filter(order=order, stage=Stage.FINAL, passed=True)
        .order_by("inspected_at")
        .first()
    )
    if passed is None:
        return Result(False, _("发货前没有合格的成品检验记录"))
    day = timezone.localtime(passed.inspected_at).date()
    return Result(
        day <= first.shipped_on,
        _("成品检验 %(i)s，首次发货 %(s)s") % {"i": day.isoformat(), "s": first.shipped_on.isoformat()},
    )


def acceptance_recorded(order: SalesOrder) -> Result:
    """K-2, K-3: every shipment accepted with the customer's signed note."""
    shipments = list(order.shipments.all())
    if not shipments:
        return Result(None, _("未发货"))
    accepted = {
        a.shipment_id
        for a in Acceptance.objects.filter(shipment__order=order, result__in=ACCEPTING)
        if a.is_signed
    }
    missing = [s.number for s in shipments if s.pk not in accepted]
    return Result(
        not missing,
        _("发货 %(n)s 批，缺签收 %(m)s")
        % {"n": len(shipments), "m": "、".join(str(m) for m in missing) or "—"},
    )


def statement_reviewed(order: SalesOrder) -> Result:
    """L-1: every settlement statement reviewed by finance."""
    rows = list(Statement.objects.filter(order=order))
    if not rows:
        return Result(None, _("未结算"))
    pending = [s.number for s in rows if s.status != StatementStatus.APPROVED]
    return Result(
        not pending, _("结算清单 %(n)s 张，未审核 %(p)s") % {"n": len(rows), "p": "、".join(pending) or "—"}
    )


def changes_approved(order: SalesOrder) -> Result:
    """I-2, I-3: every change carried out was approved and its agreement signed."""
    rows = list(ChangeRequest.objects.filter(order=order, status=RequestStatus.APPROVED))
    if not rows:
        return Result(None, _("没有已批准的变更"))
    unsigned = [c.number for c in rows if c.agreement_number and c.agreement_signed_at is None]
    return Result(
        not unsigned,
        _("已批准变更 %(n)s 个，协议未签 %(u)s") % {"n": len(rows), "u": "、".join(unsigned) or "—"},
    )


CHECKS: dict[str, tuple[Any, Callable[[SalesOrder], Result]]] = {
    "review_opinions": (gettext_lazy("评审意见齐全且按时"), review_opinions),
    "approval_complete": (gettext_lazy("审批链完整"), approval_complete),
    "contract_before_release": (gettext_lazy("先签合同后下达"), contract_before_release),
    "distribution_signoffs": (gettext_lazy("资料分发已签收"), distribution_signoffs),
    "inspection_before_shipment": (gettext_lazy("发货前成品检验合格"), inspection_before_shipment),
    "acceptance_recorded": (gettext_lazy("每批发货有客户签收"), acceptance_recorded),
    "statement_reviewed": (gettext_lazy("结算清单经财务审核"), statement_reviewed),
    "changes_approved": (gettext_lazy("变更经审批并签订协议"), changes_approved),
}


def run(order: SalesOrder, codes: list[str]) -> dict[str, dict[str, Any]]:
    """The checklist as the records show it, for the codes the policy lists."""
    out: dict[str, dict[str, Any]] = {}
    for code in codes:
        result = CHECKS[code][1](order)
        out[code] = {"ok": result.ok, "detail": str(result.detail)}
    return out
