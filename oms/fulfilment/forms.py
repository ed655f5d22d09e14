"""Typed input of each release and execution action (issue 22, P-1): one form per action, used by
the order page and, for shipments, by the API. A form parses and bounds what was typed (numbers
at their column's digits, dates, choices limited to what the page offers); the action keeps the
business rules and says what is required."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from oms.catalog.models import Product, StockLevel
from oms.core.forms import ColumnDecimalField
from oms.core.money import format_quantity
from oms.fulfilment.models import (
    DepartmentTask,
    Disposition,
    IncomingInspection,
    Milestone,
    Prepayment,
    ProgressReport,
    PurchaseLine,
    Reservation,
    Shipment,
    ShipmentLine,
    ShippingMode,
)
from oms.fulfilment.selectors import left_to_ship
from oms.orders.models import OrderLine, SalesOrder
from oms.partners.models import Carrier, Qualification, Supplier

_BAD_DATE = gettext_lazy("日期：格式不正确，应为 YYYY-MM-DD。")


def _date() -> forms.DateField:
    return forms.DateField(required=False, input_formats=["%Y-%m-%d"], error_messages={"invalid": _BAD_DATE})


def _text(model: type[models.Model], name: str) -> forms.CharField:
    """Free text at its column's length (a longer one is refused, never cut)."""
    column = model._meta.get_field(name)
    return forms.CharField(required=False, max_length=getattr(column, "max_length", None), strip=False)


class OrderForm(forms.Form):
    """A form about one order: its choices are limited to that order's records."""

    def __init__(self, order: SalesOrder, data: Any = None) -> None:
        super().__init__(data)
        self.order = order


class PrepaymentForm(forms.Form):
    """D-4: finance records a prepayment that has arrived."""

    amount = ColumnDecimalField(Prepayment, "amount")
    received_on = _date()
    reference = _text(Prepayment, "reference")


class CompleteTaskForm(OrderForm):
    """F-1: a department marks its open task of this order done."""

    note = forms.CharField(required=False, strip=False)

    def __init__(self, order: SalesOrder, data: Any = None) -> None:
        super().__init__(order, data)
        self.fields["task"] = forms.ModelChoiceField(DepartmentTask.objects.filter(order=order))


class ProgressForm(OrderForm):
    """G-2: production reports a milestone's progress (a whole percentage 0 to 100)."""

    progress = forms.CharField(required=False)
    quantity_done = ColumnDecimalField(ProgressReport, "quantity_done")
    material_issued = _text(ProgressReport, "material_issued")
    notes = forms.CharField(required=False, strip=False)

    def __init__(self, order: SalesOrder, data: Any = None) -> None:
        super().__init__(order, data)
        self.fields["milestone"] = forms.ModelChoiceField(Milestone.objects.filter(order=order))

    def clean_progress(self) -> int:
        try:
            return int(self.cleaned_data["progress"])
        except ValueError:
            raise ValidationError(_("完成百分比应在 0 到 100 之间。")) from None


class PurchaseOrderForm(OrderForm):
    """G-1: one purchase line to a qualified supplier, for a product this order needs."""

    quantity = ColumnDecimalField(PurchaseLine, "quantity")
    promised_date = _date()

    def __init__(self, order: SalesOrder, data: Any = None) -> None:
        super().__init__(order, data)
        self.fields["supplier"] = forms.ModelChoiceField(
            Supplier.objects.filter(active=True, qualification=Qualification.QUALIFIED), required=False
        )
        self.fields["product"] = forms.ModelChoiceField(Product.objects.all(), required=False)


class IncomingInspectionForm(OrderForm):
    """G-1: a delivery on one of this order's purchase lines and its incoming inspection."""

    received_on = _date()
    received = ColumnDecimalField(IncomingInspection, "received")
    accepted = ColumnDecimalField(IncomingInspection, "accepted")
    disposition = forms.ChoiceField(choices=[("", "—"), *Disposition.choices], required=False)
    notes = _text(IncomingInspection, "notes")

    def __init__(self, order: SalesOrder, data: Any = None) -> None:
        super().__init__(order, data)
        self.fields["line"] = forms.ModelChoiceField(PurchaseLine.objects.filter(purchase_order__order=order))


class ReservationForm(OrderForm):
    """G-4: hold stock of this order's product for one of its lines."""

    quantity = ColumnDecimalField(Reservation, "quantity")

    def __init__(self, order: SalesOrder, data: Any = None) -> None:
        super().__init__(order, data)
        lines = OrderLine.objects.filter(order=order)
        self.fields["line"] = forms.ModelChoiceField(lines)
        self.fields["stock_level"] = forms.ModelChoiceField(
            StockLevel.objects.filter(product_id__in=lines.values("product_id"))
        )


class ReservationStepForm(OrderForm):
    """G-4: pick, second check (the count) or pack (the packing) one of this order's reservations."""

    counted = ColumnDecimalField(Reservation, "quantity")
    packing = _text(Reservation, "packing")

    def __init__(self, order: SalesOrder, data: Any = None) -> None:
        super().__init__(order, data)
        self.fields["reservation"] = forms.ModelChoiceField(Reservation.objects.filter(order=order))


class ShipmentForm(OrderForm):
    """G-5, G-6, K-1, K-2: a shipment of this order: how, when, confirmed with whom, and per line
    (`qty-<line id>`) a quantity no larger than what is left of that line."""

    mode = forms.ChoiceField(
        choices=ShippingMode.choices,
        required=False,
        error_messages={"invalid_choice": gettext_lazy("请选择运输方式。")},
    )
    shipped_on = _date()
    expected_arrival = _date()
    tracking_number = _text(Shipment, "tracking_number")
    route = _text(Shipment, "route")
    packaging = _text(Shipment, "packaging")
    confirmed_with = forms.CharField(required=False, strip=False)
    delivery_place = forms.CharField(required=False, strip=False)
    quantity_checked = forms.BooleanField(required=False)

    def __init__(
        self, order: SalesOrder, data: Any = None, *, left: list[tuple[Any, Decimal]] | None = None
    ) -> None:
        super().__init__(order, data)
        self.fields["carrier"] = forms.ModelChoiceField(
            Carrier.objects.filter(active=True, qualification=Qualification.QUALIFIED), required=False
        )
        self.left = left if left is not None else left_to_ship(order)
        for line, _rest in self.left:
            self.fields[f"qty-{line.pk}"] = ColumnDecimalField(ShipmentLine, "quantity")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for line, rest in self.left:
            quantity = data.get(f"qty-{line.pk}")
            if quantity is not None and not 0 <= quantity <= rest:
                self.add_error(
                    f"qty-{line.pk}",
                    _("第 %(n)s 行最多还能发 %(q)s。") % {"n": line.line_no, "q": format_quantity(rest)},
                )
        return data

    def shipment(self) -> dict[str, Any]:
        """The `ship` action's input, parsed."""
        data = self.cleaned_data
        fields = ["mode", "shipped_on", "carrier", "route", "packaging", "tracking_number"]
        fields += ["confirmed_with", "expected_arrival", "delivery_place", "quantity_checked"]
        return {**{name: data[name] for name in fields}, "quantities": self.quantities()}

    def quantities(self) -> dict[int, Decimal]:
        """Line id → quantity to ship now, for the lines given."""
        return {
            line.pk: quantity
            for line, _rest in self.left
            if (quantity := self.cleaned_data.get(f"qty-{line.pk}")) is not None
        }

    def typed_rows(self) -> list[tuple[Any, Decimal, str]]:
        """Each line with what is left of it and what was typed for it (the form shown again)."""
        return [(line, rest, str(self.data.get(f"qty-{line.pk}", ""))) for line, rest in self.left]
