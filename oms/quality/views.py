"""Quality forms on the order page and the statistics page (G-3)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from oms.accounts.models import User
from oms.core import params
from oms.core.errors import ActionError, FieldErrors
from oms.engine import workflow
from oms.orders.selectors import order_detail
from oms.quality import actions, states
from oms.quality.models import InspectionPlan, NonConformance


@login_required
@require_POST
def quality(request: HttpRequest, pk: int, verb: str) -> HttpResponse:
    order = order_detail(request.user, pk)
    if order is None:
        raise Http404
    assert isinstance(request.user, User)
    actor = request.user
    try:
        if verb == "plan":
            rows = [line.split("|") for line in request.POST.get("plan", "").splitlines() if line.strip()]
            actions.set_plan(
                actor=actor,
                order=order,
                items=[
                    {
                        "item": r[0],
                        "method": r[1] if len(r) > 1 else "",
                        "frequency": r[2] if len(r) > 2 else "",
                    }
                    for r in rows
                ],
            )
        elif verb == "inspect":
            plan = InspectionPlan.objects.filter(order=order).first()
            names = plan.item_names() if plan else []
            actions.record_inspection(
                actor=actor,
                order=order,
                stage=request.POST.get("stage", ""),
                product_id=int(request.POST.get("product") or 0),
                results={n: request.POST.get(f"item-{i}", "") for i, n in enumerate(names)},
                passed=request.POST.get("passed") == "yes",
                severe=request.POST.get("severe") == "on",
                notes=request.POST.get("notes", ""),
            )
        elif verb in {"decide", "verify", "close"}:
            nc = get_object_or_404(NonConformance, pk=request.POST.get("nc") or 0, order=order)
            text = request.POST.get("text", "")
            if verb == "decide":
                actions.decide_action(actor=actor, nc=nc, action=text)
            elif verb == "verify":
                actions.verify(actor=actor, nc=nc, verification=text)
            else:
                actions.close(actor=actor, nc=nc)
        elif verb == "resume":
            actions.resume(actor=actor, order=order, reason=request.POST.get("text", ""))
        else:
            raise Http404
        messages.success(request, _("已完成。"))
    except FieldErrors as exc:
        for msgs in exc.errors.values():
            for m in msgs:
                messages.error(request, m)
    except (ActionError, workflow.WorkflowError) as exc:
        messages.error(request, exc.message)
    return redirect("workbench:order_detail", pk=order.pk)


@login_required
def statistics(request: HttpRequest) -> HttpResponse:
    """G-3: inspections and failures per product and month."""
    if not states.in_quality(request.user) and getattr(request.user, "role", "") not in {"head", "auditor"}:
        raise Http404
    year = params.year_param(request, timezone.localdate().year)
    return render(request, "quality/statistics.html", {"year": year, "rows": actions.statistics(year=year)})
