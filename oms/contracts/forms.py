"""Typed input of every contract and document action (E-1..E-4, F-3, M-4): the views post them
through `oms.web.verbs` (`VERBS` in `oms.contracts.views`). The forms are drawn from their fields,
so each has a `heading` for the page that shows it again when refused."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from oms.accounts.models import User
from oms.contracts.models import REVIEW_POINTS, Distribution, Document, DocumentType, VersionKind
from oms.core.errors import ActionError, FieldErrors
from oms.core.forms import StyledForm, add_errors
from oms.engine import workflow
from oms.web.pages import flash_refusal

# --- contracts (E-1..E-3) ----------------------------------------------------------------------


class TemplateForm(StyledForm):
    """E-1: the contract text; placeholders are checked by the action."""

    body = forms.CharField(label=_("合同模板"), widget=forms.Textarea, strip=False, required=False)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


class ContractReviewForm(StyledForm):
    """E-3: each of the five points confirmed, with a note."""

    heading = _("合同评审")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for key, label in REVIEW_POINTS:
            self.fields[f"ok_{key}"] = forms.BooleanField(label=label, required=False)
            self.fields[f"note_{key}"] = forms.CharField(label=_("说明"), required=False, max_length=500)
        self.style()

    def field_for(self, key: str) -> str | None:
        return None

    def points(self) -> dict[str, tuple[bool, str]]:
        data = self.cleaned_data
        return {
            key: (bool(data.get(f"ok_{key}")), data.get(f"note_{key}", "")) for key, _label in REVIEW_POINTS
        }


class VersionForm(StyledForm):
    """E-2: a counter-offer or an amendment, and why."""

    heading = _("新版本")

    kind = forms.ChoiceField(
        label=_("版本类型"), choices=[(v, lbl) for v, lbl in VersionKind.choices if v != VersionKind.OFFER]
    )
    reason = forms.CharField(label=_("修改原因"), max_length=300, required=False)


class SignForm(StyledForm):
    """E-2: the signed copy; its kind and size are checked by the action against the policy."""

    heading = _("上传签字盖章件")

    scan = forms.FileField(label=_("签字盖章扫描件"), required=False)


# --- controlled documents (E-4, F-3, M-4) --------------------------------------------------------


class UploadForm(StyledForm):
    """A new version of a controlled document."""

    heading = _("上传资料")

    doc_type = forms.ChoiceField(label=_("资料类型"), choices=DocumentType.choices)
    title = forms.CharField(label=_("名称"), max_length=200, required=False)
    file = forms.FileField(label=_("文件"), required=False)


def _people() -> Any:
    return (
        User.objects.filter(is_active=True)
        .select_related("department")
        .order_by("department__code", "username")
    )


class OrderDocumentForm(StyledForm):
    """A form about one of the order's own records (hidden `document` or `distribution`): anything
    else is refused as input, so no action ever sees another order's document."""

    def __init__(self, order: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, queryset in (
            ("document", Document.objects.filter(order=order)),
            ("distribution", Distribution.objects.filter(document__order=order)),
            ("recipients", _people()),
            ("attendees", _people()),
        ):
            field = self.fields.get(name)
            if isinstance(field, forms.ModelChoiceField):
                field.queryset = queryset


class DistributeForm(OrderDocumentForm):
    """M-4, E-4: who receives the document."""

    heading = _("分发")
    document = forms.ModelChoiceField(queryset=Document.objects.none(), widget=forms.HiddenInput)
    recipients = forms.ModelMultipleChoiceField(
        label=_("接收人"), queryset=User.objects.none(), required=False
    )


class ShareForm(OrderDocumentForm):
    """H-1, B-8: whether the customer sees the document in the portal."""

    heading = _("客户可见")
    document = forms.ModelChoiceField(queryset=Document.objects.none(), widget=forms.HiddenInput)
    shared = forms.TypedChoiceField(
        label=_("客户可见"), choices=[("1", _("客户可见")), ("0", _("仅内部"))], coerce=lambda v: v == "1"
    )


class AcknowledgeForm(OrderDocumentForm):
    """M-4: the recipient signs for a distributed document."""

    distribution = forms.ModelChoiceField(queryset=Distribution.objects.none(), widget=forms.HiddenInput)


class BriefingForm(OrderDocumentForm):
    """F-3: the technical briefing's date, topic, attendees and notes."""

    heading = _("技术交底")
    held_on = forms.DateField(
        label=_("交底日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    topic = forms.CharField(label=_("主题"), max_length=200, required=False)
    attendees = forms.ModelMultipleChoiceField(
        label=_("参加人"), queryset=User.objects.none(), required=False
    )
    notes = forms.CharField(label=_("内容"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


# --- billing only, until its views post through `oms.web.verbs` like contracts (issue 22) --------


class ActionForm(StyledForm):
    """Billing's forms' base while billing still posts through `submit` (use `StyledForm`)."""

    def add_action_errors(self, exc: FieldErrors) -> None:
        add_errors(self, exc)


def form_page(request: HttpRequest, form: ActionForm, *, title: str, back: str) -> HttpResponse:
    """The form again, with what the user typed and why it was refused (nothing was saved)."""
    return render(
        request, "contracts/form_page.html", {"form": form, "title": title, "back": back}, status=400
    )


def submit(
    request: HttpRequest,
    form: ActionForm,
    do: Callable[[dict[str, Any]], object],
    *,
    title: str,
    back: str,
    success: str | Callable[[Any], str],
) -> HttpResponse:
    """Billing's verbs (to be replaced by a `VERBS` table and `oms.web.verbs.post_verb`): run the
    action with the form's typed values; bad input shows the form again; any other refusal is a
    message on the page the user came from."""
    if form.is_valid():
        try:
            done = do(form.cleaned_data)
        except FieldErrors as exc:
            form.add_action_errors(exc)
        except (ActionError, workflow.WorkflowError) as exc:
            flash_refusal(request, exc)
            return redirect(back)
        else:
            messages.success(request, success if isinstance(success, str) else success(done))
            return redirect(back)
    return form_page(request, form, title=title, back=back)
