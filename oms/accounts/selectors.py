"""Who holds a place in the organisation (A-4): the one lookup every process uses to name the
responsible person of a step (P-3)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from oms.accounts.models import Department, DepartmentKind, Role, User, UserSession
from oms.accounts.permissions import is_admin


def head_of(department: Department) -> User | None:
    """The department's head (the earliest appointed when there are several), or None."""
    return User.objects.filter(department=department, role=Role.HEAD, is_active=True).order_by("pk").first()


def department_of_kind(kind: str) -> Department | None:
    """The company's department of a kind; the top-most one when several share it."""
    return Department.objects.filter(kind=kind, active=True).order_by("parent_id", "pk").first()


def executive_in_charge() -> User | None:
    return User.objects.filter(role=Role.EXECUTIVE, is_active=True).order_by("pk").first()


def superior_for_approval(user: User) -> User | None:
    """Who approves what a person asks or reports (M-3 query requests, N-2 complaint reports):
    their department head; a head (or someone whose department has none) goes to the executive
    in charge."""
    head = head_of(user.department) if user.department is not None else None
    if head is not None and head.pk != user.pk:
        return head
    return executive_in_charge()


def decider(candidate: User | None, *, raisers: Iterable[int | None]) -> User | None:
    """P-5: who decides a thing, given who would naturally decide it and who raised it.

    Nobody decides what they entered, requested or raised: when the natural decider is one of
    the raisers, the decision goes up the organisation (their department head, then the
    executive in charge, as `superior_for_approval`), then to another executive, then to the
    general manager (the head of management). None when nobody else exists: the caller leaves
    the step waiting and tells the administrator (`tell_no_decider`).
    """
    excluded = {r for r in raisers if r is not None}
    seen: set[int] = set()
    person = candidate
    while person is not None and person.pk not in seen:
        if person.pk not in excluded and person.is_active:
            return person
        seen.add(person.pk)
        person = superior_for_approval(person)
    others = User.objects.filter(is_active=True, is_customer=False).exclude(pk__in=excluded | seen)
    return (
        others.filter(role=Role.EXECUTIVE).order_by("pk").first()
        or others.filter(role=Role.HEAD, department__kind=DepartmentKind.MANAGEMENT).order_by("pk").first()
    )


def administrators() -> QuerySet[User]:
    return User.objects.filter(role=Role.ADMIN, is_active=True).order_by("pk")


def active_sessions(user: Any) -> QuerySet[UserSession]:
    """S-3: logins not ended and not expired; only administrators see them."""
    from django.contrib.sessions.models import Session

    if not is_admin(user):
        return UserSession.objects.none()
    live = Session.objects.filter(expire_date__gt=timezone.now()).values("session_key")
    return (
        UserSession.objects.filter(ended_at__isnull=True, session_key__in=live)
        .select_related("user", "user__department")
        .order_by("-started_at")
    )
