from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from oms.accounts.permissions import can_edit_calendar
from oms.core import registry
from oms.policy import selectors as policy_selectors


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The user's start page: the panels the apps registered (issue 23: what waits on me, by kind);
    administrators are warned when next year has no calendar (C-3)."""
    panels = []
    for panel in sorted(registry.home_panels, key=lambda p: p.order):
        names = panel.context(request)
        if names is not None:
            panels.append((panel.template, names))
    context = {
        "policy_version": policy_selectors.current_version(),
        "missing_year": policy_selectors.missing_next_year() if can_edit_calendar(request.user) else None,
        "panels": panels,
    }
    return render(request, "core/home.html", context)


def health(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


def _error_page(request: HttpRequest, template: str, status: int) -> HttpResponse:
    """The project's error pages: the normal layout (the portal's for a customer) in the user's
    language, never the framework's bare English text."""
    customer = bool(getattr(request.user, "is_customer", False)) if hasattr(request, "user") else False
    base = "portal/base.html" if customer else "base.html"
    return render(request, template, {"base_template": base}, status=status)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """handler404."""
    return _error_page(request, "404.html", 404)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """handler400: the layout with what was wrong (P-1). Only our own messages are shown — a
    parameter refused by `oms.core.params` or the NUL check; others (a bad Host header, …) get
    the general text, since their wording is the framework's and may say too much."""
    from oms.core.params import BadParameter

    message = getattr(exception, "message", "") if isinstance(exception, BadParameter) else ""
    if not message and type(exception) is BadRequest:
        message = str(exception)
    base = (
        "portal/base.html" if getattr(getattr(request, "user", None), "is_customer", False) else "base.html"
    )
    return render(request, "400.html", {"base_template": base, "message": message}, status=400)


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """handler403."""
    return _error_page(request, "403.html", 403)
