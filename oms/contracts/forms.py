"""Typed input of every contract and document action (E-1..E-4, F-3, M-4), and the plumbing every
action form of the process apps shares: parse and bound what the user typed, hand the action typed
values, and on an error show the same form again with what the user typed, nothing saved."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from oms.accounts.models import User
from oms.contracts.models import REVIEW_POINTS, DocumentType, VersionKind
from oms.core.errors import ActionError, FieldErrors
from oms.core.forms import bootstrap_css
from oms.engine import workflow
from oms.web.pages import flash_refusal

FORM_PAGE = "contracts/form_page.html"


class ActionForm(forms.Form):
    """One business action's input. Subclasses declare the fields; `field_for` maps the keys an
    action's FieldErrors use to the form's fields, so the action's own refusals land beside them."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style()

    def style(self) -> None:
        """Bootstrap classes on every widget (again after fields are added)."""
        for form_field in self.fields.values():
            form_field.widget.attrs["class"] = bootstrap_css(form_field.widget)

    def field_for(self, key: str) -> str | None:
        """The form field an action's error key concerns; None shows it above the form."""
        return key if key in self.fields else None

    def add_action_errors(self, exc: FieldErrors) -> None:
        for key, msgs in exc.errors.items():
            for message in msgs:
                self.add_error(self.field_for(key), message)


def form_page(request: HttpRequest, form: ActionForm, *, title: str, back: str) -> HttpResponse:
    """The form again, with what the user typed and why it was refused (nothing was saved)."""
    return render(request, FORM_PAGE, {"form": form, "title": title, "back": back}, status=400)


def submit(
    request: HttpRequest,
    form: ActionForm,
    do: Callable[[dict[str, Any]], object],
    *,
    title: str,
    back: str,
    success: str | Callable[[Any], str],
) -> HttpResponse:
    """Run the action with the form's typed values. Bad input (the form's or the action's field
    errors) shows the form again; any other refusal is a message on the page the user came from.
    `success` is the message, or makes it from what the action returned."""
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


# --- contracts (E-1..E-3) ----------------------------------------------------------------------


class TemplateForm(ActionForm):
    """E-1: the contract text; placeholders are checked by the action."""

    body = forms.CharField(label=_("合同模板"), widget=forms.Textarea, strip=False, required=False)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


class ContractReviewForm(ActionForm):
    """E-3: each of the five points confirmed, with a note."""

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


class VersionForm(ActionForm):
    """E-2: a counter-offer or an amendment, and why."""

    kind = forms.ChoiceField(
        label=_("版本类型"), choices=[(v, lbl) for v, lbl in VersionKind.choices if v != VersionKind.OFFER]
    )
    reason = forms.CharField(label=_("修改原因"), max_length=300, required=False)


class SignForm(ActionForm):
    """E-2: the signed copy; its kind and size are checked by the action against the policy."""

    scan = forms.FileField(label=_("签字盖章扫描件"), required=False)


# --- controlled documents (E-4, F-3, M-4) --------------------------------------------------------


class UploadForm(ActionForm):
    """A new version of a controlled document."""

    doc_type = forms.ChoiceField(label=_("资料类型"), choices=DocumentType.choices)
    title = forms.CharField(label=_("名称"), max_length=200, required=False)
    file = forms.FileField(label=_("文件"), required=False)


def _people() -> Any:
    return (
        User.objects.filter(is_active=True)
        .select_related("department")
        .order_by("department__code", "username")
    )


class DistributeForm(ActionForm):
    """M-4, E-4: who receives the document."""

    document = forms.IntegerField(widget=forms.HiddenInput)
    recipients = forms.ModelMultipleChoiceField(
        label=_("接收人"), queryset=User.objects.none(), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        recipients = self.fields["recipients"]
        assert isinstance(recipients, forms.ModelMultipleChoiceField)
        recipients.queryset = _people()


class ShareForm(ActionForm):
    """H-1, B-8: whether the customer sees the document in the portal."""

    document = forms.IntegerField(widget=forms.HiddenInput)
    shared = forms.TypedChoiceField(
        label=_("客户可见"), choices=[("1", _("客户可见")), ("0", _("仅内部"))], coerce=lambda v: v == "1"
    )


class BriefingForm(ActionForm):
    """F-3: the technical briefing's date, topic, attendees and notes."""

    held_on = forms.DateField(
        label=_("交底日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    topic = forms.CharField(label=_("主题"), max_length=200, required=False)
    attendees = forms.ModelMultipleChoiceField(
        label=_("参加人"), queryset=User.objects.none(), required=False
    )
    notes = forms.CharField(label=_("内容"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        attendees = self.fields["attendees"]
        assert isinstance(attendees, forms.ModelMultipleChoiceField)
        attendees.queryset = _people()
