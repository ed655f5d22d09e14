"""The background task that writes a generated file (issue 24.2)."""

from __future__ import annotations

from django_tasks import task

from oms.core.context import reset_request_id, set_request_id
from oms.web.downloads import actions


@task()
def generate_file(file_id: int, request_id: str | None = None) -> str:
    """Render and store the file `file_id`; `request_id` is the asking request's, for the logs."""
    token = set_request_id(request_id)
    try:
        return actions.generate(file_id)
    finally:
        reset_request_id(token)
