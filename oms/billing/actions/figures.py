"""The figures kept on each invoice (issue 21, L-3, L-4): what is paid of it, what was paid by its
due date, and whether anything is left to collect. Every billing action that matches money to an
invoice (a payment, the customer's credit on a new invoice) or reverses one (a red-letter
invoice) calls `keep_figures` for the invoices it touched, inside its own transaction, so the
ledger and the collection rate read one row per invoice instead of summing the matches of the
whole scope on every request. The figures are recomputed from the matches (the one definition,
`receivables.paid_amount`), never added to, so a kept figure cannot drift from what it stands for;
`check_invoice_figures` compares them all."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from decimal import Decimal

from oms.billing.models import Invoice
from oms.billing.receivables import expected_figures


def keep_figures(invoice_ids: Iterable[int]) -> None:
    """Issue 21: set `received`, `received_on_time` and `settled` of these invoices to what their
    matches say (two queries whatever the number of invoices). The caller holds the transaction."""
    ids = {pk for pk in invoice_ids if pk is not None}
    if not ids:
        return
    kept = [
        Invoice(
            pk=row["pk"],
            received=row["paid"],
            received_on_time=row["paid_on_time"],
            settled=row["settled_now"],
        )
        for row in expected_figures(Invoice.objects.filter(pk__in=ids))
    ]
    Invoice.objects.bulk_update(kept, ["received", "received_on_time", "settled"])


def invoice_figure_errors(chunk: int = 2000) -> Iterator[str]:
    """Issue 21: every invoice whose kept figures differ from what its matches compute, as
    "number: field kept ≠ computed" (nothing when all agree). Read only."""
    for row in expected_figures(Invoice.objects.order_by("pk")).iterator(chunk_size=chunk):
        for kept, computed in (
            ("received", "paid"),
            ("received_on_time", "paid_on_time"),
            ("settled", "settled_now"),
        ):
            if row[kept] != row[computed]:
                yield f"{row['number']}: {kept} {_text(row[kept])} ≠ {_text(row[computed])}"


def _text(value: object) -> str:
    return f"{value:.2f}" if isinstance(value, Decimal) else str(value)
