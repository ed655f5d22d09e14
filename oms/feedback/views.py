"""Pages of customers' voice (N-1..N-3): thin; the selectors scope and the actions decide."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from oms.accounts.models import User
from oms.audit.models import AuditEvent
from oms.core.errors import ActionError, FieldErrors
from oms.core.forms import cleaned
from oms.core.tokens import expired
from oms.engine import workflow
from oms.feedback import actions, permissions, selectors, states
from oms.feedback.findings import findings
from oms.feedback.forms import (
    ComplaintForm,
    DecisionForm,
    ImprovementForm,
    SendSurveyForm,
    StepDecisionForm,
    SurveyForm,
    SurveyReportForm,
    answer_values,
    step_form,
)
from oms.feedback.models import (
    Complaint,
    ComplaintCategory,
    ImprovementAction,
    Invitation,
    Question,
    Survey,
)
from oms.policy.selectors import policy
from oms.web.listing import Column, ListSpec, table_xlsx
from oms.web.pages import actor, attempt, entry_page, flash_refusal, visible_or_404

COMPLAINT_SPEC = ListSpec(
    model=Complaint,
    prefix="feedback:complaint",
    title=gettext_lazy("客户投诉"),
    columns=[
        Column("number"),
        Column("order__number", gettext_lazy("订单号")),
        Column("order__customer__name", gettext_lazy("客户")),
        Column("category"),
        Column("status"),
        Column("handler", sortable=False),
        Column("received_at"),
        Column("answer_due_at"),
    ],
    selector=selectors.complaints_for,
    search_fields=("number", "order__number", "order__customer__name", "complainant"),
    filters=("category", "status"),
    date_field="received_at",
    detail_url_name="feedback:complaint",
    actions_template="feedback/_new_complaint_button.html",
)
SURVEY_SPEC = ListSpec(
    model=Survey,
    prefix="feedback:survey",
    title=gettext_lazy("满意度调查"),
    columns=[
        Column("number"),
        Column("title"),
        Column("period_start"),
        Column("period_end"),
        Column("status"),
        Column("sent_at"),
    ],
    selector=selectors.surveys_for,
    search_fields=("number", "title"),
    filters=("status",),
    date_field="created_at",
    detail_url_name="feedback:survey",
    can_view=permissions.can_see_surveys,
    actions_template="feedback/_new_survey_button.html",
)
INVITATION_SPEC = ListSpec(
    model=Invitation,
    prefix="feedback:invitation",
    title=gettext_lazy("调查邀请与订单评价"),
    columns=[
        Column("kind"),
        Column("survey__number", gettext_lazy("调查编号")),
        Column("order__number", gettext_lazy("订单号")),
        Column("customer__name", gettext_lazy("客户")),
        Column("salesperson", sortable=False),
        Column("created_at"),
        Column("answered_at"),
    ],
    selector=selectors.invitations_for,
    search_fields=("customer__name", "order__number", "survey__number"),
    filters=("kind",),
    date_field="created_at",
    detail_url_name="feedback:invitation",
)
ACTION_SPEC = ListSpec(
    model=ImprovementAction,
    prefix="feedback:action",
    title=gettext_lazy("改进措施"),
    columns=[
        Column("title"),
        Column("origin"),
        Column("owner", sortable=False),
        Column("due_on"),
        Column("status"),
    ],
    selector=selectors.actions_for,
    search_fields=("title", "origin"),
    filters=("status",),
    date_field="due_on",
    detail_url_name="feedback:action",
)
QUESTION_SPEC = ListSpec(
    model=Question,
    prefix="feedback:question",
    title=gettext_lazy("调查问题"),
    columns=[Column("position"), Column("text"), Column("kind"), Column("active")],
    selector=selectors.questions_for,
    search_fields=("text",),
    filters=("kind", "active"),
    form_fields=("text", "kind", "position", "active"),
    create=lambda *, actor, data: actions.save_question(actor=actor, data=data),
    update=lambda *, actor, obj, data, version: actions.save_question(
        actor=actor, data=data, question=obj, version=version
    ),
    can_edit=permissions.can_edit_questions,
    can_view=permissions.can_edit_questions,
)


# --- complaints ------------------------------------------------------------------------------


def _register_complaint(user: User, request: HttpRequest) -> Complaint:
    given = cleaned(ComplaintForm(request.POST, request.FILES))
    return actions.register_complaint(
        actor=user,
        order_number=given["order"],
        category=given["category"],
        description=given["description"],
        complainant=given["complainant"],
        claim_amount=given["claim_amount"],
        evidence=given["evidence"],
    )


@login_required
def new_complaint(request: HttpRequest) -> HttpResponse:
    """N-2: register a complaint; the order is given by its number."""
    return entry_page(
        request,
        allowed=permissions.handles_complaints(actor(request)),
        template="feedback/complaint_new.html",
        context={"categories": ComplaintCategory.choices},
        save=lambda user: _register_complaint(user, request),
        message=lambda done: _("投诉已登记：%(n)s") % {"n": done.number},
        then=lambda done: redirect("feedback:complaint", pk=done.pk),
    )


@login_required
def complaint(request: HttpRequest, pk: int) -> HttpResponse:
    """N-2: the complaint with every recorded step, and the form of the next step pre-filled
    from the records."""
    found = visible_or_404(selectors.complaints_for(request.user), pk)
    user = actor(request)
    steps = states.COMPLAINT.available(found, user)
    labels: dict[str, object] = {
        f"transition:{t.name}": t.label for t in states.COMPLAINT.transitions.values()
    }
    labels["complaint.register"] = gettext_lazy("登记投诉")
    events = AuditEvent.objects.filter(object_type="feedback.complaint", object_id=str(found.pk))
    history = [(e, labels.get(e.action, e.action)) for e in events.order_by("id")]
    return render(
        request,
        "feedback/complaint.html",
        {
            "c": found,
            "steps": steps,
            "fields": {t.name: actions.STEP_FIELDS[t.name] for t in steps},
            "found": findings(found) if steps else None,
            "history": history,
            "actions": found.actions.select_related("owner"),
            "can_add_action": permissions.can_manage_surveys(user),
            "people": User.objects.filter(is_active=True, department__isnull=False).order_by("username")
            if permissions.can_manage_surveys(user)
            else [],
        },
    )


@login_required
@require_POST
def complaint_step(request: HttpRequest, pk: int) -> HttpResponse:
    found = visible_or_404(selectors.complaints_for(request.user), pk)
    attempt(request, lambda: _advance(request, found))
    return redirect("feedback:complaint", pk=found.pk)


def _advance(request: HttpRequest, found: Complaint) -> Complaint:
    given = cleaned(StepDecisionForm(request.POST))
    return actions.advance(
        actor=actor(request),
        complaint=found,
        step=given["step"],
        data=cleaned(step_form(given["step"], request.POST)),
        version=given["version"] or 0,
        evidence=request.FILES.get("evidence"),
        reason=given["reason"],
    )


# --- surveys ---------------------------------------------------------------------------------


@login_required
def new_survey(request: HttpRequest) -> HttpResponse:
    """N-1: a new satisfaction survey."""
    return entry_page(
        request,
        allowed=permissions.can_manage_surveys(actor(request)),
        template="feedback/survey_new.html",
        save=lambda user: actions.create_survey(actor=user, **cleaned(SurveyForm(request.POST))),
        then=lambda done: redirect("feedback:survey", pk=done.pk),
    )


_BY = {
    "question": gettext_lazy("按问题"),
    "customer": gettext_lazy("按客户"),
    "salesperson": gettext_lazy("按业务员"),
    "month": gettext_lazy("按月份"),
}


@login_required
def survey(request: HttpRequest, pk: int) -> HttpResponse:
    """N-1: the survey: who was invited and answered, the scores by question, customer,
    salesperson and month (each exportable), the conclusions, the notice to customers and the
    improvement actions. `?print=1` is the survey report for printing."""
    found = visible_or_404(selectors.surveys_for(request.user), pk)
    user = actor(request)
    answers = selectors.survey_answers(found)
    tables = {by: selectors.scores(answers, by) for by in _BY}
    export = request.GET.get("export", "")
    if export in tables:
        return table_xlsx(
            f"{found.number} {_BY[export]}",
            [_("分组"), _("得分率（%）"), _("得分"), _("满分合计"), _("评分数")],
            ([r.label, r.percent, r.points, r.possible, r.answers] for r in tables[export]),
            viewer=user,
        )
    invitations = list(found.invitations.select_related("customer", "salesperson").order_by("customer__code"))
    context = {
        "s": found,
        "tables": [(by, _BY[by], tables[by]) for by in _BY],
        "invitations": invitations,
        "answered": sum(1 for i in invitations if i.answered_at),
        "comments": [i for i in invitations if i.comment],
        "texts": answers.filter(score__isnull=True).exclude(text="").select_related("invitation__customer"),
        "transitions": states.SURVEY.available(found, user),
        "can_manage": permissions.can_manage_surveys(user),
        "actions": found.actions.select_related("owner"),
        "people": User.objects.filter(is_active=True, department__isnull=False).order_by("username"),
        "candidates": actions.customers_in_period(found) if found.status == "draft" else [],
        "company": policy().company,
    }
    template = "feedback/survey_report.html" if request.GET.get("print") else "feedback/survey.html"
    return render(request, template, context)


@login_required
@require_POST
def survey_do(request: HttpRequest, pk: int, verb: str) -> HttpResponse:
    found = visible_or_404(selectors.surveys_for(request.user), pk)
    user = actor(request)
    try:
        if verb == "send":
            chosen = cleaned(SendSurveyForm(request.POST))["customers"]
            n = actions.send_survey(actor=user, survey=found, customer_ids=[c.pk for c in chosen])
            messages.success(request, _("已邀请 %(n)s 个客户。") % {"n": n})
        elif verb == "close":
            actions.close_survey(actor=user, survey=found)
        elif verb in {"conclusions", "notice"}:
            _report(user, found, verb, cleaned(SurveyReportForm(request.POST)))
        elif verb == "action":
            actions.add_action(actor=user, survey=found, **cleaned(ImprovementForm(request.POST)))
        else:
            raise Http404
    except (ActionError, workflow.WorkflowError) as exc:
        flash_refusal(request, exc)
    return redirect("feedback:survey", pk=found.pk)


def _report(user: User, found: Survey, verb: str, given: dict[str, Any]) -> Survey:
    """N-1: the survey report's conclusions, or the notice to customers."""
    version = given["version"] or 0
    if verb == "conclusions":
        return actions.record_conclusions(
            actor=user, survey=found, conclusions=given["conclusions"], version=version
        )
    return actions.tell_customers(actor=user, survey=found, notice=given["notice"], version=version)


@login_required
def invitation(request: HttpRequest, pk: int) -> HttpResponse:
    """N-1, N-3: one customer's invitation; the salesperson issues the link here."""
    found = visible_or_404(selectors.invitations_for(request.user), pk)
    link = ""
    if request.method == "POST":
        try:
            token = actions.issue_link(actor=actor(request), invitation=found)
        except ActionError as exc:
            flash_refusal(request, exc)
        else:
            link = request.build_absolute_uri(reverse("feedback:respond", args=[token]))
    return render(
        request,
        "feedback/invitation.html",
        {"i": found, "link": link, "answers": found.answers.order_by("pk"), "now": timezone.now()},
    )


def respond(request: HttpRequest, token: str) -> HttpResponse:
    """N-1, N-3: the customer's page behind the link; after answering, it shows what the company
    will change once the survey's notice is published."""
    found = actions.invitation_for(token)
    if found is None:
        return render(request, "review/confirm_invalid.html", {"reason": _("调查链接无效。")}, status=404)
    errors: dict[str, list[str]] = {}
    message = ""
    if request.method == "POST" and found.answered_at is None:
        try:
            found = actions.answer(
                token=token,
                respondent=request.POST.get("respondent", ""),
                values=answer_values(
                    actions.questions_of(found), policy().feedback.score_scale, request.POST
                ),
                comment=request.POST.get("comment", ""),
            )
        except FieldErrors as exc:
            errors = exc.errors
        except ActionError as exc:
            message = exc.message
    scale = policy().feedback.score_scale
    return render(
        request,
        "feedback/respond.html",
        {
            "i": found,
            "questions": actions.questions_of(found),
            "scale": range(1, scale + 1),
            "errors": errors,
            "message": message,
            "data": request.POST,
            "expired": expired(found),
        },
        status=400 if errors else 200,
    )


# --- improvement actions ---------------------------------------------------------------------


@login_required
def improvement(request: HttpRequest, pk: int) -> HttpResponse:
    found = visible_or_404(selectors.actions_for(request.user), pk)
    user = actor(request)
    if request.method == "POST":
        attempt(
            request,
            lambda: _decide(user, found, cleaned(DecisionForm(request.POST))),
        )
        return redirect("feedback:action", pk=found.pk)
    return render(
        request,
        "feedback/action.html",
        {"a": found, "transitions": states.IMPROVEMENT.available(found, user)},
    )


def _decide(user: User, found: ImprovementAction, given: dict[str, Any]) -> ImprovementAction:
    return actions.decide_action(
        actor=user,
        action=found,
        verb=str(given["verb"]),
        note=str(given["note"]),
        version=int(given["version"] or 0),
    )


@login_required
@require_POST
def complaint_action(request: HttpRequest, pk: int) -> HttpResponse:
    found = visible_or_404(selectors.complaints_for(request.user), pk)
    attempt(
        request,
        lambda: actions.add_action(
            actor=actor(request), complaint=found, **cleaned(ImprovementForm(request.POST))
        ),
    )
    return redirect("feedback:complaint", pk=found.pk)
