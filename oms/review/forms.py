"""Typed input of review, approval and confirmation: one form per decision (C-3, C-5, C-6, D-1,
D-2), shared by the pages and the API. A form parses and bounds what was typed; the rules that
need the task, the step or the order stay with the actions."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from oms.accounts.models import User
from oms.review.models import Verdict

TEXT_LIMIT = 2000


def _filled(message: Any, values: dict[str, Any]) -> str:
    return str(message) % {k: str(v) for k, v in values.items()}


# A message with the field's name in it, translated when it is shown, not when the form is defined.
message = lazy(_filled, str)


def text_field(label: Any, *, required: bool = False, limit: int = TEXT_LIMIT) -> forms.CharField:
    """Free text, stripped, bounded; its errors name the field."""
    return forms.CharField(
        label=label,
        required=required,
        max_length=limit,
        error_messages={
            "required": message(_("请填写%(f)s。"), {"f": label}),
            "max_length": message(_("%(f)s过长（最多 %(n)s 字）。"), {"f": label, "n": limit}),
        },
    )


def version_field() -> forms.IntegerField:
    """The version the user saw; a missing or 0 version skips the staleness check."""
    return forms.IntegerField(
        required=False, min_value=0, error_messages={"invalid": _("版本号无效，请刷新后重试。")}
    )


class OpinionForm(forms.Form):
    """C-5: a department's verdict on a review task, with its comment and conditions."""

    verdict = forms.TypedChoiceField(
        label=_("评审意见"),
        choices=Verdict.choices,
        coerce=Verdict,
        error_messages={"required": _("请选择评审意见。"), "invalid_choice": _("请选择评审意见。")},
    )
    comment = text_field(_("意见说明"))
    conditions = text_field(_("附加条件"))
    attachment = forms.FileField(label=_("附件"), required=False)
    version = version_field()

    def clean_version(self) -> int | None:
        return self.cleaned_data.get("version") or None


class ReassignForm(forms.Form):
    """C-3: the colleague an overdue task goes to."""

    assignee = forms.ModelChoiceField(
        label=_("改派给"),
        queryset=User.objects.filter(is_active=True),
        error_messages={"required": _("请选择改派给谁。"), "invalid_choice": _("请选择改派给谁。")},
    )


class ApprovalDecisionForm(forms.Form):
    """D-1: approve the step, or reject it with the reason back to sales."""

    approve = forms.BooleanField(label=_("同意"), required=False)
    comment = text_field(_("审批意见"))


class ConfirmationForm(forms.Form):
    """D-2: who confirmed for the customer, with the evidence."""

    confirmed_by_name = text_field(_("客户确认人"), required=True, limit=100)
    evidence = forms.FileField(label=_("确认凭证"), required=False)


class FailureCauseForm(forms.Form):
    """C-6: whether the customer caused the failure, and the lesson."""

    customer_caused = forms.BooleanField(label=_("客户原因"), required=False)
    lesson = text_field(_("经验教训"))


class LinkConfirmationForm(forms.Form):
    """D-2: the name of who confirms for the customer through the one-time link."""

    name = text_field(_("确认人姓名"), limit=100)


class ItemKeysField(forms.MultipleChoiceField):
    """The ticked rows of the batch page, "task-<pk>" or "step-<pk>"; whether each may still be
    decided is the single-item verb's question, asked per item."""

    def valid_value(self, value: str) -> bool:
        kind, _sep, pk = str(value).partition("-")
        return kind in {"task", "step"} and pk.isdigit() and len(pk) <= 12


BATCH_ITEMS_LIMIT = 100


class BatchDecisionForm(forms.Form):
    """Issue 23 point 9: one decision and one reason for several tasks and steps (C-5, D-1)."""

    decision = forms.ChoiceField(
        label=_("决定"),
        choices=[("approve", _("同意")), ("return", _("退回"))],
        error_messages={"required": _("请选择同意或退回。"), "invalid_choice": _("请选择同意或退回。")},
    )
    reason = text_field(_("理由"))
    items = ItemKeysField(
        label=_("待办"),
        error_messages={"required": _("请至少勾选一项。"), "invalid_choice": _("勾选的待办无效，请刷新。")},
    )

    def clean_items(self) -> list[str]:
        items: list[str] = self.cleaned_data["items"]
        if len(items) > BATCH_ITEMS_LIMIT:
            raise forms.ValidationError(_("一次最多处理 %(n)s 项。") % {"n": BATCH_ITEMS_LIMIT})
        return items

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("decision") == "return" and not data.get("reason", "").strip():
            self.add_error("reason", _("退回时必须写明理由。"))
        return data
