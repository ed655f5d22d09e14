"""What every billing verb shares: cents, and the one parser for amounts typed or sent (P-1)."""

from __future__ import annotations

from decimal import Decimal

from django.db import models

from oms.core.money import decimal_input

CENT = Decimal("0.01")


def amount_input(value: object, key: str, model: type[models.Model], name: str) -> Decimal | None:
    """P-1: the shared parser at the column's digits. The forms already hand over Decimals (kept
    as they are); text from other callers is parsed the same way. An oversized or non-finite value
    is refused naming `key`, empty is None (the caller says what is required)."""
    return decimal_input(value, key=key, model=model, name=name)
