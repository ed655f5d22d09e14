"""The order page (H-1, B-6): status, flags, lines, the check's figures, deadlines, timeline and
audit history, then one panel per process stage as the stage's app registered it; the order's
transitions, its original document and its versions (I-4). Thin: selectors read, actions write."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from oms.accounts.permissions import redact
from oms.core import params, registry
from oms.engine import workflow
from oms.intake import actions as intake
from oms.orders import permissions, states, versions
from oms.orders.forms import ReasonForm
from oms.orders.history import entries
from oms.orders.models import EDITABLE_STATUSES, SalesOrder
from oms.orders.report import check_report
from oms.orders.selectors import lines_of, order_detail
from oms.orders.views import order_or_404
from oms.policy.visibility import visible_field_groups
from oms.review import actions as review_actions
from oms.tracking.selectors import open_items_of
from oms.web.listing import watermark
from oms.web.pages import actor as _actor
from oms.web.verbs import back_to
from oms.workbench import selectors, tabs, toolbar

# B-6: the check's figures are shown while the check (or management's decision) is open.
_CHECKED_STATUSES = frozenset({"pending_check", "awaiting_decision"})


def _frame_context(request: HttpRequest, order: SalesOrder) -> dict[str, Any]:
    """What every tab shows around it: the header with the stage bar, the toolbar, the tabs."""
    user = _actor(request)
    report = check_report(order) if order.status in _CHECKED_STATUSES else None
    offered = toolbar.actions(order, user, check_blocked=bool(report and report.blocking))
    return {
        "order": order,
        "items": list(open_items_of(order)),
        "report": report,
        "toolbar": offered,
        "toolbar_takes_reason": any(a.takes_reason for a in offered),
        "own_decisions": [str(t.label) for t in states.ORDER.refused_to_raiser(order, user)],
        "can_edit": order.status in EDITABLE_STATUSES and permissions.can_renegotiate(user, order),
        "can_copy": permissions.can_enter_orders(user),
        "show_prices": "price" in visible_field_groups(user),
        "tabs": tabs.TABS,
    }


def _info(request: HttpRequest, order: SalesOrder, frame: dict[str, Any]) -> dict[str, Any]:
    return {"time_left": selectors.hours_left(frame["items"])}


def _lines(request: HttpRequest, order: SalesOrder, frame: dict[str, Any]) -> dict[str, Any]:
    return {"lines": list(lines_of(order))}


def _records(request: HttpRequest, order: SalesOrder, frame: dict[str, Any]) -> dict[str, Any]:
    """The status timeline and the audit history of the order."""
    events = selectors.order_events(order)
    groups = visible_field_groups(request.user)
    # S-1: the history shows only what the viewer may see of the recorded values.
    history = entries(
        [(e, redact(e.before, groups), redact(e.after, groups), selectors.who(e)) for e in events], order
    )
    return {"history": history, "timeline": selectors.timeline(events)}


# What the page itself shows in a tab, before the panels registered for it.
_OWN: dict[str, Callable[[HttpRequest, SalesOrder, dict[str, Any]], dict[str, Any]]] = {
    "info": _info,
    "lines": _lines,
    "records": _records,
}


def _panels(
    request: HttpRequest, order: SalesOrder, tab: str
) -> tuple[list[registry.OrderPanel], dict[str, Any]]:
    """The tab's registered panels that have something to show, in order, and the names they read
    (only this tab's: the others are read when chosen)."""
    shown: list[registry.OrderPanel] = []
    context: dict[str, Any] = {}
    for panel in tabs.panels_of(tab, registry.order_panels):
        found = panel.context(request, order)
        if found is not None:
            shown.append(panel)
            context.update(found)
    return shown, context


@login_required
def order_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The order as a document (H-1, B-6; issue 23, point 5): the header with the stage bar, the
    toolbar of what the user may do now, and one tab of it at a time, only that tab's panels
    read; an htmx request (a tab chosen, a form posted in place) gets the tab alone, with the
    header, toolbar and tabs refreshed beside it."""
    order = order_detail(request.user, pk)
    if order is None:
        # M-3: an archived order is read in the archive; the archive's middleware leads this link
        # there (the index card and the query request form), never to its contents.
        raise Http404
    tab = tabs.chosen(request, order)
    context = _frame_context(request, order)
    context["tab"] = tab
    own = _OWN.get(tab)
    if own is not None:
        context.update(own(request, order, context))
    panels, panel_context = _panels(request, order, tab)
    context.update(panel_context)
    context["panels"] = panels
    if tabs.is_partial(request):
        response = render(request, "workbench/_order_partial.html", {**context, "partial": True})
        # Whatever element posted, the answer is the tab (a refused form answers for itself).
        response["HX-Retarget"] = "#order-pane"
        response["HX-Reswap"] = "outerHTML"
    else:
        response = render(
            request, "workbench/order_detail.html", {**context, "watermark": watermark(request.user)}
        )
    patch_vary_headers(response, ["HX-Request"])
    return response


@dataclass(frozen=True)
class Verb:
    """One button of the order page: the action it runs, whether it passes the typed reason,
    and any fixed arguments (e.g. management's accept and decline are one action)."""

    action: Callable[..., Any]
    takes_reason: bool = True
    fixed: Mapping[str, Any] = field(default_factory=dict)

    def run(self, actor: Any, order: SalesOrder, reason: str) -> Any:
        extra = {"reason": reason} if self.takes_reason else {}
        return self.action(actor=actor, order=order, **self.fixed, **extra)


# Transition name (states.ORDER) → the action that takes it, one table for every order verb.
VERBS: dict[str, Verb] = {
    "submit": Verb(intake.submit_order, takes_reason=False),
    "cancel_draft": Verb(intake.cancel_draft),
    "pass_check": Verb(intake.pass_check),
    "request_info": Verb(intake.request_info),
    "complete_info": Verb(intake.complete_info),
    "escalate": Verb(intake.escalate),
    "accept": Verb(intake.decide, fixed={"accept": True}),
    "decline": Verb(intake.decide, fixed={"accept": False}),
    "resubmit_review": Verb(review_actions.resubmit_for_review),
    "cancel_after_review": Verb(review_actions.cancel_after_review),
}


def apply_verb(request: HttpRequest, order: SalesOrder, verb: str, reason: str = "") -> HttpResponse:
    """Run the verb, say how it went, and return to the order page."""
    try:
        VERBS[verb].run(_actor(request), order, reason)
    except workflow.WorkflowError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("%(t)s：已完成。") % {"t": states.ORDER.transitions[verb].label})
    return back_to(request, reverse("workbench:order_detail", args=[order.pk]))


@login_required
@require_POST
def order_transition(request: HttpRequest, pk: int, verb: str) -> HttpResponse:
    order = order_detail(request.user, pk)
    if order is None or verb not in VERBS:
        raise Http404
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    return apply_verb(request, order, verb, reason)


@login_required
def original_document(request: HttpRequest, pk: int) -> FileResponse:
    """B-5: the customer's original document, for whoever may see the order."""
    order = order_detail(request.user, pk)
    if order is None or not order.original_document:
        raise Http404
    return FileResponse(
        order.original_document.open("rb"),
        as_attachment=True,
        filename=Path(order.original_document.name or "document").name,
    )


@login_required
def order_versions(request: HttpRequest, pk: int) -> HttpResponse:
    """I-4: the order's versions and the difference between any two (default: the last two)."""
    order = order_or_404(request, pk)
    all_versions = list(order.versions.select_related("created_by").order_by("number"))
    numbers = [v.number for v in all_versions]
    b = params.int_param(request, "b", numbers[-1] if numbers else 0)
    a = params.int_param(request, "a", numbers[-2] if len(numbers) > 1 else b)
    by_number = {v.number: v for v in all_versions}
    difference = (
        versions.diff(by_number[a].snapshot, by_number[b].snapshot)
        if a in by_number and b in by_number
        else None
    )
    labels = {
        f: getattr(SalesOrder._meta.get_field(f.removesuffix("_id")), "verbose_name", f)
        for f in versions.TERMS
    }
    return render(
        request,
        "workbench/versions.html",
        {
            "order": order,
            "versions": all_versions,
            "a": a,
            "b": b,
            "diff": difference,
            "labels": labels,
            "show_prices": "price" in visible_field_groups(request.user),
        },
    )
