"""S-1, P-4: the anonymous column of the permission matrix, generated from the URL configuration.

Every route is tried without a login, with GET and POST. A route either appears in PUBLIC with
the reason it is open, or it must refuse (login redirect, 401, 403, 404 or 405) without showing
anything: a new page that forgets its login check fails here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver

# Routes open without a login, and why.
PUBLIC = {
    "health/": "load balancer probe; says only that the app is up",
    "accounts/login/": "the login page",
    "accounts/logout/": "logging out needs no login",
    "i18n/setlang/": "language switch on the login page",
    "confirm/<str:token>/": "the customer's one-time confirmation link (H-2); the token is the credential",
    "change/<str:token>/": "the customer's one-time change link (I-1); the token is the credential",
    "accept/<str:token>/": "the customer's one-time acceptance link (K-3); the token is the credential",
    "survey/<str:token>/": "the customer's survey link (N-1, N-3); the token is the credential",
    "api/openapi.json": "the API description; every endpoint in it needs a token",
    "api/docs": "the API documentation page",
    "healthz": "liveness probe (issue 24.5); says only that the process is up",
    "readyz": "readiness probe (issue 24.5); says which of database, migrations, worker is not ready",
    "metrics": "Prometheus (issue 24.5); answers only a bearer OMS_METRICS_TOKEN or a direct loopback call",
}

_CONVERTER = re.compile(r"<(?:(\w+):)?(\w+)>")


def _routes(patterns: list[Any], prefix: str = "") -> Iterator[str]:
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _routes(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern)


def _sample(route: str) -> str:
    """A concrete path for a route: numbers for ids, a word for other parameters."""

    def fill(match: re.Match[str]) -> str:
        converter, name = match.group(1), match.group(2)
        return "1" if converter == "int" or name.endswith("_id") or name == "number" else "x"

    return "/" + _CONVERTER.sub(fill, route).lstrip("^").rstrip("$")


ROUTES = sorted({r for r in _routes(get_resolver().url_patterns) if not r.startswith("admin/")})


def _refused(response: Any) -> bool:
    if response.status_code in {302, 301}:
        login = str(settings.LOGIN_URL)
        return "login" in response["Location"] or login in response["Location"]
    return response.status_code in {401, 403, 404, 405}


def test_the_matrix_covers_every_route() -> None:
    assert len(ROUTES) > 100
    assert set(PUBLIC) <= set(ROUTES), set(PUBLIC) - set(ROUTES)


@pytest.mark.django_db
@pytest.mark.parametrize("route", [r for r in ROUTES if r not in PUBLIC])
def test_anonymous_is_refused(client: Any, route: str) -> None:
    path = _sample(route)
    for method in (client.get, client.post):
        response = method(path)
        assert _refused(response), (route, method.__name__, response.status_code)
