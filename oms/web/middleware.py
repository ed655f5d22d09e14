from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

from oms.core import txmemo
from oms.core.context import reset_request_id, set_request_id

_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class RequestIdMiddleware:
    """Tag each request with an id (taken from X-Request-ID when well-formed) for the audit log."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _SAFE_ID.match(incoming) else uuid.uuid4().hex
        token = set_request_id(request_id)
        try:
            response = self.get_response(request)
        finally:
            reset_request_id(token)
        response["X-Request-ID"] = request_id
        return response


class RequestMemoMiddleware:
    """Issue 21: a request that only reads remembers what every part of its page asks again (the
    policy in force, the calendar's stamp, the department tree) for as long as it runs
    (`oms.core.txmemo.request_scope`); a request that writes reads them in its transactions."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method not in {"GET", "HEAD"}:
            return self.get_response(request)
        with txmemo.request_scope():
            return self.get_response(request)


class ContentSecurityPolicyMiddleware:
    """S-3: a strict CSP; every script and style is served from our own origin."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        return response


def _nul_fields(value: Any, path: str = "") -> list[str]:
    """Where a NUL character hides in parsed JSON: `lines.0.spec`, or `__all__` at the top."""
    if isinstance(value, str):
        return [path or "__all__"] if "\x00" in value else []
    if isinstance(value, dict):
        found = []
        for key, item in value.items():
            name = f"{path}.{key}" if path else str(key)
            found += [name] if "\x00" in str(key) else _nul_fields(item, name)
        return found
    if isinstance(value, list):
        return [
            f for i, item in enumerate(value) for f in _nul_fields(item, f"{path}.{i}" if path else str(i))
        ]
    return []


class NulCharacterMiddleware:
    """P-1: text with a NUL character (\\x00) is refused with 400 naming the field, on every
    path — query string, form fields, JSON bodies, the URL and cookies. PostgreSQL cannot store
    NUL in text (every such write or lookup was a 500 there), and no legitimate input has one;
    refusing keeps the data exactly as sent rather than silently altering it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        fields = self._fields_with_nul(request)
        if fields:
            return self._refuse(request, fields)
        return self.get_response(request)

    def _fields_with_nul(self, request: HttpRequest) -> list[str]:
        found = ["path"] if "\x00" in request.path else []
        found += [k for k, v in request.COOKIES.items() if "\x00" in k or "\x00" in v]
        found += [k for k, vs in request.GET.lists() if "\x00" in k or any("\x00" in v for v in vs)]
        content_type = request.content_type or ""
        if request.method in {"POST", "PUT", "PATCH", "DELETE"}:
            # The API reads its bodies itself (as JSON); parsing them as a form here would use up
            # the stream it reads.
            api = request.path.startswith("/api/")
            if not api and content_type in {"application/x-www-form-urlencoded", "multipart/form-data"}:
                found += [k for k, vs in request.POST.lists() if "\x00" in k or any("\x00" in v for v in vs)]
            elif content_type.endswith("json") and request.body:
                try:
                    found += _nul_fields(json.loads(request.body))
                except (ValueError, UnicodeDecodeError):
                    pass  # not JSON after all: the endpoint's own parser answers that
        return found

    def _refuse(self, request: HttpRequest, fields: list[str]) -> HttpResponse:
        message = _("输入中含有不允许的空字符（NUL）：%(fields)s") % {"fields": "、".join(fields)}
        if request.path.startswith("/api/"):
            body = {"code": "invalid", "message": message, "fields": {f: [message] for f in fields}}
            return JsonResponse(body, status=400, json_dumps_params={"ensure_ascii": False})
        from oms.web.views import bad_request  # views import models; keep middleware loading light

        return bad_request(request, BadRequest(message))
