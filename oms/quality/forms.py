"""Typed input of each quality action (G-3, issue 22): one form per action; the form parses and
limits the choices to this order's records, the action keeps the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from oms.orders.models import SalesOrder
from oms.quality.models import InspectionPlan, NonConformance, Stage


class InspectionPlanForm(forms.Form):
    """G-3: the plan typed one item a line, "item | method | frequency"."""

    plan = forms.CharField(required=False, widget=forms.Textarea)

    def __init__(self, order: SalesOrder, data: Any = None) -> None:
        super().__init__(data)
        self.order = order

    def items(self) -> list[dict[str, str]]:
        rows = [line.split("|") for line in self.cleaned_data["plan"].splitlines() if line.strip()]
        return [
            {"item": r[0], "method": r[1] if len(r) > 1 else "", "frequency": r[2] if len(r) > 2 else ""}
            for r in rows
        ]


class InspectionForm(forms.Form):
    """G-3, K-2: an inspection of one of this order's products, a result for each item of the plan
    (`item-<n>` in the plan's order), passed or not, severe or not."""

    # G-1 (flows): incoming inspections are recorded with the supplier's delivery, not here.
    stage = forms.ChoiceField(
        choices=[c for c in Stage.choices if c[0] != Stage.INCOMING],
        required=False,
        error_messages={"invalid_choice": _("请选择检验类别。")},
    )
    passed = forms.ChoiceField(choices=[("yes", _("合格")), ("no", _("不合格"))], required=False)
    severe = forms.BooleanField(required=False)
    notes = forms.CharField(required=False, strip=False)

    def __init__(self, order: SalesOrder, data: Any = None) -> None:
        super().__init__(data)
        self.order = order
        self.fields["product"] = forms.TypedChoiceField(
            choices=[(pk, pk) for pk in order.lines.values_list("product_id", flat=True).distinct()],
            coerce=int,
            error_messages={
                "invalid_choice": _("该产品不在这个订单里。"),
                "required": _("该产品不在这个订单里。"),
            },
        )
        plan = InspectionPlan.objects.filter(order=order).first()
        self.names = plan.item_names() if plan else []
        for i, _name in enumerate(self.names):
            self.fields[f"item-{i}"] = forms.CharField(required=False, strip=False)

    def results(self) -> dict[str, str]:
        """The plan's item names with what was recorded for each."""
        return {name: self.cleaned_data[f"item-{i}"] for i, name in enumerate(self.names)}

    def typed_items(self) -> list[tuple[str, str]]:
        """Each item of the plan with what was typed for it (the form shown again)."""
        return [(name, str(self.data.get(f"item-{i}", ""))) for i, name in enumerate(self.names)]


class NonConformanceForm(forms.Form):
    """G-3: a step on one of this order's non-conformance notices, with its text (the action
    decided, or the verification)."""

    text = forms.CharField(required=False, strip=False)

    def __init__(self, order: SalesOrder, data: Any = None) -> None:
        super().__init__(data)
        self.order = order
        self.fields["nc"] = forms.ModelChoiceField(NonConformance.objects.filter(order=order))


class ResumeForm(forms.Form):
    """G-3: production resumes, with the reason."""

    text = forms.CharField(required=False, strip=False)

    def __init__(self, order: SalesOrder, data: Any = None) -> None:
        super().__init__(data)
        self.order = order
