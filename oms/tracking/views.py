"""Tracking pages: the order's ledger and exceptions (H-2, H-4) and the management overview (H-6)."""

from __future__ import annotations

from functools import cached_property
from html import escape
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from oms.accounts.models import Role
from oms.core import params
from oms.core.errors import ActionError, NotAllowed
from oms.core.forms import cleaned
from oms.engine import workflow
from oms.orders.selectors import orders_for
from oms.orders.views import order_or_404
from oms.tracking import actions, selectors, states
from oms.tracking.forms import EntryForm, ExceptionChoiceForm, ExceptionForm, ResolutionForm
from oms.tracking.models import OrderException
from oms.tracking.permissions import READ_ONLY_REFUSED, can_write_tracking
from oms.web.listing import CappedPaginator, capped_count
from oms.web.pages import actor as acting_user
from oms.web.pages import flash_refusal

# The panel's verbs (the write probe, tests/test_write_probe.py, tries each as the auditor).
VERBS = ("entry", "exception", "resolve")


@login_required
@require_POST
def order_tracking(request: HttpRequest, pk: int, verb: str) -> HttpResponse:
    """H-2, H-4: a ledger entry, an exception raised or resolved. Who may is asked before the
    input is read (S-1, issue 23): an auditor is refused, not told what the form lacks; a
    resolution by the exception's raiser (P-5) likewise."""
    order = order_or_404(request, pk)
    actor = acting_user(request)
    if verb not in VERBS:
        raise Http404
    try:
        if not can_write_tracking(actor):
            raise NotAllowed(str(READ_ONLY_REFUSED))
        if verb == "entry":
            actions.add_entry(actor=actor, order=order, **cleaned(EntryForm(request.POST)))
        elif verb == "exception":
            actions.raise_exception(actor=actor, order=order, **cleaned(ExceptionForm(request.POST)))
        else:
            picked = cleaned(ExceptionChoiceForm(request.POST))["exception"] or 0
            exception = get_object_or_404(OrderException, pk=picked, order=order)
            workflow.check_actor(states.RESOLVE, exception, actor)
            actions.resolve_exception(
                actor=actor, exception=exception, **cleaned(ResolutionForm(request.POST))
            )
        messages.success(request, _("已完成。"))
    except (ActionError, workflow.WorkflowError) as exc:
        flash_refusal(request, exc)
    return redirect("workbench:order_detail", pk=order.pk)


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    """H-6: every open order the viewer may see, at-risk first."""
    if acting_user(request).role not in {Role.HEAD, Role.EXECUTIVE, Role.ADMIN, Role.AUDITOR}:
        raise Http404
    number = params.page_param(request)
    orders = orders_for(request.user)
    page = _OverviewPaginator(
        selectors.overview_columns(request.user, orders),
        50,
        number=number,
        counted=selectors.overview(request.user, orders),
    ).get_page(number)
    page.object_list = selectors.overview_rows(page.object_list)
    return render(request, "tracking/overview.html", {"page": page, "rows": _overview_html(page.object_list)})


class _OverviewPaginator(CappedPaginator):
    """Pages the overview's columns but counts the orders alone: counted through the columns,
    the count joined each order's customer and salesperson (10 ms for a head at 10^6 orders,
    against 2 ms for the orders' index and the archive probe, issue 21)."""

    def __init__(self, object_list: Any, per_page: int, *, number: int, counted: Any) -> None:
        super().__init__(object_list, per_page, number=number)
        self._counted = counted

    @cached_property
    def count(self) -> int:
        found, self.capped = capped_count(self._counted, at_least=self._wanted * self.per_page, cap=self.cap)
        return found + 1 if self.capped else found


def _overview_html(rows: list[selectors.OverviewRow]) -> SafeString:
    """The overview's rows written out at once (issue 21: the template engine's lookups and
    filters per cell were most of the page's time); every text escaped."""
    late, idle = escape(_("超时")), escape(_("无进展"))
    cells = []
    for o in rows:
        badges = f'<span class="badge text-bg-danger">{late}</span> ' if o.risk_late else ""
        if o.risk_exceptions:
            n = escape(_("异常 %(n)s") % {"n": o.risk_exceptions})
            badges += f'<span class="badge text-bg-warning">{n}</span> '
        if o.risk_idle:
            badges += f'<span class="badge text-bg-secondary">{idle}</span>'
        warn = ' class="table-warning"' if o.risk_late or o.risk_exceptions else ""
        due = f"{o.delivery_date:%Y-%m-%d}" if o.delivery_date else ""
        cells.append(
            f'<tr{warn}><td><a href="{reverse("workbench:order_detail", args=[o.pk])}">{escape(o.number)}</a>'
            f"</td><td>{escape(o.customer)}</td><td>{escape(o.status)}</td><td>{escape(o.stage)}</td>"
            f"<td>{due}</td><td>{badges}</td><td>{escape(o.salesperson)}</td></tr>"
        )
    return mark_safe("".join(cells))  # noqa: S308 — every text escaped above
