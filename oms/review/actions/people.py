"""Who reviews and approves, and where their messages point (C-1, C-4, P-5).

Change requests (I-2) pick their reviewers the same way (oms.changes imports these).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.urls import reverse
from django.utils.translation import gettext as _

from oms.accounts.models import Department, DepartmentKind, User
from oms.accounts.selectors import department_of_kind, executive_in_charge, head_of
from oms.core.errors import ActionError
from oms.core.phrases import Phrase
from oms.orders.models import SalesOrder
from oms.tracking import actions as tracking


def department_for(kind: str) -> Department:
    """The company's department of that kind; without one no review can be arranged."""
    dept = department_of_kind(kind)
    if dept is None:
        raise ActionError(_("公司没有“%(k)s”类型的部门，无法安排评审。") % {"k": DepartmentKind(kind).label})
    return dept


def reviewer_of(dept: Department, *, raisers: Iterable[int | None] = (), what: str | Phrase = "") -> User:
    """C-1: the department's designated reviewer, or its head; P-5: never one of `raisers` (who
    entered, sells or asked for the thing reviewed) when anyone else may stand in."""
    excluded = {r for r in raisers if r is not None}
    natural = [
        p
        for p in (dept.reviewer if dept.reviewer and dept.reviewer.is_active else None, head_of(dept))
        if p is not None
    ]
    if not natural:
        raise ActionError(_("%(d)s没有指定评审人，也没有部门负责人。") % {"d": dept})
    for person in natural:
        if person.pk not in excluded:
            return person
    return (
        tracking.decider_for(candidate=natural[-1], target=None, raisers=excluded, what=what or str(dept))
        or natural[-1]
    )


def executive() -> User:
    """C-4: the executive in charge, who chairs a major order's board."""
    person = executive_in_charge()
    if person is None:
        raise ActionError(_("没有分管领导，无法组织重大订单评审委员会。"))
    return person


def order_url(order: SalesOrder) -> str:
    return reverse("workbench:order_detail", args=[order.pk])
