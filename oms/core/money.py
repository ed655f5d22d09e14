"""Amounts in Chinese capitals (大写金额, E-1): round half-up to the fen first, then cn2an."""

from __future__ import annotations

import re
import unicodedata
from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation
from typing import Annotated, Any

from django.db import models
from django.utils.translation import gettext as _
from pydantic import BeforeValidator
from pydantic_core import PydanticCustomError

FEN = Decimal("0.01")
_DIGITS = {"零": 0, "壹": 1, "贰": 2, "叁": 3, "肆": 4, "伍": 5, "陆": 6, "柒": 7, "捌": 8, "玖": 9}
_SMALL = {"拾": 10, "佰": 100, "仟": 1000}


def plain_number(value: Decimal) -> str:
    """A quantity as people write it: no trailing zeros and never an exponent (12800, 2.5, 10),
    where `Decimal.normalize()` alone would print 1.28E+4."""
    return format(value.normalize(), "f")


def _finite(value: object) -> Decimal | None:
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    if isinstance(value, bool) or value is None or value == "":
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def format_amount(value: object) -> str:
    """P-1: an amount as a finance clerk writes it, on every page, document and message:
    thousands separators and two decimals, rounded half-up to the fen (43,750.00). A value that
    is not a number is shown as given."""
    number = _finite(value)
    if number is None:
        return "" if value is None else str(value)
    return format(number.quantize(FEN, rounding=ROUND_HALF_UP), ",f")


def format_price(value: object) -> str:
    """P-1: a unit price: like an amount (1,000.00, 480.50) but keeping the further decimals a
    price may carry (0.1234), never trailing zeros beyond the fen."""
    number = _finite(value)
    if number is None:
        return "" if value is None else str(value)
    number = number.normalize()
    if number.as_tuple().exponent > -2:  # type: ignore[operator]
        number = number.quantize(FEN)
    return format(number, ",f")


def format_quantity(value: object) -> str:
    """P-1: a quantity as people write it: thousands separators, no trailing zeros, never an
    exponent (12,800 · 2.5 · 10)."""
    number = _finite(value)
    if number is None:
        return "" if value is None else str(value)
    number = number.normalize()
    if number.as_tuple().exponent > 0:  # type: ignore[operator]
        number = number.quantize(Decimal(1))
    return format(number, ",f")


def amount_in_capitals(value: Decimal | int | str) -> str:
    """壹万贰仟元整 for 12000; negative amounts are refused (a contract states what is owed)."""
    amount = Decimal(str(value)).quantize(FEN, rounding=ROUND_HALF_UP)
    if amount < 0:
        raise ValueError("amount in capitals: negative amounts are not allowed")
    import cn2an  # imported on use: only printed documents need it (issue 21, memory)

    return str(cn2an.an2cn(format(amount, "f"), "rmb"))


def _integer(text: str) -> int:
    total = section = number = 0
    for ch in text:
        if ch in _DIGITS:
            number = _DIGITS[ch]
        elif ch in _SMALL:
            section += (number or 1) * _SMALL[ch]
            number = 0
        elif ch == "万":
            total += (section + number) * 10**4
            section = number = 0
        elif ch == "亿":
            total = (total + section + number) * 10**8
            section = number = 0
        else:
            raise ValueError(f"unexpected character {ch!r}")
    return total + section + number


def capitals_to_amount(text: str) -> Decimal:
    """The inverse of amount_in_capitals, to check it (and to read amounts typed by people)."""
    whole, _, rest = text.partition("元")
    if not _:
        whole, rest = "", text
    amount = Decimal(_integer(whole)) if whole else Decimal(0)
    number = 0
    for ch in rest:
        if ch in _DIGITS:
            number = _DIGITS[ch]
        elif ch == "角":
            amount += Decimal(number) / 10
            number = 0
        elif ch == "分":
            amount += Decimal(number) / 100
            number = 0
        elif ch in "整正":
            continue
        else:
            raise ValueError(f"unexpected character {ch!r}")
    return amount.quantize(FEN)


# --- one parser for every money and quantity input (P-1) -----------------------------------------

# SQLite keeps a decimal column's value as a 64-bit float when it does not fit an integer: 15
# significant digits survive exactly, a 16th may not. One rule on both engines: a value that
# cannot be kept exactly is refused rather than silently changed.
SIGNIFICANT_DIGITS = 15
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$")


class DecimalInputError(ValueError):
    """A number typed or sent that cannot be stored as it is; `message` names the field."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _text(value: object) -> str:
    if isinstance(value, bool):  # True is an int to Python, never a quantity to a person
        return "?"
    if isinstance(value, Decimal):
        return str(value)
    # NFKC folds full-width digits, signs, points and commas (１２３．５) into ASCII.
    text = unicodedata.normalize("NFKC", str(value)).strip().replace(" ", "").replace("\u00a0", "")
    if "," in text:
        if not _THOUSANDS.match(text):
            return "?"
        text = text.replace(",", "")
    return text


def parse_decimal(
    value: object,
    *,
    field: str,
    max_digits: int,
    decimal_places: int,
    min_value: Decimal | int | None = None,
    min_exclusive: bool = False,
    max_value: Decimal | int | None = None,
) -> Decimal:
    """P-1: the one way a money or quantity input becomes a Decimal.

    Accepts what people type (spaces, thousands commas, full-width digits); refuses NaN,
    Infinity, sNaN, exponents beyond the column, more integer digits than max_digits -
    decimal_places, more decimals than decimal_places, more than SIGNIFICANT_DIGITS, and values
    outside [min_value, max_value]. Returns the value as typed (no exponent, -0 becomes 0);
    the column keeps it exactly. Messages name `field` (its verbose name).
    """
    text = _text(value)
    try:
        number = Decimal(text)
    except (InvalidOperation, ValueError, TypeError):
        raise DecimalInputError(_("%(f)s：请输入数字。") % {"f": field}) from None
    if not number.is_finite():
        raise DecimalInputError(_("%(f)s：请输入数字（不接受 NaN、Infinity）。") % {"f": field})
    whole_digits = max_digits - decimal_places
    if not number.is_zero() and number.adjusted() >= whole_digits:
        raise DecimalInputError(
            _("%(f)s：数值过大，整数部分最多 %(n)s 位。") % {"f": field, "n": whole_digits}
        )
    scale = Decimal(1).scaleb(-decimal_places)
    exact = number.quantize(scale, context=Context(prec=max_digits + 2))
    if exact != number:
        raise DecimalInputError(_("%(f)s：最多 %(n)s 位小数。") % {"f": field, "n": decimal_places})
    if len(exact.normalize().as_tuple().digits) > SIGNIFICANT_DIGITS and not exact.is_zero():
        raise DecimalInputError(_("%(f)s：有效数字最多 %(n)s 位。") % {"f": field, "n": SIGNIFICANT_DIGITS})
    # The value as typed (2.50 stays 2.50, as before), written out in full (1E+3 is 1000), -0 is 0.
    exact = number if int(number.as_tuple().exponent) <= 0 else exact
    if exact.is_zero():
        exact = exact.copy_abs()
    if min_value is not None:
        low = Decimal(min_value)
        if min_exclusive and exact <= low:
            raise DecimalInputError(_("%(f)s必须大于 %(m)s。") % {"f": field, "m": low})
        if not min_exclusive and exact < low:
            raise DecimalInputError(_("%(f)s不能小于 %(m)s。") % {"f": field, "m": low})
    if max_value is not None and exact > Decimal(max_value):
        raise DecimalInputError(_("%(f)s不能大于 %(m)s。") % {"f": field, "m": Decimal(max_value)})
    return exact


def parse_model_decimal(
    model: type[models.Model], name: str, value: object, *, label: str | None = None, **limits: Any
) -> Decimal:
    """parse_decimal with the digits and the name of a model's DecimalField (P-1)."""
    column = model._meta.get_field(name)
    assert isinstance(column, models.DecimalField)
    return parse_decimal(
        value,
        field=label or str(column.verbose_name),
        max_digits=column.max_digits or 0,
        decimal_places=column.decimal_places or 0,
        **limits,
    )


def bounded_decimal(model: type[models.Model], name: str, *, label: str | None = None, **limits: Any) -> Any:
    """The API's decimal type for one model field: the same parser as the pages (P-1), so a
    schema refuses exactly what a form refuses, with the same message."""

    def check(value: object) -> Decimal:
        try:
            return parse_model_decimal(model, name, value, label=label, **limits)
        except DecimalInputError as exc:
            raise PydanticCustomError("decimal", "{message}", {"message": exc.message}) from None

    return Annotated[Decimal, BeforeValidator(check)]


def decimal_bounds(table: str, **columns: tuple[int, int]) -> list[models.CheckConstraint]:
    """P-1: the database refuses what validation misses (SQLite keeps any number in a decimal
    column). `columns` maps a field to its (max_digits, decimal_places); the bound is
    abs(value) < 10^(max_digits - decimal_places). NULL passes, as the column allows it."""
    checks = []
    for name, (max_digits, decimal_places) in columns.items():
        limit = 10 ** (max_digits - decimal_places)
        checks.append(
            models.CheckConstraint(
                condition=models.Q(**{f"{name}__lt": limit, f"{name}__gt": -limit})
                | models.Q(**{f"{name}__isnull": True}),
                name=f"{table}_{name}_range",
            )
        )
    return checks


def decimal_input(
    value: object, *, key: str, model: type[models.Model], name: str, label: str | None = None, **limits: Any
) -> Decimal | None:
    """P-1: an action's amount or quantity input: None when left empty; a value the column cannot
    keep (NaN, Infinity, too many digits) is refused at once as FieldErrors({key: message}),
    before anything is computed or saved. Sign and range rules stay with the caller."""
    from oms.core.errors import FieldErrors

    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        return parse_model_decimal(model, name, value, label=label, **limits)
    except DecimalInputError as exc:
        raise FieldErrors({key: exc.message}) from None
