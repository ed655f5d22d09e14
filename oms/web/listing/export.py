"""Excel exports: the one workbook writer of the system (S-1: no formula from outside, the
exporter's mark on every file) and the responses every list, report and chart offers."""

from __future__ import annotations

import io
import math
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from oms.web.listing.query import Column, cell, labelled


def excel_number_format(value: Decimal) -> str:
    """P-1: the same rule in Excel, where the cell stays a number: amounts #,##0.00, quantities
    with separators and only the decimals they have."""
    if value.as_tuple().exponent == -2:
        return "#,##0.00"
    return "#,##0" if value == value.to_integral_value() else "#,##0.0###"


def watermark(user: Any) -> str:
    """S-1: who is looking and when, printed over confidential pages and into exports so that a
    leaked copy names its source."""
    name = getattr(user, "get_full_name", lambda: "")() or getattr(user, "username", "")
    return f"{name} {timezone.localtime().strftime('%Y-%m-%d %H:%M')}"


def export_xlsx(
    title: Any,
    columns: Sequence[Column],
    rows: Any,
    *,
    viewer: Any,
    labels: Mapping[str, Mapping[str, str]] | None = None,
) -> HttpResponse:
    """Excel export of exactly the columns the user may see (S-1), codes by their labels."""
    labels = labels or {}
    return table_xlsx(
        title,
        [c.label for c in columns],
        ([labelled(cell(obj, c.name), labels.get(c.name)) for c in columns] for obj in rows),
        viewer=viewer,
    )


def table_xlsx(title: Any, headers: Sequence[Any], rows: Any, *, viewer: Any) -> HttpResponse:
    """Any table as an Excel file (S-1 marks as in `sheets_xlsx`): every list, report and chart
    offers this."""
    return sheets_xlsx(title, [(title, headers, rows)], viewer=viewer)


def sheets_xlsx(title: Any, sheets: Sequence[tuple[Any, Sequence[Any], Any]], *, viewer: Any) -> HttpResponse:
    """Tables as the sheets of one Excel file, marked with the exporter's name and time in each
    page header and the file's properties (S-1)."""
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return xlsx_response(workbook_bytes(sheets, mark=watermark(viewer)), f"{title}-{stamp}.xlsx")


# Excel (and LibreOffice) read a cell whose text begins with one of these as a formula when it is
# typed or edited, and CSV/paste paths evaluate it at once (S-1, issue 20 point 3).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def workbook_bytes(sheets: Sequence[tuple[Any, Sequence[Any], Any]], *, mark: str | None) -> bytes:
    """The one Excel writer: every export of the system is written here (S-1). Text that an
    outsider may have typed (a customer name, a note, a reason) can never become a live formula:
    such a cell is stored as text with Excel's quote prefix; numbers stay numbers. `mark` (the
    exporter and time) goes into the file's properties and each page header when given."""
    # openpyxl is imported here and in the cell helpers, on use: it is ~18 MiB that a web process
    # only needs when someone exports (issue 21, memory).
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    if mark is not None:
        wb.properties.creator = mark
    for name, headers, rows in sheets:
        ws = wb.create_sheet(title=str(name)[:31])
        if mark is not None:
            ws.oddHeader.right.text = str(_("导出：%(mark)s") % {"mark": mark})
            ws.oddFooter.center.text = str(_("内部资料 注意保密"))
        ws.append([_export_cell(ws, str(h)) for h in headers])
        for row in rows:
            ws.append([_export_cell(ws, v) for v in row])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _export_cell(ws: Any, value: Any) -> Any:
    """One value as an export cell: dates in local time, numbers as numbers, anything else as
    text that is never a formula."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if isinstance(value, date):
        return _date_cell(ws, value)
    if value is None:
        return ""
    if isinstance(value, Decimal) and value.is_finite():
        number = WriteOnlyCell(ws, value=value)
        number.number_format = excel_number_format(value)
        return number
    if isinstance(value, int | float) and math.isfinite(value):
        return value
    text = ILLEGAL_CHARACTERS_RE.sub("", str(value))  # control characters would break the file
    if not text.startswith(FORMULA_TRIGGERS):
        return text
    # openpyxl binds "=..." as a formula; force the type to text and set the quote prefix so
    # that Excel keeps it text even when the cell is edited, without altering the value.
    cell = WriteOnlyCell(ws, value=text)
    cell.data_type = "s"
    cell.quotePrefix = True
    return cell


def xlsx_response(content: bytes, file_name: str) -> HttpResponse:
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{_quote(file_name)}"
    return response


def _quote(text: str) -> str:
    from urllib.parse import quote

    return quote(text)


def _date_cell(ws: Any, value: date) -> Any:
    """A date or time stays a date cell that sorts and filters as one, written as people write
    it (issue 23.1)."""
    from openpyxl.cell import WriteOnlyCell

    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value).replace(tzinfo=None)
        moment = WriteOnlyCell(ws, value=value)
        moment.number_format = "yyyy-mm-dd hh:mm"
        return moment
    day = WriteOnlyCell(ws, value=value)
    day.number_format = "yyyy-mm-dd"
    return day
