"""Who may do what (DESIGN 8, S-1): named predicates, data scopes and the field policy.

The same predicate decides whether a button shows and whether the action runs.
"""

from __future__ import annotations

from typing import Any

import rules
from django.db import connection
from django.db.models import Q, QuerySet

from oms.accounts.models import DataScope, Department, Role
from oms.core import stamps, txmemo


def _role(user: Any) -> str:
    return getattr(user, "role", "") if getattr(user, "is_authenticated", False) else ""


@rules.predicate
def is_admin(user: Any) -> bool:
    return _role(user) == Role.ADMIN or bool(getattr(user, "is_superuser", False))


@rules.predicate
def is_auditor(user: Any) -> bool:
    return _role(user) == Role.AUDITOR


@rules.predicate
def is_executive(user: Any) -> bool:
    return _role(user) == Role.EXECUTIVE


@rules.predicate
def is_head(user: Any) -> bool:
    return _role(user) == Role.HEAD


@rules.predicate
def is_staff_member(user: Any) -> bool:
    """A person of the company: logged in, active, and not a customer's portal login (B-8)."""
    return (
        bool(getattr(user, "is_authenticated", False))
        and getattr(user, "is_active", False)
        and not getattr(user, "is_customer", False)
    )


@rules.predicate
def in_warehouse(user: Any) -> bool:
    return (
        bool(getattr(user, "is_authenticated", False)) and getattr(user, "department_kind", "") == "warehouse"
    )


@rules.predicate
def in_quality(user: Any) -> bool:
    return (
        bool(getattr(user, "is_authenticated", False)) and getattr(user, "department_kind", "") == "quality"
    )


can_manage_master_data = is_admin
can_manage_users = is_admin
can_edit_policy = is_admin
can_view_policy = is_admin | is_auditor | is_executive | is_head
can_edit_calendar = is_admin
can_view_audit = is_auditor | is_admin
can_verify_audit = is_auditor | is_admin

rules.add_perm("oms.manage_master_data", can_manage_master_data)
rules.add_perm("oms.view_audit", can_view_audit)
rules.add_perm("oms.edit_policy", can_edit_policy)


def department_tree_ids(department_id: int | None) -> set[int]:
    """The department and every department below it (one query: the table is small)."""
    if department_id is None:
        return set()
    children = _children()
    found, stack = set(), [department_id]
    while stack:
        current = stack.pop()
        if current in found:
            continue
        found.add(current)
        stack.extend(children.get(current, []))
    return found


# Issue 21: the department tree, kept per process while the "api_tokens" stamp stays (its
# triggers change it on every write of a department; see `accounts.selectors`) inside an action,
# whose first locked read brings the stamp's token. Outside an action, once per reading request
# as before: there the token would be a statement of its own, as many as the tree's one.
_TREES: dict[Any, dict[int | None, list[int]]] = {}


def _children() -> dict[int | None, list[int]]:
    if txmemo.memo() is None or not connection.in_atomic_block or not txmemo.in_action():
        return txmemo.per_request("accounts.department_children", _department_children)
    return stamps.kept("api_tokens", _TREES, (), _department_children)


def _department_children() -> dict[int | None, list[int]]:
    children: dict[int | None, list[int]] = {}
    for pk, parent in Department.objects.values_list("pk", "parent_id"):
        children.setdefault(parent, []).append(pk)
    return children


def scope(
    queryset: QuerySet[Any], user: Any, *, owner_field: str = "owner", department_field: str = "department"
) -> QuerySet[Any]:
    """Restrict a list to the records the user's data scope allows (S-1).

    Own records are always included, so a salesperson never loses sight of their customers.
    """
    if not getattr(user, "is_authenticated", False) or getattr(user, "is_customer", False):
        return queryset.none()  # customers see their own records through the portal's selectors
    scope_name = user.effective_scope
    if scope_name == DataScope.ALL or is_admin(user):
        return queryset
    own = Q(**{owner_field: user.pk})
    if scope_name == DataScope.OWN:
        return queryset.filter(own)
    if scope_name == DataScope.DEPARTMENT:
        return queryset.filter(own | Q(**{f"{department_field}_id": user.department_id}))
    return queryset.filter(own | Q(**{f"{department_field}_id__in": department_tree_ids(user.department_id)}))


FIELD_GROUPS = ("price", "cost", "contact")


def mask_contact(value: str) -> str:
    """S-1: a phone number or e-mail address as a role without contact rights may see it.

    Enough stays to recognise the contact on a call-back list (the last four digits, the mail
    domain), never enough to reach the customer directly.
    """
    text = (value or "").strip()
    if not text:
        return ""
    if "@" in text:
        local, _, domain = text.partition("@")
        return f"{local[:1]}***@{domain}"
    digits = [i for i, ch in enumerate(text) if ch.isdigit()]
    keep_head = 3 if len(digits) >= 11 else 0
    keep = set(digits[:keep_head]) | set(digits[-4:] if len(digits) > 4 else [])
    return "".join(ch if (i in keep or not ch.isdigit()) else "*" for i, ch in enumerate(text))


_GROUP_OF_KEY = (
    ("cost", ("cost", "margin")),
    ("price", ("price", "amount", "total", "fee", "credit_limit", "discount")),
    ("contact", ("phone", "email", "mobile", "fax")),
)


def _group_of(key: str) -> str | None:
    lowered = key.lower()
    for group, words in _GROUP_OF_KEY:
        if any(word in lowered for word in words):
            return group
    return None


def redact(value: Any, groups: frozenset[str]) -> Any:
    """S-1: recorded values (audit before/after, snapshots) with the fields the viewer may not see
    hidden: prices and costs as "***", contact data masked; nested lines included.
    """
    if isinstance(value, dict):
        shown: dict[str, Any] = {}
        for key, item in value.items():
            group = _group_of(str(key))
            if group is None or group in groups or isinstance(item, dict | list):
                shown[key] = redact(item, groups)
            elif group == "contact":
                shown[key] = mask_contact("" if item is None else str(item))
            else:
                shown[key] = "***"
        return shown
    if isinstance(value, list):
        return [redact(item, groups) for item in value]
    return value


def can_use_two_factor(user: Any) -> bool:
    """S-3: two-factor login is offered to administrators and finance, who hold the keys to
    users and money."""
    return bool(getattr(user, "is_authenticated", False)) and (
        is_admin(user) or getattr(user, "department_kind", "") == "finance"
    )
