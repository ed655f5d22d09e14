"""E-1: amounts in Chinese capitals round half-up to the fen and read back exactly."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from oms.core.money import amount_in_capitals, capitals_to_amount


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("0", "零元整"),
        ("12000", "壹万贰仟元整"),
        ("1002.5", "壹仟零贰元伍角"),
        ("100000000.10", "壹亿元壹角"),
        ("1000000000000", "壹万亿元整"),
        ("0.05", "伍分"),
        ("36860", "叁万陆仟捌佰陆拾元整"),
    ],
)
def test_known_values(value, text) -> None:
    assert amount_in_capitals(Decimal(value)) == text


def test_rounds_half_up_to_the_fen_first() -> None:
    assert amount_in_capitals(Decimal("1.005")) == amount_in_capitals(Decimal("1.01"))
    assert amount_in_capitals(Decimal("1.004")) == amount_in_capitals(Decimal("1.00"))


def test_negative_amounts_are_refused() -> None:
    with pytest.raises(ValueError):
        amount_in_capitals(Decimal("-0.01"))


@settings(max_examples=500, deadline=None)
@given(cents=st.integers(min_value=0, max_value=10**14))
def test_every_amount_round_trips(cents: int) -> None:
    amount = Decimal(cents) / 100
    assert capitals_to_amount(amount_in_capitals(amount)) == amount.quantize(Decimal("0.01"))


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("12800", "12800"),
        ("12800.0000", "12800"),
        ("10", "10"),
        ("2.50", "2.5"),
        ("0.5", "0.5"),
        ("1E+2", "100"),
    ],
)
def test_plain_number_never_prints_an_exponent_or_trailing_zeros(value: str, text: str) -> None:
    """P-1: quantities in messages and forms read as people write them (12800, not 1.28E+4)."""
    from oms.core.money import plain_number

    assert plain_number(Decimal(value)) == text
