"""Typed reading of query-string parameters for pages (P-1: bad input gets a clear error naming
the field). A malformed value — not a number, a number past what the database holds, a year or
date that does not exist — is refused with 400 and a message naming the parameter, never a 500.

The rule for every page: a parameter that cannot be read is refused (400, the normal layout with
the message); a well-formed value that selects nothing gives an empty list. The API answers the
same mistakes with its typed 422 (`oms.web.api`).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import BadRequest, ValidationError
from django.db import models
from django.http import HttpRequest
from django.utils.translation import gettext as _

# The largest value a database integer column holds (PostgreSQL bigint; SQLite's INTEGER too).
MAX_DB_INT = 2**63 - 1
# Pages past this are refused: OFFSET = (page - 1) × page size must stay a database integer.
MAX_PAGE = 1_000_000
# Years the working calendar and the reports can handle.
MIN_YEAR, MAX_YEAR = 1900, 2999
# Longer query values are refused before they reach a LIKE search.
MAX_QUERY_LENGTH = 200


class BadParameter(BadRequest):
    """A query parameter that cannot be read; `message` names it, for the user."""

    def __init__(self, name: str, message: str) -> None:
        self.name = name
        self.message = _("参数“%(name)s”有误：%(problem)s") % {"name": name, "problem": message}
        super().__init__(self.message)


def text_param(request: HttpRequest, name: str, default: str = "") -> str:
    value = request.GET.get(name, default)
    if len(value) > MAX_QUERY_LENGTH:
        raise BadParameter(name, _("不能超过 %(n)s 个字符。") % {"n": MAX_QUERY_LENGTH})
    return value


def int_param(
    request: HttpRequest, name: str, default: int, *, minimum: int = 1, maximum: int = MAX_DB_INT
) -> int:
    """An integer within [minimum, maximum]; empty or absent is the default."""
    raw = request.GET.get(name, "").strip()
    if not raw:
        return default
    return parse_int(name, raw, minimum=minimum, maximum=maximum)


def parse_int(name: str, raw: str, *, minimum: int = 1, maximum: int = MAX_DB_INT) -> int:
    if len(raw) > 20 or not raw.lstrip("-").isdigit():
        raise BadParameter(name, _("必须是整数。"))
    value = int(raw)
    if not minimum <= value <= maximum:
        raise BadParameter(name, _("必须在 %(lo)s 到 %(hi)s 之间。") % {"lo": minimum, "hi": maximum})
    return value


def page_param(request: HttpRequest) -> int:
    """The page number of a paginated list: 1 to MAX_PAGE (past the last page shows the last)."""
    return int_param(request, "page", 1, minimum=1, maximum=MAX_PAGE)


def year_param(request: HttpRequest, default: int, name: str = "year") -> int:
    return int_param(request, name, default, minimum=MIN_YEAR, maximum=MAX_YEAR)


def date_param(request: HttpRequest, name: str, default: date | None = None) -> date | None:
    raw = request.GET.get(name, "").strip()
    if not raw:
        return default
    return parse_date(name, raw)


def parse_date(name: str, raw: str) -> date:
    try:
        value = date.fromisoformat(raw)
    except ValueError:
        raise BadParameter(name, _("不是有效的日期（格式 YYYY-MM-DD）。")) from None
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise BadParameter(name, _("年份必须在 %(lo)s 到 %(hi)s 之间。") % {"lo": MIN_YEAR, "hi": MAX_YEAR})
    return value


def month_param(request: HttpRequest, name: str, default: str) -> str:
    """A month as YYYY-MM (the KPI and report pages)."""
    raw = request.GET.get(name, "").strip() or default
    parts = raw.split("-")
    if len(parts) != 2:
        raise BadParameter(name, _("不是有效的月份（格式 YYYY-MM）。"))
    year = parse_int(name, parts[0], minimum=MIN_YEAR, maximum=MAX_YEAR)
    month = parse_int(name, parts[1], minimum=1, maximum=12)
    return f"{year:04d}-{month:02d}"


def field_value(model: type[models.Model], lookup: str, raw: str) -> Any:
    """The value of a list filter `lookup` (e.g. `region`, `status`, `owner__department`) checked
    against the type of the model field it ends on: an id must be a database integer, a choice
    one of the field's choices, a boolean true/false, a date a real date."""
    field: Any = None
    current: type[models.Model] = model
    for part in lookup.split("__"):
        field = current._meta.get_field(part)
        if field.is_relation and field.related_model is not None:
            current = field.related_model
    if field is None:
        return raw
    if field.is_relation:
        field = field.target_field
    if isinstance(field, models.DateField):
        return parse_date(lookup, raw)
    if isinstance(field, models.IntegerField | models.AutoField):
        return parse_int(lookup, raw, minimum=-MAX_DB_INT, maximum=MAX_DB_INT)
    if isinstance(field, models.BooleanField):
        if raw not in {"true", "false", "1", "0", "True", "False"}:
            raise BadParameter(lookup, _("必须是 true 或 false。"))
        return raw in {"true", "1", "True"}
    try:
        value = field.to_python(raw)
    except ValidationError:
        raise BadParameter(lookup, _("值无效。")) from None
    if getattr(field, "choices", None) and value not in {str(k) for k, _v in field.choices}:
        raise BadParameter(lookup, _("不是可选的值。"))
    if len(raw) > MAX_QUERY_LENGTH:
        raise BadParameter(lookup, _("不能超过 %(n)s 个字符。") % {"n": MAX_QUERY_LENGTH})
    return value
