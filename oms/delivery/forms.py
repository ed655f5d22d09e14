"""Typed input of the customer's acceptance (K-3, issue 22): one form, used by staff on the order
page (with who signed and the signed note), by the customer's one-time link (with their name) and
by the customer portal. The form parses; the action keeps the rules and says what is required."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from oms.delivery.models import CHECKS, AcceptanceResult


class AcceptanceForm(forms.Form):
    """K-3: the verdict, the four checks, the problem found and the day the goods were signed for."""

    result = forms.ChoiceField(
        choices=AcceptanceResult.choices,
        required=False,
        error_messages={"invalid_choice": _("请选择验收结论。")},
    )
    appearance_ok = forms.BooleanField(required=False)
    quantity_ok = forms.BooleanField(required=False)
    spec_ok = forms.BooleanField(required=False)
    quality_ok = forms.BooleanField(required=False)
    remarks = forms.CharField(required=False, strip=False)
    received_on = forms.DateField(
        required=False,
        input_formats=["%Y-%m-%d"],
        error_messages={"invalid": _("日期：格式不正确，应为 YYYY-MM-DD。")},
    )

    def __init__(self, target: Any = None, data: Any = None, files: Any = None) -> None:
        super().__init__(data, files)
        self.target = target

    def finding(self) -> dict[str, Any]:
        """The acceptance actions' common input, parsed."""
        data = self.cleaned_data
        return {
            "result": data["result"],
            "checks": {c: data[c] for c in CHECKS},
            "remarks": data["remarks"],
            "received_on": data["received_on"],
        }


class StaffAcceptanceForm(AcceptanceForm):
    """K-3: staff also name who signed and attach the signed delivery note."""

    accepted_by_name = forms.CharField(required=False, strip=False)
    signed_note = forms.FileField(required=False, allow_empty_file=True)


class LinkAcceptanceForm(AcceptanceForm):
    """K-3: through the one-time link the customer gives their name."""

    name = forms.CharField(required=False, strip=False)
