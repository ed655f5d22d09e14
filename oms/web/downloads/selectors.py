"""Reads of generated files: each user sees their own; an administrator may fetch any (issue 24.2)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from oms.accounts.permissions import is_admin
from oms.web.models import GeneratedFile

MINE_SHOWN = 50


def files_of(user: Any) -> QuerySet[GeneratedFile]:
    return GeneratedFile.objects.filter(requested_by=user).order_by("-created_at", "-pk")


def fetchable(user: Any) -> QuerySet[GeneratedFile]:
    """The files `user` may download: their own, or any for an administrator (S-1)."""
    done = GeneratedFile.objects.filter(status=GeneratedFile.Status.DONE)
    return done if is_admin(user) else done.filter(requested_by=user)
