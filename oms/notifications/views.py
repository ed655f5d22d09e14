from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from oms.notifications import actions
from oms.notifications.models import Notification


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        actions.mark_read(user=request.user)
        return redirect("notifications:inbox")
    items = list(Notification.objects.filter(recipient_id=request.user.pk)[:100])
    return render(request, "notifications/inbox.html", {"items": items})
