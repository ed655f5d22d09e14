"""What an archived order holds (M-2): its records as sections for the archive page and the
summary PDF, and its documents as files for the archive packet.

One query per section whatever the number of rows. The archive is the complete record (M-2):
`sections(order)` shows every field, and the packet (its summary PDF and its documents) is built
from it alone, the same for every keeper and every reader on an approved request. The archive
*page* follows the reader's field policy (`sections(order, viewer)`, S-1), as every page does.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db.models.fields.files import FieldFile
from django.utils import timezone
from django.utils.translation import gettext as _

from oms.accounts.permissions import FIELD_GROUPS, mask_contact
from oms.billing.models import Invoice, Statement
from oms.billing.receivables import payments
from oms.changes.models import ChangeRequest, ChangeTask
from oms.contracts.models import Contract, ContractVersion, Document
from oms.core.money import format_amount, format_price, format_quantity
from oms.delivery.models import Acceptance
from oms.feedback.models import Answer, Complaint
from oms.fulfilment.models import DepartmentTask, Shipment
from oms.orders.models import OrderLine, SalesOrder
from oms.policy.visibility import visible_field_groups
from oms.quality.models import Inspection, NonConformance
from oms.review.models import ApprovalStep, ReviewTask
from oms.tracking.models import OrderException


@dataclass
class Section:
    """One category of the archive (M-2: contract, review report, change log, execution records,
    delivery and acceptance, settlement, customer feedback)."""

    key: str
    title: str
    headers: list[str]
    rows: list[list[Any]] = field(default_factory=list)


def _when(value: Any) -> str:
    if value is None:
        return ""
    if hasattr(value, "hour"):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    return value.isoformat()


def _person(user: Any) -> str:
    return "" if user is None else (user.get_full_name() or user.username)


@dataclass(frozen=True)
class _Reading:
    """What every section builder reads: the order, how the viewer sees prices and contacts
    (S-1), and the rows several sections share (read once)."""

    order: SalesOrder
    groups: frozenset[str]
    change_requests: list[ChangeRequest]
    acceptances: list[Acceptance]

    def money(self, value: Any) -> Any:
        return format_amount(value) if "price" in self.groups else "***"

    def unit_price(self, value: Any) -> Any:
        return format_price(value) if "price" in self.groups else "***"


def sections(order: SalesOrder, viewer: Any = None) -> list[Section]:
    """The order's record by category; with `viewer`, masked by that viewer's field policy (S-1),
    without, complete (M-2: the archive packet)."""
    reading = _Reading(
        order=order,
        groups=frozenset(FIELD_GROUPS) if viewer is None else visible_field_groups(viewer),
        change_requests=list(
            ChangeRequest.objects.filter(order=order)
            .select_related("order__customer", "raised_by", "department")
            .order_by("created_at", "pk")
        ),
        acceptances=list(Acceptance.objects.filter(shipment__order=order).order_by("created_at", "pk")),
    )
    return [build(reading) for build in SECTIONS]


def _head(r: _Reading) -> Section:
    order = r.order
    contact = order.contact_phone if "contact" in r.groups else mask_contact(order.contact_phone)
    return Section(
        "order",
        _("订单"),
        [_("项目"), _("内容")],
        [
            [_("订单号"), order.number],
            [_("客户"), order.customer.name],
            [_("联系人"), f"{order.contact_name} {contact}".strip()],
            [_("下单日期"), _when(order.order_date)],
            [_("交货日期"), _when(order.delivery_date)],
            [_("状态"), order.get_status_display()],
            [_("业务员"), _person(order.salesperson)],
            [_("金额"), r.money(order.total_amount)],
            [_("付款方式"), order.get_payment_terms_display()],
            # D-2: who confirmed and how (the customer in the portal, by link, or through sales).
            [_("客户确认"), order.confirmation_account],
        ],
    )


def _lines(r: _Reading) -> Section:
    return Section(
        "lines",
        _("订单明细"),
        [_("行"), _("产品"), _("数量"), _("单价"), _("金额")],
        [
            [
                ln.line_no,
                str(ln.product),
                f"{format_quantity(ln.quantity)} {ln.unit}",
                r.unit_price(ln.unit_price),
                r.money(ln.amount),
            ]
            for ln in OrderLine.objects.filter(order=r.order).select_related("product").order_by("line_no")
        ],
    )


def _review(r: _Reading) -> Section:
    return Section(
        "review",
        _("评审报告"),
        # C-5, D-1: a conditional approval keeps its conditions; an approval step its comment.
        [_("轮次"), _("部门"), _("评审人"), _("结论"), _("意见"), _("附加条件"), _("时间")],
        [
            [
                t.round.number,
                str(t.department),
                _person(t.decided_by),
                t.get_verdict_display(),
                t.comment,
                t.conditions,
                _when(t.decided_at),
            ]
            for t in ReviewTask.objects.filter(round__order=r.order)
            .select_related("round", "department", "decided_by")
            .order_by("round__number", "pk")
        ]
        + [
            [
                _("审批 %(n)s") % {"n": s.attempt},
                s.get_role_display(),
                _person(s.decided_by),
                s.get_status_display(),
                s.comment,
                "",
                _when(s.decided_at),
            ]
            for s in ApprovalStep.objects.filter(order=r.order)
            .select_related("decided_by")
            .order_by("attempt", "seq")
        ],
    )


def _contract(r: _Reading) -> Section:
    return Section(
        "contract",
        _("合同及版本"),
        [_("合同号"), _("版本"), _("类型"), _("金额"), _("原因"), _("时间")],
        [
            [
                v.contract.number,
                v.number,
                v.get_kind_display(),
                r.money(v.amount),
                v.reason,
                _when(v.created_at),
            ]
            for v in ContractVersion.objects.filter(contract__order=r.order)
            .select_related("contract")
            .order_by("number")
        ],
    )


def _changes(r: _Reading) -> Section:
    return Section(
        "changes",
        _("变更记录"),
        [_("编号"), _("类型"), _("申请人"), _("状态"), _("原因"), _("结论"), _("时间")],
        [
            [
                c.number,
                c.get_kind_display(),
                c.raiser_display,
                c.get_status_display(),
                c.reason,
                c.decision_reason,
                _when(c.created_at),
            ]
            for c in r.change_requests
        ],
    )


def _change_review(r: _Reading) -> Section:
    """I-2: each affected department's opinion on a change or cancellation, with its conditions."""
    return Section(
        "change_review",
        _("变更评审意见"),
        [_("编号"), _("部门"), _("评审人"), _("结论"), _("意见"), _("附加条件"), _("时间")],
        [
            [
                t.request.number,
                _("领导审批") if t.is_leader else str(t.department),
                _person(t.decided_by),
                t.get_verdict_display(),
                t.comment,
                t.conditions,
                _when(t.decided_at),
            ]
            for t in ChangeTask.objects.filter(request__order=r.order)
            .select_related("request", "department", "decided_by")
            .order_by("request__created_at", "request_id", "stage", "pk")
        ],
    )


def _execution(r: _Reading) -> Section:
    """Departments' tasks, inspections, non-conformances and exceptions, in that order."""
    return Section(
        "execution",
        _("执行记录"),
        [_("事项"), _("部门"), _("状态"), _("说明"), _("完成人"), _("完成时间")],
        _task_rows(r.order)
        + _inspection_rows(r.order)
        + _nonconformance_rows(r.order)
        + _exception_rows(r.order),
    )


def _task_rows(order: SalesOrder) -> list[list[Any]]:
    return [
        [
            t.get_kind_display(),
            str(t.department),
            t.get_status_display(),
            t.note,
            _person(t.done_by),
            _when(t.done_at),
        ]
        for t in DepartmentTask.objects.filter(order=order)
        .select_related("department", "done_by")
        .order_by("pk")
    ]


def _inspection_rows(order: SalesOrder) -> list[list[Any]]:
    return [
        [
            _("检验：%(s)s") % {"s": i.get_stage_display()},
            str(i.product),
            _("合格") if i.passed else _("不合格"),
            i.notes,
            _person(i.inspector),
            _when(i.inspected_at),
        ]
        for i in Inspection.objects.filter(order=order).select_related("product", "inspector").order_by("pk")
    ]


def _nonconformance_rows(order: SalesOrder) -> list[list[Any]]:
    return [
        [
            _("不合格品"),
            n.description,
            n.get_status_display(),
            n.action,
            _person(n.responsible),
            _when(n.closed_at),
        ]
        for n in NonConformance.objects.filter(order=order).select_related("responsible").order_by("pk")
    ]


def _exception_rows(order: SalesOrder) -> list[list[Any]]:
    return [
        [
            _("异常：%(k)s") % {"k": e.get_kind_display()},
            e.description,
            e.get_status_display(),
            e.resolution,
            _person(e.resolved_by),
            _when(e.resolved_at),
        ]
        for e in OrderException.objects.filter(order=order).select_related("resolved_by").order_by("pk")
    ]


def _delivery(r: _Reading) -> Section:
    """One row per shipment and acceptance; a shipment not yet accepted has one row of its own."""
    delivery = Section(
        "delivery",
        _("交付与验收"),
        [_("批次"), _("发货日期"), _("运单号"), _("验收结果"), _("验收人"), _("客户意见")],
        [],
    )
    acceptances: dict[int, list[Acceptance]] = {}
    for acc in r.acceptances:
        acceptances.setdefault(acc.shipment_id, []).append(acc)
    for s in Shipment.objects.filter(order=r.order).order_by("pk"):
        found: list[Acceptance | None] = list(acceptances.get(s.pk, [])) or [None]
        for a in found:
            delivery.rows.append(
                [
                    s.number,
                    _when(s.shipped_on),
                    s.tracking_number,
                    a.get_result_display() if a else "",
                    a.accepted_by_name if a else "",
                    a.remarks if a else "",
                ]
            )
    return delivery


def _settlement(r: _Reading) -> Section:
    order = r.order
    return Section(
        "settlement",
        _("结算、发票与收款"),
        [_("单据"), _("编号"), _("状态"), _("金额"), _("日期")],
        [
            [_("结算清单"), s.number, s.get_status_display(), r.money(s.total), _when(s.reviewed_at)]
            for s in Statement.objects.filter(order=order).order_by("pk")
        ]
        + [
            [_("发票"), i.number, i.get_invoice_type_display(), r.money(i.amount), _when(i.issued_on)]
            for i in Invoice.objects.filter(statement__order=order).order_by("pk")
        ]
        + [
            [
                _("收款"),
                a.payment.reference,
                a.payment.get_method_display(),
                r.money(a.amount),
                _when(a.payment.received_on),
            ]
            for a in payments()
            .filter(invoice__statement__order=order)
            .select_related("payment")
            .order_by("pk")
        ],
    )


def _feedback(r: _Reading) -> Section:
    return Section(
        "feedback",
        _("客户反馈"),
        [_("来源"), _("内容"), _("时间")],
        [[_("验收意见"), a.remarks, _when(a.created_at)] for a in r.acceptances if a.remarks]
        + [
            [_("客户变更说明"), c.explanation, _when(c.explained_at)]
            for c in r.change_requests
            if c.explanation
        ]
        # N-2, N-3: the order's complaints with their outcome, and the customer's rating.
        + [
            [
                _("客户投诉 %(n)s（%(c)s）") % {"n": c.number, "c": c.get_category_display()},
                f"{c.description} → {c.get_status_display()} {c.remedy}".strip(),
                _when(c.received_at),
            ]
            for c in Complaint.objects.filter(order=r.order).order_by("received_at", "pk")
        ]
        + [
            [
                _("订单评价"),
                f"{a.question_text}：{a.score} / {a.scale} {a.text}".strip(),
                _when(a.answered_at),
            ]
            for a in Answer.objects.filter(invitation__order=r.order).order_by("pk")
        ],
    )


# M-2: the archive's categories in the order the page and the summary PDF show them.
SECTIONS: tuple[Callable[[_Reading], Section], ...] = (
    _head,
    _lines,
    _review,
    _contract,
    _changes,
    _change_review,
    _execution,
    _delivery,
    _settlement,
    _feedback,
)


@dataclass(frozen=True)
class ArchivedFile:
    """A document of the order as the packet holds it: under its category's folder."""

    category: str
    name: str
    read: Callable[[], bytes]


def reader(file: FieldFile) -> Callable[[], bytes]:
    def read() -> bytes:
        with file.open("rb") as handle:
            return bytes(handle.read())

    return read


def _text(text: str) -> Callable[[], bytes]:
    return lambda: text.encode("utf-8")


def _base(file: FieldFile) -> str:
    return (file.name or "").rsplit("/", 1)[-1]


def stored_files(order: SalesOrder) -> Iterator[tuple[str, FieldFile]]:
    """Every uploaded file of the order, by category folder (what a disposal removes)."""
    for f in (order.original_document, order.confirmation_evidence):
        if f:
            yield "01-order", f
    for t in ReviewTask.objects.filter(round__order=order).exclude(attachment="").order_by("pk"):
        yield "02-review", t.attachment
    for c in Contract.objects.filter(order=order).exclude(signed_file=""):
        yield "03-contract", c.signed_file
    for d in Document.objects.filter(order=order).order_by("pk"):
        yield "04-documents", d.file
    for r in ChangeRequest.objects.filter(order=order).order_by("pk"):
        for f in (r.customer_notice, r.agreement_file):
            if f:
                yield "05-changes", f
    for a in Acceptance.objects.filter(shipment__order=order).exclude(signed_note="").order_by("pk"):
        yield "06-delivery", a.signed_note


def files(order: SalesOrder) -> list[ArchivedFile]:
    """The order's documents: uploaded files, and the contract versions and change agreements as
    the system produced them (HTML)."""
    found = [ArchivedFile(cat, f"{cat}/{_base(f)}", reader(f)) for cat, f in stored_files(order)]
    for v in (
        ContractVersion.objects.filter(contract__order=order).select_related("contract").order_by("number")
    ):
        found.append(
            ArchivedFile("03-contract", f"03-contract/{v.contract.number}-v{v.number}.html", _text(v.html))
        )
    for r in ChangeRequest.objects.filter(order=order).exclude(agreement_html="").order_by("pk"):
        found.append(
            ArchivedFile(
                "05-changes", f"05-changes/{r.agreement_number or r.number}.html", _text(r.agreement_html)
            )
        )
    seen: set[str] = set()
    unique: list[ArchivedFile] = []
    for f in found:
        name, n = f.name, 1
        while name in seen:  # two uploads with the same file name keep both
            n += 1
            stem, dot, ext = f.name.rpartition(".")
            name = f"{stem}-{n}.{ext}" if dot else f"{f.name}-{n}"
        seen.add(name)
        unique.append(ArchivedFile(f.category, name, f.read))
    return unique
