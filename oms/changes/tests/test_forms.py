"""Typed input (issue 22): each form parses and bounds what was typed; a refused form is shown
again with what the user typed, and nothing is saved (P-1)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.urls import reverse

from oms.changes import actions
from oms.changes.forms import TERMS
from oms.changes.models import ChangeRequest, ChangeTask, RequestStatus
from oms.changes.tests.fixtures import approve_all, released_order
from oms.changes.tests.test_actions import _change
from oms.changes.tests.test_pages import _auth, _form, _link
from oms.review.models import TaskStatus

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_the_form_offers_exactly_the_terms_a_change_may_touch() -> None:
    assert set(TERMS) == set(actions.TERM_ASPECTS)


def test_the_request_form_keeps_what_was_typed_when_a_number_is_refused(client, more_heads) -> None:
    order = released_order(more_heads)
    client.force_login(more_heads["sales"])
    posted = {**_form(order, "十二"), "reason": "客户追加两台", "impact": "产线加班一天"}
    response = client.post(reverse("changes:request_create", args=[order.pk]), posted)
    page = response.content.decode()
    assert response.status_code == 422
    assert "数量：请输入数字。" in page
    assert all(typed in page for typed in ("十二", "客户追加两台", "产线加班一天"))
    assert ChangeRequest.objects.count() == 0


def test_the_request_form_names_a_bad_date_and_keeps_the_rest(client, more_heads) -> None:
    order = released_order(more_heads)
    client.force_login(more_heads["sales"])
    posted = {
        **_form(order, "12"),
        "delivery_date": "2026-02-30",
        "delivery_place": "苏州工业园区星湖街 1 号",
    }
    response = client.post(reverse("changes:request_create", args=[order.pk]), posted)
    page = response.content.decode()
    assert response.status_code == 422
    assert response.context["errors"] == {"delivery_date": ["请填写正确的交货日期。"]}
    assert "2026-02-30" in page and "苏州工业园区星湖街 1 号" in page
    assert ChangeRequest.objects.count() == 0


def test_the_opinion_form_keeps_what_was_typed_when_refused(client, more_heads) -> None:
    order = released_order(more_heads)
    request = _change(more_heads, order)
    task = ChangeTask.objects.get(request=request, department_kind="production")
    client.force_login(task.assignee)
    response = client.post(
        reverse("changes:request_detail", args=[request.pk]),
        {
            "verb": "opinion",
            "task": task.pk,
            "version": task.version,
            "verdict": "conditions",
            "comment": "需加班",
        },
    )
    page = response.content.decode()
    assert response.status_code == 422
    assert "有条件同意时请写明条件。" in page and "需加班" in page
    assert 'value="conditions" checked' in page
    task.refresh_from_db()
    request.refresh_from_db()
    assert (task.status, task.verdict, request.status) == (TaskStatus.OPEN, "", RequestStatus.IN_REVIEW)


def test_an_oversized_comment_is_refused_by_name(client, more_heads) -> None:
    order = released_order(more_heads)
    request = _change(more_heads, order)
    task = ChangeTask.objects.get(request=request, department_kind="production")
    client.force_login(task.assignee)
    response = client.post(
        reverse("changes:request_detail", args=[request.pk]),
        {"verb": "opinion", "task": task.pk, "verdict": "approve", "comment": "长" * 2001},
    )
    assert response.status_code == 422
    assert "意见说明过长（最多 2000 字）。" in response.content.decode()
    task.refresh_from_db()
    assert task.status == TaskStatus.OPEN


def test_the_customer_link_form_keeps_what_was_typed(client, more_heads) -> None:
    order = released_order(more_heads)
    token = _link(client, more_heads, order)
    line = order.lines.get()
    response = client.post(
        reverse("changes:customer_change", args=[token]),
        {f"quantity-{line.pk}": "12台", "reason": "项目扩容", "impact": "交期不变", "name": "张伟"},
    )
    page = response.content.decode()
    assert response.status_code == 422
    assert response.context["errors"] == {"lines.0.quantity": ["数量：请输入数字。"]}
    assert all(typed in page for typed in ("12台", "项目扩容", "交期不变", "张伟"))
    assert ChangeRequest.objects.count() == 0


def test_a_refused_withdrawal_keeps_the_reason(client, more_heads) -> None:
    order = released_order(more_heads)
    request = _change(more_heads, order)
    client.force_login(more_heads["sales"])
    url = reverse("changes:request_detail", args=[request.pk])
    response = client.post(url, {"verb": "withdraw", "reason": "客户改主意" * 401})
    page = response.content.decode()
    assert response.status_code == 422
    assert "撤回原因过长（最多 2000 字）。" in page and "客户改主意" * 401 in page
    assert client.post(url, {"verb": "withdraw", "reason": ""}).status_code == 400
    request.refresh_from_db()
    assert (request.status, request.decision_reason) == (RequestStatus.IN_REVIEW, "")


def test_a_refused_explanation_keeps_what_was_typed(client, more_heads) -> None:
    order = released_order(more_heads)
    request = _change(more_heads, order)
    task = ChangeTask.objects.get(request=request, department_kind="production")
    actions.give_opinion(actor=task.assignee, task=task, verdict="reject", comment="排不开")
    client.force_login(more_heads["sales"])
    url = reverse("changes:request_detail", args=[request.pk])
    response = client.post(url, {"verb": "explain", "explanation": "已电话说明" * 401})
    page = response.content.decode()
    assert response.status_code == 422
    assert "向客户说明的内容过长（最多 2000 字）。" in page and "已电话说明" * 401 in page
    empty = client.post(url, {"verb": "explain", "explanation": "  "})
    assert empty.status_code == 422 and "请填写向客户说明的内容。" in empty.content.decode()
    request.refresh_from_db()
    assert (request.status, request.explanation, request.explained_at) == (RequestStatus.REJECTED, "", None)


def test_a_refused_agreement_is_shown_again_beside_its_file(client, more_heads) -> None:
    order = released_order(more_heads)
    request = approve_all(_change(more_heads, order))
    client.force_login(more_heads["sales"])
    response = client.post(reverse("changes:request_detail", args=[request.pk]), {"verb": "sign"})
    page = response.content.decode()
    assert response.status_code == 422
    assert 'is-invalid" type="file" name="scan"' in page and "请选择文件。" in page
    request.refresh_from_db()
    assert (request.agreement_signed_at, request.agreement_file.name) == (None, "")


def _api_raise(client: Any, org: dict[str, Any], order: Any, **body: Any) -> Any:
    payload = {"source": "department", "reason": "追加", "impact": "生产增加", **body}
    return client.post(
        f"/api/orders/{order.pk}/change-requests",
        json.dumps(payload),
        content_type="application/json",
        **_auth(org["sales"]),
    )


def test_the_api_parses_terms_with_the_page_form(client, more_heads) -> None:
    order = released_order(more_heads)
    response = _api_raise(client, more_heads, order, terms={"delivery_date": "2026-02-30", "colour": "红"})
    assert (response.status_code, response.json()["fields"]) == (
        422,
        {"colour": ["不能通过变更申请修改这一项。"], "delivery_date": ["请填写正确的交货日期。"]},
    )
    assert ChangeRequest.objects.count() == 0


def test_the_api_takes_typed_terms(client, more_heads) -> None:
    order = released_order(more_heads)
    response = _api_raise(client, more_heads, order, terms={"delivery_place": "苏州工业园区"})
    assert response.status_code == 201
    change = ChangeRequest.objects.get()
    assert (change.touched_terms, change.proposal["terms"]["delivery_place"]) == (
        ["delivery_place"],
        "苏州工业园区",
    )


# S-1 (issue 23): who may not take the step is refused before the input is read — the refusal,
# never the form's field errors — and nothing changes.


def test_a_withdrawal_by_production_is_refused_before_the_reason_is_read(client, more_heads) -> None:
    request = _change(more_heads, released_order(more_heads))
    client.force_login(more_heads["prod_head"])
    response = client.post(
        reverse("changes:request_detail", args=[request.pk]),
        {"verb": "withdraw", "reason": "客户改主意" * 401},
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "只有提出人或负责该订单的销售可以撤回申请。" in page and "撤回原因过长" not in page
    request.refresh_from_db()
    assert (request.status, request.decision_reason) == (RequestStatus.IN_REVIEW, "")


def test_an_explanation_by_finance_is_refused_before_it_is_read(client, more_heads) -> None:
    request = _change(more_heads, released_order(more_heads))
    task = ChangeTask.objects.get(request=request, department_kind="production")
    actions.give_opinion(actor=task.assignee, task=task, verdict="reject", comment="排不开")
    client.force_login(more_heads["finance_head"])
    response = client.post(
        reverse("changes:request_detail", args=[request.pk]), {"verb": "explain", "explanation": "  "}
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "只有负责该订单的销售可以记录向客户的说明。" in page and "请填写向客户说明的内容。" not in page
    request.refresh_from_db()
    assert (request.explanation, request.explained_at) == ("", None)


def test_an_agreement_filed_by_quality_is_refused_before_its_file_is_read(client, more_heads) -> None:
    request = approve_all(_change(more_heads, released_order(more_heads)))
    client.force_login(more_heads["quality_head"])
    response = client.post(reverse("changes:request_detail", args=[request.pk]), {"verb": "sign"})
    page = response.content.decode()
    assert response.status_code == 400
    assert "只有负责该订单的销售可以登记变更协议。" in page and "请选择文件。" not in page
    request.refresh_from_db()
    assert (request.agreement_signed_at, request.agreement_file.name) == (None, "")
