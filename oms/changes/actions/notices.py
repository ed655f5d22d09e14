"""Where a change request's messages point and how they are sent (I-2, I-3)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.urls import reverse

from oms.changes.models import ChangeRequest
from oms.core.phrases import Phrase
from oms.notifications.actions import notify


def request_url(request: ChangeRequest) -> str:
    return reverse("changes:request_detail", args=[request.pk])


def tell(recipients: Iterable[Any], title: str | Phrase, request: ChangeRequest) -> None:
    """A message about the request, linking to its page."""
    notify(event="changes", recipients=list(recipients), title=title, url=request_url(request))
