"""Review pages (C-2, C-5, D-1, D-2): task page, opinion form, report and PDF, approval, confirmation link."""

from __future__ import annotations

import pytest
from django.urls import reverse

from oms.intake.tests.fixtures import order_in_review
from oms.orders.models import OrderStatus
from oms.review import actions
from oms.review.models import ApprovalStep, ReviewTask, TaskStatus

pytestmark = pytest.mark.django_db


def _task(order, kind):
    return order.review_rounds.get().tasks.get(department_kind=kind)


def test_finance_sees_cost_and_margin_production_does_not(client, org) -> None:
    order = order_in_review(org)
    client.force_login(org["finance_head"])
    finance_page = client.get(reverse("review:task", args=[_task(order, "finance").pk])).content.decode()
    client.force_login(org["prod_head"])
    production_page = client.get(
        reverse("review:task", args=[_task(order, "production").pk])
    ).content.decode()
    assert "毛利率" in finance_page and "毛利率" not in production_page
    assert "同期在途" in production_page


def test_opinion_form_records_the_verdict(client, org) -> None:
    order = order_in_review(org)
    task = _task(order, "quality")
    client.force_login(org["quality_head"])
    response = client.post(
        reverse("review:task", args=[task.pk]),
        {"verdict": "conditions", "conditions": "按 GB/T 检验", "version": task.version},
    )
    task.refresh_from_db()
    assert (response.status_code, task.status, task.verdict, task.conditions) == (
        302,
        TaskStatus.DONE,
        "conditions",
        "按 GB/T 检验",
    )


def test_opinion_by_someone_else_is_refused(client, org) -> None:
    order = order_in_review(org)
    task = _task(order, "quality")
    client.force_login(org["tech_head"])
    response = client.post(reverse("review:task", args=[task.pk]), {"verdict": "approve"})
    task.refresh_from_db()
    assert task.status == TaskStatus.OPEN
    assert response.status_code in (302, 404)


def test_task_page_bounded_queries(client, org, django_assert_max_num_queries) -> None:
    order = order_in_review(org)
    client.force_login(org["prod_head"])
    with django_assert_max_num_queries(30):
        assert client.get(reverse("review:task", args=[_task(order, "production").pk])).status_code == 200


def _reviewed(order):
    for task in ReviewTask.objects.filter(round__order=order, status=TaskStatus.OPEN):
        actions.give_opinion(actor=task.assignee, task=task, verdict="approve")
    return order


def test_report_html_and_pdf(client, org) -> None:
    order = _reviewed(order_in_review(org))
    rnd = order.review_rounds.get()
    client.force_login(org["sales"])
    html = client.get(reverse("review:report", args=[rnd.pk])).content.decode()
    assert "订单评审报告" in html and html.count("同意") >= 6
    pdf = client.get(reverse("review:report_pdf", args=[rnd.pk]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")


def test_order_page_shows_review_and_approval(client, org, django_assert_max_num_queries) -> None:
    order = _reviewed(order_in_review(org))
    client.force_login(org["head"])
    with django_assert_max_num_queries(40):
        content = client.get(reverse("workbench:order_detail", args=[order.pk])).content.decode()
    assert 'data-testid="review-rounds"' in content and 'data-testid="approve-step"' in content


def test_approval_and_confirmation_link_through_the_pages(client, org) -> None:
    order = _reviewed(order_in_review(org))
    client.force_login(org["head"])
    client.post(
        reverse("review:approval_decide", args=[ApprovalStep.objects.get(order=order).pk]),
        {"verb": "approve"},
    )
    order.refresh_from_db()
    assert order.status == OrderStatus.AWAITING_CONFIRMATION
    client.force_login(org["sales"])
    response = client.post(reverse("review:confirmation_link", args=[order.pk]), follow=True)
    link = next(str(m) for m in response.context["messages"] if "/confirm/" in str(m)).split("：", 1)[1]
    path = link.split("testserver", 1)[1]
    client.logout()
    page = client.get(path)
    assert page.status_code == 200 and order.number in page.content.decode()
    assert client.post(path, {"name": ""}).status_code == 400
    done = client.post(path, {"name": "张伟"})
    order.refresh_from_db()
    assert (done.status_code, order.status, order.confirmed_by_name) == (200, OrderStatus.CONFIRMED, "张伟")
    assert client.get(path).status_code == 410


def test_forged_link_is_404(client, db) -> None:
    assert client.get(reverse("review:confirm", args=["forged-token"])).status_code == 404


def test_my_work_links_to_review_tasks_and_approval_steps(client, org) -> None:
    order = order_in_review(org)
    task = _task(order, "quality")
    client.force_login(org["quality_head"])
    assert f"/review/tasks/{task.pk}/" in client.get(reverse("workbench:work")).content.decode()
    _reviewed(order)
    step = ApprovalStep.objects.get(order=order)
    client.force_login(org["head"])
    assert f"/review/approvals/{step.pk}/" in client.get(reverse("workbench:work")).content.decode()
    assert client.get(f"/review/approvals/{step.pk}/")["Location"] == reverse(
        "workbench:order_detail", args=[order.pk]
    )
