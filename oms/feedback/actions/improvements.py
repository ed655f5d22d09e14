"""Improvement actions (N-1, O-2): decided from a survey, a complaint or a finding, owned by
one person with a deadline, verified by someone else."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from oms.accounts.models import User
from oms.core.errors import ActionError, FieldErrors, StaleVersion
from oms.core.phrases import phrase
from oms.engine import records, workflow
from oms.feedback import permissions, states
from oms.feedback.models import (
    ActionStatus,
    Complaint,
    ImprovementAction,
    Survey,
)
from oms.notifications.actions import notify
from oms.policy.selectors import work_calendar
from oms.tracking.actions import close_items, open_item

IMPROVEMENT = "improvement.action"


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
        title=phrase("改进措施：%(t)s", t=action.title),
        department=owner.department,
        assignee=owner,
        calendar=calendar,
        due=calendar.end_of_day(due_on),
    )
    notify(
        event="feedback",
        recipients=[owner],
        title=phrase("新的改进措施由您负责：%(t)s", t=action.title),
        url=reverse("feedback:action", args=[action.pk]),
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
        title=phrase("改进措施 %(t)s：%(d)s", t=done.title, d=transition.label),
        url=reverse("feedback:action", args=[done.pk]),
    )
    return done
