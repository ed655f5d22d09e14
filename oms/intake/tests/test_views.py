"""Intake pages: order form with lines, order page, transitions, my work, lists, inquiries (B-2..B-6, H-5)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from oms.intake import actions
from oms.intake.tests.fixtures import header, lines
from oms.orders.models import OrderLine, OrderStatus, SalesOrder

pytestmark = pytest.mark.django_db


def _form(org, **overrides):
    data = {
        "customer": org["customer"].pk,
        "contact_name": "张伟",
        "contact_phone": "13812345678",
        "order_date": "2026-11-23",
        "channel": "phone",
        "order_class": "urgent",
        "delivery_date": "2027-01-20",
        "delivery_place": "上海",
        "payment_terms": "monthly",
        "needs_special_packaging": "on",
        "special_requirements": "木箱包装",
        "lines-0-product": org["gear"].pk,
        "lines-0-quantity": "2",
        "lines-0-unit_price": "1000",
        "lines-1-product": org["motor"].pk,
        "lines-1-quantity": "3",
        "lines-1-unit_price": "500",
        "lines-5-product": org["gear"].pk,
        "lines-5-quantity": "1",
        "lines-5-unit_price": "990",
    }
    data.update(overrides)
    return data


def test_order_form_creates_an_order_with_three_lines(client, org) -> None:
    client.force_login(org["sales"])
    response = client.post(reverse("workbench:order_create"), _form(org))
    order = SalesOrder.objects.get()
    assert response.status_code == 302
    assert ([ln.line_no for ln in order.lines.all()], str(order.total_amount)) == ([1, 2, 3], "4490.00")


def test_order_form_shows_line_errors_and_saves_nothing(client, org) -> None:
    client.force_login(org["sales"])
    response = client.post(
        reverse("workbench:order_create"),
        _form(org, **{"lines-1-quantity": "0", "delivery_date": "2026-11-01"}),
    )
    content = response.content.decode()
    assert response.status_code == 400
    assert "第 2 行：数量必须大于 0。" in content and "交货日期不能早于下单日期。" in content
    assert SalesOrder.objects.count() == 0 and OrderLine.all_objects.count() == 0


def test_save_and_submit_starts_the_check(client, org) -> None:
    client.force_login(org["sales"])
    client.post(reverse("workbench:order_create"), {**_form(org), "then": "submit"})
    assert SalesOrder.objects.get().status == OrderStatus.PENDING_CHECK


def test_order_page_shows_flags_deadline_and_check(client, org) -> None:
    order = actions.create_order(
        actor=org["sales"], data={**header(org), "needs_customisation": True}, lines=lines(org)
    )
    actions.submit_order(actor=org["sales"], order=order)
    client.force_login(org["head"])
    content = client.get(reverse("workbench:order_detail", args=[order.pk])).content.decode()
    for testid in (
        "special-requirements",
        "deadlines",
        "check-report",
        "do-pass_check",
        "do-escalate",
    ):
        assert f'data-testid="{testid}"' in content, testid
    # Issue 23, point 5: the timeline is in the order's records tab.
    records = client.get(reverse("workbench:order_detail", args=[order.pk]) + "?tab=records").content.decode()
    assert 'data-testid="timeline"' in records


def test_transition_without_required_reason_is_refused(client, org) -> None:
    order = actions.submit_order(
        actor=org["sales"], order=actions.create_order(actor=org["sales"], data=header(org), lines=lines(org))
    )
    client.force_login(org["head"])
    response = client.post(
        reverse("workbench:order_transition", args=[order.pk, "escalate"]), {"reason": ""}, follow=True
    )
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING_CHECK
    assert "请填写原因" in response.content.decode()


def test_salesperson_cannot_pass_their_own_check(client, org) -> None:
    order = actions.submit_order(
        actor=org["sales"], order=actions.create_order(actor=org["sales"], data=header(org), lines=lines(org))
    )
    client.force_login(org["sales"])
    client.post(reverse("workbench:order_transition", args=[order.pk, "pass_check"]))
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING_CHECK


def test_my_work_lists_the_check_for_the_head(client, org) -> None:
    order = actions.submit_order(
        actor=org["sales"], order=actions.create_order(actor=org["sales"], data=header(org), lines=lines(org))
    )
    client.force_login(org["head"])
    content = client.get(reverse("workbench:work")).content.decode()
    assert order.number in content


def test_order_list_bounded_queries(client, org, django_assert_max_num_queries) -> None:
    for _ in range(30):
        actions.create_order(
            actor=org["sales"], data=header(org), lines=lines(org), duplicate_reason="批量测试"
        )
    client.force_login(org["head"])
    with django_assert_max_num_queries(15):
        response = client.get(
            reverse("workbench:order_list"), {"overdue": "1", "date_from": "2026-01-01", "status": "draft"}
        )
    assert response.status_code == 200
    with django_assert_max_num_queries(15):
        response = client.get(reverse("workbench:order_list"))
    assert response.content.decode().count("/orders/") >= 25


def test_my_work_bounded_queries(client, org, django_assert_max_num_queries) -> None:
    for _ in range(20):
        order = actions.create_order(
            actor=org["sales"], data=header(org), lines=lines(org), duplicate_reason="批量测试"
        )
        actions.submit_order(actor=org["sales"], order=order)
    client.force_login(org["head"])
    with django_assert_max_num_queries(13):  # + the policy, for the archive menu (M-2)
        response = client.get(reverse("workbench:work"))
    # Issue 23: each step once — in the head's own work, not again in the department queue.
    assert response.content.decode().count("初审订单") == 20


def test_inquiry_recorded_and_assigned(client, org) -> None:
    client.force_login(org["cs"])
    response = client.post(
        reverse("intake:inquiry_create"),
        {
            "customer": org["customer"].pk,
            "contact_name": "李娜",
            "channel": "email",
            "content": "询价",
            "assignee": org["sales"].pk,
        },
    )
    assert response.status_code == 302
    client.force_login(org["sales"])
    assert "跟进咨询" in client.get(reverse("workbench:work")).content.decode()


def test_production_cannot_open_the_order_form(client, org) -> None:
    client.force_login(org["prod"])
    assert client.get(reverse("workbench:order_create")).status_code == 404


def test_original_document_is_attached_and_downloadable(client, org, settings, tmp_path) -> None:
    """B-5: the customer's fax or scan is kept with the order."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    client.force_login(org["sales"])
    client.post(
        reverse("workbench:order_create"),
        {**_form(org), "original_document": SimpleUploadedFile("fax.pdf", b"%PDF-1.4 fax")},
    )
    order = SalesOrder.objects.get()
    response = client.get(reverse("workbench:order_original", args=[order.pk]))
    assert b"".join(response.streaming_content) == b"%PDF-1.4 fax"
    client.force_login(org["prod"])
    assert client.get(reverse("workbench:order_original", args=[order.pk])).status_code == 404


def test_an_assigned_inquiry_is_announced_to_its_salesperson(client, org) -> None:
    """T-1, B-2: the salesperson an inquiry is handed to is told, with a link to it."""
    from oms.notifications.models import Notification
    from oms.orders.models import Inquiry

    client.force_login(org["cs"])
    client.post(
        reverse("intake:inquiry_create"),
        {
            "customer": org["customer"].pk,
            "contact_name": "李娜",
            "channel": "email",
            "content": "询价",
            "assignee": org["sales"].pk,
        },
    )
    inquiry = Inquiry.objects.get()
    told = list(Notification.objects.filter(recipient=org["sales"]).values_list("title", "url"))
    assert told == [(f"跟进咨询：{org['customer']}", reverse("intake:inquiry_detail", args=[inquiry.pk]))]
