"""Telling people (T-1). Messages are written in the deciding transaction, so a refused action,
which rolls back, never leaves a message behind; they are sent after it commits."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from oms.audit import recorder
from oms.core.phrases import Phrase, stored
from oms.notifications import channels
from oms.notifications.models import ChannelKind, Notification, NotificationChannel


def notify(*, recipients: Iterable[Any], title: str | Phrase, url: str = "", event: str = "") -> None:
    """T-1: tell these people, in the app and on every channel configured for them and the event
    (dotted, e.g. "order.confirmed"): one insert inside the deciding transaction (issue 21: no
    transaction of its own after the commit); the sending is handed off after the commit."""
    people = {r.pk: r for r in recipients if r is not None and getattr(r, "pk", None)}
    if not people:
        return
    text, text_phrase = stored(title, 200)
    with transaction.atomic(savepoint=False):
        written = Notification.objects.bulk_create(
            [
                Notification(recipient_id=pk, title=text, title_phrase=text_phrase, url=url[:300])
                for pk in people
            ]
        )
        queue_written(written, event)


def notify_each(*, event: str, messages: Iterable[tuple[Any, str | Phrase, str]]) -> None:
    """T-1: as `notify`, for several messages of one event, each (recipient, title, url): one
    insert and one hand-off for all (issue 21: e.g. every reviewer of a board told at once)."""
    rows = message_rows(messages)
    if not rows:
        return
    with transaction.atomic(savepoint=False):
        queue_written(Notification.objects.bulk_create(rows), event)


def message_rows(messages: Iterable[tuple[Any, str | Phrase, str]]) -> list[Notification]:
    """The in-app rows of (recipient, title, url) messages, not saved: a caller that writes them
    together with other rows (`tracking.deliver`, issue 21) then calls `queue_written`."""
    return [
        Notification(recipient_id=person.pk, title=text, title_phrase=text_phrase, url=url[:300])
        for person, title, url in messages
        if person is not None and getattr(person, "pk", None)
        for text, text_phrase in [stored(title, 200)]
    ]


def queue_written(written: list[Notification], event: str) -> None:
    """T-1: messages of `event` just written in the deciding transaction go out on every channel
    that wants them, sent after the commit."""
    if channels.queue(written, event):
        channels.send_soon()


def tell_customer(*, order: Any, event: str, title: str) -> None:
    """T-1, H-1: tell the order's customer, in the portal and by e-mail to its contacts."""
    channels.tell_customer(order=order, event=event, title=title)


def mark_read(*, user: Any, ids: Iterable[int] | None = None) -> int:
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(read_at=timezone.now())


def save_channel(
    *, actor: Any, data: Mapping[str, Any], channel: NotificationChannel | None = None, version: int = 0
) -> NotificationChannel:
    """T-1: the administrator configures a channel: a robot needs its address; e-mail goes to
    each recipient's own address."""
    from oms.accounts.permissions import is_admin
    from oms.core.errors import FieldErrors
    from oms.engine import records

    records.require(is_admin(actor))
    values = {k: data[k] for k in CHANNEL_FIELDS if k in data}
    kind = values.get("kind", channel.kind if channel else "")
    if kind in {ChannelKind.DINGTALK, ChannelKind.WECOM} and not (
        values.get("webhook_url") or (channel and channel.webhook_url)
    ):
        raise FieldErrors({"webhook_url": [_("群机器人须填写机器人地址。")]})
    events = values.get("events")
    if events is not None and not (isinstance(events, list) and all(isinstance(e, str) for e in events)):
        raise FieldErrors({"events": [_('事件须为文字列表，例如 ["order.", "review."]。')]})
    # The signing secret never enters the audit log: its change is recorded, not its value.
    secret = values.pop("secret", None)
    if channel is None:
        saved = records.create(
            actor=actor,
            obj=NotificationChannel(**values),
            fields=list(values),
            action="notifications.channel.create",
        )
    else:
        saved = records.update(
            actor=actor, obj=channel, data=values, version=version, action="notifications.channel.update"
        )
    if secret is not None and secret != saved.secret:
        NotificationChannel.objects.filter(pk=saved.pk).update(secret=secret)
        saved.secret = secret
        recorder.record(
            actor=actor, obj=saved, action="notifications.channel.secret", after={"secret": "******"}
        )
    return saved


CHANNEL_FIELDS = (
    "name",
    "kind",
    "department",
    "events",
    "webhook_url",
    "secret",
    "per_minute",
    "to_customers",
    "active",
)


def set_preferences(*, user: Any, wanted: Iterable[tuple[str, str]]) -> int:
    """T-1: the person receives the (channel kind, event area) pairs in `wanted` and declines
    the others; returns how many they declined."""
    from oms.notifications.models import EVENT_AREAS, PERSONAL_KINDS, OptOut

    keep = set(wanted)
    declined = {
        (str(kind), area) for kind in PERSONAL_KINDS for area in EVENT_AREAS if (kind, area) not in keep
    }
    with transaction.atomic():
        rows = {(o.kind, o.area): o for o in OptOut.objects.select_for_update().filter(user=user)}
        changed = []
        for key, row in rows.items():
            if row.declined != (key in declined):
                row.declined = key in declined
                changed.append(row)
        OptOut.objects.bulk_update(changed, ["declined"])
        OptOut.objects.bulk_create(
            [OptOut(user=user, kind=k, area=a) for k, a in declined if (k, a) not in rows]
        )
    recorder.record(
        actor=user,
        obj=user,
        action="notifications.preferences",
        after={"declined": sorted(f"{k}:{a}" for k, a in declined)},
    )
    return len(declined)
