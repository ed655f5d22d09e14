"""What every billing verb shares: cents, and the one parser for amounts typed or sent (P-1)."""

from __future__ import annotations

from decimal import Decimal

from django.db import models

from oms.core.money import decimal_input

CENT = Decimal("0.01")


def amount_input(value: Decimal | None, key: str, model: type[models.Model], name: str) -> Decimal | None:
    """P-1: an amount the caller's form already typed (issue 22: actions take typed values only;
    text is parsed by the forms, `oms.billing.forms`), checked against the column's digits: an
    oversized or non-finite value is refused naming `key`; None is left to the caller to require."""
    if value is not None and not isinstance(value, Decimal):
        raise TypeError(f"{key}: a Decimal from the form, not {type(value).__name__}")
    return decimal_input(value, key=key, model=model, name=name)
