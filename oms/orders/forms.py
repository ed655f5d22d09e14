"""The order's forms: the entry form's header fields, the line editor's rows (B-3) and the
reason a transition is taken with."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from oms.orders.models import HEADER_FIELDS, SalesOrder
from oms.orders.rules import delivery_date_error
from oms.policy import selectors as policy_selectors
from oms.web.listing import StyledModelForm
from oms.web.widgets import PickerWidget

_LINE_KEY = re.compile(r"^lines-(\d+)-(product|spec|quantity|unit|unit_price)$")


class OrderHeaderForm(StyledModelForm):
    """Header of an order; the order class choices come from the policy in force (B-7)."""

    order_class = forms.ChoiceField(label=_("订单类别"))
    duplicate_reason = forms.CharField(label=_("重复下单说明"), required=False, max_length=200)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    class Meta:
        model = SalesOrder
        fields = list(HEADER_FIELDS)
        widgets = {
            "customer": PickerWidget(url_name="customers:customer_picker"),
            "order_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "delivery_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "special_requirements": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        classes = policy_selectors.policy().order_classes
        order_class = self.fields["order_class"]
        assert isinstance(order_class, forms.ChoiceField)
        order_class.choices = [(c.code, c.shown_label) for c in classes]
        self.fields["order_class"].widget.attrs["class"] = "form-select"
        self.fields["customer"].queryset = self.fields["customer"].queryset.filter(active=True)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        """P-1: name the field; a failing field also keeps the table constraint from reporting it unnamed."""
        data = super().clean() or {}
        if late := delivery_date_error(data.get("order_date"), data.get("delivery_date")):
            self.add_error("delivery_date", late)
        return data

    def header(self) -> dict[str, Any]:
        data = {k: v for k, v in self.cleaned_data.items() if k not in {"duplicate_reason", "version"}}
        if not data.get("original_document"):
            data.pop("original_document", None)
        return data


def posted_lines(post: QueryDict) -> list[dict[str, Any]]:
    """The line editor's rows, in the order shown; rows with no product are ignored."""
    rows: dict[int, dict[str, Any]] = {}
    for key, value in post.items():
        match = _LINE_KEY.match(key)
        if match:
            rows.setdefault(int(match.group(1)), {})[match.group(2)] = str(value).strip()
    result = []
    for index in sorted(rows):
        row = rows[index]
        if not row.get("product"):
            continue
        try:
            row["product"] = int(row["product"])
        except ValueError:
            row["product"] = -1
        result.append(row)
    return result


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("原因/意见"), required=False, max_length=500)
