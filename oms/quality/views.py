"""Quality forms on the order page and the statistics page (G-3): each verb is a form that parses
the input and a handler that calls the action with it (`oms.web.verbs`)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from oms.accounts.models import User
from oms.core import params
from oms.orders.models import SalesOrder
from oms.orders.views import order_form, post_order_verb
from oms.quality import actions, selectors, states
from oms.quality.forms import InspectionForm, InspectionPlanForm, NonConformanceForm, ResumeForm
from oms.quality.models import NCStatus, NonConformance
from oms.web.verbs import Gate, Verb, chosen, refused_page_of


def _plan(actor: User, order: SalesOrder, form: InspectionPlanForm) -> object:
    return actions.set_plan(actor=actor, order=order, items=form.items())


def _inspect(actor: User, order: SalesOrder, form: InspectionForm) -> object:
    data = form.cleaned_data
    return actions.record_inspection(
        actor=actor,
        order=order,
        stage=data["stage"],
        product_id=data["product"],
        results=form.results(),
        passed=data["passed"] == "yes",
        severe=data["severe"],
        notes=data["notes"],
    )


def _decide(actor: User, order: SalesOrder, form: NonConformanceForm) -> object:
    return actions.decide_action(actor=actor, nc=form.cleaned_data["nc"], action=form.cleaned_data["text"])


def _verify(actor: User, order: SalesOrder, form: NonConformanceForm) -> object:
    return actions.verify(actor=actor, nc=form.cleaned_data["nc"], verification=form.cleaned_data["text"])


def _close(actor: User, order: SalesOrder, form: NonConformanceForm) -> object:
    return actions.close(actor=actor, nc=form.cleaned_data["nc"])


def _resume(actor: User, order: SalesOrder, form: ResumeForm) -> object:
    return actions.resume(actor=actor, order=order, reason=form.cleaned_data["text"])


def _responsible_or_quality(user: Any, order: SalesOrder) -> bool:
    """G-3: quality, or the person responsible for one of the order's open non-conformances
    (`states.DECIDE`)."""
    return (
        states.in_quality(user)
        or NonConformance.objects.filter(order=order, responsible=user, status=NCStatus.OPENED).exists()
    )


# Who may post each verb, asked before its input is parsed (issue 23): the actions' own predicates.
_QUALITY = Gate(states.in_quality, gettext_lazy("只有质量部门可以做这件事。"))

VERBS: dict[str, Verb] = {
    "plan": Verb(_plan, order_form(InspectionPlanForm), "quality/forms/_plan.html", gate=_QUALITY),
    "inspect": Verb(_inspect, order_form(InspectionForm), "quality/forms/_inspect.html", gate=_QUALITY),
    "decide": Verb(
        _decide,
        order_form(NonConformanceForm),
        "quality/forms/_nc_step.html",
        gate=Gate(_responsible_or_quality, gettext_lazy("只有质量部门或不合格品的责任人可以确定处理措施。")),
    ),
    "verify": Verb(_verify, order_form(NonConformanceForm), "quality/forms/_nc_step.html", gate=_QUALITY),
    "close": Verb(_close, order_form(NonConformanceForm), gate=_QUALITY),
    "resume": Verb(_resume, order_form(ResumeForm), gate=_QUALITY),
}


@login_required
@require_POST
def quality(request: HttpRequest, pk: int, verb: str) -> HttpResponse:
    """G-3: one quality action posted from the order page."""
    return post_order_verb(request, pk, verb, verbs=VERBS, redisplay=_redisplay)


def _refused(request: HttpRequest, order: SalesOrder, verb: Verb, form: forms.Form) -> dict[str, Any]:
    """What the refused form's part of the page needs besides what was typed (nothing was saved)."""
    context = {
        **selectors.quality_of(order, request.user),
        "lines": list(order.lines.select_related("product").order_by("line_no")),
        "row": chosen(form, "nc"),
        "verb": next(k for k, v in VERBS.items() if v is verb),
    }
    if isinstance(form, InspectionForm):
        context["inspection_items"] = form.typed_items()
    return context


_redisplay = refused_page_of(_refused)


@login_required
def statistics(request: HttpRequest) -> HttpResponse:
    """G-3: inspections and failures per product and month."""
    if not states.in_quality(request.user) and getattr(request.user, "role", "") not in {"head", "auditor"}:
        raise Http404
    year = params.year_param(request, timezone.localdate().year)
    return render(request, "quality/statistics.html", {"year": year, "rows": actions.statistics(year=year)})
