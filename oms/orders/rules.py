"""Rules about the order's own terms that more than one app checks, each in one place (issue 22):
order entry (its form and its action) and a change request's new terms use the same function."""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext as _


def delivery_date_error(order_date: date | None, delivery_date: date | None) -> str | None:
    """B-3, I-1: the delivery date is never before the order date (the order table's constraint
    refuses it too, unnamed); the refusal, or None when the dates agree or one is missing."""
    if order_date is not None and delivery_date is not None and delivery_date < order_date:
        return _("交货日期不能早于下单日期。")
    return None
