"""Amounts in Chinese capitals (大写金额, E-1): round half-up to the fen first, then cn2an."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import cn2an

FEN = Decimal("0.01")
_DIGITS = {"零": 0, "壹": 1, "贰": 2, "叁": 3, "肆": 4, "伍": 5, "陆": 6, "柒": 7, "捌": 8, "玖": 9}
_SMALL = {"拾": 10, "佰": 100, "仟": 1000}


def amount_in_capitals(value: Decimal | int | str) -> str:
    """壹万贰仟元整 for 12000; negative amounts are refused (a contract states what is owed)."""
    amount = Decimal(str(value)).quantize(FEN, rounding=ROUND_HALF_UP)
    if amount < 0:
        raise ValueError("amount in capitals: negative amounts are not allowed")
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
