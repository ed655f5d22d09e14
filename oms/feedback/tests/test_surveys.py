"""N-1, N-3: surveys with the administrator's questions, answers through the customer's link,
the analysis by question, customer, salesperson and month, the notice to customers and the
improvement actions."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import make_user
from oms.core.errors import ActionError, FieldErrors, NotAllowed
from oms.customers.tests.factories import CustomerFactory
from oms.engine.workflow import PermissionDenied
from oms.feedback import actions, selectors
from oms.feedback.forms import answer_values
from oms.feedback.models import Answer, Invitation, Question
from oms.orders.models import SalesOrder
from oms.policy.selectors import policy

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(admin_user) -> dict[str, Any]:
    cs = make_user("cs1", kind="customer_service")
    wang = make_user("wang", kind="sales", last_name="王", first_name="一")
    li = make_user("li", kind="sales", last_name="李", first_name="二")
    actions.save_question(
        actor=admin_user, data={"text": "交货及时", "kind": "score", "position": 1, "active": True}
    )
    actions.save_question(
        actor=admin_user, data={"text": "服务态度", "kind": "score", "position": 2, "active": True}
    )
    actions.save_question(
        actor=admin_user, data={"text": "建议", "kind": "text", "position": 3, "active": True}
    )
    actions.save_question(
        actor=admin_user, data={"text": "停用的问题", "kind": "score", "position": 4, "active": False}
    )
    a = CustomerFactory(name="甲公司", owner=wang)
    b = CustomerFactory(name="乙公司", owner=li)
    survey = actions.create_survey(
        actor=cs, title="2026 年度满意度调查", period_start=date(2026, 1, 1), period_end=date(2026, 12, 31)
    )
    actions.send_survey(actor=cs, survey=survey, customer_ids=[a.pk, b.pk])
    return {"cs": cs, "wang": wang, "li": li, "a": a, "b": b, "survey": survey, "admin": admin_user}


def _link(world: dict[str, Any], customer: Any) -> str:
    invitation = Invitation.objects.get(survey=world["survey"], customer=customer)
    return actions.issue_link(actor=world["cs"], invitation=invitation)


def _keys(world: dict[str, Any]) -> list[str]:
    return [q["key"] for q in world["survey"].questions]


def _answer(token: str, respondent: str, raw: dict[str, str]) -> Invitation:
    """The customer's answers typed by the link page's form, then given to the action."""
    invitation = actions.invitation_for(token)
    assert invitation is not None
    values = answer_values(actions.questions_of(invitation), policy().feedback.score_scale, raw)
    return actions.answer(token=token, respondent=respondent, values=values)


def test_a_survey_asks_the_active_questions_as_they_stood(world) -> None:
    """N-1: later edits of a question do not change a survey already created."""
    q = Question.objects.get(text="交货及时")
    actions.save_question(actor=world["admin"], data={"text": "交货是否及时"}, question=q, version=q.version)
    assert [q["text"] for q in world["survey"].questions] == ["交货及时", "服务态度", "建议"]


def test_only_the_administrator_edits_questions(world) -> None:
    with pytest.raises(NotAllowed):
        actions.save_question(
            actor=world["cs"], data={"text": "x", "kind": "score", "position": 9, "active": True}
        )
    assert Question.objects.count() == 4


def test_scores_by_question_customer_and_salesperson(world) -> None:
    """N-1: the percentage is points given over points possible: 甲 4+5 of 10, 乙 2+3 of 10."""
    q1, q2, q3 = _keys(world)
    _answer(_link(world, world["a"]), "张", {q1: "4", q2: "5", q3: "很好"})
    _answer(_link(world, world["b"]), "赵", {q1: "2", q2: "3", q3: ""})
    answers = selectors.survey_answers(world["survey"])
    by_question = [(r.label, r.percent, r.answers) for r in selectors.scores(answers, "question")]
    assert by_question == [("交货及时", Decimal("60.0"), 2), ("服务态度", Decimal("80.0"), 2)]
    by_customer = {r.label: r.percent for r in selectors.scores(answers, "customer")}
    assert by_customer == {"甲公司": Decimal("90.0"), "乙公司": Decimal("50.0")}
    by_person = {r.label: r.percent for r in selectors.scores(answers, "salesperson")}
    assert by_person == {"王一": Decimal("90.0"), "李二": Decimal("50.0")}
    month = f"{timezone.localdate():%Y-%m}"
    assert [(r.label, r.percent) for r in selectors.scores(answers, "month")] == [(month, Decimal("70.0"))]


def test_a_score_out_of_range_is_refused_and_nothing_is_saved(world) -> None:
    q1, q2, _q3 = _keys(world)
    token = _link(world, world["a"])
    with pytest.raises(FieldErrors) as exc:
        _answer(token, "张", {q1: "6", q2: ""})
    assert set(exc.value.errors) == {q1, q2}
    assert (Answer.objects.count(), Invitation.objects.filter(answered_at__isnull=False).count()) == (0, 0)


def test_the_action_refuses_a_typed_score_outside_the_scale(world) -> None:
    """The action keeps the scale whoever calls it (N-1): a typed 6 of 5 is refused by name."""
    q1, q2, _q3 = _keys(world)
    with pytest.raises(FieldErrors) as exc:
        actions.answer(token=_link(world, world["a"]), respondent="张", values={q1: 6, q2: 4})
    assert set(exc.value.errors) == {q1}
    assert (Answer.objects.count(), Invitation.objects.filter(answered_at__isnull=False).count()) == (0, 0)


def test_a_link_answers_once(world) -> None:
    q1, q2, _q3 = _keys(world)
    token = _link(world, world["a"])
    _answer(token, "张", {q1: "4", q2: "4"})
    with pytest.raises(ActionError):
        _answer(token, "张", {q1: "1", q2: "1"})
    assert list(Answer.objects.order_by("pk").values_list("score", flat=True)) == [4, 4, None]


def test_a_new_link_replaces_the_old_one(world) -> None:
    old = _link(world, world["a"])
    _link(world, world["a"])
    with pytest.raises(NotAllowed):
        actions.answer(token=old, respondent="张", values={})


def test_an_expired_link_is_refused(world) -> None:
    token = _link(world, world["a"])
    Invitation.objects.filter(customer=world["a"]).update(expires_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(ActionError):
        actions.answer(token=token, respondent="张", values={})
    assert Answer.objects.count() == 0


def test_the_customer_sees_what_will_change(client, world) -> None:
    """N-1: 回函告知客户改善方案: behind their link, after answering."""
    q1, q2, _q3 = _keys(world)
    token = _link(world, world["a"])
    page = client.post(f"/survey/{token}/", {q1: "3", q2: "4", "respondent": "张"}).content.decode()
    assert 'data-testid="thanks"' in page and 'data-testid="notice"' not in page
    survey = world["survey"]
    survey.refresh_from_db()
    actions.tell_customers(
        actor=world["cs"], survey=survey, notice="增加发货前电话确认", version=survey.version
    )
    page = client.get(f"/survey/{token}/").content.decode()
    assert "增加发货前电话确认" in page


def test_an_improvement_is_verified_by_someone_else(world) -> None:
    """N-1: the owner reports it done; the owner cannot verify it; whoever raised it does."""
    item = actions.add_action(
        actor=world["cs"],
        survey=world["survey"],
        title="发货前电话确认",
        owner=world["wang"],
        due_on=timezone.localdate(),
    )
    item = actions.decide_action(
        actor=world["wang"], action=item, verb="finish", note="已执行", version=item.version
    )
    with pytest.raises(PermissionDenied):
        actions.decide_action(actor=world["wang"], action=item, verb="verify", note="", version=item.version)
    item.refresh_from_db()
    assert item.status == "done"
    item = actions.decide_action(
        actor=world["cs"], action=item, verb="verify", note="抽查 5 单均已确认", version=item.version
    )
    assert (item.status, item.verified_by) == ("verified", world["cs"])


def test_survey_page_and_export(client, world) -> None:
    q1, q2, _q3 = _keys(world)
    _answer(_link(world, world["a"]), "张", {q1: "4", q2: "5"})
    client.force_login(world["cs"])
    page = client.get(reverse("feedback:survey", args=[world["survey"].pk])).content.decode()
    assert 'data-testid="scores-question"' in page and "90.0" in page
    export = client.get(reverse("feedback:survey", args=[world["survey"].pk]), {"export": "customer"})
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    report = client.get(reverse("feedback:survey", args=[world["survey"].pk]), {"print": "1"})
    assert "客户满意度调查报告" in report.content.decode()


def test_the_survey_page_makes_a_bounded_number_of_queries(
    client, world, django_assert_max_num_queries
) -> None:
    for i in range(8):
        c = CustomerFactory(name=f"客户{i}", owner=world["wang"])
        Invitation.objects.create(
            kind="survey", survey=world["survey"], customer=c, salesperson=world["wang"]
        )
    client.force_login(world["cs"])
    with django_assert_max_num_queries(25):
        assert client.get(reverse("feedback:survey", args=[world["survey"].pk])).status_code == 200


def test_production_cannot_register_a_complaint(world) -> None:
    prod = make_user("p1", kind="production")
    with pytest.raises(NotAllowed):
        actions.register_complaint(
            actor=prod, order_number="X", category="quality", description="x", complainant="x"
        )
    assert not SalesOrder.objects.exists()
