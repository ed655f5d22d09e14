"""The receivables ledger's page (issue 21, L-4): its rows and its pages without a count.

The rows are printed in Python (P-1): what the template's row loop printed (a customer link, an order link, nine amounts as a finance clerk
writes them), without a template node, filter call or URL reversal per cell. A page of 100 rows
sent 1,100 money filters and 200 reversals through the template engine (more than the SQL of the
open view's page); here each distinct amount and customer is printed once per page."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from html import escape
from typing import Any

from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from oms.billing.receivables import LedgerRow
from oms.core.money import format_amount

# An id that no URL contains otherwise, replaced by each row's order id.
_MARK = 987654321
# After the two links, in the columns' order (`receivables.COLUMNS`).
_AMOUNTS = ("invoiced", "received", "outstanding", "not_due")
_AGES = ("age_0_30", "age_31_60", "age_61_90", "age_over_90")


def rows_html(rows: Iterable[LedgerRow]) -> SafeString:
    """The `<tr>`s of `rows`, as `billing/receivables.html` printed them."""
    account = escape(reverse("billing:account"))
    detail = escape(reverse("workbench:order_detail", args=[_MARK])).replace(str(_MARK), "{}")
    amounts: dict[Decimal, str] = {}
    customers: dict[tuple[int, str], str] = {}

    def money(value: Decimal) -> str:
        text = amounts.get(value)
        if text is None:
            text = amounts[value] = escape(format_amount(value))
        return text

    out = []
    for row in rows:
        key = (row.customer_id, row.customer)
        customer = customers.get(key)
        if customer is None:
            customer = customers[key] = (
                f'<td><a href="{account}?customer={int(row.customer_id)}">{escape(str(row.customer))}</a></td>'
            )
        cells = "".join(f'<td class="text-end">{money(getattr(row, name))}</td>' for name in _AMOUNTS)
        late = ' class="text-end text-danger"' if row.overdue else ' class="text-end"'
        ages = "".join(f'<td class="text-end">{money(getattr(row, name))}</td>' for name in _AGES)
        # Every part is escaped above, the ids are integers: what format_html would give.
        order = f'<td><a href="{detail.format(int(row.order_id))}">{escape(str(row.order))}</a></td>'
        out.append(f"<tr>{customer}{order}{cells}<td{late}>{money(row.overdue)}</td>{ages}</tr>\n  ")
    return mark_safe("".join(out))  # noqa: S308


@dataclass
class Pages:
    """What the page's navigation reads of a paginator, for a page read with one row more than it
    shows (issue 21: the settled and whole ledger count nothing; "51+" rows, "2+" pages while
    there are more)."""

    shown: int
    more: bool
    number: int

    @property
    def count(self) -> int:
        return self.shown + 1 if self.more else self.shown

    @property
    def num_pages(self) -> int:
        return self.number + 1 if self.more else self.number

    @property
    def count_label(self) -> str:
        return f"{self.shown}+" if self.more else str(self.shown)

    @property
    def pages_label(self) -> str:
        return f"{self.number + 1}+" if self.more else str(self.number)


@dataclass
class Page:
    """A page of a list read with one row more than it shows (`peek`)."""

    object_list: list[Any]
    number: int
    paginator: Pages

    def has_previous(self) -> bool:
        return self.number > 1

    def has_next(self) -> bool:
        return self.paginator.more

    def previous_page_number(self) -> int:
        return self.number - 1

    def next_page_number(self) -> int:
        return self.number + 1


def peek(rows: Any, per_page: int, number: int) -> Page:
    """The `number`-th page of `rows` (a queryset in the list's order) and whether another
    follows, in one statement: the page's rows and one more, no count (issue 21)."""
    number = max(1, number)
    bottom = (number - 1) * per_page
    found = list(rows[bottom : bottom + per_page + 1])
    more = len(found) > per_page
    found = found[:per_page]
    return Page(found, number, Pages(bottom + len(found), more, number))
