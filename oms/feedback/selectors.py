"""Reading complaints, surveys, answers and improvement actions, scoped to the viewer (S-1)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Min, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth

from oms.accounts.permissions import is_admin, is_auditor, is_executive, is_head, is_staff_member
from oms.feedback import permissions
from oms.feedback.models import Answer, Complaint, ImprovementAction, Invitation, Question, Survey


def complaints_for(user: Any) -> QuerySet[Complaint]:
    """N-2: handlers and the departments that answer for complaints see them all; anyone else
    sees those on orders in their scope, and those they handle or approve."""
    from oms.orders.selectors import orders_in_scope

    qs = Complaint.objects.select_related("order", "order__customer", "handler", "approver")
    if not is_staff_member(user):
        return qs.none()
    if permissions.sees_all_complaints(user) or permissions.handles_complaints(user):
        return qs
    mine = Q(handler=user) | Q(approver=user) | Q(order__in=orders_in_scope(user).values("pk"))
    return qs.filter(mine)


def surveys_for(user: Any) -> QuerySet[Survey]:
    if not permissions.can_see_surveys(user):
        return Survey.objects.none()
    return Survey.objects.select_related("created_by")


def invitations_for(user: Any) -> QuerySet[Invitation]:
    """N-1, N-3: a salesperson sees their customers' invitations; survey managers all."""
    qs = Invitation.objects.select_related("survey", "customer", "order", "salesperson")
    if permissions.can_see_surveys(user):
        return qs
    if is_staff_member(user):
        return qs.filter(salesperson=user)
    return qs.none()


def actions_for(user: Any) -> QuerySet[ImprovementAction]:
    qs = ImprovementAction.objects.select_related("survey", "complaint", "owner", "created_by")
    if not is_staff_member(user):
        return qs.none()
    if permissions.can_see_surveys(user) or is_head(user) or is_executive(user) or is_auditor(user):
        return qs
    return qs.filter(Q(owner=user) | Q(created_by=user))


def questions_for(user: Any) -> QuerySet[Question]:
    return Question.objects.all() if is_admin(user) else Question.objects.none()


@dataclass(frozen=True)
class ScoreRow:
    """A group's satisfaction: points given over points possible (so answers on different scales
    add up), and how many scores it rests on."""

    key: Any
    label: str
    points: int
    possible: int
    answers: int

    @property
    def percent(self) -> Decimal | None:
        if not self.possible:
            return None
        return (Decimal(self.points) * 100 / Decimal(self.possible)).quantize(Decimal("0.1"))


_GROUPS = {
    "question": ("question_key", "question_text"),
    "customer": ("invitation__customer_id", "invitation__customer__name"),
    "salesperson": ("invitation__salesperson_id", "invitation__salesperson__last_name"),
    "month": ("month", "month"),
}


def scores(answers: QuerySet[Answer], by: str) -> list[ScoreRow]:
    """N-1: satisfaction by question, customer, salesperson or month, aggregated in the database."""
    key, label = _GROUPS[by]
    qs = answers.filter(score__isnull=False)
    if by == "month":
        qs = qs.annotate(month=TruncMonth("answered_at"))
    fields = [key] if key == label else [key, label]
    if by == "salesperson":
        fields.append("invitation__salesperson__first_name")
    rows = (
        qs.values(*fields)
        .annotate(points=Sum("score"), possible=Sum("scale"), n=Count("pk"), first=Min("pk"))
        # Questions in the order they were asked; the other groups by their key.
        .order_by("first" if by == "question" else key)
    )
    result = []
    for r in rows:
        text = r[label]
        if by == "salesperson":
            text = f"{r[label] or ''}{r['invitation__salesperson__first_name'] or ''}" or "—"
        elif by == "month":
            text = f"{r[key]:%Y-%m}" if r[key] else "—"
        result.append(ScoreRow(r[key], str(text or "—"), r["points"] or 0, r["possible"] or 0, r["n"]))
    return result


def survey_answers(survey: Survey) -> QuerySet[Answer]:
    return Answer.objects.filter(invitation__survey=survey)
