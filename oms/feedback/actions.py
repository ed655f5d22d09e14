"""Every write of customers' voice (N-1..N-3): complaints and their steps, surveys, invitations
and answers, improvement actions."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from oms.accounts.models import User
from oms.accounts.selectors import decider, department_of_kind, head_of, superior_for_approval
from oms.audit import recorder
from oms.core.errors import ActionError, FieldErrors, NotAllowed, StaleVersion
from oms.core.money import DecimalInputError, parse_model_decimal
from oms.core.tokens import new_token, token_hash
from oms.customers.models import Customer
from oms.customers.selectors import portal_account_of
from oms.engine import records, workflow
from oms.feedback import permissions, states
from oms.feedback.models import (
    ActionStatus,
    Answer,
    Complaint,
    ComplaintCategory,
    ComplaintStatus,
    ImprovementAction,
    Invitation,
    InvitationKind,
    Question,
    QuestionKind,
    Survey,
    SurveyStatus,
)
from oms.notifications.actions import notify
from oms.orders.models import SalesOrder
from oms.orders.permissions import is_customer_of
from oms.policy.actions import next_number
from oms.policy.selectors import policy, work_calendar
from oms.tracking.actions import close_items, open_item

COMPLAINT_STEP = "complaint.step"
IMPROVEMENT = "improvement.action"


def _url(complaint: Complaint) -> str:
    return f"/complaints/{complaint.pk}/"


# --- complaints (N-2, N-3) -------------------------------------------------------------------


def complaint_orders(user: Any) -> Any:
    """The orders a complaint may be filed against: those a handler's scope reaches, archived
    ones included (a complaint often comes after the order closed)."""
    from oms.orders.selectors import orders_in_scope

    qs = orders_in_scope(user) if not permissions.sees_all_complaints(user) else SalesOrder.objects.all()
    return qs.filter(confirmed_at__isnull=False)


@transaction.atomic
def register_complaint(
    *,
    actor: User,
    order_number: str,
    category: str,
    description: str,
    complainant: str,
    claim_amount: str = "",
    evidence: UploadedFile | None = None,
) -> Complaint:
    """N-2, N-3: customer service registers a complaint against an order; the first answer is
    due within the policy's working days, and the handler's first step opens with that deadline."""
    if not permissions.handles_complaints(actor):
        raise NotAllowed(_("只有负责投诉的部门可以登记投诉。"))
    order = (
        complaint_orders(actor).filter(number=order_number.strip()).first() if order_number.strip() else None
    )
    return _register(
        actor=actor,
        handler=actor,
        order=order,
        category=category,
        description=description,
        complainant=complainant,
        claim_amount=claim_amount,
        evidence=evidence,
    )


@transaction.atomic
def complain_in_portal(
    *,
    actor: User,
    order: SalesOrder,
    category: str,
    description: str,
    claim_amount: str = "",
    evidence: UploadedFile | None = None,
) -> Complaint:
    """N-3, B-8: the customer's contact files a complaint on their own confirmed order in the
    portal. It goes to the head of the first complaint department the policy names (else the
    order's salesperson), with the same first-answer deadline as one registered by phone."""
    if not is_customer_of(actor, order):
        raise NotAllowed(_("只能对本公司的订单投诉。"))
    handler = None
    for kind in policy().feedback.complaint_departments:
        department = department_of_kind(kind)
        handler = head_of(department) if department else None
        if handler is not None:
            break
    return _register(
        actor=actor,
        handler=handler or order.salesperson,
        order=order if order.confirmed_at else None,
        category=category,
        description=description,
        complainant=actor.get_full_name() or actor.get_username(),
        claim_amount=claim_amount,
        evidence=evidence,
    )


def _register(
    *,
    actor: User,
    handler: User,
    order: SalesOrder | None,
    category: str,
    description: str,
    complainant: str,
    claim_amount: str,
    evidence: UploadedFile | None,
) -> Complaint:
    errors: dict[str, list[str]] = {}
    if order is None:
        errors["order"] = [_("找不到该订单号（须为已确认的订单）。")]
    if category not in ComplaintCategory.values:
        errors["category"] = [_("请选择投诉类别。")]
    if not description.strip():
        errors["description"] = [_("请填写投诉内容。")]
    if not complainant.strip():
        errors["complainant"] = [_("请填写投诉人。")]
    amount = _decimal(claim_amount, "claim_amount", errors, default=Decimal("0"))
    if errors:
        raise FieldErrors(errors)
    assert order is not None
    now = timezone.now()
    rules = policy().feedback
    calendar = work_calendar()
    complaint = Complaint(
        number=next_number(fmt=policy().numbering.complaint, when=timezone.localdate(), key="complaint"),
        order=order,
        category=category,
        description=description.strip(),
        complainant=complainant.strip(),
        claim_amount=amount or Decimal("0"),
        received_at=now,
        answer_due_at=calendar.add_working_days(now, rules.complaint_answer_days),
        registered_by=actor,
        handler=handler,
    )
    if evidence is not None:
        complaint.evidence_file = evidence
    records.create(
        actor=actor,
        obj=complaint,
        fields=["number", "order", "category", "description", "claim_amount", "complainant", "answer_due_at"],
        action="complaint.register",
    )
    _open_step(complaint, due=complaint.answer_due_at)
    return complaint


def _decimal(
    text: str, name: str, errors: dict[str, list[str]], *, default: Decimal | None
) -> Decimal | None:
    """P-1: a complaint's money field through the shared parser at its column's digits; the
    message names the field (not negative, at most two decimals, no NaN/Infinity/overflow)."""
    text = (text or "").strip()
    if not text:
        return default
    try:
        return parse_model_decimal(Complaint, name, text, min_value=0)
    except DecimalInputError as exc:
        errors[name] = [exc.message]
        return None


@dataclass(frozen=True)
class StepField:
    name: str
    kind: str  # "text", "bool", "money", "list"
    required: bool = True


# N-2: what each step records (004 客户投诉处理的步骤 1–8).
STEP_FIELDS: dict[str, tuple[StepField, ...]] = {
    "collect_evidence": (StepField("evidence_note", "text"),),
    "check_receipt": (StepField("receipt_signed", "bool"), StepField("receipt_note", "text")),
    "compare_inspection": (StepField("inspection_matches", "bool"), StepField("inspection_note", "text")),
    "check_window": (StepField("within_window", "bool"), StepField("window_note", "text")),
    "gather_materials": (StepField("materials", "list"), StepField("materials_note", "text", required=False)),
    "decide_remedy": (
        StepField("meeting_note", "text"),
        StepField("remedy", "text"),
        StepField("proposed_compensation", "money", required=False),
    ),
    "record_negotiation": (
        StepField("negotiation_outcome", "text"),
        StepField("agreed_compensation", "money", required=False),
    ),
    "submit_report": (StepField("report", "text"),),
    "approve": (),
    "refuse": (),
    "carry_out": (StepField("execution_note", "text"),),
}


def _step_values(step: str, data: Mapping[str, Any]) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    for f in STEP_FIELDS[step]:
        raw = data.get(f.name, "")
        label = str(getattr(Complaint._meta.get_field(f.name), "verbose_name", f.name))
        if f.kind == "bool":
            if raw not in {"yes", "no"}:
                errors[f.name] = [_("请选择“%(f)s”：是或否。") % {"f": label}]
                continue
            values[f.name] = raw == "yes"
        elif f.kind == "money":
            values[f.name] = _decimal(str(raw), f.name, errors, default=None)
        elif f.kind == "list":
            items = [
                str(x).strip() for x in (raw if isinstance(raw, list | tuple) else str(raw).splitlines())
            ]
            values[f.name] = [x for x in items if x]
            if f.required and not values[f.name]:
                errors[f.name] = [_("请填写“%(f)s”。") % {"f": label}]
        else:
            values[f.name] = str(raw).strip()
            if f.required and not values[f.name]:
                errors[f.name] = [_("请填写“%(f)s”。") % {"f": label}]
    if errors:
        raise FieldErrors(errors)
    return values


@transaction.atomic
def advance(
    *,
    actor: User,
    complaint: Complaint,
    step: str,
    data: Mapping[str, Any],
    version: int,
    evidence: UploadedFile | None = None,
    reason: str = "",
) -> Complaint:
    """N-2: record one step of the complaint and move it on; the next step opens with its
    deadline (the policy's working days), the report goes to the handler's head for approval."""
    transition = states.COMPLAINT.transitions.get(step)
    if transition is None:
        raise ActionError(_("未知的处理步骤。"))
    if version != complaint.version:
        raise StaleVersion(_("该投诉已被他人更新，请刷新后再试。"))
    changes = _step_values(step, data)
    now = timezone.now()
    if step == "collect_evidence":
        changes["first_answer_at"] = now
    elif step == "submit_report":
        # P-5: neither the handler nor whoever submits the report approves it.
        approver = decider(superior_for_approval(complaint.handler), raisers={complaint.handler_id, actor.pk})
        if approver is None:
            raise FieldErrors({"__all__": [_("找不到审批人：请先为处理人的部门设置负责人。")]})
        changes["approver"] = approver
    elif step in {"approve", "refuse"}:
        changes.update({"decided_at": now, "decision_note": reason.strip()})
    elif step == "carry_out":
        changes["closed_at"] = now
    done = workflow.apply(transition, complaint, actor=actor, reason=reason, changes=changes)
    if step == "collect_evidence" and evidence is not None:
        done.evidence_file = evidence
        done.save(update_fields=["evidence_file"])
    close_items(target=done, actor=actor, outcome=str(transition.label), kinds=(COMPLAINT_STEP,))
    if done.status == ComplaintStatus.REPORTED:
        assert done.approver is not None
        _open_step(done, assignee=done.approver)
        notify(
            event="feedback",
            recipients=[done.approver],
            title=_("投诉 %(n)s 的处理报告待您批准") % {"n": done.number},
            url=_url(done),
        )
    elif done.status != ComplaintStatus.CLOSED:
        _open_step(done)
        if step in {"approve", "refuse"}:
            notify(
                event="feedback",
                recipients=[done.handler],
                title=_("投诉 %(n)s：%(d)s") % {"n": done.number, "d": transition.label},
                url=_url(done),
            )
    return done


# The step that waits in each state: the transition leaving it (approval waits on the approver).
_NEXT_STEP_LABEL = {
    state: t.label
    for t in states.COMPLAINT.transitions.values()
    if t.name not in {"approve", "refuse"}
    for state in t.source
}


def _open_step(complaint: Complaint, *, assignee: User | None = None, due: datetime | None = None) -> None:
    person = assignee or complaint.handler
    label = (
        gettext_lazy("审批处理方案")
        if complaint.status == ComplaintStatus.REPORTED
        else _NEXT_STEP_LABEL.get(complaint.status, "")
    )
    assert person.department is not None
    open_item(
        target=complaint,
        kind=COMPLAINT_STEP,
        title=_("投诉 %(n)s：%(s)s") % {"n": complaint.number, "s": label},
        department=person.department,
        assignee=person,
        calendar=work_calendar(),
        days=None if due else policy().feedback.complaint_step_days,
        due=due,
    )


# --- surveys (N-1) ---------------------------------------------------------------------------


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
            title=_("满意度调查 %(n)s：请将调查链接发给您的客户") % {"n": survey.number},
            url=f"/surveys/{survey.pk}/",
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
    invitation.expires_at = timezone.now() + timedelta(days=policy().feedback.survey_link_days)
    invitation.save(update_fields=["token_hash", "expires_at"])
    recorder.record(
        actor=actor, obj=invitation, action="feedback.link", after={"expires_at": invitation.expires_at}
    )
    return token


def invitation_for(token: str) -> Invitation | None:
    if not token:
        return None
    return (
        Invitation.objects.select_related("survey", "customer", "order")
        .filter(token_hash=token_hash(token))
        .first()
    )


def questions_of(invitation: Invitation) -> list[dict[str, Any]]:
    """The questions the customer answers: the survey's, or the one closing question (N-3)."""
    if invitation.survey is not None:
        return list(invitation.survey.questions)
    return [{"key": "closing", "text": policy().feedback.closing_question, "kind": QuestionKind.SCORE}]


@transaction.atomic
def answer(*, token: str, respondent: str, values: Mapping[str, str], comment: str = "") -> Invitation:
    """N-1, N-3: the customer answers through their link: every score from 1 to the scale; an
    expired, used or forged link is refused and nothing is saved."""
    found = invitation_for(token)
    if found is None:
        raise NotAllowed(_("调查链接无效。"))
    return _answer(found, respondent=respondent, values=values, comment=comment, actor=None)


@transaction.atomic
def answer_in_portal(
    *, actor: User, invitation: Invitation, values: Mapping[str, str], comment: str = ""
) -> Invitation:
    """N-1, N-3, B-8: the customer's contact answers their company's survey or closing question
    in the portal, with no link needed; the same checks as through a link."""
    account = portal_account_of(actor)
    if account is None or account.customer_id != invitation.customer_id:
        raise NotAllowed(_("只能答复本公司的调查。"))
    name = actor.get_full_name() or actor.get_username()
    return _answer(invitation, respondent=name, values=values, comment=comment, actor=actor)


def _answer(
    found: Invitation, *, respondent: str, values: Mapping[str, str], comment: str, actor: User | None
) -> Invitation:
    invitation = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("survey", "customer")
        .get(pk=found.pk)
    )
    if invitation.answered_at is not None:
        raise ActionError(_("您已经答复过，谢谢！"))
    # A link expires; the portal needs none (its login is the credential).
    if actor is None and (invitation.expires_at is None or invitation.expires_at <= timezone.now()):
        raise ActionError(_("调查链接已过期，请联系业务员重新发送。"))
    if invitation.survey is not None and invitation.survey.status != SurveyStatus.SENT:
        raise ActionError(_("该调查已结束。"))
    scale = policy().feedback.score_scale
    errors: dict[str, list[str]] = {}
    rows: list[Answer] = []
    now = timezone.now()
    for q in questions_of(invitation):
        raw = str(values.get(q["key"], "")).strip()
        if q["kind"] == QuestionKind.SCORE:
            if not raw.isdigit() or not 1 <= int(raw) <= scale:
                errors[q["key"]] = [_("请为“%(q)s”打分（1–%(s)s）。") % {"q": q["text"], "s": scale}]
                continue
            rows.append(Answer(question_key=q["key"], question_text=q["text"], score=int(raw), scale=scale))
        else:
            rows.append(Answer(question_key=q["key"], question_text=q["text"], text=raw[:2000]))
    if not respondent.strip():
        errors["respondent"] = [_("请填写您的姓名。")]
    if errors:
        raise FieldErrors(errors)
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
            title=_("%(c)s 已答复满意度调查") % {"c": invitation.customer.name},
            url=f"/surveys/invitations/{invitation.pk}/",
        )
    return invitation


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
            title=_("订单 %(n)s 已关闭：请邀请客户评价") % {"n": instance.number},
            url=f"/surveys/invitations/{invitation.pk}/",
        )


# --- improvement actions (N-1) ---------------------------------------------------------------


@transaction.atomic
def add_action(
    *,
    actor: User,
    title: str,
    owner: User | None,
    due_on: date | None,
    survey: Survey | None = None,
    complaint: Complaint | None = None,
    origin: str = "",
) -> ImprovementAction:
    """N-1, O-2: an improvement decided from a survey, a complaint or a finding, owned by one
    person with a deadline; the owner's step opens and is escalated like every other when
    late."""
    records.require(permissions.can_raise_action(actor))
    errors: dict[str, list[str]] = {}
    if not title.strip():
        errors["title"] = [_("请填写改进措施。")]
    if owner is None or not owner.is_active or owner.department is None:
        errors["owner"] = [_("请选择负责人。")]
    if due_on is None or due_on < timezone.localdate():
        errors["due_on"] = [_("请填写不早于今天的完成期限。")]
    if errors:
        raise FieldErrors(errors)
    assert owner is not None and due_on is not None and owner.department is not None
    action = records.create(
        actor=actor,
        obj=ImprovementAction(
            survey=survey,
            complaint=complaint,
            origin=(origin or str(survey or complaint or ""))[:100],
            title=title.strip(),
            owner=owner,
            due_on=due_on,
            created_by=actor,
        ),
        fields=["survey", "complaint", "origin", "title", "owner", "due_on"],
        action="feedback.action.create",
    )
    calendar = work_calendar()
    open_item(
        target=action,
        order_id=action.complaint.order_id if action.complaint is not None else None,
        kind=IMPROVEMENT,
        title=_("改进措施：%(t)s") % {"t": action.title},
        department=owner.department,
        assignee=owner,
        calendar=calendar,
        due=calendar.end_of_day(due_on),
    )
    notify(
        event="feedback",
        recipients=[owner],
        title=_("新的改进措施由您负责：%(t)s") % {"t": action.title},
        url=f"/improvements/{action.pk}/",
    )
    return action


@transaction.atomic
def decide_action(
    *, actor: User, action: ImprovementAction, verb: str, note: str, version: int
) -> ImprovementAction:
    """N-1: the owner reports it done; someone else verifies it or sends it back."""
    transition = states.IMPROVEMENT.transitions.get(verb)
    if transition is None:
        raise ActionError(_("未知的操作。"))
    if version != action.version:
        raise StaleVersion(_("该改进措施已被他人更新，请刷新后再试。"))
    changes: dict[str, Any] = {}
    if verb == "finish":
        if not note.strip():
            raise FieldErrors({"result": [_("请填写实施结果。")]})
        changes = {"result": note.strip(), "done_at": timezone.now()}
    elif verb == "verify":
        changes = {"verification": note.strip(), "verified_by": actor, "verified_at": timezone.now()}
    else:
        changes = {"verification": note.strip()}
    done = workflow.apply(
        transition, action, actor=actor, reason=note if verb == "reopen" else "", changes=changes
    )
    if done.status == ActionStatus.VERIFIED:
        close_items(target=done, actor=actor, outcome=str(transition.label), kinds=(IMPROVEMENT,))
    notify(
        event="feedback",
        recipients=[done.created_by if verb == "finish" else done.owner],
        title=_("改进措施 %(t)s：%(d)s") % {"t": done.title, "d": transition.label},
        url=f"/improvements/{done.pk}/",
    )
    return done
