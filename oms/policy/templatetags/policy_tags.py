from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from oms.policy.forms import Leaf

register = template.Library()


@register.filter
def startswith(value: str, prefix: str) -> bool:
    return str(value) == prefix or str(value).startswith(f"{prefix}.")


@register.simple_tag
def policy_input(leaf: Leaf, posted: Any = None) -> SafeString:
    """The input for one setting, showing what was posted when the form comes back with errors."""
    name, ident = leaf.path, f"f-{leaf.path}"
    if leaf.kind == "bool":
        checked = (posted.get(name) == "on") if posted else bool(leaf.value)
        return format_html(
            '<input class="form-check-input mt-2" type="checkbox" id="{}" name="{}"{}>',
            ident,
            name,
            " checked" if checked else "",
        )
    if leaf.kind == "departments":
        selected = posted.getlist(name) if posted else list(leaf.value)
        return format_html_join(
            "",
            '<div class="form-check form-check-inline"><input class="form-check-input" type="checkbox" id="{}-{}" name="{}" value="{}"{}>'
            '<label class="form-check-label" for="{}-{}">{}</label></div>',
            (
                (ident, code, name, code, " checked" if code in selected else "", ident, code, label)
                for code, label in leaf.choices
            ),
        )
    if leaf.kind == "choice":
        current = posted.get(name) if posted else str(leaf.value)
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            ((v, " selected" if v == current else "", label) for v, label in leaf.choices),
        )
        return format_html('<select class="form-select" id="{}" name="{}">{}</select>', ident, name, options)
    if leaf.kind == "records":
        value = posted.get(name) if posted else leaf.value
        return format_html(
            '<textarea class="form-control font-monospace" rows="8" id="{}" name="{}">{}</textarea>',
            ident,
            name,
            value,
        )
    value = (
        posted.get(name, "")
        if posted
        else (", ".join(str(v) for v in leaf.value) if leaf.kind == "list" else leaf.value)
    )
    input_mode = ' inputmode="decimal"' if leaf.kind in {"int", "decimal"} else ""
    return format_html(
        '<input class="form-control" id="{}" name="{}" value="{}"{}>',
        ident,
        name,
        value,
        SafeString(input_mode),
    )
