"""B-8, S-1: a customer's portal login is confined to the portal. Every other address answers
404, exactly as an address that does not exist, so the staff side is not even discoverable; the
home page leads to the portal."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect

# What a customer's login may reach besides the portal and its API: logging out, the language
# switch, static files, the API's description, and the one-time links sent to customers (their
# token is the credential).
_OPEN = (
    "/portal/",
    "/api/portal/",
    "/api/openapi.json",
    "/api/docs",
    "/accounts/logout/",
    "/accounts/login/",
    "/i18n/setlang/",
    "/health/",
    "/confirm/",
    "/change/",
    "/accept/",
    "/survey/",
    "/favicon.ico",
)


class PortalConfinementMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.static = str(settings.STATIC_URL or "/static/")

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and getattr(user, "is_customer", False) and user.is_authenticated:
            path = request.path_info
            if path == "/":
                return redirect("portal:home")
            if not (path.startswith(_OPEN) or path.startswith(self.static)):
                raise Http404
        return self.get_response(request)
