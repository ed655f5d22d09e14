"""What the records already say for each step of a complaint (N-2): the system pre-fills the
handler's findings from the delivery, quality, contract and order records; the handler confirms
or corrects them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from oms.contracts.models import Contract, Document
from oms.delivery.models import Acceptance
from oms.feedback.models import Complaint
from oms.policy.selectors import policy
from oms.quality.models import Inspection, Stage


@dataclass
class Findings:
    receipt_signed: bool | None = None
    receipt_note: str = ""
    inspection_matches: bool | None = None
    inspection_note: str = ""
    within_window: bool | None = None
    window_note: str = ""
    materials: list[str] = field(default_factory=list)


def findings(complaint: Complaint) -> Findings:
    """Read once per complaint page (a bounded number of queries)."""
    order = complaint.order
    found = Findings()
    acceptances = list(
        Acceptance.objects.filter(shipment__order=order)
        .select_related("shipment")
        .order_by("received_on", "pk")
    )
    finals = list(Inspection.objects.filter(order=order, stage=Stage.FINAL).order_by("inspected_at", "pk"))
    _receipt(found, acceptances)
    _inspection(found, finals)
    _window(found, complaint, acceptances)
    found.materials = _materials(complaint, acceptances, finals)
    return found


def _receipt(found: Findings, acceptances: list[Acceptance]) -> None:
    """Step check_receipt: was every delivery signed for, with a signed document?"""
    if not acceptances:
        found.receipt_signed = False
        found.receipt_note = _("系统中没有该订单的签收记录。")
        return
    signed = [a for a in acceptances if a.signed_note]
    found.receipt_signed = bool(signed) and len(signed) == len(acceptances)
    found.receipt_note = "；".join(
        _("第 %(n)s 批：%(who)s %(d)s 签收，结论 %(r)s%(s)s")
        % {
            "n": a.shipment.number,
            "who": a.accepted_by_name,
            "d": a.received_on.isoformat(),
            "r": a.get_result_display(),
            "s": _("，有签字单据") if a.signed_note else _("，无签字单据"),
        }
        for a in acceptances
    )


def _inspection(found: Findings, finals: list[Inspection]) -> None:
    """Step compare_inspection: what the last final inspection concluded."""
    if not finals:
        found.inspection_note = _("系统中没有成品检验记录。")
        return
    last = finals[-1]
    found.inspection_note = _("成品检验 %(n)s 次，最近一次 %(d)s：%(r)s %(notes)s") % {
        "n": len(finals),
        "d": timezone.localtime(last.inspected_at).strftime("%Y-%m-%d"),
        "r": _("合格") if last.passed else _("不合格"),
        "notes": last.notes,
    }
    # A passed final inspection contradicts a quality complaint until the handler finds
    # otherwise; a failed one confirms it.
    found.inspection_matches = not last.passed


def _window(found: Findings, complaint: Complaint, acceptances: list[Acceptance]) -> None:
    """Step check_window: was the complaint received within the policy's days of the last receipt?"""
    if not acceptances:
        found.within_window = True
        found.window_note = _("尚未签收，投诉期限未开始计算。")
        return
    days = policy().feedback.complaint_window_days
    last_received = acceptances[-1].received_on
    ends = last_received + timedelta(days=days)
    received = timezone.localtime(complaint.received_at).date()
    found.within_window = received <= ends
    found.window_note = _("最后签收 %(r)s，期限 %(n)s 天，至 %(e)s；投诉于 %(c)s 收到。") % {
        "r": last_received.isoformat(),
        "n": days,
        "e": ends.isoformat(),
        "c": received.isoformat(),
    }


def _materials(complaint: Complaint, acceptances: list[Acceptance], finals: list[Inspection]) -> list[str]:
    """Step gather_materials: the documents on record for the complaint file."""
    order = complaint.order
    contract = Contract.objects.filter(order=order).first()
    materials = [str(_("客户投诉书面资料")) if complaint.evidence_note or complaint.evidence_file else ""]
    materials += [
        _("客户收货单（第 %(n)s 批）") % {"n": a.shipment.number} for a in acceptances if a.signed_note
    ]
    materials += [
        _("质检报告（%(d)s）") % {"d": timezone.localtime(i.inspected_at).strftime("%Y-%m-%d")}
        for i in finals
    ]
    if contract is not None:
        materials.append(_("合同 %(n)s") % {"n": contract.number})
    materials += [
        f"{d.get_doc_type_display()}：{d.title}"
        for d in Document.objects.filter(order=order, superseded=False).order_by("pk")
    ]
    materials.append(str(_("接单成本核算")))
    return [m for m in materials if m]
