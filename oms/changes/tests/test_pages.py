"""The change pages and API: the form, the request page, the agreement, the list, bounded queries."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.urls import reverse

from oms.accounts.actions import issue_api_token
from oms.changes.models import ChangeRequest, ChangeTask, RequestStatus
from oms.changes.tests.fixtures import approve_all, released_order
from oms.changes.tests.test_actions import _change

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _form(order: Any, quantity: str) -> dict[str, str]:
    line = order.lines.get()
    return {
        "kind": "change",
        "source": "department",
        "reason": "客户追加",
        "impact": "生产增加",
        "delivery_date": f"{order.delivery_date:%Y-%m-%d}",
        "delivery_place": order.delivery_place,
        "payment_terms": order.payment_terms,
        "lines-0-line": str(line.pk),
        "lines-0-quantity": quantity,
        "lines-0-unit_price": str(line.unit_price),
        "lines-0-spec": line.spec,
        "lines-1-product": "",
        "lines-1-quantity": "",
    }


def test_form_raises_a_request(client, more_heads) -> None:
    order = released_order(more_heads)
    client.force_login(more_heads["sales"])
    response = client.post(reverse("changes:request_create", args=[order.pk]), _form(order, "12"))
    request = ChangeRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/changes/{request.pk}/"
    assert (request.aspects, request.proposal["lines"][0]["quantity"]) == (["quantity"], "12")


def test_form_shows_the_line_error_beside_the_line(client, more_heads) -> None:
    order = released_order(more_heads)
    client.force_login(more_heads["sales"])
    response = client.post(reverse("changes:request_create", args=[order.pk]), _form(order, "0"))
    assert response.status_code == 422
    assert "数量必须大于 0。" in response.content.decode()
    assert ChangeRequest.objects.count() == 0


def test_form_with_nothing_changed_says_so(client, more_heads) -> None:
    order = released_order(more_heads)
    client.force_login(more_heads["sales"])
    response = client.post(reverse("changes:request_create", args=[order.pk]), _form(order, "10"))
    assert response.status_code == 422
    assert "新条款与订单现有内容相同" in response.content.decode()


def test_order_page_offers_change_and_cancellation(client, more_heads) -> None:
    order = released_order(more_heads)
    client.force_login(more_heads["sales"])
    body = client.get(reverse("workbench:order_detail", args=[order.pk]) + "?tab=changes").content.decode()
    assert 'data-testid="request-change"' in body and 'data-testid="request-cancellation"' in body


def test_cancellation_form_shows_the_loss_facts(client, more_heads) -> None:
    order = released_order(more_heads)
    client.force_login(more_heads["sales"])
    response = client.get(reverse("changes:request_create", args=[order.pk]) + "?kind=cancellation")
    assert response.status_code == 200
    assert 'data-testid="loss-facts"' in response.content.decode()


def test_reviewer_decides_on_the_request_page(client, more_heads) -> None:
    order = released_order(more_heads)
    request = _change(more_heads, order)
    task = ChangeTask.objects.get(request=request, department_kind="production")
    client.force_login(task.assignee)
    page = client.get(reverse("changes:request_detail", args=[request.pk])).content.decode()
    assert 'data-testid="submit-opinion"' in page
    client.post(
        reverse("changes:request_detail", args=[request.pk]),
        {
            "verb": "opinion",
            "task": task.pk,
            "version": task.version,
            "verdict": "reject",
            "comment": "排不开",
        },
    )
    request.refresh_from_db()
    assert (request.status, request.decision_reason) == (RequestStatus.REJECTED, "生产部：排不开")


def test_request_page_queries_are_bounded(client, more_heads, django_assert_max_num_queries) -> None:
    order = released_order(more_heads)
    request = approve_all(_change(more_heads, order))
    client.force_login(more_heads["sales"])
    with django_assert_max_num_queries(25):
        response = client.get(reverse("changes:request_detail", args=[request.pk]))
    assert response.status_code == 200
    assert request.agreement_number in response.content.decode()


def test_agreement_prints_and_downloads_as_pdf(client, more_heads) -> None:
    order = released_order(more_heads)
    request = approve_all(_change(more_heads, order))
    client.force_login(more_heads["sales"])
    page = client.get(reverse("changes:agreement", args=[request.pk]))
    assert "订单变更协议" in page.content.decode() and request.agreement_number in page.content.decode()
    pdf = client.get(reverse("changes:agreement", args=[request.pk]) + "?format=pdf")
    assert (pdf["Content-Type"], pdf.content[:4]) == ("application/pdf", b"%PDF")


def test_list_and_export(client, more_heads, django_assert_max_num_queries) -> None:
    order = released_order(more_heads)
    _change(more_heads, order)
    client.force_login(more_heads["sales"])
    with django_assert_max_num_queries(20):
        response = client.get(reverse("changes:request_list"))
    assert ChangeRequest.objects.get().number in response.content.decode()
    export = client.get(reverse("changes:request_list") + "?export=xlsx")
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")


def test_someone_outside_the_order_does_not_see_the_request(client, more_heads) -> None:
    from conftest import make_user

    order = released_order(more_heads)
    request = _change(more_heads, order)
    client.force_login(make_user("other_sales", kind="sales"))
    assert client.get(reverse("changes:request_detail", args=[request.pk])).status_code == 404


def _auth(user: Any) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {issue_api_token(actor=user, user=user, name='t')}"}


def test_api_create_is_idempotent(client, more_heads) -> None:
    order = released_order(more_heads)
    line = order.lines.get()
    body = json.dumps(
        {
            "source": "department",
            "reason": "追加",
            "impact": "生产增加",
            "lines": [{"line": line.pk, "quantity": "12"}],
        }
    )
    auth = _auth(more_heads["sales"])
    url = f"/api/orders/{order.pk}/change-requests"
    first = client.post(url, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k1", **auth)
    again = client.post(url, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k1", **auth)
    assert (first.status_code, again.status_code, ChangeRequest.objects.count()) == (201, 201, 1)
    assert first.json() == again.json()
    assert first.json()["departments"] == ["production", "procurement", "finance"]


def test_api_bad_line_names_the_field(client, more_heads) -> None:
    order = released_order(more_heads)
    line = order.lines.get()
    body = json.dumps(
        {"source": "department", "reason": "x", "impact": "y", "lines": [{"line": line.pk, "quantity": "0"}]}
    )
    response = client.post(
        f"/api/orders/{order.pk}/change-requests",
        body,
        content_type="application/json",
        **_auth(more_heads["sales"]),
    )
    assert (response.status_code, response.json()["fields"]) == (
        422,
        {"lines.0.quantity": ["数量必须大于 0。"]},
    )
    assert ChangeRequest.objects.count() == 0


def test_api_opinion(client, more_heads) -> None:
    order = released_order(more_heads)
    request = _change(more_heads, order)
    task = ChangeTask.objects.get(request=request, department_kind="finance")
    response = client.post(
        f"/api/change-tasks/{task.pk}/opinion",
        json.dumps({"verdict": "approve"}),
        content_type="application/json",
        **_auth(task.assignee),
    )
    assert response.status_code == 200
    assert [t["verdict"] for t in response.json()["tasks"] if t["department"] == "finance"] == ["approve"]


def _link(client, more_heads, order) -> str:
    client.force_login(more_heads["sales"])
    response = client.post(reverse("changes:customer_link", args=[order.pk]), follow=True)
    message = next(str(m) for m in response.context["messages"])
    client.logout()
    return message.split("/change/")[1].rstrip("/")


def test_customer_asks_for_a_change_through_the_link(client, more_heads) -> None:
    """I-1: the customer's own submission is the written notice; it is reviewed like any other,
    and staff see it was the customer, by link."""
    order = released_order(more_heads)
    token = _link(client, more_heads, order)
    line = order.lines.get()
    url = reverse("changes:customer_change", args=[token])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            f"quantity-{line.pk}": "14",
            f"spec-{line.pk}": line.spec,
            "delivery_date": f"{order.delivery_date:%Y-%m-%d}",
            "delivery_place": order.delivery_place,
            "reason": "项目扩容",
            "impact": "希望交期不变",
            "name": "张伟",
        },
    )
    assert 'data-testid="customer-change-done"' in response.content.decode()
    change = ChangeRequest.objects.get()
    assert (change.source, change.customer_name, change.raised_by, change.departments) == (
        "customer",
        "张伟",
        more_heads["sales"],
        ["production", "procurement", "finance"],
    )
    # I-1: staff see that the customer raised it by link, in the salesperson's name.
    sales = more_heads["sales"].get_full_name() or more_heads["sales"].username
    shown = f"客户张伟（{order.customer.name}）通过客户变更链接提出，以销售{sales} 名义登记"
    assert (change.channel, change.customer_user, change.raiser_display) == ("link", None, shown)
    client.force_login(more_heads["sales"])
    assert shown in client.get(reverse("changes:request_detail", args=[change.pk])).content.decode()
    assert shown in client.get(reverse("changes:request_list")).content.decode()
    client.logout()
    again = client.post(url, {"name": "张伟", "reason": "x", "impact": "y"})
    assert again.status_code == 400 and "该变更链接已使用过。" in again.content.decode()
    assert ChangeRequest.objects.count() == 1


def test_customer_link_without_a_name_is_refused(client, more_heads) -> None:
    order = released_order(more_heads)
    token = _link(client, more_heads, order)
    response = client.post(reverse("changes:customer_change", args=[token]), {"reason": "x", "impact": "y"})
    assert response.status_code == 422 and "请填写提交人姓名。" in response.content.decode()
    assert ChangeRequest.objects.count() == 0


def test_expired_and_forged_links_are_refused(client, more_heads) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from oms.changes.models import CustomerLink

    order = released_order(more_heads)
    token = _link(client, more_heads, order)
    CustomerLink.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    expired = client.post(
        reverse("changes:customer_change", args=[token]), {"name": "张伟", "reason": "x", "impact": "y"}
    )
    assert "变更链接已过期，请联系销售重新发送。" in expired.content.decode()
    assert client.get(reverse("changes:customer_change", args=["forged"])).status_code == 404
    assert ChangeRequest.objects.count() == 0


def test_procurement_still_sees_a_cancelled_order_to_settle_its_purchases(client, more_heads) -> None:
    """J-1: the supplier decision is recorded on the cancelled order's page by procurement."""
    from oms.changes.tests.fixtures import cancelled_with_open_purchase

    order, buyer, _po = cancelled_with_open_purchase(more_heads)
    client.force_login(buyer)
    body = client.get(reverse("workbench:order_detail", args=[order.pk]) + "?tab=changes").content.decode()
    assert 'data-testid="supplier-decision"' in body
    response = client.post(
        reverse("changes:supplier_decision", args=[order.pk]),
        {"po": order.purchase_orders.get().pk, "decision": "keep_stock", "note": "留作通用库存"},
    )
    assert response.status_code == 302
    assert order.purchase_orders.get().supplier_decision == "keep_stock"
