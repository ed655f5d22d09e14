from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template

from oms.core.money import format_amount, format_price, format_quantity, plain_number

register = template.Library()

# P-1: the one way figures are shown (loaded as builtins, see TEMPLATES in config/settings.py).
register.filter("money", format_amount)
register.filter("price", format_price)
register.filter("qty", format_quantity)


# An input's value or a data attribute: digits the parser reads back (no separators, no exponent).
@register.filter
def plain(value: Any) -> str:
    return (
        plain_number(value)
        if isinstance(value, Decimal) and value.is_finite()
        else ("" if value is None else str(value))
    )


@register.filter
def line_value(value: Any, field: str) -> str:
    """A line's field as shown in a change: its quantity or price by the figure rule, else as is."""
    if field == "quantity":
        return format_quantity(value)
    if field == "unit_price":
        return format_price(value)
    return "" if value is None else str(value)


@register.filter
def error_messages(errors: Any) -> list[str]:
    """Every message of an errors mapping (field → messages), in order. A template cannot say
    `errors.items` safely: a field named "items" would be looked up instead of the method."""
    if not errors:
        return []
    return [
        str(m) for msgs in dict(errors).values() for m in (msgs if isinstance(msgs, list | tuple) else [msgs])
    ]
