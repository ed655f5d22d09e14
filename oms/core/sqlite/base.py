"""SQLite, as Django ships it, with two changes: reading a decimal column never fails (P-1), and
writers of one database file take turns at a gate that wakes the next at once (issue 21, `gate`).

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

from oms.core.sqlite.gate import WriterGate

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

    _gate: WriterGate | None = None

    def _writer_gate(self) -> WriterGate | None:
        """The gate of a database file whose transactions begin by taking the write lock
        (IMMEDIATE or EXCLUSIVE); none for an in-memory database or deferred transactions, which
        begin as readers."""
        if self._gate is None and getattr(self, "transaction_mode", None) in {"IMMEDIATE", "EXCLUSIVE"}:
            if self.is_in_memory_db():
                return None
            self._gate = WriterGate(f"{self.settings_dict['NAME']}-writers")
        return self._gate

    def _start_transaction_under_autocommit(self) -> None:
        gate = self._writer_gate()
        # Waited for at most as long as SQLite would wait for its own lock (the busy timeout).
        held = gate is not None and gate.acquire(float(self.settings_dict["OPTIONS"].get("timeout", 5)))
        try:
            super()._start_transaction_under_autocommit()  # type: ignore[misc]  # not in django-stubs
        except BaseException:
            if held and gate is not None:
                gate.release()
            raise

    def _commit(self) -> None:
        try:
            super()._commit()  # type: ignore[misc]  # not in django-stubs
        finally:
            self._release_gate()

    def _rollback(self) -> None:
        try:
            super()._rollback()  # type: ignore[misc]  # not in django-stubs
        finally:
            self._release_gate()

    def _close(self) -> None:
        try:
            super()._close()  # type: ignore[misc]  # not in django-stubs
        finally:
            if self._gate is not None:
                self._gate.close()

    def _release_gate(self) -> None:
        if self._gate is not None:
            self._gate.release()
