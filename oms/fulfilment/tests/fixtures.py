"""Test helpers shared by the tests that ship goods (fulfilment, changes)."""

from __future__ import annotations

from datetime import date

# K-1, K-2: what every shipment in these tests confirms.
CHECKED = {
    "confirmed_with": "张伟",
    "expected_arrival": date(2027, 1, 15),
    "quantity_checked": True,
}
