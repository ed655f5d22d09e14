"""P-1 (issue 20.1): the one decimal parser every money and quantity input goes through, and the
CHECK constraints that refuse what validation misses."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.apps import apps
from django.db import models
from hypothesis import given
from hypothesis import strategies as st

from oms.core.money import SIGNIFICANT_DIGITS, DecimalInputError, parse_decimal

HOSTILE = st.one_of(
    st.decimals(allow_nan=True, allow_infinity=True),
    st.sampled_from(
        ["NaN", "sNaN", "-NaN", "Infinity", "-Infinity", "inf", "1E+400", "1e-400", "-0", "-0.0000"]
    ),
    st.sampled_from(
        ["1,234.5", "1,23", " 12 ", "１２３．５", "１，０００", "1 000", "", "abc", "0x10", "1e20"]
    ),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.text(alphabet="0123456789.,eE+- １２３．，", max_size=25),
)


def _parse(value: object) -> Decimal:
    return parse_decimal(value, field="数量", max_digits=16, decimal_places=4)


@given(HOSTILE)
def test_parser_refuses_with_the_field_or_returns_a_value_the_column_keeps(value: object) -> None:
    """P-1: any input either is refused naming the field, or parses to a finite value within the
    column's digits that equals the input as typed."""
    try:
        parsed = _parse(value)
    except DecimalInputError as exc:
        assert exc.message.startswith("数量")
        return
    assert parsed.is_finite()
    assert abs(parsed) < Decimal(10) ** 12
    assert parsed == parsed.quantize(Decimal("0.0001"))
    assert len(parsed.normalize().as_tuple().digits) <= SIGNIFICANT_DIGITS
    assert not parsed.is_signed() or parsed != 0


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1E+20", "数量：数值过大，整数部分最多 12 位。"),
        ("NaN", "数量：请输入数字（不接受 NaN、Infinity）。"),
        ("sNaN", "数量：请输入数字（不接受 NaN、Infinity）。"),
        ("Infinity", "数量：请输入数字（不接受 NaN、Infinity）。"),
        ("1E+400", "数量：数值过大，整数部分最多 12 位。"),
        ("0.00001", "数量：最多 4 位小数。"),
        ("1e-400", "数量：最多 4 位小数。"),
        ("123456789012.3456", "数量：有效数字最多 15 位。"),
        ("1,23", "数量：请输入数字。"),
        (True, "数量：请输入数字。"),
    ],
)
def test_parser_refusals_name_the_field(value: object, expected: str) -> None:
    """P-1: the issue's hostile values are refused with a message naming the field."""
    with pytest.raises(DecimalInputError) as refused:
        _parse(value)
    assert refused.value.message == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(" 12 ", "12"), ("1,234.5", "1234.5"), ("１２３．５", "123.5"), ("-0", "0"), (Decimal("2.50"), "2.5")],
)
def test_parser_accepts_what_people_type(value: object, expected: str) -> None:
    """P-1: spaces, thousands commas and full-width digits are read; -0 is 0."""
    parsed = _parse(value)
    assert (parsed, parsed.is_signed()) == (Decimal(expected), False)


def test_min_value_names_the_field() -> None:
    """P-1: the sign rule travels with the parser."""
    with pytest.raises(DecimalInputError) as refused:
        parse_decimal("0", field="数量", max_digits=16, decimal_places=4, min_value=0, min_exclusive=True)
    assert refused.value.message == "数量必须大于 0。"


def test_every_decimal_column_has_a_range_check() -> None:
    """P-1: every money and quantity column is bounded in the database to
    abs(value) < 10^(max_digits - decimal_places), so SQLite refuses what validation misses."""
    missing = []
    for model in apps.get_models():
        if not model.__module__.startswith("oms.") or model.__name__.startswith("Historical"):
            continue
        names = {c.name: c for c in model._meta.constraints}
        for f in model._meta.concrete_fields:
            if isinstance(f, models.DecimalField):
                check = names.get(f"{model._meta.db_table}_{f.name}_range")
                limit = 10 ** ((f.max_digits or 0) - (f.decimal_places or 0))
                if check is None or f"('{f.name}__lt', {limit})" not in str(check.condition):
                    missing.append(f"{model._meta.label}.{f.name}")
    assert missing == []
