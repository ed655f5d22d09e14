"""The "generating…" page, the download and "my downloads" (issue 24.2)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render

from oms.web.downloads import selectors
from oms.web.pages import visible_or_404

POLL_SECONDS = 2


@login_required
def status(request: HttpRequest, pk: int) -> HttpResponse:
    """One file of the user's: while it is queued or being written the page asks again every
    two seconds (htmx; a meta refresh without JavaScript), then offers the download."""
    row = visible_or_404(selectors.files_of(request.user), pk)
    template = "downloads/_status.html" if request.headers.get("HX-Request") else "downloads/status.html"
    return render(request, template, {"file": row, "poll_seconds": POLL_SECONDS})


@login_required
def download(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The stored file, for whoever asked for it (or an administrator); anyone else gets 404.
    On S3 the storage's signed, short-lived link; on the instance folder the file itself."""
    row = visible_or_404(selectors.fetchable(request.user), pk)
    if not default_storage.exists(row.storage_name):  # removed from the storage by hand
        raise Http404
    try:
        default_storage.path(row.storage_name)
    except NotImplementedError:  # object storage: no local path, a signed URL instead
        return redirect(default_storage.url(row.storage_name))
    return FileResponse(
        default_storage.open(row.storage_name, "rb"), as_attachment=True, filename=row.file_name
    )


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    """My downloads: the latest files I asked for, with their status (bounded)."""
    rows = list(selectors.files_of(request.user)[: selectors.MINE_SHOWN])
    return render(request, "downloads/mine.html", {"files": rows, "shown": selectors.MINE_SHOWN})
