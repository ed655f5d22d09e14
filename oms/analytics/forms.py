"""Typed input of planning (Q-2): the plan form parses and bounds what was typed (the customer,
the period, the expected quantity and amount at their columns' digits); the action keeps the
rules (who may plan, one plan per customer and period, estimating from history)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from oms.analytics.models import OrderPlan
from oms.core.errors import FieldErrors
from oms.core.forms import ColumnDecimalField
from oms.customers.models import Customer

_YEAR = _("请填写年度。")
_QUARTER = _("季度须为 0（全年）到 4。")
_CUSTOMER = _("请选择客户。")


class PlanForm(forms.Form):
    """Q-2: a customer's plan for a year (quarter 0) or a quarter."""

    customer = forms.ModelChoiceField(
        queryset=Customer.objects.all(), error_messages={"required": _CUSTOMER, "invalid_choice": _CUSTOMER}
    )
    year = forms.IntegerField(
        min_value=2000,
        max_value=2100,
        error_messages={"required": _YEAR, "invalid": _YEAR, "min_value": _YEAR, "max_value": _YEAR},
    )
    quarter = forms.IntegerField(
        required=False,
        min_value=0,
        max_value=4,
        error_messages={"invalid": _QUARTER, "min_value": _QUARTER, "max_value": _QUARTER},
    )
    expected_quantity = ColumnDecimalField(OrderPlan, "expected_quantity", min_value=0)
    expected_amount = ColumnDecimalField(OrderPlan, "expected_amount", min_value=0)
    delivery_period = forms.CharField(required=False)
    factory = forms.CharField(required=False)
    note = forms.CharField(required=False)


def plan_input(data: Any) -> dict[str, Any]:
    """The plan's typed values from a page's POST or an API's mapping; every bad field at once,
    as FieldErrors keyed by field."""
    form = PlanForm(data)
    if not form.is_valid():
        raise FieldErrors({key: [str(m) for m in messages] for key, messages in form.errors.items()})
    return dict(form.cleaned_data)
