"""Typed input of the customer portal (B-8, P-1): the order header a customer types, parsed here;
the rules that need their records (what is required, their salesperson, the list prices) stay
with intake's action."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


def _as_typed() -> forms.CharField:
    # Passed on as typed: the order's own checks strip and judge it, naming the field.
    return forms.CharField(required=False, strip=False)


class PortalOrderForm(forms.Form):
    """B-8: the header of an order placed in the portal (intake's `PORTAL_FIELDS`). A date that is
    no date is refused as a missing one is, with the same message."""

    contact_phone = _as_typed()
    order_class = _as_typed()
    delivery_date = forms.DateField(
        required=False, input_formats=["%Y-%m-%d"], error_messages={"invalid": _("请填写要求的交货日期。")}
    )
    delivery_place = _as_typed()
    external_ref = _as_typed()
    special_requirements = _as_typed()
