"""The logged-in user as a request reads it (issue 21): one statement for the user, their
department, the policy version in force and their unread messages.

Every page asked these four things in four statements before it read what it shows: the user
(Django's `ModelBackend.get_user`), `user.department` for the data scope (S-1), the version in
force for the field groups the role may see, and the unread count of the top bar. At 10^6
orders a list's own reads cost 2–3 statements; the fixed four were most of a request's round
trips. The values are the same rows read at the same moment, only in one statement.
"""

from __future__ import annotations

import functools
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.http import HttpRequest

from oms.notifications.context_processors import UNREAD
from oms.notifications.models import Notification
from oms.policy.selectors import IN_FORCE_NUMBER, IN_FORCE_PK, in_force_columns, note_in_force


def unread_count() -> Subquery:
    """The user's unread messages (`OuterRef("pk")` the user), through their
    `(recipient, read_at, -created_at)` index; NULL when there are none."""
    unread = (
        Notification.objects.filter(recipient=OuterRef("pk"), read_at__isnull=True)
        .order_by()
        .values("recipient")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Subquery(unread)


@functools.cache
def _with_context() -> QuerySet[Any]:
    """The users with their department, the version in force and their unread count: built once
    per process and narrowed per request (issue 21: building its two subqueries on every request
    cost more than running them). Never evaluated itself, so it holds no rows."""
    return (
        get_user_model()
        ._default_manager.select_related("department")
        .annotate(**in_force_columns(), **{UNREAD: unread_count()})
    )


class UserBackend(ModelBackend):
    """`ModelBackend` whose `get_user` reads the user with their department, the version in
    force (remembered for the request, `policy.selectors.note_in_force`) and the unread count.

    Django keeps the backend's path in the session; `django.contrib.auth.backends.ModelBackend`
    stays listed after this one so that sessions opened before it keep working (they read the
    user as before until the next login)."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> Any:
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            # Failed here, it would fail in the `ModelBackend` listed after, which would hash the
            # password a second time: stop the chain (Django reports the failure as before).
            raise PermissionDenied
        return user

    def get_user(self, user_id: Any) -> Any:
        user = _with_context().filter(pk=user_id).first()
        if user is None or not self.user_can_authenticate(user):
            return None
        note_in_force(getattr(user, IN_FORCE_PK), getattr(user, IN_FORCE_NUMBER))
        return user
