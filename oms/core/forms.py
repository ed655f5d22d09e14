"""Pieces every app's forms share (issue 22, point 5: one implementation per idea).

A business action's input is parsed once, by one form per action in its app's `forms.py`, shared
by the page, the API, the portal and the Excel import (DESIGN 5). These are the parts each of
those forms would otherwise write again: a money or quantity field at its model column's digits,
the typed values or the refusal keyed by field, and an action's refusal shown beside the fields.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.db import models

from oms.core.errors import FieldErrors
from oms.core.money import DecimalInputError, parse_model_decimal


class ColumnDecimalField(forms.CharField):
    """P-1: a money or quantity input parsed by the one shared parser at the model column's digits
    (spaces, thousands commas and full-width digits accepted; NaN, Infinity and oversized values
    refused), with optional bounds (`min_value`, `min_exclusive`, `max_value`); the message names
    the field by its label (the column's name unless given). Empty is None, so the action says
    what is required. The widget keeps what the user typed, so a refused form shows it again."""

    def __init__(self, model: type[models.Model], column: str, *, label: Any = None, **limits: Any) -> None:
        self.model, self.column, self.limits = model, column, limits
        super().__init__(
            label=label or getattr(model._meta.get_field(column), "verbose_name", column),
            required=False,
            widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        )

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        if isinstance(value, Decimal):
            return value
        text = super().to_python(value)
        if not text:
            return None
        try:
            return parse_model_decimal(self.model, self.column, text, label=str(self.label), **self.limits)
        except DecimalInputError as exc:
            raise forms.ValidationError(exc.message) from None


def bootstrap_css(widget: forms.Widget) -> str:
    """The Bootstrap class of a form widget: a check box, a select, or any other input. The one
    rule for every form styled in code (the list machinery's forms, the contract forms)."""
    if isinstance(widget, forms.CheckboxInput):
        return "form-check-input"
    if isinstance(widget, forms.Select):
        return "form-select"
    return "form-control"


class StyledForm(forms.Form):
    """A form rendered from its fields (`core/_form_fields.html`): Bootstrap classes on every
    widget. `field_for` maps the keys an action's FieldErrors use to the form's fields, so the
    action's own refusals land beside them (`add_errors`)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style()

    def style(self) -> None:
        """Bootstrap classes on every widget (call again after adding fields)."""
        for form_field in self.fields.values():
            form_field.widget.attrs["class"] = bootstrap_css(form_field.widget)

    def field_for(self, key: str) -> str | None:
        """The form field an action's error key concerns; None shows it with the form as a whole."""
        return key if key in self.fields else None


def cleaned(form: forms.Form) -> dict[str, Any]:
    """The form's typed values; invalid input is refused as the actions refuse it (FieldErrors,
    keyed by field), so the API and any caller that does not re-render the form show it the same
    way a page does."""
    if not form.is_valid():
        raise FieldErrors({key: [str(m) for m in messages] for key, messages in form.errors.items()})
    return dict(form.cleaned_data)


def add_errors(form: forms.Form, exc: FieldErrors) -> None:
    """An action's refusal of the typed values, shown beside the fields of the re-rendered form
    (a key that is no field of the form is shown with the form as a whole; a `StyledForm` maps
    keys to fields by its `field_for`)."""
    for key, messages in exc.errors.items():
        field = form.field_for(key) if isinstance(form, StyledForm) else key if key in form.fields else None
        for message in messages:
            form.add_error(field, message)
