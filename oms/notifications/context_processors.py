from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from oms.notifications.models import Notification

# Where `oms.web.auth.UserBackend` leaves the count it read with the user (issue 21).
UNREAD = "_oms_unread_count"


def unread(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    if request.method in {"GET", "HEAD"} and hasattr(user, UNREAD):
        # Read with the user at the request's start; a request that only reads adds none.
        return {"unread_count": getattr(user, UNREAD) or 0}
    return {"unread_count": Notification.objects.filter(recipient=user, read_at__isnull=True).count()}
