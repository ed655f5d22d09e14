"""Every write of contracts and controlled documents (E-1..E-4, F-3, M-4); the reads they need
(`review_basis`, `contract_signed`, `technical_readiness`…) are in `oms.contracts.selectors`."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from oms.accounts.models import User
from oms.accounts.selectors import head_of
from oms.audit import recorder
from oms.contracts import files, filing, rendering
from oms.contracts import permissions as perms
from oms.contracts import states as contract_states
from oms.contracts.drafting import current_template, render, template_unless_taken
from oms.contracts.models import (
    REVIEW_POINTS,
    Briefing,
    Contract,
    ContractTemplate,
    ContractVersion,
    Distribution,
    Document,
    DocumentType,
    VersionKind,
)
from oms.contracts.selectors import review_basis
from oms.core import prepared, stamps
from oms.core.errors import ActionError, FieldErrors, NotAllowed, StaleVersion
from oms.core.phrases import Phrase, phrase
from oms.engine import records, workflow
from oms.notifications.actions import notify
from oms.orders.models import OrderStatus, SalesOrder
from oms.orders.permissions import can_renegotiate
from oms.policy import actions as policy_actions
from oms.tracking import actions as tracking
from oms.tracking.actions import Closing

# --- template ----------------------------------------------------------------------------------


@transaction.atomic
@recorder.batched
def save_template(
    *,
    actor: User,
    body: str,
    name: str = "",
    template: ContractTemplate | None = None,
    version: int | None = None,
) -> ContractTemplate:
    """E-1: the administrator edits the contract text; unknown placeholders are refused by name."""
    from oms.accounts.permissions import can_edit_policy

    records.require(can_edit_policy(actor))
    rendering.check_placeholders(body)
    if template is None:
        return records.create(
            actor=actor,
            obj=ContractTemplate(name=name or _("购销合同"), body=body),
            fields=["name", "body"],
            action="contract_template.create",
        )
    return records.update(
        actor=actor,
        obj=template,
        data={"body": body, "name": name or template.name},
        version=version or 0,
        action="contract_template.update",
    )


# --- contracts ---------------------------------------------------------------------------------


@transaction.atomic
@recorder.batched
def generate_contract(*, actor: User, order: SalesOrder) -> Contract:
    """E-1, E-2: a numbered contract from the confirmed order and the template; version 1 is the offer."""
    # With what the text and the hand-off read, and the change stamps (issue 21); only the order locked.
    rows = SalesOrder.objects.select_related("customer", "department", "salesperson")
    columns = stamps.riding()
    # The same statement for every order: compiled once (`core.prepared`, issue 21).
    locked = prepared.one(
        ("contracts.generate", stamps.shape(columns)),
        SalesOrder,
        lambda pk: stamps.with_tokens(rows.select_for_update(of=("self",)), columns).filter(pk=pk).order_by(),
        order.pk,
    )
    stamps.take_tokens(locked)
    if not can_renegotiate(actor, locked):
        raise NotAllowed(_("只有销售可以生成合同。"))
    if locked.status != OrderStatus.CONFIRMED:
        raise ActionError(_("订单经客户确认后才能生成合同。"))
    template = template_unless_taken(locked)
    number = policy_actions.next_number(
        fmt=locked.policy().numbering.contract, when=timezone.localdate(), key="contract"
    )
    contract = Contract.objects.create(order=locked, number=number)
    ContractVersion.objects.create(
        contract=contract,
        number=1,
        kind=VersionKind.OFFER,
        html=render(locked, number, template),
        amount=locked.total_amount,
        created_by=actor,
        reason=_("依据已确认订单生成"),
    )
    recorder.record(
        actor=actor,
        obj=locked,
        action="contract.generate",
        after={"number": number, "amount": locked.total_amount},
    )
    done = Closing(target=locked, actor=actor, outcome=_("已生成合同"), kinds=("contract.generate",))
    _hand_to_reviewer(actor, locked, contract, done)
    return contract


# --- hand-offs (T-1, issue 23): each contract step waits in the next actor's work ----------------


def _hand_to(order: SalesOrder, kind: str, person: User | None, title: str | Phrase, done: Closing) -> None:
    """The next contract step, the finished one (`done`) closed with it (issue 21)."""
    tracking.hand_off(
        closing=done,
        target=order,
        order=order,
        kind=kind,
        title=title,
        department=order.department,
        assignee=person,
        url=reverse("contracts:documents", args=[order.pk]),
        event="contracts",
    )


def _hand_to_reviewer(actor: User, order: SalesOrder, contract: Contract, done: Closing) -> None:
    """E-3: the sales head reviews, never the one who drew the version up (P-5)."""
    what = phrase("评审合同 %(c)s（订单 %(n)s）", c=contract.number, n=order.number)
    reviewer = tracking.decider_for(
        candidate=head_of(order.department), target=contract, what=what, raisers={actor.pk}
    )
    _hand_to(order, "contract.review", reviewer, what, done)


@transaction.atomic
@recorder.batched
def add_version(*, actor: User, contract: Contract, kind: str, reason: str) -> ContractVersion:
    """E-2: a counter-offer or an amendment, with who and why; the contract must be reviewed again."""
    if kind not in VersionKind.values:
        raise FieldErrors({"kind": _("请选择版本类型。")})
    if not reason.strip():
        raise FieldErrors({"reason": _("请说明修改原因。")})
    contract = workflow.apply(
        contract_states.REDRAFT,
        contract,
        actor=actor,
        reason=reason,
        changes={"signed_at": None, "signed_sha256": "", "signed_file": ""},
    )
    order = contract.order
    latest = contract.versions.aggregate(m=Max("number"))["m"] or 0
    version = ContractVersion.objects.create(
        contract=contract,
        number=latest + 1,
        kind=kind,
        html=render(order, contract.number),
        amount=order.total_amount,
        created_by=actor,
        reason=reason.strip(),
    )
    recorder.record(
        actor=actor,
        obj=order,
        action="contract.version",
        after={"number": contract.number, "version": version.number, "kind": kind},
        reason=reason,
    )
    done = Closing(
        target=order, actor=actor, outcome=_("合同新版本"), kinds=("contract.review", "contract.sign")
    )
    _hand_to_reviewer(actor, order, contract, done)
    return version


@transaction.atomic
@recorder.batched
def review_contract(*, actor: User, contract: Contract, points: Mapping[str, tuple[bool, str]]) -> Contract:
    """E-3: all five points confirmed against the order's review before signing; each recorded."""
    # The contract locked first (with its order, `states.REVIEW.related`), then its latest version
    # and the review it is checked against read under the lock. P-5, S-1: who may not review it
    # (or drew it up) is refused there, before the points are read; points missing then undo the
    # transition with the rest of this transaction.
    contract = workflow.apply(contract_states.REVIEW, contract, actor=actor)
    missing = [str(label) for key, label in REVIEW_POINTS if not points.get(key, (False, ""))[0]]
    if missing:
        raise FieldErrors({"points": _("以下要点未确认：%(p)s") % {"p": "、".join(missing)}})
    order = contract.order
    version = contract.latest_version()
    assert version is not None
    basis = review_basis(order)
    record = {
        key: {"ok": True, "note": points[key][1].strip(), "basis": basis.get(key, "")}
        for key, _label in REVIEW_POINTS
    }
    ContractVersion.objects.filter(pk=version.pk).update(
        review=record, reviewed_by=actor, reviewed_at=timezone.now()
    )
    recorder.record(
        actor=actor,
        obj=order,
        action="contract.review",
        after={"version": version.number, "points": record},
    )
    _hand_to(
        order,
        "contract.sign",
        order.salesperson,
        phrase("合同 %(c)s 已评审，请登记签订（订单 %(n)s）", c=contract.number, n=order.number),
        Closing(target=order, actor=actor, outcome=_("合同评审通过"), kinds=("contract.review",)),
    )
    return contract


@transaction.atomic
@recorder.batched
def sign_contract(*, actor: User, contract: Contract, scan: Any, version: int | None = None) -> Contract:
    """E-2: the signed copy (PDF or image) is stored with its SHA-256 and filed as a contract copy."""
    if version is not None and contract.version != version:
        raise StaleVersion(_("合同已被他人更新，请刷新。"))
    digest = files.check_upload(
        scan, field="scan", max_mb=contract.order.policy().contracts.max_upload_mb, scan_only=True
    )
    contract = workflow.apply(
        contract_states.SIGN,
        contract,
        actor=actor,
        changes={
            "signed_file": scan,
            "signed_sha256": digest,
            "signed_at": timezone.now(),
            "signed_by": actor,
        },
    )
    # Read with the locked contract (`states.SIGN.related`).
    order = contract.order
    title = _("合同 %(n)s（签字盖章）") % {"n": contract.number}
    _file_document(
        actor=actor,
        order=order,
        doc_type=DocumentType.CONTRACT_COPY,
        title=title,
        upload=contract.signed_file,
        digest=digest,
    )
    _hand_to(
        order,
        "order.release",
        head_of(order.department),
        phrase("合同 %(c)s 已签订，请下达订单 %(n)s", c=contract.number, n=order.number),
        Closing(target=order, actor=actor, outcome=_("合同已签订"), kinds=("contract.sign",)),
    )
    return contract


# --- controlled documents ----------------------------------------------------------------------

SCAN_TYPES = {DocumentType.CONTRACT_COPY, DocumentType.CUSTOMER_NOTICE}


@transaction.atomic
@recorder.batched
def upload_document(*, actor: User, order: SalesOrder, doc_type: str, title: str, upload: Any) -> Document:
    """A new version of a controlled document; the previous version is kept and marked superseded."""
    if not perms.can_file_document(actor, order):
        raise NotAllowed(str(perms.FILING_REFUSED))
    if doc_type not in DocumentType.values:
        raise FieldErrors({"doc_type": _("请选择资料类型。")})
    if not title.strip():
        raise FieldErrors({"title": _("请填写资料名称。")})
    digest = files.check_upload(
        upload, field="file", max_mb=order.policy().contracts.max_upload_mb, scan_only=doc_type in SCAN_TYPES
    )
    return _file_document(
        actor=actor, order=order, doc_type=doc_type, title=title.strip(), upload=upload, digest=digest
    )


def _file_document(
    *, actor: User, order: SalesOrder, doc_type: str, title: str, upload: Any, digest: str
) -> Document:
    """`upload_document` once its input is checked, inside the caller's transaction: no savepoint
    of its own, and the earlier versions read by the statement that inserts the new one (issue 21).

    E-2, I-4: the order's row is locked first (unless the action holds it), so two uploads of one
    title at once take their version numbers one after the other instead of both reading the same
    latest version (one of them then failing on `document_unique_version`) and both staying current."""
    if not workflow.held(order):
        list(SalesOrder.objects.select_for_update().filter(pk=order.pk).values_list("pk"))
    name = str(getattr(upload, "name", "") or "file").rsplit("/", 1)[-1][:200]
    document = Document(
        order=order,
        doc_type=doc_type,
        title=title,
        version_no=0,  # set by the insert: one more than the earlier versions' highest
        file=upload,
        file_name=name,
        sha256=digest,
        size=upload.size,
        owner=actor,
    )
    filing.insert_next_version(document)
    if document.version_no > 1:  # the earlier versions are superseded (none at a first version)
        Document.objects.filter(order=order, doc_type=doc_type, title=title, superseded=False).exclude(
            pk=document.pk
        ).update(superseded=True)
    recorder.record(
        actor=actor,
        obj=order,
        action="document.upload",
        after={
            "document": document.pk,
            "type": doc_type,
            "title": document.title,
            "version": document.version_no,
            "sha256": digest,
        },
    )
    return document


@transaction.atomic
@recorder.batched
def share_document(*, actor: User, document: Document, shared: bool) -> Document:
    """H-1, B-8: the order's sales decide which documents the customer sees in the portal."""
    if not perms.can_share_document(actor, document.order):
        raise NotAllowed(str(perms.SHARING_REFUSED))
    if document.superseded:
        raise ActionError(_("这是已作废的旧版本，客户只能看到当前版本。"))
    locked = Document.objects.select_for_update().get(pk=document.pk)
    before = locked.shared_with_customer
    locked.shared_with_customer = shared
    locked.save(update_fields=["shared_with_customer"])
    recorder.record(
        actor=actor,
        obj=locked.order,
        action="document.share",
        before={"document": locked.pk, "shared_with_customer": before},
        after={"document": locked.pk, "shared_with_customer": shared},
    )
    return locked


@transaction.atomic
@recorder.batched
def distribute(*, actor: User, document: Document, recipients: Iterable[User]) -> list[Distribution]:
    """M-4, E-4: one distribution record per recipient; each must sign off receipt."""
    if not perms.can_file_document(actor, document.order):
        raise NotAllowed(str(perms.FILING_REFUSED))
    if document.superseded:
        raise ActionError(_("这是已作废的旧版本，不能分发。"))
    people = [r for r in recipients if r.is_active]
    if not people:
        raise FieldErrors({"recipients": _("请选择接收人。")})
    already = set(
        Distribution.objects.filter(document=document, recipient__in=people).values_list(
            "recipient_id", flat=True
        )
    )
    now = timezone.now()
    created = Distribution.objects.bulk_create(
        [
            Distribution(document=document, recipient=p, distributed_by=actor, distributed_at=now)
            for p in people
            if p.pk not in already
        ]
    )
    recorder.record(
        actor=actor,
        obj=document.order,
        action="document.distribute",
        after={
            "document": document.pk,
            "version": document.version_no,
            "recipients": [d.recipient_id for d in created],
        },
    )
    notify(
        event="contracts",
        recipients=[d.recipient for d in created],
        title=phrase("请签收资料：%(t)s v%(v)s", t=document.title, v=document.version_no),
        url=reverse("contracts:documents", args=[document.order_id]),
    )
    return created


@transaction.atomic
@recorder.batched
def acknowledge(*, actor: User, distribution: Distribution) -> Distribution:
    """M-4: the recipient signs off receipt, once."""
    locked = Distribution.objects.select_for_update().select_related("document").get(pk=distribution.pk)
    if locked.recipient_id != actor.pk:
        raise NotAllowed(str(perms.ACKNOWLEDGING_REFUSED))
    if locked.acknowledged_at is not None:
        raise ActionError(_("已经签收过了。"))
    locked.acknowledged_at = timezone.now()
    locked.save(update_fields=["acknowledged_at"])
    recorder.record(
        actor=actor,
        obj=locked.document.order,
        action="document.acknowledge",
        after={"document": locked.document_id, "version": locked.document.version_no},
    )
    return locked


@transaction.atomic
@recorder.batched
def record_briefing(
    *,
    actor: User,
    order: SalesOrder,
    held_on: date | None,
    topic: str,
    attendees: Iterable[User],
    notes: str = "",
) -> Briefing:
    """F-3: the technical briefing, with attendees and date, held by the technical department
    (000 四(三)3: 技术部门……组织相关人员进行技术交底)."""
    if not perms.can_record_briefing(actor, order):
        raise NotAllowed(str(perms.BRIEFING_REFUSED))
    people = list(attendees)
    errors = {}
    if held_on is None:
        errors["held_on"] = _("请填写交底日期。")
    if not topic.strip():
        errors["topic"] = _("请填写主题。")
    if not people:
        errors["attendees"] = _("请选择参加人。")
    if errors:
        raise FieldErrors(errors)
    assert held_on is not None
    briefing = Briefing.objects.create(
        order=order, held_on=held_on, topic=topic.strip(), notes=notes.strip(), recorded_by=actor
    )
    briefing.attendees.set(people)
    recorder.record(
        actor=actor,
        obj=order,
        action="briefing.record",
        after={"held_on": held_on, "topic": briefing.topic, "attendees": [p.pk for p in people]},
    )
    return briefing


def log_download(*, actor: User, document: Document) -> None:
    """Every download of a controlled document is logged (who, which version, when)."""
    recorder.record(
        actor=actor,
        obj=document.order,
        action="document.download",
        after={"document": document.pk, "title": document.title, "version": document.version_no},
    )


__all__ = [
    "acknowledge",
    "add_version",
    "current_template",
    "distribute",
    "generate_contract",
    "log_download",
    "record_briefing",
    "review_contract",
    "save_template",
    "share_document",
    "sign_contract",
    "upload_document",
]
