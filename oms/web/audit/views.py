from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from oms.accounts.permissions import can_verify_audit, can_view_audit
from oms.audit.models import AuditEvent
from oms.audit.verify import verify_chain
from oms.web.listing import Column, ListPage, ListSpec

AUDIT_SPEC = ListSpec(
    model=AuditEvent,
    prefix="audit:event",
    title=gettext_lazy("审计日志"),
    columns=[
        Column("occurred_at"),
        Column("actor_name"),
        Column("action"),
        Column("object_type"),
        Column("object_repr"),
        Column("before", sortable=False),
        Column("after", sortable=False),
        Column("reason", sortable=False),
        Column("request_id", sortable=False),
    ],
    selector=lambda user: AuditEvent.objects.all() if can_view_audit(user) else AuditEvent.objects.none(),
    search_fields=("actor_name", "action", "object_type", "object_id", "object_repr", "request_id"),
    actions_template="audit/verify_button.html",
)

_LIST_PAGE = ListPage.as_view(spec=AUDIT_SPEC)


@login_required
def verify(request: HttpRequest) -> HttpResponse:
    """S-2: recompute the chain from the first event, check it against the anchors; report the first
    break and what is missing."""
    if not can_verify_audit(request.user):
        raise Http404
    if request.method != "POST":
        return redirect("audit:list")
    report = verify_chain()
    if report.ok:
        messages.success(request, _("审计链完整：已校验 %(n)s 条记录。") % {"n": report.checked})
        messages.info(request, report.summary())
    elif report.broken_at is not None:
        messages.error(
            request,
            _("审计链在第 %(id)s 条记录处断裂：%(p)s")
            % {"id": report.broken_at, "p": "; ".join(report.problems)},
        )
    else:
        # S-2: a shortened chain (events missing after an anchor) or a failed access-log check.
        messages.error(request, _("审计链校验未通过：%(p)s") % {"p": "; ".join(report.problems)})
    return redirect("audit:list")


@login_required
def event_list(request: HttpRequest) -> HttpResponseBase:
    if not can_view_audit(request.user):
        raise Http404
    return _LIST_PAGE(request)
