"""Issue 21 (ADRs 0018, 0019): every KPI figure kept at write time checked against the records
(`manage.py kpi_figures`)."""

from __future__ import annotations

from calendar import monthrange
from collections.abc import Callable
from datetime import date
from functools import partial

from django.utils import timezone

from oms.analytics.kpis import KPIS, Row, kept, kept_collection
from oms.billing.models import Invoice
from oms.delivery.models import Acceptance
from oms.orders.models import SalesOrder
from oms.tracking import selectors as tracking_selectors
from oms.tracking.actions import collection, confirmed
from oms.tracking.models import OrderKpi


def kept_figure_errors() -> list[str]:
    """Every kept figure that differs from the records: the tallies against the kept outcomes
    (or invoices) they sum, then each month's kept figures per salesperson against the KPI
    computed from the source rows."""
    errors: list[str] = []
    for code in OrderKpi.values:
        have, want = tracking_selectors.tallies(code), tracking_selectors.recounted(code)
        for key in sorted(set(have) | set(want)):
            if have.get(key, (0, 0)) != want.get(key, (0, 0)):
                errors.append(f"tally {key}: kept {have.get(key)}, outcomes {want.get(key)}")
        months = {k[1] for k in want} | _months_with_records(code)
        errors += _monthly(code, months, partial(kept, code))
    errors += collection.errors()
    errors += confirmed.errors()  # the dashboard's sums
    months = set(Invoice.objects.dates("due_date", "month"))
    errors += _monthly("collection", months, kept_collection)
    return errors


def _monthly(code: str, months: set[date], read: Callable[[date, date, str], list[Row]]) -> list[str]:
    """Each month's kept figures per salesperson against `compute`."""
    errors = []
    for first in sorted(months):
        last = first.replace(day=monthrange(first.year, first.month)[1])
        kept_rows = _set(read(first, last, "person"))
        direct = _set(KPIS[code].compute(first, last, "person"))
        if kept_rows != direct:
            errors.append(f"{code} {first:%Y-%m}: kept {sorted(kept_rows)}, records {sorted(direct)}")
    return errors


def _set(rows: list[Row]) -> set[tuple[object, object, object]]:
    return {(r.key, r.numerator, r.denominator) for r in rows}


def _months_with_records(code: str) -> set[date]:
    """The months in which the records give `code` a figure, kept or not."""
    if code == OrderKpi.TIMELINESS:
        return set(SalesOrder.objects.filter(submitted_at__isnull=False).dates("order_date", "month"))
    if code == OrderKpi.CONFIRMATION:
        zone = timezone.get_default_timezone()
        stamps = SalesOrder.objects.filter(confirmed_at__isnull=False).datetimes(
            "confirmed_at", "month", tzinfo=zone
        )
        return {stamp.date() for stamp in stamps}
    return set(Acceptance.objects.dates("received_on", "month"))
