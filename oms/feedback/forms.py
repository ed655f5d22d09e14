"""Typed input of customers' voice (N-1..N-3), one form per action, shared by the staff pages
and the customer portal: a form parses and bounds what was typed (numbers, dates, people, the
fields of a complaint's step); the action keeps the rules (who may, which order, what is
required for the record)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from oms.accounts.models import User
from oms.core.forms import ColumnDecimalField, cleaned
from oms.customers.models import Customer
from oms.feedback.models import Complaint, QuestionKind


@dataclass(frozen=True)
class StepField:
    name: str
    kind: str  # "text", "bool", "money", "list"
    required: bool = True


# N-2: what each step records (004 客户投诉处理的步骤 1–8).
STEP_FIELDS: dict[str, tuple[StepField, ...]] = {
    "collect_evidence": (StepField("evidence_note", "text"),),
    "check_receipt": (StepField("receipt_signed", "bool"), StepField("receipt_note", "text")),
    "compare_inspection": (StepField("inspection_matches", "bool"), StepField("inspection_note", "text")),
    "check_window": (StepField("within_window", "bool"), StepField("window_note", "text")),
    "gather_materials": (StepField("materials", "list"), StepField("materials_note", "text", required=False)),
    "decide_remedy": (
        StepField("meeting_note", "text"),
        StepField("remedy", "text"),
        StepField("proposed_compensation", "money", required=False),
    ),
    "record_negotiation": (
        StepField("negotiation_outcome", "text"),
        StepField("agreed_compensation", "money", required=False),
    ),
    "submit_report": (StepField("report", "text"),),
    "approve": (),
    "refuse": (),
    "carry_out": (StepField("execution_note", "text"),),
}


class LinesField(forms.Field):
    """A list typed one item per line, or posted as several values of the same name."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> list[str]:
        given = value if isinstance(value, list | tuple) else [value or ""]
        return [line.strip() for item in given for line in str(item).splitlines() if line.strip()]


class PortalComplaintForm(forms.Form):
    """N-3: a complaint as the customer files it in the portal: the order is the page's, the
    complainant the customer's contact who is logged in."""

    category = forms.CharField(required=False, max_length=20)
    description = forms.CharField(required=False)
    claim_amount = ColumnDecimalField(Complaint, "claim_amount", min_value=0)
    evidence = forms.FileField(required=False)


class ComplaintForm(PortalComplaintForm):
    """N-2: the same complaint as customer service registers it: the order by its number, and
    who complained."""

    order = forms.CharField(required=False)
    complainant = forms.CharField(required=False, max_length=100)


class SurveyForm(forms.Form):
    """N-1: a new survey's title and period."""

    title = forms.CharField(required=False, max_length=200)
    period_start = forms.DateField(required=False, error_messages={"invalid": _("请填写调查期间。")})
    period_end = forms.DateField(required=False, error_messages={"invalid": _("请填写调查期间。")})


class ImprovementForm(forms.Form):
    """N-1, O-2: an improvement action's title, owner and deadline."""

    title = forms.CharField(required=False, max_length=200)
    owner = forms.ModelChoiceField(
        queryset=User.objects.filter(is_active=True),
        required=False,
        error_messages={"invalid_choice": _("请选择负责人。")},
    )
    due_on = forms.DateField(required=False, error_messages={"invalid": _("请填写不早于今天的完成期限。")})


class StepDecisionForm(forms.Form):
    """N-2: which step of a complaint is recorded, on which version, and why (approve, refuse)."""

    step = forms.CharField(required=False, max_length=40)
    version = forms.IntegerField(required=False, min_value=0)
    reason = forms.CharField(required=False)


class SurveyReportForm(forms.Form):
    """N-1: the survey report's conclusions, or the notice to customers, on a version."""

    conclusions = forms.CharField(required=False)
    notice = forms.CharField(required=False)
    version = forms.IntegerField(required=False, min_value=0)


class SendSurveyForm(forms.Form):
    """N-1: the customers a survey is sent to."""

    customers = forms.ModelMultipleChoiceField(
        queryset=Customer.objects.all(),
        required=False,
        error_messages={
            "invalid_choice": _("请至少选择一个客户。"),
            "invalid_pk_value": _("请至少选择一个客户。"),
        },
    )


class DecisionForm(forms.Form):
    """N-1: the owner's result, or the verifier's note, on an improvement action."""

    verb = forms.CharField(required=False, max_length=20)
    note = forms.CharField(required=False, max_length=4000)
    version = forms.IntegerField(required=False, min_value=0)


def _label(name: str) -> str:
    return str(getattr(Complaint._meta.get_field(name), "verbose_name", name))


def step_form(step: str, data: Any) -> forms.Form:
    """N-2: the form of one complaint step, built from STEP_FIELDS (what each step records)."""
    fields: dict[str, forms.Field] = {}
    for f in STEP_FIELDS.get(step, ()):
        label = _label(f.name)
        if f.kind == "bool":
            choose = _("请选择“%(f)s”：是或否。") % {"f": label}
            fields[f.name] = forms.TypedChoiceField(
                choices=[("yes", "yes"), ("no", "no")],
                coerce=lambda value: value == "yes",
                error_messages={"required": choose, "invalid_choice": choose},
            )
        elif f.kind == "money":
            fields[f.name] = ColumnDecimalField(Complaint, f.name, min_value=0)
        elif f.kind == "list":
            fill = _("请填写“%(f)s”。") % {"f": label}
            fields[f.name] = LinesField(required=f.required, error_messages={"required": fill})
        else:
            fill = _("请填写“%(f)s”。") % {"f": label}
            fields[f.name] = forms.CharField(required=f.required, error_messages={"required": fill})
    form_class = type("StepForm", (forms.Form,), fields)
    return form_class(data)


def score_refusal(question: dict[str, Any], scale: int) -> str:
    return str(_("请为“%(q)s”打分（1–%(s)s）。") % {"q": question["text"], "s": scale})


def answer_form(questions: list[dict[str, Any]], scale: int, data: Any) -> forms.Form:
    """N-1, N-3: the customer's answers to a survey's questions (or the closing question): every
    score a whole number from 1 to the policy's scale, text answers free."""
    fields: dict[str, forms.Field] = {}
    for q in questions:
        if q["kind"] == QuestionKind.SCORE:
            score = score_refusal(q, scale)
            fields[q["key"]] = forms.IntegerField(
                min_value=1,
                max_value=scale,
                error_messages={"required": score, "invalid": score, "min_value": score, "max_value": score},
            )
        else:
            fields[q["key"]] = forms.CharField(required=False)
    form_class = type("AnswerForm", (forms.Form,), fields)
    return form_class(data)


def answer_values(questions: list[dict[str, Any]], scale: int, data: Any) -> dict[str, Any]:
    """The customer's answers typed (scores as whole numbers), or FieldErrors keyed by question:
    what the link's page, the portal and the tests hand `actions.answer` (issue 22)."""
    return cleaned(answer_form(questions, scale, data))
