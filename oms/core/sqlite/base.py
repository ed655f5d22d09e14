"""SQLite, as Django ships it, with one change: reading a decimal column never fails (P-1).

SQLite keeps whatever number is written into a decimal column. Django's converter quantizes it
in a context of the field's max_digits, which raises InvalidOperation for a value too large for
the column (10^20 written before validation caught it, or by raw SQL) — and then every list
showing that row answers 500, including the pages an administrator would repair it from. Here a
value that does not fit is returned as it is stored instead of failing.
"""

from __future__ import annotations

import decimal
from collections.abc import Callable
from typing import Any

from django.db.backends.sqlite3 import base, operations

_LOOSE = decimal.Context(prec=15)


def _as_stored(value: Any) -> decimal.Decimal | None:
    """The stored number as it is; None ("—" on pages, null in the API) for what is no finite
    number at all (±Infinity, text): Decimal's NaN and Infinity break formatting and comparisons."""
    try:
        number = (
            _LOOSE.create_decimal_from_float(value)
            if isinstance(value, float)
            else decimal.Decimal(str(value).strip())
        )
    except decimal.InvalidOperation:
        return None
    return number if number.is_finite() else None


class DatabaseOperations(operations.DatabaseOperations):
    def get_decimalfield_converter(self, expression: Any) -> Callable[..., Any]:
        strict = super().get_decimalfield_converter(expression)

        def converter(value: Any, expression: Any, connection: Any) -> Any:
            try:
                return strict(value, expression, connection)
            except (decimal.InvalidOperation, TypeError, ValueError):
                return _as_stored(value)

        return converter


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations
