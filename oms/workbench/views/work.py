"""My work (H-5, P-3, M-4): what waits on me, overdue first; a head also sees the department's
queue; documents handed to me that I have not signed for yet."""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from django.contrib.auth.decorators import login_required
from django.core.exceptions import EmptyResultSet
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import localize
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from oms.accounts.models import Department, User
from oms.contracts.models import Distribution
from oms.core import stamps
from oms.core.phrases import shown
from oms.tracking.models import WorkItem
from oms.tracking.selectors import department_queue, my_work, my_work_counts
from oms.web.listing import capped, first_keys_and_count
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
_PERSON = ("username", "first_name", "last_name")
# What a row prints (`_work_rows`), read as values: a page shows up to 200 steps, and each as a
# model with its assignee, department, type and escalation was five instances (issue 21).
_STEP_VALUES = (
    "title",
    "title_phrase",
    "content_type__model",
    "object_id",
    "due_at",
    "overdue",
    "department_id",
    "department__name",
    "assignee_id",
    *(f"assignee__{f}" for f in _PERSON),
    "escalated_to_id",
    *(f"escalated_to__{f}" for f in _PERSON),
)


class _Kind(NamedTuple):
    model: str


@dataclass(frozen=True, slots=True)
class _Step:
    """A step as `_work_rows` reads a `WorkItem`: its title in the reader's language, what it
    waits on, and its people and department as their names ("" for nobody)."""

    shown_title: str
    content_type: _Kind
    object_id: int
    due_at: datetime
    overdue: bool
    department: str
    assignee: str
    escalated_to_id: int | None
    escalated_to: str


def _target_patterns() -> dict[str, str]:
    """Each target's URL reversed once per page, as a pattern a row fills with its key."""
    return {
        model: reverse(name, args=[_KEY_MARK]).replace(str(_KEY_MARK), "{}")
        for model, name in _TARGET_URL_NAMES.items()
    }


@dataclass(frozen=True, slots=True)
class _Page:
    """A list's first `WORK_PAGE` steps and how many of its steps there are, counted no further
    than `COUNT_CAP` (`capped`: whether there are more)."""

    steps: list[_Step]
    found: int = 0
    capped: bool = False

    @property
    def more(self) -> str | int:
        """How many more steps wait than are shown ("1000+" past the cap; issue 21)."""
        if len(self.steps) < WORK_PAGE:
            return 0
        left = self.found - len(self.steps)
        return f"{left}+" if self.capped else left


def _pages(lists: Sequence[QuerySet[WorkItem]]) -> list[_Page]:
    """The first `WORK_PAGE` steps of each list as rows print them, each list with its count
    (`_page`); names and types worked out once for the page."""
    people: dict[int | None, str] = {None: ""}
    departments: dict[int, str] = {}
    kinds: dict[str, _Kind] = {}
    return [_page(qs, people, departments, kinds) for qs in lists]


def _page(
    qs: QuerySet[WorkItem],
    people: dict[int | None, str],
    departments: dict[int, str],
    kinds: dict[str, _Kind],
) -> _Page:
    """The first `WORK_PAGE` steps of `qs` as rows print them and how many steps it has, in one
    statement (issue 21: a head's page read each list's steps and counted each list apart; the
    count is a column run once, `first_keys_and_count`). The steps are chosen first, by their keys
    in the queue's index order, and only those are joined to their people, department and type:
    joined before the limit, a head's thousand open steps were all joined and then sorted (10-18
    ms in the database at 10^6 orders, 1-2 ms this way). Names are the models' own (`str()` of
    the user and the department), each worked out once per page."""
    if qs.query.is_empty():
        return _Page([])
    # The change stamps too, unless the request knows them: the steps' working time left reads
    # the calendar kept under its stamp next (`stamps.priming`; one statement fewer).
    tokens = stamps.priming()
    try:
        chosen, found = first_keys_and_count(qs, WORK_PAGE)
    except EmptyResultSet:  # a filter nothing can match (a head of no department): nothing to read
        return _Page([])
    riders = {"oms_found": found, **({"oms_stamps": tokens} if tokens is not None else {})}
    rows = (
        WorkItem.objects.filter(pk__in=chosen)
        .annotate(**riders)
        .order_by(*qs.query.order_by)
        .values_list(*_STEP_VALUES, *riders)
    )
    width = len(_STEP_VALUES)
    steps = []
    extra: Any = ()
    for row in rows:
        title, phrase, kind, object_id, due_at, overdue, dept_id, dept_name, *persons = row[:width]
        extra = row[width:]
        for pk, username, first, last in (persons[:4], persons[4:]):
            if pk not in people:
                people[pk] = str(User(pk=pk, username=username, first_name=first, last_name=last))
        if dept_id not in departments:
            departments[dept_id] = str(Department(pk=dept_id, name=dept_name))
        steps.append(
            _Step(
                shown_title=shown(title, phrase),
                content_type=kinds.setdefault(kind, _Kind(kind)),
                object_id=object_id,
                due_at=due_at,
                overdue=overdue,
                department=departments[dept_id],
                assignee=people[persons[0]],
                escalated_to_id=persons[4],
                escalated_to=people[persons[4]],
            )
        )
    if not extra:
        return _Page(steps)
    if tokens is not None:
        stamps.prime(extra[1])
    return _Page(steps, *capped(extra[0]))


def _first(qs: QuerySet[WorkItem]) -> list[_Step]:
    """The first `WORK_PAGE` steps of `qs` as rows print them (`_pages`)."""
    return _pages([qs])[0].steps


def _work_rows(
    items: Sequence[WorkItem | _Step], patterns: dict[str, str] | None = None
) -> list[dict[str, Any]]:
    """Rows ready to print: a row costs no template lookups or URL reversals (H-5 at 10^5 orders);
    each carries its HTML (`html`), built here with the page's phrases translated once: the
    template's nodes and translations per row were most of the page (issue 21)."""
    patterns = patterns if patterns is not None else _target_patterns()
    phrases = _Phrases()
    tz = timezone.get_current_timezone()  # `localtime()` asks it per call: 400 calls a page
    rows = []
    for item, left in hours_left(items):
        pattern = patterns.get(item.content_type.model)
        rows.append(
            {
                "title": item.shown_title,
                "url": pattern.format(item.object_id) if pattern else "",
                "responsible": str(item.assignee or item.department),
                "due": item.due_at.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
                "late": item.overdue or (left is not None and left.late),
                "left": left.hours if left is not None else None,
                # Outside working time the clock waits (issue 23): say from when it runs again.
                "resumes": left.resumes.astimezone(tz).strftime("%m-%d %H:%M")
                if left is not None and left.resumes
                else "",
                "escalated_to": str(item.escalated_to) if item.escalated_to_id else "",
            }
        )
        rows[-1]["html"] = phrases.row(rows[-1])
    return rows


class _Phrases:
    """What `_work_table.html` printed per row, its phrases translated once per page."""

    def __init__(self) -> None:
        self.late = _("已超时")
        self.escalated = _("已上报 %(u)s")
        self.left = _("剩余 %(h)s 工作小时")
        self.paused = _("（非工作时间，%(t)s 起计时）")

    def row(self, r: dict[str, Any]) -> SafeString:
        title = f'<a href="{_e(r["url"])}">{_e(r["title"])}</a>' if r["url"] else _e(r["title"])
        if r["late"]:
            escalated = "，" + self.escalated % {"u": r["escalated_to"]} if r["escalated_to"] else ""
            left = f'<span class="text-danger">{_e(self.late)}{_e(escalated)}</span>'
        elif r["left"] is None:
            left = "—"
        else:
            left = _e(self.left % {"h": localize(r["left"])})
            if r["resumes"]:
                paused = _e(self.paused % {"t": r["resumes"]})
                left = f'{left} <span class="text-muted" data-testid="paused">{paused}</span>'
        late = ' class="table-danger"' if r["late"] else ""
        return mark_safe(  # noqa: S308 - every value escaped above
            f"<tr{late}><td>{title}</td><td>{_e(r['responsible'])}</td><td>{_e(r['due'])}</td><td>{left}</td></tr>"
        )


def _e(value: Any) -> str:
    """`{{ value }}`: escaped unless already safe HTML (Django's `conditional_escape`, without its
    lazy-string wrapper: 600 calls a page)."""
    return str(value) if hasattr(value, "__html__") else html.escape(str(value))


@login_required
def work(request: HttpRequest) -> HttpResponse:
    """H-5, P-3: what waits on me, overdue first; a head also sees the department's queue."""
    mine_page, queue_page = _pages([my_work(request.user), department_queue(request.user)])
    mine, queue = mine_page.steps, queue_page.steps
    # M-4: documents handed to me that I have not signed for yet.
    receipts = list(
        Distribution.objects.filter(recipient_id=request.user.pk, acknowledged_at__isnull=True)
        .select_related("document")
        .order_by("distributed_at")[:WORK_PAGE]
    )
    patterns = _target_patterns()
    mine_rows, queue_rows = _work_rows(mine, patterns), _work_rows(queue, patterns)
    return render(
        request,
        "workbench/work.html",
        {
            "receipts": receipts,
            "mine": mine_rows,
            "queue": queue_rows,
            # The rows' HTML joined here, one line each as the table's loop printed them: 200
            # iterations of a template loop were a tenth of the page (issue 21).
            "mine_html": mark_safe("".join(f"{r['html']}\n" for r in mine_rows)),  # noqa: S308 - escaped rows
            "queue_html": mark_safe("".join(f"{r['html']}\n" for r in queue_rows)),  # noqa: S308 - escaped rows
            "mine_more": mine_page.more,
            "queue_more": queue_page.more,
        },
    )


def home_counts(request: HttpRequest) -> dict[str, Any] | None:
    """H-5 (issue 23): the start page counts what waits on the user by kind (one grouped query)."""
    if getattr(request.user, "is_customer", False):
        return None
    return {"counts": my_work_counts(request.user), "work_url": reverse("workbench:work")}
