"""Pages of review, approval and confirmation. Thin: selectors read, actions write."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from oms.accounts.models import DepartmentKind, User
from oms.core.errors import ActionError, FieldErrors
from oms.core.forms import add_errors, cleaned
from oms.core.printing import pdf_response
from oms.engine import workflow
from oms.orders import states as order_states
from oms.orders.models import SalesOrder
from oms.orders.permissions import can_renegotiate
from oms.orders.selectors import order_detail
from oms.orders.views import issue_order_link, order_or_404
from oms.policy.visibility import visible_field_groups
from oms.review import actions, selectors
from oms.review.forms import (
    ApprovalDecisionForm,
    BatchDecisionForm,
    ConfirmationForm,
    FailureCauseForm,
    LinkConfirmationForm,
    OpinionForm,
    ReassignForm,
)
from oms.review.models import ApprovalStep, ReviewRound, ReviewTask, TaskStatus, Verdict
from oms.web.pages import actor as acting_user
from oms.web.pages import attempt, flash_refusal, visible_or_404
from oms.web.verbs import Gate, Verb, input_form, post_verb, refused_page_of


@login_required
def task_list(request: HttpRequest) -> HttpResponse:
    tasks = list(selectors.review_tasks_for(request.user)[:200])
    return render(request, "review/task_list.html", {"tasks": tasks})


@login_required
def task_page(request: HttpRequest, pk: int) -> HttpResponse:
    """C-2, C-5: what the department judges, and its verdict."""
    task = visible_or_404(selectors.review_tasks_for(request.user), pk)
    actor = acting_user(request)
    form = OpinionForm()
    if request.method == "POST" and request.POST.get("verb") == "reassign":
        _reassign(request, actor, task)
        return redirect("review:task", pk=task.pk)
    if request.method == "POST":
        form = OpinionForm(request.POST, request.FILES)
        try:
            if form.is_valid():
                actions.give_opinion(actor=actor, task=task, **form.cleaned_data)
                messages.success(request, _("已提交评审意见。"))
                return redirect("workbench:order_detail", pk=task.round.order_id)
        except FieldErrors as exc:
            add_errors(form, exc)
        except (ActionError, workflow.WorkflowError) as exc:
            flash_refusal(request, exc)
            return redirect("review:task", pk=task.pk)
    return _task_page(request, actor, task, form)


def _reassign(request: HttpRequest, actor: User, task: ReviewTask) -> None:
    """C-3: the superior hands the task to a colleague; a refusal is shown on the task page."""
    attempt(
        request,
        lambda: actions.reassign_task(
            actor=actor, task=task, assignee=cleaned(ReassignForm(request.POST))["assignee"]
        ),
        _("已改派。"),
    )


def _task_page(request: HttpRequest, actor: User, task: ReviewTask, form: OpinionForm) -> HttpResponse:
    """The task page, with the opinion form as the reviewer filled it when it was refused."""
    order = task.round.order
    return render(
        request,
        "review/task.html",
        {
            "task": task,
            "order": order,
            "form": form,
            "view": selectors.department_view(task),
            "groups": visible_field_groups(actor),
            "focus": selectors.KIND_FOCUS.get(DepartmentKind(task.department_kind))
            if task.department_kind in DepartmentKind.values
            else "",
            "verdicts": Verdict.choices,
            "can_decide": task.status == TaskStatus.OPEN and actions.may_give_opinion(actor, task),
            "colleagues": User.objects.filter(department_id=task.department_id, is_active=True).order_by(
                "username"
            ),
            "peers": [
                t for t in task.round.tasks.select_related("department", "assignee").order_by("stage", "pk")
            ],
        },
        status=422 if form.errors else 200,
    )


@login_required
def approval_step(request: HttpRequest, pk: int) -> HttpResponse:
    """From "my work" to the order page, where the step is signed."""
    step = get_object_or_404(ApprovalStep, pk=pk)
    return redirect("workbench:order_detail", pk=step.order_id)


# The decisions posted from the order page's review panel (C-6, D-1, D-2). A refused one comes
# back on its own page with what was typed and the messages beside its fields (issue 22, P-1).
def _decide(actor: User, step: ApprovalStep, form: ApprovalDecisionForm) -> object:
    return actions.decide_step(actor=actor, step=step, **form.cleaned_data)


def _approval_form(step: ApprovalStep, data: QueryDict, files: Any) -> ApprovalDecisionForm:
    # D-1: the button pressed is the decision.
    return ApprovalDecisionForm({**data.dict(), "approve": data.get("verb") == "approve"})


def _confirm(actor: User, order: SalesOrder, form: ConfirmationForm) -> object:
    return actions.record_confirmation(actor=actor, order=order, **form.cleaned_data)


def _cause(actor: User, rnd: ReviewRound, form: FailureCauseForm) -> object:
    return actions.record_failure_cause(actor=actor, rnd=rnd, **form.cleaned_data)


# Who may post each, asked before the form is read (S-1, P-5); the actions ask again under the lock.
PANEL_VERBS: dict[str, Verb] = {
    "decide": Verb(
        _decide,
        _approval_form,
        "review/forms/_approval.html",
        lambda r, x: _("已审批。"),
        gate=Gate(actions.may_sign, gettext_lazy("只有该步骤的审批人可以审批。")),
    ),
    "confirm": Verb(
        _confirm,
        input_form(ConfirmationForm),
        "review/forms/_confirmation.html",
        lambda r, x: _("已记录客户确认。"),
        gate=Gate(
            lambda user, order: workflow.may(order_states.CONFIRM, order, user),
            gettext_lazy("只有负责该订单的销售可以记录客户确认。"),
        ),
    ),
    "cause": Verb(
        _cause,
        input_form(FailureCauseForm),
        "review/forms/_failure_cause.html",
        lambda r, x: _("已记录。"),
        gate=Gate(
            lambda user, rnd: can_renegotiate(user, rnd.order), gettext_lazy("只有销售可以记录失败原因。")
        ),
    ),
}


def _post(request: HttpRequest, verb: str, target: Any, order_id: int) -> HttpResponse:
    return post_verb(
        request,
        verbs=PANEL_VERBS,
        verb=verb,
        target=target,
        back=reverse("workbench:order_detail", args=[order_id]),
        redisplay=_redisplay,
    )


# The refused form under the order's name, as typed, with each message beside its field.
_redisplay = refused_page_of(
    lambda request, target, verb, form: {"target": target},
    order_of=lambda target: target if isinstance(target, SalesOrder) else target.order,
)


@login_required
@require_POST
def approval_decide(request: HttpRequest, pk: int) -> HttpResponse:
    step = get_object_or_404(ApprovalStep.objects.select_related("order"), pk=pk)
    if order_detail(request.user, step.order_id) is None and step.approver_id != request.user.pk:
        raise Http404
    return _post(request, "decide", step, step.order_id)


@login_required
@require_POST
def record_confirmation(request: HttpRequest, pk: int) -> HttpResponse:
    order = order_or_404(request, pk)
    return _post(request, "confirm", order, order.pk)


@login_required
@require_POST
def confirmation_link(request: HttpRequest, pk: int) -> HttpResponse:
    shown = _("确认链接（只显示这一次，请发送给客户）：%(u)s")
    return issue_order_link(request, pk, actions.issue_confirmation_link, "review:confirm", shown)


@login_required
@require_POST
def failure_cause(request: HttpRequest, pk: int) -> HttpResponse:
    rnd = get_object_or_404(ReviewRound.objects.select_related("order"), pk=pk)
    order_or_404(request, rnd.order_id)
    return _post(request, "cause", rnd, rnd.order_id)


def _report_context(request: HttpRequest, pk: int) -> dict[str, Any]:
    rnd = get_object_or_404(
        ReviewRound.objects.select_related("order__customer", "order__salesperson"), pk=pk
    )
    order = order_or_404(request, rnd.order_id)
    tasks = list(rnd.tasks.select_related("department", "assignee", "decided_by").order_by("stage", "pk"))
    return {
        "round": rnd,
        "order": order,
        "tasks": tasks,
        "lines": list(order.lines.select_related("product").order_by("line_no")),
        "show_prices": "price" in visible_field_groups(request.user),
    }


@login_required
def report(request: HttpRequest, pk: int) -> HttpResponse:
    """C-5: the review report, kept with the order."""
    return render(request, "review/report.html", {**_report_context(request, pk), "standalone": False})


@login_required
def report_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """C-5: the same report as a PDF with Chinese fonts (WeasyPrint and Noto CJK), on the shared
    print base with the company header and seal area like every printed document."""
    context = _report_context(request, pk)
    context["company"] = context["order"].policy().company
    return pdf_response(
        "review/report_print.html",
        context,
        filename=f"review-{context['order'].number}-{context['round'].number}.pdf",
        request=request,
    )


def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """D-2: the customer's page behind the one-time link: the order and its terms, and a button."""
    link = actions.link_for(token)
    error = ""
    if request.method == "POST":
        try:
            actions.confirm_by_link(token=token, **cleaned(LinkConfirmationForm(request.POST)))
        except (ActionError, workflow.WorkflowError) as exc:
            error = exc.errors.get("name", [exc.message])[0] if isinstance(exc, FieldErrors) else exc.message
        else:
            return render(request, "review/confirm_done.html", {"order": link.order if link else None})
    if link is None:
        return render(request, "review/confirm_invalid.html", {"reason": _("确认链接无效。")}, status=404)
    if not error and link.used_at is not None:
        return render(
            request, "review/confirm_invalid.html", {"reason": _("该确认链接已使用过。")}, status=410
        )
    order = link.order
    return render(
        request,
        "review/confirm.html",
        {
            "order": order,
            "lines": list(order.lines.select_related("product").order_by("line_no")),
            "error": error,
            "link": link,
        },
        status=400 if error else 200,
    )


@login_required
def batch(request: HttpRequest) -> HttpResponse:
    """Issue 23 point 9: the user's open review tasks and approval steps with amount, margin and
    credit; approve or return the ticked ones with one reason, each through its own verb. The
    page comes back with each row's outcome; a refused row keeps its tick and says why."""
    actor = acting_user(request)
    form = BatchDecisionForm()
    outcomes: dict[str, actions.Outcome] = {}
    status = 200
    if request.method == "POST":
        form = BatchDecisionForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            done = actions.decide_many(
                actor=actor, keys=data["items"], approve=data["decision"] == "approve", reason=data["reason"]
            )
            outcomes = {o.key: o for o in done}
            decided = sum(o.done for o in done)
            if decided:
                messages.success(request, _("已处理 %(n)s 项。") % {"n": decided})
            if decided < len(done):
                messages.error(request, _("%(n)s 项未能处理，原因见各行。") % {"n": len(done) - decided})
                status = 422
        else:
            status = 400
    rows = selectors.pending_decisions(actor)
    ticked = set(request.POST.getlist("items")) if status != 200 else set()
    refused = {k: o.message for k, o in outcomes.items() if not o.done}
    return render(
        request,
        "review/batch.html",
        {
            "form": form,
            "rows": [(r, refused.get(r.key, ""), r.key in ticked) for r in rows],
            # Refused items no longer pending (decided meanwhile elsewhere) have no row to say why.
            "gone": [(k, m) for k, m in refused.items() if k not in {r.key for r in rows}],
            "groups": visible_field_groups(actor),
        },
        status=status,
    )
