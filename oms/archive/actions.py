"""Every write of the archive (M-2, M-3): filing an order, access requests and their decisions,
the access log, disposal."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from oms.accounts.models import User
from oms.accounts.selectors import decider, executive_in_charge, superior_for_approval
from oms.archive import contents, integrity, permissions, states
from oms.archive.models import (
    AccessKind,
    AccessLog,
    AccessRequest,
    ArchiveRecord,
    Category,
)
from oms.audit import recorder
from oms.billing.actions.figures import keep_order_balances
from oms.core.errors import FieldErrors, NotAllowed, StaleVersion
from oms.core.phrases import phrase
from oms.engine import records, workflow
from oms.fulfilment.models import POStatus, PurchaseOrder, SupplierDecision
from oms.notifications.actions import notify
from oms.orders.models import OrderStatus, SalesOrder
from oms.orders.selectors import not_archived
from oms.policy.actions import next_number
from oms.policy.selectors import policy
from oms.tracking import actions as tracking

# An open purchase order of a cancelled order that procurement has not settled with the supplier
# (the decision is marked pending just after the cancellation, in the same transaction).
_UNDECIDED = Q(status=POStatus.OPEN) & ~Q(
    supplier_decision__in=[SupplierDecision.CANCEL, SupplierDecision.RETURN, SupplierDecision.KEEP_STOCK]
)
_FILED_ON = {OrderStatus.CLOSED: Category.CLOSED, OrderStatus.CANCELLED: Category.CANCELLED}


def years_after(day: date, years: int) -> date:
    """The same day `years` later; 29 February becomes 28 February in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def file_on_end(*, instance: SalesOrder, transition: workflow.Transition, actor: Any) -> None:
    """M-2: closing or cancelling an order files it, in the same transaction as the decision,
    unless work on it is still pending (then `file_finished` files it once that is done). Wired
    in `oms.wiring` for the order's transitions into closed and cancelled."""
    if not _pending(instance):
        file_order(order=instance, actor=actor)


def _pending(order: SalesOrder) -> bool:
    """J-1: a cancelled order whose open purchases wait for procurement's decision with the
    supplier is worked on its page; its file is complete only after that decision."""
    return (
        order.status == OrderStatus.CANCELLED
        and PurchaseOrder.objects.filter(order=order).filter(_UNDECIDED).exists()
    )


def file_finished(now: datetime) -> int:
    """M-2: the periodic check that files closed and cancelled orders whose remaining work has
    ended since (and any order that ended before the archive existed). Idempotent."""
    waiting = (
        SalesOrder.objects.filter(not_archived(), status__in=list(_FILED_ON))
        .exclude(status=OrderStatus.CANCELLED, purchase_orders__in=PurchaseOrder.objects.filter(_UNDECIDED))
        .order_by("pk")
    )
    filed = 0
    for order in waiting[:1000]:
        with transaction.atomic():
            file_order(order=order, actor=None)
        filed += 1
    return filed


@transaction.atomic
def file_order(*, order: SalesOrder, actor: Any) -> ArchiveRecord:
    """M-2: file the order under its year and category, kept for the policy's retention period
    after completion (the order's own policy version, DESIGN 5). Filing twice changes nothing."""
    existing = ArchiveRecord.objects.filter(order=order).first()
    if existing is not None:
        if not order.archived:  # a record without its mark is marked, or the sweep finds it again
            _mark(order)
        return existing
    today = timezone.localdate()
    years = order.policy().archive.retention_years
    filed = records.create(
        actor=actor,
        obj=ArchiveRecord(
            number=next_number(fmt=policy().numbering.archive, when=today, key="archive"),
            order=order,
            category=_FILED_ON[OrderStatus(order.status)],
            completed_on=today,
            filed_by=actor if isinstance(actor, User) else None,
            retention_years=years,
            retention_until=years_after(today, years),
        ),
        fields=["number", "order", "category", "completed_on", "retention_until"],
        action="archive.file",
    )
    _mark(order)
    # Issue 21, M-3: what the order still owes leaves the open balances the ledger reads.
    keep_order_balances(order)
    return filed


def _mark(order: SalesOrder) -> None:
    """Issue 21, M-3: the order carries the mark its lists read (`orders.indexes.LIVE`), set in
    the transaction that writes its archive record; the record itself is never changed for it."""
    SalesOrder.objects.filter(pk=order.pk).update(archived=True)
    order.archived = True


@transaction.atomic
def request_access(*, actor: User, record: ArchiveRecord, reason: str) -> AccessRequest:
    """M-3: the query request (查询申请表): who, which archived order, why; it goes to the
    requester's department head."""
    if not permissions.can_request_access(actor, record):
        raise NotAllowed(_("您不能申请查阅此档案。"))
    if not reason.strip():
        raise FieldErrors({"reason": _("请填写查阅原因。")})
    # P-5: never the requester, also when the requester is the executive in charge.
    approver = decider(superior_for_approval(actor), raisers={actor.pk})
    if approver is None:
        raise FieldErrors({"__all__": _("找不到审批人：请先为您的部门设置负责人。")})
    request = records.create(
        actor=actor,
        obj=AccessRequest(record=record, requester=actor, approver=approver, reason=reason.strip()),
        fields=["record", "approver", "reason"],
        action="archive.request_access",
    )
    # M-3, T-1 (issue 23): the request waits in the approver's work until decided.
    order = record.order
    tracking.hand_off(
        target=request,
        order=order,
        kind="archive.request",
        title=phrase("%(who)s 申请查阅档案 %(n)s", who=actor, n=record.number),
        department=approver.department or order.department,
        assignee=approver,
        url=reverse("archive:request", args=[request.pk]),
        event="archive",
    )
    return request


@transaction.atomic
def decide_access(
    *, actor: User, request: AccessRequest, approve: bool, note: str = "", version: int | None = None
) -> AccessRequest:
    """M-3: the department head approves (reading is granted for the policy's number of days)
    or refuses with a reason."""
    if version is not None and version != request.version:
        raise StaleVersion(_("该申请已被他人处理，请刷新后再试。"))
    now = timezone.now()
    changes: dict[str, Any] = {"decided_at": now, "decision_note": note.strip()}
    if approve:
        changes["granted_until"] = now + timedelta(days=policy().archive.access_days)
    transition = states.APPROVE_ACCESS if approve else states.REFUSE_ACCESS
    decided = workflow.apply(transition, request, actor=actor, reason=note, changes=changes)
    tracking.close_items(target=decided, actor=actor, outcome=str(decided.get_status_display()))
    if approve:
        title = phrase(
            "您查阅档案 %(n)s 的申请已批准，有效期至 %(d)s",
            n=request.record.number,
            d=timezone.localtime(changes["granted_until"]).strftime("%Y-%m-%d %H:%M"),
        )
    else:
        title = phrase("您查阅档案 %(n)s 的申请未获批准：%(r)s", n=request.record.number, r=note)
    notify(
        event="archive",
        recipients=[request.requester],
        title=title,
        url=reverse("archive:detail", args=[request.record_id]),
    )
    return decided


def log_access(
    *, user: User, record: ArchiveRecord, kind: str, detail: str = "", grant: AccessRequest | None = None
) -> AccessLog:
    """M-3: the access log (查阅登记) of one view or download, naming the grant it relied on
    (none for a keeper). Each row is also an audit event with the same fields, so that the keyed,
    anchored audit chain vouches for the log: a row changed, removed or slipped in past the
    database triggers fails `verify_audit_chain` (issue 20.11, ADR 0014)."""
    with transaction.atomic():
        row = AccessLog.objects.create(
            record=record, user=user, kind=kind, detail=detail[:255], request=grant
        )
        recorder.record(actor=user, obj=row, action=integrity.ACCESS_ACTION, after=integrity.log_fields(row))
    return row


def packet(*, viewer: User, record: ArchiveRecord) -> bytes:
    """M-2: the archive packet: a ZIP with a PDF summary, every document of the order and a
    manifest giving each file's size and SHA-256. Logged as a download (M-3).

    The packet is the complete record, the same whoever downloads it: the summary is built
    without the downloader's field policy, in the company's language, dated by the filing; so
    the manifest and every archived file are byte-for-byte identical for every download. Who
    downloaded it and when is written only to `download.json`, outside the manifest, and to the
    access log."""
    access = permissions.reading(viewer, record)
    if not access.allowed:
        raise NotAllowed(_("查阅已归档订单需经批准的查询申请。"))
    entries = archived_files(record)
    manifest = {
        "archive": record.number,
        "order": record.order.number,
        "category": record.category,
        "completed_on": record.completed_on.isoformat(),
        "retention_until": record.retention_until.isoformat(),
        "filed_at": timezone.localtime(record.filed_at).isoformat(timespec="seconds"),
        "files": [{"name": n, "size": len(b), "sha256": hashlib.sha256(b).hexdigest()} for n, b in entries],
    }
    download = {
        "downloaded_by": viewer.username,
        "downloaded_at": timezone.localtime().isoformat(timespec="seconds"),
        "grant": access.grant.pk if access.grant is not None else None,
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries:
            archive.writestr(name, data)
        archive.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2))
        archive.writestr("download.json", json.dumps(download, ensure_ascii=False, indent=2))
    log_access(
        user=viewer, record=record, kind=AccessKind.PACKET, detail=f"{len(entries)} files", grant=access.grant
    )
    return buffer.getvalue()


def archived_files(record: ArchiveRecord) -> list[tuple[str, bytes]]:
    """M-2: the summary PDF (the complete record, in the company's language) and every document
    of the order, as the packet holds them."""
    from oms.core.printing import pdf

    order = record.order
    with translation.override(settings.LANGUAGE_CODE):
        summary = pdf(
            "archive/summary_pdf.html",
            {"record": record, "order": order, "sections": contents.sections(order)},
        )
    entries: list[tuple[str, bytes]] = [("summary.pdf", summary)]
    entries += [(f.name, f.read()) for f in contents.files(order)]
    return entries


@transaction.atomic
def request_disposal(*, actor: User, record: ArchiveRecord, reason: str) -> ArchiveRecord:
    """M-2: a keeper proposes disposing a record whose retention has ended; nothing is disposed
    without an approval, and never automatically."""
    done = workflow.apply(
        states.REQUEST_DISPOSAL,
        record,
        actor=actor,
        reason=reason,
        changes={
            "disposal_reason": reason.strip(),
            "disposal_requested_by": actor,
            "disposal_requested_at": timezone.now(),
        },
    )
    approvers = [u for u in [executive_in_charge()] if u is not None and u.pk != actor.pk]
    notify(
        event="archive",
        recipients=approvers,
        title=phrase("档案 %(n)s 申请销毁", n=record.number),
        url=reverse("archive:detail", args=[record.pk]),
    )
    return done


@transaction.atomic
def decide_disposal(*, actor: User, record: ArchiveRecord, approve: bool, note: str = "") -> ArchiveRecord:
    """M-2: approving removes the order's stored files and leaves the disposal record: which
    files (name, size, SHA-256), when, who asked, who approved. The order's data rows and the
    audit trail stay; the order can no longer be read. Refusing puts the record back on file."""
    changes: dict[str, Any] = {
        "disposal_decided_by": actor,
        "disposal_decided_at": timezone.now(),
        "disposal_note": note.strip(),
    }
    if not approve:
        return workflow.apply(states.REFUSE_DISPOSAL, record, actor=actor, reason=note, changes=changes)
    stored = list(contents.stored_files(record.order))
    listing = []
    for category, f in stored:
        try:
            data = contents.reader(f)()
            listing.append(
                {
                    "category": category,
                    "name": f.name,
                    "size": len(data),
                    "sha256": hashlib.sha256(data).hexdigest(),
                }
            )
        except FileNotFoundError:
            listing.append({"category": category, "name": f.name, "size": None, "sha256": None})
    changes["disposed_files"] = listing
    done = workflow.apply(states.APPROVE_DISPOSAL, record, actor=actor, reason=note, changes=changes)
    names = [f.name for _c, f in stored if f.name]
    storage = stored[0][1].storage if stored else None

    def remove() -> None:
        # After the commit: a rolled-back approval must not have lost any file.
        for name in names:
            if storage is not None:
                storage.delete(name)

    transaction.on_commit(remove)
    return done
