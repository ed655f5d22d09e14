"""Reads of contracts and controlled documents (E-2, E-3, F-3): what the review said, whether the
contract is signed, whether the technical documents and briefing are ready. Guards of other apps'
transitions read them here."""

from __future__ import annotations

from typing import Any

from django.db.models import Subquery
from django.utils.translation import gettext as _

from oms.accounts.models import DepartmentKind
from oms.contracts.models import Briefing, Contract, ContractStatus, Distribution, Document, DocumentType
from oms.orders.models import SalesOrder
from oms.review.models import ReviewTask, RoundStatus


def review_basis(order: SalesOrder) -> dict[str, str]:
    """E-3: what the order's last passed review round said on each of the five points (its tasks
    read with one query, issue 21)."""
    last_passed = order.review_rounds.filter(status=RoundStatus.PASSED).order_by("-number").values("pk")[:1]
    tasks = ReviewTask.objects.filter(round=Subquery(last_passed)).select_related("department")
    by_kind = {t.department_kind: t for t in tasks}
    if not by_kind:
        return {}
    sources = {
        "capacity": ("production",),
        "process": ("technical", "quality"),
        "quantity": ("procurement", "production"),
        "price": ("sales", "finance"),
        "delivery": ("sales", "production"),
    }
    basis = {}
    for point, kinds in sources.items():
        parts = [
            f"{by_kind[k].department}：{by_kind[k].get_verdict_display()}{('，' + by_kind[k].conditions) if by_kind[k].conditions else ''}"
            for k in kinds
            if k in by_kind and by_kind[k].verdict
        ]
        basis[point] = "；".join(parts)
    return basis


def contract_signed(user: Any, order: SalesOrder) -> str | None:
    """Guard on release (E-2): the contract is signed, unless the policy lets the class go without."""
    if order.order_class in order.policy().contracts.release_without_contract_classes:
        return None
    contract = Contract.objects.filter(order=order).first()
    if contract is None or contract.status != ContractStatus.SIGNED:
        return _("合同尚未签订，不能下达。")
    return None


def contract_summary(order: SalesOrder) -> dict[str, Any]:
    """E-2, E-3: the order's contract and how many controlled documents it has, for the order
    page's contract tab (issue 23, point 5); the full matter is on the documents page."""
    return {
        "contract": Contract.objects.filter(order=order).select_related("signed_by").first(),
        "document_count": Document.objects.filter(order=order).count(),
    }


# --- technical documents and briefing at release (F-1, F-3) --------------------------------------

TECHNICAL_TYPES = (
    DocumentType.DRAWING,
    DocumentType.PROCESS,
    DocumentType.PROCEDURE,
    DocumentType.INSPECTION,
)
# 000 四(三)3: the technical documents go to production and quality (and other departments).
TECHNICAL_RECIPIENTS = (DepartmentKind.PRODUCTION, DepartmentKind.QUALITY)


def technical_readiness(order: SalesOrder) -> tuple[list[Document], Briefing | None, list[str]]:
    """F-3: the order's current technical documents, its latest briefing, and what is still
    missing: at least one technical document, each distributed to production and quality, and a
    recorded briefing. Three queries."""
    docs = list(
        Document.objects.filter(order=order, doc_type__in=TECHNICAL_TYPES, superseded=False).order_by(
            "doc_type", "title"
        )
    )
    reached: dict[int, set[str]] = {}
    for doc_pk, kind in Distribution.objects.filter(document__in=docs).values_list(
        "document_id", "recipient__department__kind"
    ):
        reached.setdefault(doc_pk, set()).add(kind)
    briefing = Briefing.objects.filter(order=order).order_by("-held_on", "-pk").first()
    missing: list[str] = []
    if not docs:
        missing.append(_("尚未上传技术文件（图纸、工艺文件、作业指导书或检验规范）。"))
    labels = dict(DepartmentKind.choices)
    for doc in docs:
        absent = [str(labels[k]) for k in TECHNICAL_RECIPIENTS if k not in reached.get(doc.pk, set())]
        if absent:
            missing.append(
                _("技术文件“%(t)s”v%(v)s 尚未分发给：%(d)s。")
                % {"t": doc.title, "v": doc.version_no, "d": "、".join(absent)}
            )
    if briefing is None:
        missing.append(_("尚未记录技术交底。"))
    return docs, briefing, missing


def briefing_before_production(user: Any, order: SalesOrder) -> str | None:
    """Guard on starting production (F-3, 000 四(三)3): an order with special requirements (B-3)
    goes into production only after its technical briefing, when the policy says so (default)."""
    if not order.has_special_requirements or not order.policy().release.briefing_before_production:
        return None
    if not Briefing.objects.filter(order=order).exists():
        return _("订单有特殊要求，须先由技术部门完成技术交底才能开始生产。")
    return None
