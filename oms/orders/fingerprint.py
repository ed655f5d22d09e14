"""B-9: what makes two orders' lines the same, for the duplicate check (kept in each order's
`lines_fingerprint` and looked up through its index)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from decimal import Decimal


def lines_fingerprint(lines: Iterable[tuple[int, Decimal]]) -> str:
    """B-9: the same for two orders exactly when their (product, quantity) pairs are the same,
    in any order and however the quantities are written (2 = 2.0000)."""
    wanted = sorted((int(product), str(Decimal(quantity).normalize())) for product, quantity in lines)
    return hashlib.sha256(repr(wanted).encode()).hexdigest()[:32]
