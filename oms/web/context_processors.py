"""The left menu of the whole product, filtered by what the user may open (no dead links). The
sections are declared in `oms.wiring.wiring` (issue 22)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import get_script_prefix, reverse
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

from oms.core import registry

# Each menu entry's address by (URL name, script prefix): the URLconf does not change while the
# process runs, and reversing some 30 entries twice was a tenth of a list page (issue 21).
_URLS: dict[tuple[str, str], str] = {}


def _url(name: str) -> str:
    key = (name, get_script_prefix())
    found = _URLS.get(key)
    if found is None:
        found = _URLS[key] = reverse(name)
    return found


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or getattr(user, "is_customer", False):
        return {"menu": [], "menu_html": ""}
    menu = []
    for section in registry.menu:
        visible = [
            {
                "label": entry.label,
                "url": _url(entry.url_name),
                "active": request.path.startswith(_url(entry.url_name)) and entry.url_name != "core:home",
            }
            for entry in section.entries
            if entry.allowed(user)
        ]
        if visible:
            menu.append({"title": section.title, "items": visible})
    return {"menu": menu, "menu_html": _menu_html(menu)}


def _menu_html(menu: list[dict[str, Any]]) -> SafeString:
    """The menu as `base.html`'s loop printed it, built here: its nodes for some 30 entries were
    a millisecond of every page (issue 21). Titles, labels and addresses escaped as `{{ }}` does."""
    parts = []
    for section in menu:
        items = "".join(
            f'<a class="oms-menu-item{" active" if item["active"] else ""}" '
            f'href="{conditional_escape(item["url"])}">{conditional_escape(item["label"])}</a>'
            for item in section["items"]
        )
        parts.append(
            f'\n        <div class="oms-menu-title">{conditional_escape(section["title"])}</div>\n        {items}\n      '
        )
    return mark_safe("".join(parts))  # noqa: S308 - every value escaped above
