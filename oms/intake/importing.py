"""Orders from a spreadsheet (B-9): every row checked in a preview, nothing saved until confirmed."""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from oms.catalog.models import Product
from oms.core.errors import FieldErrors
from oms.core.money import DecimalInputError, parse_model_decimal
from oms.customers.models import Customer, PaymentTerms
from oms.orders.models import OrderLine

# Column: accepted headers (Chinese as shown in the template, or the field name).
COLUMNS = {
    "customer_code": ("客户代码", "customer_code"),
    "external_ref": ("客户单号", "external_ref"),
    "order_date": ("下单日期", "order_date"),
    "delivery_date": ("交货日期", "delivery_date"),
    "delivery_place": ("交货地点", "delivery_place"),
    "contact_name": ("联系人", "contact_name"),
    "contact_phone": ("联系电话", "contact_phone"),
    "payment_terms": ("付款方式", "payment_terms"),
    "order_class": ("订单类别", "order_class"),
    "product_code": ("产品编码", "product_code"),
    "quantity": ("数量", "quantity"),
    "unit_price": ("单价", "unit_price"),
}
REQUIRED = (
    "customer_code",
    "order_date",
    "delivery_date",
    "delivery_place",
    "contact_name",
    "contact_phone",
    "payment_terms",
    "product_code",
    "quantity",
)


class Rollback(Exception):
    """Raised inside a savepoint to undo a dry run."""


def template_headers() -> list[str]:
    return [names[0] for names in COLUMNS.values()]


def _cell(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _date(value: Any) -> str:
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return date.fromisoformat(str(value).strip()).isoformat()


def _terms(value: Any) -> str:
    text = str(value or "").strip()
    for code, label in PaymentTerms.choices:
        if text in (code, str(label)):
            return code
    return text


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB" if n >= 1024 * 1024 else f"{max(n // 1024, 1)} KB"


def _unreadable() -> FieldErrors:
    return FieldErrors({"file": _("无法读取文件：请上传 Excel 文件（.xlsx）。")})


def check_upload_size(size: int) -> None:
    """B-9: a file over the upload limit (setting `IMPORT_MAX_UPLOAD_BYTES`) is refused before it is
    read into memory."""
    limit = settings.IMPORT_MAX_UPLOAD_BYTES
    if size > limit:
        raise FieldErrors(
            {
                "file": _("文件过大（%(size)s）：一次最多上传 %(limit)s。")
                % {"size": _size(size), "limit": _size(limit)}
            }
        )


def _check_archive(content: bytes) -> None:
    """B-9: an .xlsx is a zip archive; the sizes its entries declare add up to what parsing would
    unpack. Over the limit (setting `IMPORT_MAX_UNCOMPRESSED_BYTES`) the file is refused before any
    of it is unpacked: a small file can expand to gigabytes (a "zip bomb"). An entry that holds
    more than it declares cannot slip past: Python's zipfile stops at the declared size and the
    checksum then fails, which is refused as an unreadable file."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise _unreadable() from exc
    if not any(e.filename == "xl/workbook.xml" for e in entries):
        raise _unreadable()
    unpacked = sum(e.file_size for e in entries)
    limit = settings.IMPORT_MAX_UNCOMPRESSED_BYTES
    if unpacked > limit:
        raise FieldErrors(
            {
                "file": _(
                    "文件解压后过大（%(size)s）：最多 %(limit)s，请删除多余的工作表、图片或格式后重试。"
                )
                % {"size": _size(unpacked), "limit": _size(limit)}
            }
        )


def _too_many_rows(limit: int) -> FieldErrors:
    return FieldErrors({"file": _("行数过多：一次最多导入 %(n)s 行（不含表头）。") % {"n": limit}})


def _number(values: dict[str, Any], column: str, problems: list[str]) -> str | None:
    """P-1: a quantity or price cell through the one decimal parser, named by its column header;
    an empty cell is None (a required one is reported as empty already)."""
    value = values.get(column)
    if value in (None, ""):
        return None
    try:
        return str(parse_model_decimal(OrderLine, column, value, label=COLUMNS[column][0]))
    except DecimalInputError as exc:
        problems.append(exc.message)
        return None


def read_rows(content: bytes) -> list[tuple[int, dict[str, Any]]]:
    """(row number, values by column) for every non-empty row; FieldErrors for a bad file.
    B-9: the upload size, the unpacked size and the sheet's declared row count are checked
    before the rows are parsed; the sheet is then streamed (read-only) and reading stops at the
    first data row past the row limit (setting `IMPORT_MAX_ROWS`)."""
    check_upload_size(len(content))
    _check_archive(content)
    limit = settings.IMPORT_MAX_ROWS
    from openpyxl import load_workbook  # on use: a web process only needs it for an import (issue 21)

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        try:
            return _rows(workbook.worksheets[0], limit)
        finally:
            workbook.close()
    except FieldErrors:
        raise
    except Exception as exc:  # any parser failure on a hostile file is "unreadable", not a 500
        raise _unreadable() from exc


def _rows(sheet: Any, limit: int) -> list[tuple[int, dict[str, Any]]]:
    declared = sheet.max_row  # from the sheet's <dimension>, read without parsing the rows
    if declared is not None and declared - 1 > limit:
        raise _too_many_rows(limit)
    rows = sheet.iter_rows(values_only=True)
    header = [str(_cell(h) or "") for h in next(rows, ())]
    positions: dict[str, int] = {}
    for column, names in COLUMNS.items():
        for i, h in enumerate(header):
            if h in names:
                positions[column] = i
    missing = [COLUMNS[c][0] for c in REQUIRED if c not in positions]
    if missing:
        raise FieldErrors({"file": _("缺少列：%(c)s") % {"c": "、".join(missing)}})
    result = []
    for number, row in enumerate(rows, start=2):
        values = {c: _cell(row[i]) if i < len(row) else None for c, i in positions.items()}
        if all(v in (None, "") for v in values.values()):
            continue
        if number - 1 > limit:
            raise _too_many_rows(limit)
        result.append((number, values))
    return result


def group_rows(rows: list[tuple[int, dict[str, Any]]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Rows of one customer and customer order number form one order; rows are checked as they are read."""
    customers = {
        c.code: c.pk for c in Customer.objects.filter(code__in={str(v["customer_code"]) for _, v in rows})
    }
    products = {
        p.code: p.pk for p in Product.objects.filter(code__in={str(v["product_code"]) for _, v in rows})
    }
    groups: dict[tuple[str, str], dict[str, Any]] = {}
    errors: list[dict[str, Any]] = []
    for number, v in rows:
        problems = [_("%(c)s 不能为空") % {"c": COLUMNS[c][0]} for c in REQUIRED if v.get(c) in (None, "")]
        customer = customers.get(str(v.get("customer_code")))
        product = products.get(str(v.get("product_code")))
        if v.get("customer_code") not in (None, "") and customer is None:
            problems.append(_("客户代码 %(c)s 不存在") % {"c": v["customer_code"]})
        if v.get("product_code") not in (None, "") and product is None:
            problems.append(_("产品编码 %(c)s 不存在") % {"c": v["product_code"]})
        try:
            order_date, delivery_date = _date(v["order_date"]), _date(v["delivery_date"])
        except (ValueError, TypeError, KeyError):
            problems.append(_("日期格式应为 YYYY-MM-DD"))
            order_date = delivery_date = ""
        quantity, price = _number(v, "quantity", problems), _number(v, "unit_price", problems)
        if problems:
            errors.append({"row": number, "messages": problems})
            continue
        key = (str(v["customer_code"]), str(v.get("external_ref") or f"row-{number}"))
        group = groups.setdefault(
            key,
            {
                "rows": [],
                "header": {
                    "customer": customer,
                    "external_ref": str(v.get("external_ref") or ""),
                    "order_date": order_date,
                    "delivery_date": delivery_date,
                    "delivery_place": str(v["delivery_place"]),
                    "contact_name": str(v["contact_name"]),
                    "contact_phone": str(v["contact_phone"]),
                    "payment_terms": _terms(v["payment_terms"]),
                    "order_class": str(v.get("order_class") or "normal"),
                    "channel": "import",
                },
                "lines": [],
            },
        )
        group["rows"].append(number)
        line: dict[str, Any] = {"product": product, "quantity": quantity}
        if price is not None:
            line["unit_price"] = price
        group["lines"].append(line)
    return list(groups.values()), errors


def order_header(raw: dict[str, Any]) -> dict[str, Any]:
    data = dict(raw)
    data["customer"] = Customer.objects.get(pk=raw["customer"])
    data["order_date"], data["delivery_date"] = (
        date.fromisoformat(raw["order_date"]),
        date.fromisoformat(raw["delivery_date"]),
    )
    return data
