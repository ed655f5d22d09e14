"""Typed input of supervision (O-2, O-4), one form per action: a form parses and bounds what was
typed (dates, whole numbers, people, a yes/no); the action keeps the rules (who may, the period
in order, a sample of at least one)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from oms.accounts.models import User

_WHOLE = _("样本量和随机种子须为整数。")
_PERIOD = _("请填写抽查的订单期间。")


class SpotCheckForm(forms.Form):
    """O-2: a spot check's title, the period its orders were confirmed in, the sample size (the
    policy's when empty) and the seed (drawn when empty; an earlier check's draws its sample)."""

    title = forms.CharField(required=False, max_length=200)
    period_start = forms.DateField(required=False, error_messages={"invalid": _PERIOD})
    period_end = forms.DateField(required=False, error_messages={"invalid": _PERIOD})
    sample_size = forms.IntegerField(
        required=False,
        min_value=0,
        max_value=2**31 - 1,
        error_messages={"invalid": _WHOLE, "min_value": _WHOLE, "max_value": _WHOLE},
    )
    seed = forms.IntegerField(
        required=False,
        min_value=0,
        max_value=2**63 - 1,
        error_messages={"invalid": _WHOLE, "min_value": _WHOLE, "max_value": _WHOLE},
    )


class ItemForm(forms.Form):
    """O-2: one sampled order, the inspector's note on it and the version they saw (the
    verdicts, one per check of the spot check, are read by name)."""

    item = forms.IntegerField(required=False, min_value=0, max_value=2**63 - 1)
    note = forms.CharField(required=False)
    version = forms.IntegerField(required=False, min_value=0)


class FindingForm(forms.Form):
    """O-2: a finding on one sampled order's check, and its correction's owner."""

    check_code = forms.CharField(required=False, max_length=40)
    description = forms.CharField(required=False)
    corrective_action = forms.CharField(required=False)
    owner = forms.ModelChoiceField(
        queryset=User.objects.filter(is_active=True),
        required=False,
        error_messages={"invalid_choice": _("请选择负责人。")},
    )


class ReportForm(forms.Form):
    """O-4: a violation report: what, the circumstances, and the order if there is one."""

    subject = forms.CharField(required=False)
    description = forms.CharField(required=False)
    order_number = forms.CharField(required=False)


class CloseReportForm(forms.Form):
    """O-4: the outcome of a report, and whether it was substantiated (yes, no, or not said)."""

    outcome = forms.CharField(required=False)
    substantiated = forms.TypedChoiceField(
        choices=[("", ""), ("yes", "yes"), ("no", "no")],
        required=False,
        coerce=lambda value: {"yes": True, "no": False}.get(value),
        empty_value=None,
    )
    version = forms.IntegerField(required=False, min_value=0)
