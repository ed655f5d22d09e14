from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy

from oms.notifications import actions
from oms.notifications.models import Notification, NotificationChannel, OutboundMessage
from oms.web.listing import Column, ListSpec


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        actions.mark_read(user=request.user)
        return redirect("notifications:inbox")
    items = list(Notification.objects.filter(recipient_id=request.user.pk)[:100])
    return render(request, "notifications/inbox.html", {"items": items})


@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    """T-1: which event areas reach me on which kind of channel (the inbox always has them)."""
    from django.contrib import messages
    from django.utils.translation import gettext as _

    from oms.notifications.models import EVENT_AREAS, PERSONAL_KINDS, OptOut

    if request.method == "POST":
        wanted = [tuple(v.split(":", 1)) for v in request.POST.getlist("wanted") if ":" in v]
        actions.set_preferences(user=request.user, wanted=[(k, a) for k, a in wanted])
        messages.success(request, _("已保存。"))
        return redirect("notifications:preferences")
    declined = set(
        OptOut.objects.filter(user_id=request.user.pk or 0, declined=True).values_list("kind", "area")
    )
    rows = [
        (area, label, [(str(kind), (kind, area) not in declined) for kind in PERSONAL_KINDS])
        for area, label in EVENT_AREAS.items()
    ]
    kinds = [(str(k), k.label) for k in PERSONAL_KINDS]
    return render(request, "notifications/preferences.html", {"rows": rows, "kinds": kinds})


def _is_admin(user: object) -> bool:
    from oms.accounts.permissions import is_admin

    return bool(is_admin(user))


def _channels(user: object) -> QuerySet[NotificationChannel]:
    return (
        NotificationChannel.objects.select_related("department")
        if _is_admin(user)
        else NotificationChannel.objects.none()
    )


def _deliveries(user: object) -> QuerySet[OutboundMessage]:
    if not _is_admin(user):
        return OutboundMessage.objects.none()
    return OutboundMessage.objects.select_related("channel", "recipient")


CHANNEL_SPEC = ListSpec(
    model=NotificationChannel,
    prefix="notifications:channel",
    title=gettext_lazy("通知渠道"),
    columns=[
        Column("name"),
        Column("kind"),
        Column("department", sortable=False),
        Column("events", sortable=False),
        Column("webhook_url", sortable=False),
        Column("per_minute"),
        Column("active"),
    ],
    selector=_channels,
    search_fields=("name", "webhook_url"),
    filters=("kind", "active"),
    form_fields=actions.CHANNEL_FIELDS,
    create=lambda *, actor, data: actions.save_channel(actor=actor, data=data),
    update=lambda *, actor, obj, data, version: actions.save_channel(
        actor=actor, data=data, channel=obj, version=version
    ),
    can_edit=_is_admin,
    can_view=_is_admin,
)
DELIVERY_SPEC = ListSpec(
    model=OutboundMessage,
    prefix="notifications:delivery",
    title=gettext_lazy("发送记录"),
    columns=[
        Column("created_at"),
        Column("channel", sortable=False),
        Column("event"),
        Column("target"),
        Column("title", sortable=False),
        Column("status"),
        Column("attempts"),
        Column("last_error", sortable=False),
        Column("sent_at"),
        Column("batch"),
    ],
    selector=_deliveries,
    search_fields=("target", "title", "event", "last_error"),
    filters=("status", "channel"),
    date_field="created_at",
    can_view=_is_admin,
)
