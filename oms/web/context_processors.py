"""The left menu of the whole product, filtered by what the user may open (no dead links). The
sections are declared in `oms.wiring.wiring` (issue 22)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import get_script_prefix, reverse

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
        return {"menu": []}
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
    return {"menu": menu}
