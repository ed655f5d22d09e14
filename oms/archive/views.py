"""Archive pages (M-2, M-3): thin, the selectors scope and the actions decide."""

from __future__ import annotations

from dataclasses import replace
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from oms.archive import actions, contents, permissions, selectors, states
from oms.archive.forms import AccessDecisionForm, ReasonForm
from oms.archive.models import (
    AccessKind,
    AccessLog,
    AccessRequest,
    AccessStatus,
    ArchiveRecord,
)
from oms.core.errors import NotAllowed
from oms.core.forms import cleaned
from oms.web.downloads import in_background
from oms.web.downloads.actions import queue_page
from oms.web.listing import Column, ListSpec, watermark
from oms.web.pages import actor, attempt, visible_or_404

_INDEX_COLUMNS = [
    Column("number"),
    Column("order__number", gettext_lazy("订单号")),
    Column("order__customer__name", gettext_lazy("客户")),
    Column("category"),
    Column("completed_on"),
    Column("retention_until"),
    Column("status"),
]
_INDEX_SEARCH = ("number", "order__number", "order__customer__name")

ARCHIVE_SPEC = ListSpec(
    model=ArchiveRecord,
    prefix="archive:record",
    title=gettext_lazy("订单档案"),
    columns=_INDEX_COLUMNS,
    selector=selectors.records_for,
    search_fields=_INDEX_SEARCH,
    filters=("category", "status"),
    date_field="completed_on",
    detail_url_name="archive:detail",
    can_view=permissions.can_browse,
)
# M-3: the records whose retention has ended, listed like the index.
RETENTION_SPEC = replace(
    ARCHIVE_SPEC,
    prefix="archive:retention",
    title=gettext_lazy("保存期满档案"),
    selector=selectors.retention_ended,
    date_field="retention_until",
    can_view=permissions.can_see_retention,
)
DISPOSED_SPEC = ListSpec(
    model=ArchiveRecord,
    prefix="archive:disposed",
    title=gettext_lazy("档案销毁登记"),
    columns=[
        Column("number"),
        Column("order__number", gettext_lazy("订单号")),
        Column("retention_until"),
        Column("disposal_reason"),
        Column("disposal_requested_by", sortable=False),
        Column("disposal_decided_by", sortable=False),
        Column("disposal_decided_at"),
        Column("disposed_files", gettext_lazy("已销毁文件清单"), sortable=False),
    ],
    selector=selectors.disposed,
    search_fields=_INDEX_SEARCH,
    date_field="disposal_decided_at",
    detail_url_name="archive:detail",
    can_view=permissions.can_see_retention,
)
REQUEST_SPEC = ListSpec(
    model=AccessRequest,
    prefix="archive:request",
    title=gettext_lazy("查询申请"),
    columns=[
        Column("record__number", gettext_lazy("档案号")),
        Column("record__order__number", gettext_lazy("订单号")),
        Column("requester", sortable=False),
        Column("reason", sortable=False),
        Column("approver", sortable=False),
        Column("status"),
        Column("created_at"),
        Column("granted_until"),
    ],
    selector=selectors.requests_for,
    search_fields=("record__number", "record__order__number", "requester__username", "requester__last_name"),
    filters=("status",),
    date_field="created_at",
    detail_url_name="archive:request",
    can_view=permissions.can_browse,
)
LOG_SPEC = ListSpec(
    model=AccessLog,
    prefix="archive:log",
    title=gettext_lazy("查阅登记"),
    columns=[
        Column("at"),
        Column("user", sortable=False),
        Column("record__number", gettext_lazy("档案号")),
        Column("record__order__number", gettext_lazy("订单号")),
        Column("kind"),
        Column("detail", sortable=False),
        Column("request__reason", gettext_lazy("查阅原因"), sortable=False),
    ],
    selector=selectors.access_log_for,
    search_fields=("record__number", "record__order__number", "user__username", "user__last_name"),
    filters=("kind",),
    date_field="at",
    can_view=permissions.can_see_access_log,
)


def _record(request: HttpRequest, pk: int) -> ArchiveRecord:
    record = visible_or_404(selectors.records_for(request.user), pk)
    return record


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    """M-2, M-3: the archived order. Its contents show only to keepers and holders of an approved,
    unexpired request, and every showing is logged; anyone else sees the index card and the
    request form."""
    record = _record(request, pk)
    user = actor(request)
    access = permissions.reading(user, record)
    ended = record.retention_ended(timezone.localdate())
    context: dict[str, object] = {
        "record": record,
        "readable": access.allowed,
        "grant": access.grant,
        "can_request": permissions.can_request_access(user, record),
        "pending": AccessRequest.objects.filter(
            record=record, requester=user, status=AccessStatus.PENDING
        ).first(),
        # The request button shows only once the retention has ended (its guard would refuse).
        "disposal_actions": [
            t for t in states.DISPOSAL.available(record, user) if t.name != "request_disposal" or ended
        ],
        "retention_ended": ended,
    }
    if access.allowed:
        actions.log_access(user=user, record=record, kind=AccessKind.VIEW, grant=access.grant)
        # S-1: the page shows the record through the reader's field policy, as every page does;
        # the packet is the complete record (M-2, `actions.packet`).
        context["sections"] = contents.sections(record.order, user)
        context["files"] = list(enumerate(contents.files(record.order)))
        context["watermark"] = watermark(user)
    return render(request, "archive/detail.html", context)


def _readable(request: HttpRequest, pk: int) -> tuple[ArchiveRecord, permissions.Reading]:
    record = _record(request, pk)
    access = permissions.reading(actor(request), record)
    if not access.allowed:
        raise PermissionDenied
    return record, access


def _attachment(data: bytes, name: str, content_type: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response


@login_required
def packet(request: HttpRequest, pk: int) -> HttpResponseBase:
    """M-2: the archive packet (ZIP: summary PDF, documents, SHA-256 manifest)."""
    record = _record(request, pk)
    if _queue_packet(request, record):
        # Issue 24.2: a packet of many documents is zipped by the worker (and logged then, M-3).
        row = queue_page(request, kind="archive.zip", title=_("档案包 %(n)s") % {"n": record.number})
        return redirect("core:download_status", pk=row.pk)
    try:
        data = actions.packet(viewer=actor(request), record=record)
    except NotAllowed as exc:
        raise PermissionDenied from exc
    return _attachment(data, f"{record.number}.zip", "application/zip")


def _queue_packet(request: HttpRequest, record: ArchiveRecord) -> bool:
    """More files than OMS_PACKET_INLINE_FILES (the summary PDF and the documents), asked by
    someone who may read the record, and not already the worker's own run."""
    if in_background(request) or not permissions.reading(actor(request), record).allowed:
        return False
    return 1 + len(contents.files(record.order)) > settings.OMS_PACKET_INLINE_FILES


@login_required
def download(request: HttpRequest, pk: int, n: int) -> HttpResponse:
    """One document of the archived order, logged (M-3)."""
    record, access = _readable(request, pk)
    found = contents.files(record.order)
    if not 0 <= n < len(found):
        raise Http404
    item = found[n]
    try:
        data = item.read()
    except FileNotFoundError as exc:
        raise Http404 from exc
    actions.log_access(
        user=actor(request), record=record, kind=AccessKind.FILE, detail=item.name, grant=access.grant
    )
    return _attachment(data, item.name.rsplit("/", 1)[-1], "application/octet-stream")


@login_required
@require_POST
def request_access(request: HttpRequest, pk: int) -> HttpResponse:
    record = _record(request, pk)
    attempt(
        request,
        lambda: actions.request_access(
            actor=actor(request), record=record, **cleaned(ReasonForm(request.POST))
        ),
        _("查询申请已提交，等待部门负责人审批。"),
    )
    return redirect("archive:detail", pk=record.pk)


@login_required
@require_POST
def disposal(request: HttpRequest, pk: int) -> HttpResponse:
    """M-2: request, approve or refuse disposal of a record whose retention has ended."""
    record = _record(request, pk)
    verb = request.POST.get("verb", "")
    if verb not in {"request_disposal", "approve_disposal", "refuse_disposal"}:
        raise Http404

    def decide() -> object:
        note = cleaned(ReasonForm(request.POST))["reason"]
        if verb == "request_disposal":
            return actions.request_disposal(actor=actor(request), record=record, reason=note)
        approve = verb == "approve_disposal"
        return actions.decide_disposal(actor=actor(request), record=record, approve=approve, note=note)

    attempt(request, decide, _("已处理。"))
    return redirect("archive:detail", pk=record.pk)


def _access_decision(post: Any) -> dict[str, Any]:
    given = cleaned(AccessDecisionForm(post))
    return {"note": given["reason"], "version": given["version"] or 0}


@login_required
def access_request(request: HttpRequest, pk: int) -> HttpResponse:
    """M-3: one query request; its approver decides here."""
    found = visible_or_404(selectors.requests_for(request.user), pk)
    user = actor(request)
    if request.method == "POST":
        verb = request.POST.get("verb", "")
        if verb not in {"approve_access", "refuse_access"}:
            raise Http404
        given = request.POST
        attempt(
            request,
            lambda: actions.decide_access(
                actor=user, request=found, approve=verb == "approve_access", **_access_decision(given)
            ),
            _("已处理。"),
        )
        return redirect("archive:request", pk=found.pk)
    return render(
        request,
        "archive/request.html",
        {
            "item": found,
            "decisions": states.ACCESS.available(found, user),
            "active": found.active(timezone.now()),
        },
    )
