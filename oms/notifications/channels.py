"""Sending messages out of the app (T-1): e-mail, DingTalk and WeCom group robots.

Deliveries are queued after the deciding transaction commits and sent by `deliver_due`, which
a background task runs at once and the periodic sweep runs every minute for retries. A robot
takes about 20 messages a minute: beyond its channel's `per_minute`, queued messages wait, and
several queued messages go out as one digest. Nothing is dropped: a message is retried with
exponential backoff and finally marked failed with the reason. Sending never raises into the
caller: no user action fails because a message could not be sent.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import connection, transaction
from django.db.models import CharField, DateTimeField, Value
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from oms.core import stamps
from oms.engine import workflow
from oms.notifications import states
from oms.notifications.models import (
    ChannelKind,
    Notification,
    NotificationChannel,
    OptOut,
    OutboundMessage,
    OutboundStatus,
)
from oms.policy.selectors import policy

log = logging.getLogger(__name__)

DIGEST_SIZE = 30  # messages in one robot digest: well inside both robots' message size limits
THROTTLED = {130101, 45009}  # DingTalk "sent too fast", WeCom "api freq out of limit"


class SendError(Exception):
    def __init__(self, reason: str, *, throttled: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.throttled = throttled


def dingtalk_url(url: str, secret: str, now_ms: int | None = None) -> str:
    """DingTalk's signed robot address: timestamp and sign = base64(HMAC-SHA256(secret,
    "timestamp\\nsecret")), URL-encoded, appended to the webhook address."""
    if not secret:
        return url
    timestamp = str(now_ms if now_ms is not None else int(time.time() * 1000))
    digest = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    sign = urllib.parse.quote_plus(base64.b64encode(digest).decode())
    joiner = "&" if "?" in url else "?"
    return f"{url}{joiner}timestamp={timestamp}&sign={sign}"


def _post(url: str, payload: dict[str, Any]) -> None:
    """POST the JSON payload; both robots answer {"errcode": 0, ...} on success."""
    if not url.startswith(("http://", "https://")):
        raise SendError(_("机器人地址须以 http:// 或 https:// 开头"))
    request = urllib.request.Request(  # noqa: S310 (scheme checked above)
        url,
        data=json.dumps(payload, ensure_ascii=False).encode(),
        headers={"Content-Type": "application/json; charset=utf-8"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=settings.OMS_DELIVERY_TIMEOUT_SECONDS) as response:  # noqa: S310
            body = response.read()
    except urllib.error.HTTPError as exc:
        raise SendError(f"HTTP {exc.code}", throttled=exc.code == 429) from exc
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise SendError(str(getattr(exc, "reason", exc))[:400]) from exc
    try:
        answer = json.loads(body or b"{}")
    except ValueError as exc:
        raise SendError(_("机器人的回复不是 JSON")) from exc
    code = int(answer.get("errcode", 0) or 0)
    if code:
        raise SendError(f"errcode {code}: {answer.get('errmsg', '')}"[:400], throttled=code in THROTTLED)


def _link(url: str) -> str:
    return f"{settings.OMS_BASE_URL.rstrip('/')}{url}" if url.startswith("/") else url


def _text(items: list[OutboundMessage]) -> tuple[str, str]:
    """The robot message: one item, or a digest of several, each with its link into the app."""
    heading = _("订单管理系统")
    open_label = _("打开")
    count = _("%(n)s 条消息") % {"n": len(items)}

    def link(d: OutboundMessage) -> str:
        return f" [{open_label}]({_link(d.url)})" if d.url else ""

    if len(items) == 1:
        d = items[0]
        who = f"@{d.target} " if d.target else ""
        return d.title, f"**{heading}**\n\n{who}{d.title}{link(d)}"
    lines = [f"**{heading}** · {count}", ""]
    lines += [f"- {d.target}：{d.title}{link(d)}" for d in items]
    return count, "\n".join(lines)


def _send_robot(channel: NotificationChannel, items: list[OutboundMessage]) -> None:
    title, text = _text(items)
    if channel.kind == ChannelKind.DINGTALK:
        _post(
            dingtalk_url(channel.webhook_url, channel.secret),
            {"msgtype": "markdown", "markdown": {"title": title, "text": text}},
        )
    else:
        _post(channel.webhook_url, {"msgtype": "markdown", "markdown": {"content": text}})


def webhook_signature(secret: str, body: bytes) -> str:
    """The `X-OMS-Signature` header: "sha256=" and the hex HMAC-SHA256 of the body under the
    channel's secret, for the receiver to check."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _send_webhook(channel: NotificationChannel, item: OutboundMessage) -> None:
    body = json.dumps(item.payload, ensure_ascii=False, sort_keys=True, default=str).encode()
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "X-OMS-Event": item.event,
        "X-OMS-Delivery": str(item.pk),
        "X-OMS-Signature": webhook_signature(channel.secret, body),
    }
    if not channel.webhook_url.startswith(("http://", "https://")):
        raise SendError(_("机器人地址须以 http:// 或 https:// 开头"))
    request = urllib.request.Request(channel.webhook_url, data=body, headers=headers, method="POST")  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=settings.OMS_DELIVERY_TIMEOUT_SECONDS):  # noqa: S310
            pass
    except urllib.error.HTTPError as exc:
        raise SendError(f"HTTP {exc.code}", throttled=exc.code == 429) from exc
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise SendError(str(getattr(exc, "reason", exc))[:400]) from exc


def _send_email(item: OutboundMessage) -> None:
    body = f"{item.title}\n\n{_link(item.url)}" if item.url else item.title
    # Staff read the system's name; a customer reads the company's.
    sender = _("订单管理系统") if item.recipient_id else policy().company.name
    try:
        EmailMessage(subject=f"[{sender}] {item.title}", body=body, to=[item.target]).send()
    except Exception as exc:  # any SMTP or socket failure is a failed attempt, retried
        raise SendError(f"{type(exc).__name__}: {exc}"[:400]) from exc


def _failed(items: Iterable[OutboundMessage], reason: str, now: datetime, *, throttled: bool = False) -> None:
    """An attempt failed: retried with backoff (a minute when throttled), and given up through
    the engine once the settings' attempts are used."""
    for d in items:
        attempts, error = d.attempts + 1, reason[:500]
        if attempts >= settings.OMS_DELIVERY_MAX_ATTEMPTS:
            with transaction.atomic():
                workflow.apply(
                    states.GIVE_UP,
                    d,
                    actor=states.SENDER,
                    reason=error,
                    changes={"attempts": attempts, "last_error": error},
                )
            continue
        wait = 60 if throttled else settings.OMS_DELIVERY_BACKOFF_SECONDS * 2 ** (attempts - 1)
        OutboundMessage.objects.filter(pk=d.pk, status=OutboundStatus.QUEUED).update(
            attempts=attempts, last_error=error, next_attempt_at=now + timedelta(seconds=wait)
        )


def _sent(items: list[OutboundMessage], now: datetime) -> None:
    """The channel accepted the post: each of its deliveries is sent, through the engine."""
    with transaction.atomic():
        for i, d in enumerate(items):
            workflow.apply(
                states.SEND,
                d,
                actor=states.SENDER,
                changes={
                    "attempts": d.attempts + 1,
                    "sent_at": now,
                    "last_error": "",
                    # The first row of a post carries its size, the others 0: posts count for the rate.
                    "batch": len(items) if i == 0 else 0,
                },
            )


@dataclass
class Outcome:
    sent: int = 0
    failed: int = 0
    waiting: int = 0


def _claim(due: Any, now: datetime, limit: int = 500) -> list[OutboundMessage]:
    """Issue 24.2: take up to `limit` due messages for this process alone, so that several workers
    and the sweeper never send one twice. The rows are locked with SKIP LOCKED (PostgreSQL; on
    SQLite the immediate transaction serialises claims) and leased: their next attempt moves past
    the time sending them may take. A worker killed mid-send leaves its lease to run out, and
    another sends the rest (receivers deduplicate on X-OMS-Delivery)."""
    with transaction.atomic():
        items = list(due.order_by("created_at", "pk").select_for_update(skip_locked=True)[:limit])
        if items:
            lease = settings.OMS_DELIVERY_LEASE_SECONDS + settings.OMS_DELIVERY_TIMEOUT_SECONDS * len(items)
            OutboundMessage.objects.filter(pk__in=[d.pk for d in items]).update(
                next_attempt_at=now + timedelta(seconds=lease)
            )
    return items


def deliver_due(now: datetime | None = None) -> Outcome:
    """Send every queued message that is due, channel by channel, within each robot's rate."""
    now = now or timezone.now()
    outcome = Outcome()
    due = OutboundMessage.objects.filter(status=OutboundStatus.QUEUED, next_attempt_at__lte=now)
    for channel in NotificationChannel.objects.filter(pk__in=due.values("channel_id")).order_by("pk"):
        items = _claim(due.filter(channel=channel), now)
        if channel.kind in {ChannelKind.EMAIL, ChannelKind.WEBHOOK}:
            # One message per delivery: an e-mail to its person, an event to the other system.
            for d in items:
                try:
                    _send_email(d) if channel.kind == ChannelKind.EMAIL else _send_webhook(channel, d)
                except SendError as exc:
                    _failed([d], exc.reason, now)
                    outcome.failed += 1
                else:
                    _sent([d], now)
                    outcome.sent += 1
            continue
        posted = OutboundMessage.objects.filter(
            channel=channel, status=OutboundStatus.SENT, batch__gt=0, sent_at__gt=now - timedelta(seconds=60)
        ).count()
        capacity = max(channel.per_minute - posted, 0)
        # Within the rate one post per message; beyond it, digests; what still does not fit waits.
        posts = (
            [[d] for d in items]
            if len(items) <= capacity
            else [items[i : i + DIGEST_SIZE] for i in range(0, len(items), DIGEST_SIZE)]
        )
        for post in posts[:capacity]:
            try:
                _send_robot(channel, post)
            except SendError as exc:
                _failed(post, exc.reason, now, throttled=exc.throttled)
                outcome.failed += len(post)
            else:
                _sent(post, now)
                outcome.sent += len(post)
        waiting = [d for post in posts[capacity:] for d in post]
        if waiting:
            OutboundMessage.objects.filter(pk__in=[d.pk for d in waiting]).update(
                next_attempt_at=now + timedelta(seconds=60)
            )
            outcome.waiting += len(waiting)
    return outcome


# Active channels by the channels' change stamp (`oms.core.stamps`): read again only when a
# channel was written, by this process or another (issue 21: once per process, not per action).
_CHANNELS: dict[tuple[Any, ...], list[NotificationChannel]] = {}


def _active_channels() -> list[NotificationChannel]:
    """Every active channel; no query while no channel changed (beyond the transaction's one
    read of the change stamps)."""
    return stamps.kept(
        "channels", _CHANNELS, (), lambda: list(NotificationChannel.objects.filter(active=True))
    )


def queue(notifications: list[Notification], event: str) -> int:
    """T-1: the deliveries of freshly written in-app messages on every channel that wants them:
    e-mail to each recipient with an address, the robot of the recipient's department (or a
    company-wide one), unless the person declined that event area on that kind of channel."""
    channels = [
        c
        for c in _active_channels()
        if not c.to_customers and c.kind != ChannelKind.WEBHOOK and c.wants(event)
    ]
    if not channels or not notifications:
        return 0
    from oms.accounts.models import User

    people = {u.pk: u for u in User.objects.filter(pk__in={n.recipient_id for n in notifications})}
    area = event.split(".", 1)[0]
    declined = set(
        OptOut.objects.filter(user_id__in=list(people), area=area, declined=True).values_list(
            "user_id", "kind"
        )
    )
    rows = []
    for n in notifications:
        person = people.get(n.recipient_id)
        if person is None:
            continue
        for c in channels:
            if c.department_id and c.department_id != person.department_id:
                continue
            if (person.pk, c.kind) in declined:
                continue
            if c.kind == ChannelKind.EMAIL:
                if not person.email:
                    continue
                target = person.email
            else:
                target = person.get_full_name() or person.username
            rows.append(
                OutboundMessage(
                    channel=c, event=event, recipient=person, target=target, title=n.title, url=n.url
                )
            )
    OutboundMessage.objects.bulk_create(rows)
    return len(rows)


def send_soon() -> None:
    """Hand the sending to the background task once the current transaction has committed."""

    from oms.core.context import current_request_id

    request_id = current_request_id()

    def start() -> None:
        from oms.notifications.tasks import send_deliveries

        # Issue 24.5: the task logs under the id of the request that queued it.
        send_deliveries.enqueue(request_id=request_id)

    transaction.on_commit(start, robust=True)


def on_transition(*, instance: Any, transition: Any, actor: Any) -> None:
    """Integrations: every state change of an order becomes an event (`order.<state>`) for the
    webhooks that want it, queued in the deciding transaction and sent after it commits. Wired in
    `oms.wiring` for every transition of an order."""
    event = f"order.{transition.target}"
    _tell_customer(instance, transition.target)
    hooks = [c for c in _active_channels() if c.kind == ChannelKind.WEBHOOK and c.wants(event)]
    if not hooks:
        return
    payload = {
        "event": event,
        "order": {
            "id": instance.pk,
            "number": instance.number,
            "status": instance.status,
            "version": instance.version,
        },
        "transition": transition.name,
        "at": timezone.now().isoformat(),
    }
    OutboundMessage.objects.bulk_create(
        [
            OutboundMessage(
                channel=c,
                event=event,
                target=c.name,
                title=f"{instance.number} {transition.name}",
                payload=payload,
            )
            for c in hooks
        ]
    )
    send_soon()


def _customer_notices() -> dict[str, str]:
    return {
        "confirmed": _("您的订单 %(n)s 已确认，交货日期 %(d)s。"),
        "released": _("您的订单 %(n)s 已下达生产，交货日期 %(d)s。"),
        "shipped": _("您的订单 %(n)s 已发货。"),
    }


def _tell_customer(order: Any, state: str) -> None:
    text = _customer_notices().get(state)
    if text is not None:
        tell_customer(
            order=order, event=f"order.{state}", title=text % {"n": order.number, "d": order.delivery_date}
        )


def tell_customer(*, order: Any, event: str, title: str) -> None:
    """T-1, H-1: tell the order's customer: in the portal, to each of the customer's active portal
    logins, and by e-mail to the order's customer contacts (the primary ones, else every one with
    an address) on the channels marked for customers. Written in the caller's transaction, so a
    refused action leaves no message; sent after it commits."""
    _portal_messages(order, title[:200], reverse("portal:order", args=[order.number]))
    mail = [c for c in _active_channels() if c.kind == ChannelKind.EMAIL and c.to_customers]
    if not mail:
        return
    contacts = [c for c in order.customer.contacts.all() if c.email]
    primary = [c for c in contacts if c.is_primary] or contacts
    rows = [
        OutboundMessage(channel=ch, event=event, target=c.email, title=title[:200], url="")
        for ch in mail
        for c in primary
        if ch.wants(event)
    ]
    if rows:
        OutboundMessage.objects.bulk_create(rows)
        send_soon()


# Issue 21: the portal messages as one `INSERT … SELECT` from the customer's active portal logins
# (one statement instead of a read and an insert). The SELECT is the ORM's, with bound values.
_PORTAL_INSERT = (
    'INSERT INTO "notifications_notification" ("recipient_id", "title", "url", "created_at") {select}'
)


def _portal_messages(order: Any, title: str, url: str) -> None:
    """A message to each of the order's customer's active portal logins, in key order."""
    rows = (
        order.customer.portal_accounts.filter(active=True)
        .order_by("pk")
        .annotate(
            t=Value(title, output_field=CharField()),
            u=Value(url, output_field=CharField()),
            c=Value(timezone.now(), output_field=DateTimeField()),
        )
        .values_list("user_id", "t", "u", "c")
    )
    sql, params = rows.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(_PORTAL_INSERT.format(select=sql), params)
