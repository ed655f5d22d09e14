"""T-1: messages leave the app on real channels: a local HTTP receiver plays the DingTalk and WeCom
robots (it checks DingTalk's signature, and answers errors, throttling and slowness when told
to), and a local SMTP server receives the e-mails. Retries, backoff, the robot's rate, digests
and the delivery log are exercised; a user action never fails because a message could not go."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from conftest import make_user
from oms.notifications import channels
from oms.notifications.actions import notify
from oms.notifications.models import NotificationChannel, OutboundMessage
from oms.notifications.tests.fixtures import SECRET, Robot, free_port

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(db: Any) -> dict[str, Any]:
    return {
        "wang": make_user("wang", kind="sales", last_name="王", first_name="一", email="wang@example.com"),
        "li": make_user("li", kind="sales", last_name="李", first_name="二"),
        "prod": make_user("prod1", kind="production"),
    }


def _send(capture: Any, recipients: list[Any], title: str, event: str = "order.confirmed") -> None:
    with capture(execute=True):
        notify(recipients=recipients, title=title, url="/orders/1/", event=event)


def test_dingtalk_message_is_signed_and_links_into_the_app(
    robot, people, django_capture_on_commit_callbacks
) -> None:
    NotificationChannel.objects.create(
        name="销售群", kind="dingtalk", webhook_url=f"{robot.url}/dingtalk", secret=SECRET
    )
    _send(django_capture_on_commit_callbacks, [people["wang"]], "订单 SO1 已确认")
    (req,) = robot.requests
    assert Robot.signed(req["query"])
    assert req["body"]["msgtype"] == "markdown"
    assert "@王一 订单 SO1 已确认" in req["body"]["markdown"]["text"]
    assert "http://127.0.0.1:8000/orders/1/" in req["body"]["markdown"]["text"]
    d = OutboundMessage.objects.get()
    assert (d.status, d.attempts, d.target, d.batch) == ("sent", 1, "王一", 1)


def test_a_bad_signing_secret_is_retried_then_failed_with_the_reason(robot, people, settings) -> None:
    """The robot refuses the signature every time: 5 attempts, 30/60/120/240 s apart, then failed."""
    channel = NotificationChannel.objects.create(
        name="销售群", kind="dingtalk", webhook_url=f"{robot.url}/dingtalk", secret="WRONG"
    )
    channels.queue(_notifications(people["wang"]), "order.confirmed")
    now = timezone.now()
    waits = []
    for _attempt in range(5):
        channels.deliver_due(now)
        d = OutboundMessage.objects.get()
        waits.append(round((d.next_attempt_at - now).total_seconds()))
        now = d.next_attempt_at
    assert waits[:4] == [30, 60, 120, 240]
    assert (d.status, d.attempts, d.last_error) == ("failed", 5, "errcode 310000: error")
    assert len(robot.requests) == 5 and channel.deliveries.count() == 1


def test_sending_and_giving_up_are_engine_transitions_in_the_audit_log(robot, people, settings) -> None:
    """DESIGN 4: a delivery's state changes through its transition table, audited with the reason."""
    from oms.audit.models import AuditEvent

    settings.OMS_DELIVERY_MAX_ATTEMPTS = 1
    NotificationChannel.objects.create(
        name="坏群", kind="dingtalk", webhook_url=f"{robot.url}/dingtalk", secret="WRONG"
    )
    NotificationChannel.objects.create(name="好群", kind="wecom", webhook_url=f"{robot.url}/wecom")
    channels.queue(_notifications(people["wang"]), "order.confirmed")
    channels.deliver_due(timezone.now())
    events = {
        e.object_repr.split(" ", 1)[0]: (e.action, e.actor_name, e.before, e.after, e.reason)
        for e in AuditEvent.objects.filter(object_type="notifications.outboundmessage")
    }
    failed, sent = OutboundMessage.objects.get(status="failed"), OutboundMessage.objects.get(status="sent")
    assert events[str(failed.channel_id)][:3] == (
        "transition:give_up",
        "message sender",
        {"status": "queued", "attempts": 0, "last_error": ""},
    )
    assert events[str(failed.channel_id)][4] == "errcode 310000: error"
    assert events[str(sent.channel_id)][:2] == ("transition:send", "message sender")
    assert events[str(sent.channel_id)][3]["status"] == "sent"


def _notifications(*people: Any) -> list[Any]:
    from oms.notifications.models import Notification

    return Notification.objects.bulk_create(
        [Notification(recipient=p, title=f"消息 {p.username}", url="/work/") for p in people]
    )


def test_wecom_payload_and_throttling(robot, people) -> None:
    """WeCom answers 45009 (too frequent) once: the message waits a minute and then goes."""
    NotificationChannel.objects.create(name="企业微信", kind="wecom", webhook_url=f"{robot.url}/wecom")
    robot.answers = [{"errcode": 45009}]
    channels.queue(_notifications(people["li"]), "order.confirmed")
    now = timezone.now()
    channels.deliver_due(now)
    d = OutboundMessage.objects.get()
    assert (d.status, round((d.next_attempt_at - now).total_seconds())) == ("queued", 60)
    channels.deliver_due(now + timedelta(seconds=61))
    d.refresh_from_db()
    assert d.status == "sent"
    body = robot.requests[-1]["body"]
    assert body["msgtype"] == "markdown" and "李二 消息 li" in body["markdown"]["content"].replace("@", "")


def test_beyond_the_rate_messages_go_as_one_digest(robot, people) -> None:
    """Two messages a minute allowed, five queued: one post carries all five."""
    NotificationChannel.objects.create(
        name="销售群", kind="wecom", webhook_url=f"{robot.url}/wecom", per_minute=2
    )
    for _ in range(5):
        channels.queue(_notifications(people["wang"]), "order.confirmed")
    outcome = channels.deliver_due()
    assert (outcome.sent, len(robot.requests)) == (5, 1)
    assert robot.requests[0]["body"]["markdown"]["content"].count("- 王一：") == 5
    assert sorted(OutboundMessage.objects.values_list("batch", flat=True)) == [0, 0, 0, 0, 5]


def test_a_full_minute_makes_messages_wait_never_drops_them(robot, people) -> None:
    NotificationChannel.objects.create(
        name="销售群", kind="wecom", webhook_url=f"{robot.url}/wecom", per_minute=1
    )
    channels.queue(_notifications(people["wang"]), "x")
    now = timezone.now()
    channels.deliver_due(now)
    channels.queue(_notifications(people["li"]), "x")
    outcome = channels.deliver_due(now + timedelta(seconds=5))
    assert (outcome.sent, outcome.waiting, len(robot.requests)) == (0, 1, 1)
    outcome = channels.deliver_due(now + timedelta(seconds=66))
    assert (outcome.sent, OutboundMessage.objects.filter(status="sent").count()) == (1, 2)


def test_a_slow_robot_times_out_and_is_retried(robot, people, settings) -> None:
    settings.OMS_DELIVERY_TIMEOUT_SECONDS = 0.3
    NotificationChannel.objects.create(name="慢", kind="wecom", webhook_url=f"{robot.url}/wecom")
    robot.answers = [{"delay": 1}]
    channels.queue(_notifications(people["wang"]), "x")
    channels.deliver_due()
    d = OutboundMessage.objects.get()
    assert (d.status, d.attempts) == ("queued", 1) and "timed out" in d.last_error


def test_channels_follow_department_and_event(robot, people) -> None:
    """A department's robot hears only its people; a channel for "order." ignores other events."""
    sales = people["wang"].department
    NotificationChannel.objects.create(
        name="销售群", kind="wecom", webhook_url=f"{robot.url}/wecom", department=sales
    )
    NotificationChannel.objects.create(
        name="订单事件", kind="wecom", webhook_url=f"{robot.url}/wecom", events=["order."]
    )
    channels.queue(_notifications(people["wang"], people["prod"]), "archive.request")
    assert sorted(OutboundMessage.objects.values_list("channel__name", "target")) == [("销售群", "王一")]


def test_email_goes_through_the_smtp_server(people, mail_server) -> None:
    NotificationChannel.objects.create(name="邮件", kind="email")
    channels.queue(_notifications(people["wang"], people["li"]), "order.confirmed")  # 李 has no address
    channels.deliver_due()
    (mail,) = mail_server.received
    assert mail["To"] == "wang@example.com" and "消息 wang" in str(mail.get_payload(decode=True), "utf-8")
    assert OutboundMessage.objects.get().status == "sent"


def test_an_unreachable_smtp_server_is_retried_and_the_action_goes_through(
    people, settings, django_capture_on_commit_callbacks
) -> None:
    """No user action fails because a message could not be sent (T-1): the notice is written,
    the background task tries the mail server, fails, and leaves the message to retry."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()
    settings.EMAIL_USE_SSL = settings.EMAIL_USE_TLS = False
    settings.EMAIL_TIMEOUT = 1
    NotificationChannel.objects.create(name="邮件", kind="email")
    _send(django_capture_on_commit_callbacks, [people["wang"]], "订单 SO1 已确认")
    d = OutboundMessage.objects.get()
    assert (d.status, d.attempts, d.target) == ("queued", 1, "wang@example.com")
    assert "ConnectionRefusedError" in d.last_error
    assert people["wang"].notifications.get().title == "订单 SO1 已确认"


def test_the_administrator_configures_a_robot_and_its_secret_stays_out_of_the_audit_log(
    admin_client, robot
) -> None:
    from oms.audit.models import AuditEvent

    response = admin_client.post(
        "/inbox/channels/new/",
        {
            "name": "销售群",
            "kind": "dingtalk",
            "events": '["order."]',
            "webhook_url": f"{robot.url}/dingtalk",
            "secret": SECRET,
            "per_minute": "20",
            "active": "on",
        },
    )
    assert response.status_code == 302
    channel = NotificationChannel.objects.get()
    assert (channel.secret, channel.events) == (SECRET, ["order."])
    assert SECRET not in json.dumps(list(AuditEvent.objects.values("before", "after")), ensure_ascii=False)
    refused = admin_client.post(
        "/inbox/channels/new/", {"name": "缺地址", "kind": "wecom", "events": "[]", "per_minute": "20"}
    )
    assert refused.status_code == 400 and NotificationChannel.objects.count() == 1


def test_a_robot_address_typed_without_its_scheme_is_taken_as_https(admin_client) -> None:
    """T-1: 'oapi.dingtalk.com/robot/send' as typed means the HTTPS address robots answer on."""
    response = admin_client.post(
        "/inbox/channels/new/",
        {
            "name": "销售群",
            "kind": "dingtalk",
            "events": "[]",
            "webhook_url": "oapi.dingtalk.com/robot/send",
            "per_minute": "20",
        },
    )
    assert response.status_code == 302
    assert NotificationChannel.objects.get().webhook_url == "https://oapi.dingtalk.com/robot/send"


def test_the_delivery_log_is_for_administrators(client, admin_client, people) -> None:
    assert admin_client.get("/inbox/deliveries/").status_code == 200
    client.force_login(people["wang"])
    assert client.get("/inbox/deliveries/").status_code == 403


def test_a_person_declines_an_area_on_e_mail_and_keeps_the_robot(client, robot, people) -> None:
    """T-1: users choose which events reach them by which channel."""
    NotificationChannel.objects.create(name="邮件", kind="email")
    NotificationChannel.objects.create(name="销售群", kind="wecom", webhook_url=f"{robot.url}/wecom")
    client.force_login(people["wang"])
    page = client.get("/inbox/preferences/").content.decode()
    assert 'value="email:review" aria-label' in page and "checked" in page
    wanted = [f"{k}:{a}" for k in ("email", "dingtalk", "wecom") for a in ("review", "billing")]
    wanted.remove("email:review")
    assert client.post("/inbox/preferences/", {"wanted": wanted}).status_code == 302
    channels.queue(_notifications(people["wang"]), "review.approval")
    assert list(OutboundMessage.objects.values_list("channel__kind", flat=True)) == ["wecom"]
    channels.queue(_notifications(people["wang"]), "billing.dunning")
    assert sorted(OutboundMessage.objects.values_list("channel__kind", flat=True)) == [
        "email",
        "wecom",
        "wecom",
    ]


def test_order_events_reach_a_webhook_signed_and_retried(
    robot, people, django_capture_on_commit_callbacks
) -> None:
    """Integrations: an order's state change is posted to the other system with an HMAC-SHA256
    signature of the body; a 503 is retried later; the log keeps every attempt's outcome."""
    from oms.intake import actions as intake
    from oms.intake.tests.fixtures import header, lines

    hook = NotificationChannel.objects.create(
        name="ERP", kind="webhook", webhook_url=f"{robot.url}/hook", secret=SECRET, events=["order."]
    )
    robot.answers = [{"status": 503}]
    org = {"customer": _customer(owner=people["wang"]), "gear": _product("P1"), "motor": _product("P2")}
    order = intake.create_order(
        actor=people["wang"], data=header(org), lines=lines(org), duplicate_reason="t"
    )
    with django_capture_on_commit_callbacks(execute=True):
        order = intake.submit_order(actor=people["wang"], order=order)
    d = OutboundMessage.objects.get(channel=hook)
    assert (d.status, d.attempts, d.last_error, d.event) == ("queued", 1, "HTTP 503", "order.pending_check")
    channels.deliver_due(d.next_attempt_at)
    d.refresh_from_db()
    assert (d.status, d.attempts) == ("sent", 2)
    last = robot.requests[-1]
    assert last["headers"]["x-oms-event"] == "order.pending_check"
    assert last["headers"]["x-oms-signature"] == channels.webhook_signature(SECRET, last["raw"])
    assert last["body"]["order"] == {
        "id": order.pk,
        "number": order.number,
        "status": "pending_check",
        "version": order.version,
    }


def _customer(**extra: Any) -> Any:
    from oms.customers.tests.factories import CustomerFactory

    return CustomerFactory(**extra)


def _product(code: str) -> Any:
    from decimal import Decimal

    from oms.catalog.models import Product

    return Product.objects.create(code=code, name=code, unit="台", list_price=Decimal("1000"))


def test_changing_ones_mind_updates_the_choices_and_deletes_nothing(people) -> None:
    from oms.notifications.actions import set_preferences
    from oms.notifications.models import OptOut

    set_preferences(user=people["wang"], wanted=[])
    declined_all = OptOut.objects.filter(user=people["wang"]).count()
    set_preferences(user=people["wang"], wanted=[("email", "review")])
    assert OptOut.objects.filter(user=people["wang"]).count() == declined_all
    assert list(OptOut.objects.filter(user=people["wang"], declined=False).values_list("kind", "area")) == [
        ("email", "review")
    ]
