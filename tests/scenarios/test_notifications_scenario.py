"""Scenario of T-1 over an order's life: the expected messages reach the expected people on the
expected channels. A local robot plays the sales department's WeCom group and another system's
webhook; a local SMTP server receives the customer's e-mails (confirmation, release, shipment)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from email.header import decode_header, make_header

import pytest

from oms.customers.models import Contact
from oms.fulfilment import actions as fulfilment
from oms.intake.tests.fixtures import signed_order
from oms.notifications.models import NotificationChannel, OutboundMessage
from oms.notifications.tests.fixtures import SECRET
from oms.quality.tests.fixtures import pass_final_inspection

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_an_orders_life_reaches_the_right_people_on_the_right_channels(
    more_heads, mail_server, robot, django_capture_on_commit_callbacks
) -> None:
    from conftest import make_user

    org = more_heads
    mails = mail_server.received
    sales = org["sales"].department
    NotificationChannel.objects.create(
        name="销售部群", kind="wecom", webhook_url=f"{robot.url}/wecom", department=sales
    )
    NotificationChannel.objects.create(name="客户邮件", kind="email", to_customers=True)
    NotificationChannel.objects.create(
        name="ERP", kind="webhook", webhook_url=f"{robot.url}/hook", secret=SECRET
    )
    Contact.objects.create(
        customer=org["customer"], name="张伟", email="zhang@customer.example", is_primary=True
    )
    with django_capture_on_commit_callbacks(execute=True):
        order = signed_order(org, quantity="2")
        order = fulfilment.release_order(actor=org["head"], order=order)
        pass_final_inspection(order)  # K-2: quality releases the goods before they ship
        fulfilment.ship(
            actor=make_user("lg1", kind="logistics"),
            order=order,
            mode="pickup",
            shipped_on=date(2026, 12, 1),
            quantities={order.lines.get().pk: Decimal("2")},
            confirmed_with="张伟",
            expected_arrival=date(2026, 12, 2),
            quantity_checked=True,
        )
    # The customer: three e-mails, in order, to the primary contact, under the company's name.
    assert [(m["To"], str(make_header(decode_header(m["Subject"])))) for m in mails] == [
        (
            "zhang@customer.example",
            f"[示例制造有限公司] 您的订单 {order.number} 已确认，交货日期 2027-01-20。",
        ),
        (
            "zhang@customer.example",
            f"[示例制造有限公司] 您的订单 {order.number} 已下达生产，交货日期 2027-01-20。",
        ),
        ("zhang@customer.example", f"[示例制造有限公司] 您的订单 {order.number} 已发货。"),
    ]
    # The other system: every state change of the order, signed.
    hooks = [r["headers"]["x-oms-event"] for r in robot.requests if r["path"] == "/hook"]
    assert hooks[0] == "order.pending_check" and hooks[-1] == "order.shipped"
    assert {"order.in_review", "order.confirmed", "order.released"} <= set(hooks)
    # The sales department's group: only messages to sales people, each naming its person.
    group = OutboundMessage.objects.filter(channel__name="销售部群")
    assert group.exists() and all(
        d.recipient.department_id == sales.pk for d in group.select_related("recipient")
    )
    assert {d.target for d in group} <= {"sales1", "saleshead"}
    assert not OutboundMessage.objects.exclude(status="sent").exists()
