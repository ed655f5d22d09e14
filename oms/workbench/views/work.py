"""My work (H-5, P-3, M-4): what waits on me, overdue first; a head also sees the department's
queue; documents handed to me that I have not signed for yet."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from oms.contracts.models import Distribution
from oms.tracking.models import WorkItem
from oms.tracking.selectors import department_queue, my_work, my_work_counts
from oms.web.listing import capped_count
from oms.workbench.selectors import hours_left

WORK_PAGE = 100
# The page a work item leads to, by the model it waits on.
_TARGET_URL_NAMES = {
    "salesorder": "workbench:order_detail",
    "inquiry": "intake:inquiry_detail",
    "reviewtask": "review:task",
    "approvalstep": "review:approval_step",
    "departmenttask": "fulfilment:task",
    "changerequest": "changes:request_detail",
    "changetask": "changes:task",
    "purchaseorder": "changes:purchase_order",
    "statement": "billing:statement",
    "invoice": "billing:invoice",
    "accessrequest": "archive:request",
}
# A key no record has, reversed once and replaced by each row's key.
_KEY_MARK = 987654321


def _target_patterns() -> dict[str, str]:
    """Each target's URL reversed once per page, as a pattern a row fills with its key."""
    return {
        model: reverse(name, args=[_KEY_MARK]).replace(str(_KEY_MARK), "{}")
        for model, name in _TARGET_URL_NAMES.items()
    }


def _more(qs: QuerySet[Any], shown: int) -> str | int:
    """How many more items wait than are shown, counted no further than `COUNT_CAP` (issue 21)."""
    if shown < WORK_PAGE:
        return 0
    found, capped = capped_count(qs)
    return f"{found - shown}+" if capped else found - shown


def _work_rows(items: list[WorkItem], patterns: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """Rows ready to print: a row costs no template lookups or URL reversals (H-5 at 10^5 orders)."""
    patterns = patterns if patterns is not None else _target_patterns()
    rows = []
    for item, left in hours_left(items):
        pattern = patterns.get(item.content_type.model)
        rows.append(
            {
                "title": item.shown_title,
                "url": pattern.format(item.object_id) if pattern else "",
                "responsible": str(item.assignee or item.department),
                "due": timezone.localtime(item.due_at).strftime("%Y-%m-%d %H:%M"),
                "late": item.overdue or (left is not None and left.late),
                "left": left.hours if left is not None else None,
                # Outside working time the clock waits (issue 23): say from when it runs again.
                "resumes": timezone.localtime(left.resumes).strftime("%m-%d %H:%M")
                if left is not None and left.resumes
                else "",
                "escalated_to": str(item.escalated_to) if item.escalated_to_id else "",
            }
        )
    return rows


@login_required
def work(request: HttpRequest) -> HttpResponse:
    """H-5, P-3: what waits on me, overdue first; a head also sees the department's queue."""
    mine_qs = my_work(request.user)
    queue_qs = department_queue(request.user)
    mine, queue = list(mine_qs[:WORK_PAGE]), list(queue_qs[:WORK_PAGE])
    # M-4: documents handed to me that I have not signed for yet.
    receipts = list(
        Distribution.objects.filter(recipient_id=request.user.pk, acknowledged_at__isnull=True)
        .select_related("document")
        .order_by("distributed_at")[:WORK_PAGE]
    )
    patterns = _target_patterns()
    return render(
        request,
        "workbench/work.html",
        {
            "receipts": receipts,
            "mine": _work_rows(mine, patterns),
            "queue": _work_rows(queue, patterns),
            "mine_more": _more(mine_qs, len(mine)),
            "queue_more": _more(queue_qs, len(queue)),
        },
    )


def home_counts(request: HttpRequest) -> dict[str, Any] | None:
    """H-5 (issue 23): the start page counts what waits on the user by kind (one grouped query)."""
    if getattr(request.user, "is_customer", False):
        return None
    return {"counts": my_work_counts(request.user), "work_url": reverse("workbench:work")}
