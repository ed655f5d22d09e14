"""Intake's own forms: an inquiry (B-2) and a spreadsheet to import (B-9). The order's forms
are in `oms.orders.forms`."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from oms.orders.models import Inquiry
from oms.web.listing import StyledModelForm
from oms.web.widgets import PickerWidget


class InquiryForm(StyledModelForm):
    class Meta:
        model = Inquiry
        fields = ["customer", "prospect_name", "contact_name", "contact_phone", "channel", "content"]
        widgets = {
            "customer": PickerWidget(url_name="customers:customer_picker"),
            "content": forms.Textarea(attrs={"rows": 3}),
        }


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Excel 文件（.xlsx）"))
