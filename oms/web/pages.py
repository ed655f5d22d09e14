"""Small helpers every page module shares: the acting user, and refusals as messages."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from oms.accounts.models import User
from oms.core.errors import ActionError, FieldErrors
from oms.engine import workflow

M = TypeVar("M", bound=Model)


def visible_or_404(records: QuerySet[M], pk: int) -> M:
    """The record `pk` among `records`, the ones the user may see (a selector's scoped queryset),
    else 404: a record outside the user's scope is not told apart from one that does not exist."""
    found = records.filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def actor(request: HttpRequest) -> User:
    """The logged-in user (pages that call this require login)."""
    assert isinstance(request.user, User)
    return request.user


def flash_refusal(request: HttpRequest, exc: ActionError | workflow.WorkflowError) -> None:
    """Show why an action was refused: every field message, or the refusal's own message."""
    if isinstance(exc, FieldErrors):
        for msgs in exc.errors.values():
            for m in msgs:
                messages.error(request, m)
    else:
        messages.error(request, exc.message)


def attempt(request: HttpRequest, do: Callable[[], object], success: str = "") -> bool:
    """Run one decision a form posted: on refusal, show why (nothing was saved); else the success
    message. Returns whether it went through."""
    try:
        do()
    except (ActionError, workflow.WorkflowError) as exc:
        flash_refusal(request, exc)
        return False
    messages.success(request, success or _("已记录。"))
    return True


def entry_page(
    request: HttpRequest,
    *,
    template: str,
    save: Callable[[User], Any],
    then: Callable[[Any], HttpResponse],
    allowed: bool = True,
    message: Callable[[Any], str] | None = None,
    context: Mapping[str, Any] | None = None,
) -> HttpResponse:
    """A page that enters one record (P-1): a POST runs `save(user)`, which parses the form and
    calls the action; when it is taken, the `message` and `then(record)` (where to go). Refused
    input shows the page again with what was typed (`data`) and the messages keyed by field
    (`errors`), 400, nothing saved. A user not `allowed` gets 403."""
    if not allowed:
        raise PermissionDenied
    errors: Mapping[str, list[str]] = {}
    if request.method == "POST":
        try:
            done = save(actor(request))
        except FieldErrors as exc:
            errors = exc.errors
        else:
            if message is not None:
                messages.success(request, message(done))
            return then(done)
    return render(
        request,
        template,
        {"errors": errors, "data": request.POST, **(context or {})},
        status=400 if errors else 200,
    )
