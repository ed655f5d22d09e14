"""Satisfaction surveys and the closing question (N-1, N-3): questions, surveys, invitations,
links and the customers' answers."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from oms.accounts.models import User
from oms.audit import recorder
from oms.core.errors import ActionError, FieldErrors, NotAllowed
from oms.core.phrases import phrase
from oms.core.tokens import Refusals, expires_after, find, new_token, redeem
from oms.customers.models import Customer
from oms.customers.selectors import portal_account_of
from oms.engine import records, workflow
from oms.feedback import permissions, states
from oms.feedback.forms import score_refusal
from oms.feedback.models import (
    Answer,
    Invitation,
    InvitationKind,
    Question,
    QuestionKind,
    Survey,
    SurveyStatus,
)
from oms.notifications.actions import notify
from oms.orders.models import SalesOrder
from oms.policy.actions import next_number
from oms.policy.selectors import policy


def save_question(
    *, actor: User, data: Mapping[str, Any], question: Question | None = None, version: int = 0
) -> Question:
    """N-1: the administrator edits the survey's questions."""
    records.require(permissions.can_edit_questions(actor))
    values = {k: data[k] for k in ("text", "kind", "position", "active") if k in data}
    if question is None:
        return records.create(
            actor=actor, obj=Question(**values), fields=list(values), action="feedback.question.create"
        )
    return records.update(
        actor=actor, obj=question, data=values, version=version, action="feedback.question.update"
    )


def _questions_snapshot() -> list[dict[str, Any]]:
    return [
        {"key": f"q{q.pk}", "text": q.text, "kind": q.kind}
        for q in Question.objects.filter(active=True).order_by("position", "pk")
    ]


@transaction.atomic
def create_survey(*, actor: User, title: str, period_start: date | None, period_end: date | None) -> Survey:
    """N-1: a survey asks the active questions as they stand today; later edits of the questions
    do not change it."""
    records.require(permissions.can_manage_surveys(actor))
    errors: dict[str, list[str]] = {}
    if not title.strip():
        errors["title"] = [_("请填写标题。")]
    if period_start is None:
        errors["period_start"] = [_("请填写调查期间。")]
    if period_end is None:
        errors["period_end"] = [_("请填写调查期间。")]
    if period_start and period_end and period_end < period_start:
        errors["period_end"] = [_("结束日期不能早于开始日期。")]
    questions = _questions_snapshot()
    if not questions:
        errors["__all__"] = [_("还没有启用的调查问题：请管理员先设置问题。")]
    if errors:
        raise FieldErrors(errors)
    assert period_start is not None and period_end is not None
    return records.create(
        actor=actor,
        obj=Survey(
            number=next_number(fmt=policy().numbering.survey, when=timezone.localdate(), key="survey"),
            title=title.strip(),
            period_start=period_start,
            period_end=period_end,
            questions=questions,
            created_by=actor,
        ),
        fields=["number", "title", "period_start", "period_end", "questions"],
        action="feedback.survey.create",
    )


def customers_in_period(survey: Survey) -> list[Customer]:
    """N-1: by default, the customers who had an order confirmed in the survey's period."""
    ids = (
        SalesOrder.objects.filter(
            confirmed_at__date__gte=survey.period_start, confirmed_at__date__lte=survey.period_end
        )
        .values_list("customer_id", flat=True)
        .distinct()
    )
    return list(Customer.objects.filter(pk__in=list(ids)).order_by("code"))


@transaction.atomic
def send_survey(*, actor: User, survey: Survey, customer_ids: Iterable[int] | None = None) -> int:
    """N-1: invite the chosen customers (by default those with orders in the period); each
    customer's salesperson gets the invitation to pass on with its link."""
    if customer_ids is None:
        customers = customers_in_period(survey)
    else:
        customers = list(Customer.objects.filter(pk__in=list(customer_ids)).order_by("code"))
    if not customers:
        raise FieldErrors({"customers": [_("请至少选择一个客户。")]})
    workflow.apply(states.SEND_SURVEY, survey, actor=actor, changes={"sent_at": timezone.now()})
    Invitation.objects.bulk_create(
        [
            Invitation(kind=InvitationKind.SURVEY, survey=survey, customer=c, salesperson_id=c.owner_id)
            for c in customers
        ]
    )
    for owner_id in {c.owner_id for c in customers if c.owner_id}:
        notify(
            event="feedback",
            recipients=[User(pk=owner_id)],
            title=phrase("满意度调查 %(n)s：请将调查链接发给您的客户", n=survey.number),
            url=reverse("feedback:survey", args=[survey.pk]),
        )
    return len(customers)


@transaction.atomic
def close_survey(*, actor: User, survey: Survey) -> Survey:
    return workflow.apply(states.CLOSE_SURVEY, survey, actor=actor, changes={"closed_at": timezone.now()})


@transaction.atomic
def issue_link(*, actor: User, invitation: Invitation) -> str:
    """N-1, N-3: a link for the customer; a new link replaces the previous one."""
    if not (permissions.can_manage_surveys(actor) or invitation.salesperson_id == actor.pk):
        raise NotAllowed(_("只有业务员或客服可以发送调查链接。"))
    if invitation.answered_at is not None:
        raise ActionError(_("客户已经答复，不需要新链接。"))
    if invitation.survey is not None and invitation.survey.status != SurveyStatus.SENT:
        raise ActionError(_("该调查不在进行中。"))
    token, hashed = new_token()
    invitation.token_hash = hashed
    invitation.expires_at = expires_after(days=policy().feedback.survey_link_days)
    invitation.save(update_fields=["token_hash", "expires_at"])
    recorder.record(
        actor=actor, obj=invitation, action="feedback.link", after={"expires_at": invitation.expires_at}
    )
    return token


def _invitations() -> QuerySet[Invitation]:
    return Invitation.objects.select_related("survey", "customer", "order")


def invitation_for(token: str) -> Invitation | None:
    return find(_invitations(), token)


def questions_of(invitation: Invitation) -> list[dict[str, Any]]:
    """The questions the customer answers: the survey's, or the one closing question (N-3)."""
    if invitation.survey is not None:
        return list(invitation.survey.questions)
    return [{"key": "closing", "text": policy().feedback.closing_question, "kind": QuestionKind.SCORE}]


@transaction.atomic
def answer(*, token: str, respondent: str, values: Mapping[str, Any], comment: str = "") -> Invitation:
    """N-1, N-3: the customer answers through their link: every score from 1 to the scale (the
    values typed by `oms.feedback.forms.answer_values`); an expired, used or forged link is
    refused and nothing is saved."""
    refusals = Refusals(
        invalid=_("调查链接无效。"),
        used=_("您已经答复过，谢谢！"),
        expired=_("调查链接已过期，请联系业务员重新发送。"),
    )
    # The survey and the order are nullable relations: lock the invitation's row only.
    invitation = redeem(_invitations(), token, refusals, used_field="answered_at", of=("self",))
    return _answer(invitation, respondent=respondent, values=values, comment=comment, actor=None)


@transaction.atomic
def answer_in_portal(
    *, actor: User, invitation: Invitation, values: Mapping[str, Any], comment: str = ""
) -> Invitation:
    """N-1, N-3, B-8: the customer's contact answers their company's survey or closing question
    in the portal, with no link needed (their login is the credential, so nothing expires); the
    same checks as through a link otherwise."""
    account = portal_account_of(actor)
    if account is None or account.customer_id != invitation.customer_id:
        raise NotAllowed(_("只能答复本公司的调查。"))
    locked = _invitations().select_for_update(of=("self",)).get(pk=invitation.pk)
    if locked.answered_at is not None:
        raise ActionError(_("您已经答复过，谢谢！"))
    name = actor.get_full_name() or actor.get_username()
    return _answer(locked, respondent=name, values=values, comment=comment, actor=actor)


def _answer(
    invitation: Invitation, *, respondent: str, values: Mapping[str, Any], comment: str, actor: User | None
) -> Invitation:
    """The invitation, locked and not yet answered, gets the customer's answers: a score for every
    score question, within the scale."""
    if invitation.survey is not None and invitation.survey.status != SurveyStatus.SENT:
        raise ActionError(_("该调查已结束。"))
    scale = policy().feedback.score_scale
    questions = questions_of(invitation)
    errors = {
        q["key"]: [score_refusal(q, scale)]
        for q in questions
        if q["kind"] == QuestionKind.SCORE and not _in_scale(values.get(q["key"]), scale)
    }
    if not respondent.strip():
        errors["respondent"] = [_("请填写您的姓名。")]
    if errors:
        raise FieldErrors(errors)
    now = timezone.now()
    rows = [_answer_row(q, values.get(q["key"]) or "", scale) for q in questions]
    for row in rows:
        row.invitation = invitation
        row.answered_at = now
    Answer.objects.bulk_create(rows)
    invitation.answered_at = now
    invitation.respondent = respondent.strip()[:100]
    invitation.comment = comment.strip()[:2000]
    invitation.save(update_fields=["answered_at", "respondent", "comment"])
    recorder.record(
        actor=actor or f"customer:{invitation.respondent}",
        obj=invitation,
        action="feedback.answer",
        after={r.question_key: r.score if r.score is not None else r.text for r in rows},
    )
    if invitation.salesperson_id:
        notify(
            event="feedback",
            recipients=[User(pk=invitation.salesperson_id)],
            title=phrase("%(c)s 已答复满意度调查", c=invitation.customer.name),
            url=reverse("feedback:invitation", args=[invitation.pk]),
        )
    return invitation


def _in_scale(score: Any, scale: int) -> bool:
    return isinstance(score, int) and not isinstance(score, bool) and 1 <= score <= scale


def _answer_row(question: dict[str, Any], value: Any, scale: int) -> Answer:
    if question["kind"] == QuestionKind.SCORE:
        return Answer(question_key=question["key"], question_text=question["text"], score=value, scale=scale)
    return Answer(question_key=question["key"], question_text=question["text"], text=value[:2000])


@transaction.atomic
def record_conclusions(*, actor: User, survey: Survey, conclusions: str, version: int) -> Survey:
    """N-1: the survey report's conclusions."""
    records.require(permissions.can_manage_surveys(actor))
    return records.update(
        actor=actor,
        obj=survey,
        data={"conclusions": conclusions.strip()},
        version=version,
        action="feedback.survey.report",
    )


@transaction.atomic
def tell_customers(*, actor: User, survey: Survey, notice: str, version: int) -> Survey:
    """N-1: tell the customers what will change (004: 回函告知客户改善方案); each customer sees it
    behind their survey link."""
    records.require(permissions.can_manage_surveys(actor))
    if not notice.strip():
        raise FieldErrors({"customer_notice": [_("请填写告知客户的改进内容。")]})
    return records.update(
        actor=actor,
        obj=survey,
        data={"customer_notice": notice.strip(), "notice_at": timezone.now()},
        version=version,
        action="feedback.survey.notice",
    )


def on_order_closed(*, instance: SalesOrder, transition: workflow.Transition, actor: Any) -> None:
    """N-3: a closed order prompts a short satisfaction question; its salesperson is asked to
    send the customer the link. Wired in `oms.wiring` for the order's transition into closed."""
    invitation, created = Invitation.objects.get_or_create(
        order=instance,
        defaults={
            "kind": InvitationKind.CLOSING,
            "customer_id": instance.customer_id,
            "salesperson_id": instance.salesperson_id,
        },
    )
    if created and instance.salesperson_id:
        notify(
            event="feedback",
            recipients=[User(pk=instance.salesperson_id)],
            title=phrase("订单 %(n)s 已关闭：请邀请客户评价", n=instance.number),
            url=reverse("feedback:invitation", args=[invitation.pk]),
        )
