from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from oms.accounts.permissions import can_edit_calendar
from oms.policy import selectors as policy_selectors


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The user's start page; administrators are warned when next year has no calendar (C-3)."""
    context = {
        "policy_version": policy_selectors.current_version(),
        "missing_year": policy_selectors.missing_next_year() if can_edit_calendar(request.user) else None,
    }
    return render(request, "core/home.html", context)


def health(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})
