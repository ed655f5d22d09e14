"""Writes of generated files (issue 24.2): asking for one, the worker writing it into
`default_storage` (the instance folder or S3, so any node can serve it), and the periodic
removal of expired files. Each step is audited (S-2)."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponseBase, QueryDict
from django.urls import resolve
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from oms.accounts.models import User
from oms.audit.recorder import record
from oms.core.context import current_request_id
from oms.web.downloads import BACKGROUND
from oms.web.models import GeneratedFile

log = logging.getLogger("oms.web.downloads")
Status = GeneratedFile.Status
EXPIRE_BATCH = 500


class Refused(Exception):
    """The page no longer gives this user the file (rights or scope changed since asking)."""


def queue_page(request: HttpRequest, *, kind: str, title: Any) -> GeneratedFile:
    """Ask the worker for the file this GET request would answer: the page, its query string and
    the language are kept so that the worker re-runs exactly this request as this user."""
    user = request.user
    assert isinstance(user, User)  # pages that export require login
    with transaction.atomic():
        row = GeneratedFile.objects.create(
            requested_by=user,
            kind=kind,
            title=str(title)[:255],
            params={
                "path": request.path_info,
                "query": request.GET.urlencode(),
                "language": translation.get_language() or settings.LANGUAGE_CODE,
            },
        )
        record(actor=user, obj=row, action="export.requested", after={"kind": kind, **row.params})
    from oms.web.downloads.tasks import generate_file

    # On the database queue the task row commits with the caller; the immediate backend runs it now.
    generate_file.enqueue(row.pk, request_id=current_request_id())
    return row


def render_page(row: GeneratedFile) -> tuple[bytes, str]:
    """Re-run the asking GET request as its user, marked to be answered in full: the same view,
    selector, data scope, field policy, filters and watermark as the page itself (S-1)."""
    user = row.requested_by
    if not user.is_active:
        raise Refused
    request = HttpRequest()
    request.method = "GET"
    request.path = request.path_info = row.params["path"]
    request.GET = QueryDict(row.params["query"])
    base = urlsplit(settings.OMS_BASE_URL)
    # The site's own address, which ALLOWED_HOSTS accepts, should the page build an absolute link.
    request.META.update(
        {
            "REQUEST_METHOD": "GET",
            "QUERY_STRING": row.params["query"],
            "HTTP_HOST": base.netloc or "localhost",
            "wsgi.url_scheme": base.scheme or "http",
        }
    )
    request.user = user
    setattr(request, BACKGROUND, True)
    match = resolve(request.path_info)
    with translation.override(row.params.get("language") or settings.LANGUAGE_CODE):
        try:
            response: HttpResponseBase = match.func(request, *match.args, **match.kwargs)
        except (PermissionDenied, Http404) as exc:
            raise Refused from exc
    if response.status_code != 200 or "attachment" not in response.get("Content-Disposition", ""):
        raise Refused
    return response.content, _file_name(response.get("Content-Disposition", ""), row.title)  # type: ignore[attr-defined]


def _file_name(disposition: str, fallback: str) -> str:
    """The name the page gave its attachment (`filename*=UTF-8''...`)."""
    marker = "filename*=UTF-8''"
    if marker in disposition:
        return unquote(disposition.split(marker, 1)[1].split(";", 1)[0])
    if 'filename="' in disposition:
        return disposition.split('filename="', 1)[1].split('"', 1)[0]
    return fallback


# How each kind is rendered; a kind not named here ("list.xlsx", "archive.zip") is the page
# that asked for it, re-run (`render_page`).
RENDERERS: dict[str, Callable[[GeneratedFile], tuple[bytes, str]]] = {}


def generate(file_id: int) -> str:
    """The worker's part: render the file, store it, audit it. Safe to run twice (a retry, or a
    task made ready again after its worker died): a file already done is left alone. A refusal
    is final; any other error is stored and raised, so the task's retries apply."""
    row = GeneratedFile.objects.select_related("requested_by").get(pk=file_id)
    if row.status in (Status.DONE, Status.EXPIRED):
        return str(row.status)
    GeneratedFile.objects.filter(pk=row.pk).update(status=Status.RUNNING, error="")
    try:
        content, name = RENDERERS.get(row.kind, render_page)(row)
    except Refused:
        _fail(row, _("您已无权导出这些数据。"))
        return str(Status.FAILED)
    except Exception as exc:
        _fail(row, f"{type(exc).__name__}: {exc}")
        raise
    _store(row, content, name)
    return str(Status.DONE)


def _store(row: GeneratedFile, content: bytes, name: str) -> None:
    stored = default_storage.save(f"generated/{row.pk}/{name}", ContentFile(content))
    now = timezone.now()
    with transaction.atomic():
        row.status, row.error, row.storage_name, row.file_name = Status.DONE, "", stored, name
        row.size, row.finished_at = len(content), now
        row.expires_at = now + timedelta(hours=settings.OMS_GENERATED_FILE_HOURS)
        row.save(
            update_fields=[
                "status",
                "error",
                "storage_name",
                "file_name",
                "size",
                "finished_at",
                "expires_at",
            ]
        )
        record(
            actor=row.requested_by,
            obj=row,
            action="export.generated",
            after={
                "kind": row.kind,
                "file_name": name,
                "size": len(content),
                "sha256": hashlib.sha256(content).hexdigest(),
            },
        )


def _fail(row: GeneratedFile, error: str) -> None:
    with transaction.atomic():
        row.status, row.error, row.finished_at = Status.FAILED, error, timezone.now()
        row.save(update_fields=["status", "error", "finished_at"])
        record(actor=row.requested_by, obj=row, action="export.failed", after={"error": error[:500]})
    log.warning("generated file %s failed: %s", row.pk, error)


def expire_files(now: datetime) -> int:
    """Periodic job: delete the stored files whose time is up and mark their rows expired (the
    rows stay: who generated what, and when, is kept). Returns how many expired."""
    due = list(
        GeneratedFile.objects.filter(status=Status.DONE, expires_at__lte=now).order_by("expires_at", "pk")[
            :EXPIRE_BATCH
        ]
    )
    for row in due:
        if row.storage_name:
            default_storage.delete(row.storage_name)
        with transaction.atomic():
            row.status = Status.EXPIRED
            row.save(update_fields=["status"])
            record(actor=None, obj=row, action="export.expired", after={"file_name": row.file_name})
    return len(due)
