"""Turning pydantic's validation errors into messages that name the field, in the user's language."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from pydantic import ValidationError

_MESSAGES = {
    "missing": lambda e: _("缺少此项"),
    "extra_forbidden": lambda e: _("不认识的设置项"),
    "int_type": lambda e: _("应为整数"),
    "int_parsing": lambda e: _("应为整数"),
    "int_from_float": lambda e: _("应为整数"),
    "decimal_type": lambda e: _("应为数字"),
    "decimal_parsing": lambda e: _("应为数字"),
    "bool_type": lambda e: _("应为 true 或 false"),
    "bool_parsing": lambda e: _("应为 true 或 false"),
    "string_type": lambda e: _("应为文本"),
    "list_type": lambda e: _("应为列表"),
    "model_type": lambda e: _("应为一组设置"),
    "dict_type": lambda e: _("应为一组设置"),
    "greater_than": lambda e: _("必须大于 %(v)s") % {"v": e["ctx"]["gt"]},
    "greater_than_equal": lambda e: _("必须大于或等于 %(v)s") % {"v": e["ctx"]["ge"]},
    "less_than_equal": lambda e: _("必须小于或等于 %(v)s") % {"v": e["ctx"]["le"]},
    "too_short": lambda e: _("至少需要 %(v)s 项") % {"v": e["ctx"]["min_length"]},
    "string_too_short": lambda e: _("不能为空"),
    "string_too_long": lambda e: _("太长（最多 %(v)s 个字符）") % {"v": e["ctx"]["max_length"]},
    "literal_error": lambda e: _("只能是：%(v)s") % {"v": e["ctx"]["expected"]},
    "string_pattern_mismatch": lambda e: _("格式不正确"),
    "decimal_max_places": lambda e: _("小数位数太多"),
    "decimal_max_digits": lambda e: _("数字位数太多"),
}


def field_errors(exc: ValidationError) -> list[tuple[str, str]]:
    """[(dotted field path, message)], one per problem, in the active language."""
    result = []
    for error in exc.errors():
        path = ".".join(str(p) for p in error["loc"]) or _("（整体）")
        make = _MESSAGES.get(error["type"])
        message = make(error) if make else _("无效：%(msg)s") % {"msg": _strip(error)}
        result.append((path, str(message)))
    return result


def _strip(error: Any) -> str:
    msg = str(error.get("msg", ""))
    return msg.removeprefix("Value error, ")
