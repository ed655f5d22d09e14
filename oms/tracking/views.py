"""Tracking pages: the order's ledger and exceptions (H-2, H-4) and the management overview (H-6)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
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
from oms.web.listing import CappedPaginator
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
    page = CappedPaginator(
        selectors.overview(request.user, orders_for(request.user)), 50, number=number
    ).get_page(number)
    return render(request, "tracking/overview.html", {"page": page})
