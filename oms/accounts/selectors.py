"""Who holds a place in the organisation (A-4): the one lookup every process uses to name the
responsible person of a step (P-3)."""

from __future__ import annotations

import copy
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db.models import Count, Max, QuerySet
from django.utils import timezone

from oms.accounts.models import ApiToken, Department, DepartmentKind, LoginFailure, Role, User, UserSession
from oms.accounts.permissions import is_admin
from oms.core import stamps, txmemo

# Issue 21: the organisation's heads, departments and executive, kept per process while the
# "api_tokens" change stamp stays (accounts migration 0009: its triggers give it a new token on
# every write of a user, a department or an API token, in any process, raw SQL included). The
# token is the transaction's (read with its first locked read); a user or department saved by
# this transaction forgets it (`AccountsConfig.ready`), so its next lookup sees the write.
_STAMP = "api_tokens"
_HEADS: dict[Any, dict[int, User]] = {}
_DEPARTMENTS: dict[Any, dict[str, Department]] = {}
_EXECUTIVES: dict[Any, User | None] = {}


def _kept_user(user: User | None) -> User | None:
    """A copy of a kept user and of its department, so nothing a caller sets reaches another."""
    if user is None:
        return None
    user = copy.copy(user)
    if "department" in user._state.fields_cache and user.department is not None:
        user.department = copy.copy(user.department)
    return user


def _organisation(key: str, cache: dict[Any, Any], load: Any) -> Any:
    """`load()` kept under the stamp inside a transaction; within one action (or outside any
    transaction) as before: read once per action."""
    if txmemo.memo() is None:
        return txmemo.per_action(key, load)
    return stamps.kept(_STAMP, cache, (), load)


def head_of(department: Department) -> User | None:
    """The department's head (the earliest appointed when there are several), or None.

    Every department's head is read at once and kept while no user or department changes (issue
    21: an action that assigns one task per department reads the heads once, and the next action
    not at all)."""
    if not txmemo.in_action() and txmemo.memo() is None:
        return _head(department)
    return _kept_user(_organisation("accounts.heads", _HEADS, _heads).get(department.pk))


def _head(department: Department) -> User | None:
    return User.objects.filter(department=department, role=Role.HEAD, is_active=True).order_by("pk").first()


def _heads() -> dict[int, User]:
    heads: dict[int, User] = {}
    # With their departments: a head is usually assigned work in their own department (issue 21).
    heads_ = User.objects.filter(role=Role.HEAD, is_active=True, department__isnull=False)
    for user in heads_.select_related("department").order_by("pk"):
        heads.setdefault(user.department_id, user)  # type: ignore[arg-type]
    return heads


_STAFF: dict[Any, list[User]] = {}


def department_staff(department: Department, at_most: int) -> list[User]:
    """The department's active people in key order, at most `at_most` (T-1: who is told of a
    step that waits on the department with nobody named); kept as the heads are (issue 21)."""

    def load() -> list[User]:
        return list(User.objects.filter(department=department, is_active=True).order_by("pk")[:at_most])

    if txmemo.memo() is None:
        return load()
    staff = stamps.kept(_STAMP, _STAFF, (department.pk, at_most), load)
    return [copy.copy(user) for user in staff]


def department_of_kind(kind: str) -> Department | None:
    """The company's department of a kind; the top-most one when several share it. All active
    departments are read at once (issue 21) with their reviewers (C-1: the review reads them
    next), and kept as the heads are."""
    found = _organisation("accounts.departments_by_kind", _DEPARTMENTS, _departments_by_kind).get(kind)
    if found is None:
        return None
    dept = copy.copy(found)
    if dept.reviewer is not None:
        dept.reviewer = copy.copy(dept.reviewer)
    return dept


def _departments_by_kind() -> dict[str, Department]:
    found: dict[str, Department] = {}
    for dept in Department.objects.filter(active=True).select_related("reviewer").order_by("parent_id", "pk"):
        found.setdefault(dept.kind, dept)
    return found


def executive_in_charge() -> User | None:
    return _kept_user(
        _organisation(
            "accounts.executive",
            _EXECUTIVES,
            lambda: User.objects.filter(role=Role.EXECUTIVE, is_active=True).order_by("pk").first(),
        )
    )


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


def recent_login_failures() -> QuerySet[LoginFailure]:
    """S-3: failed logins inside the throttle window that no administrator has lifted."""
    since = timezone.now() - timedelta(seconds=settings.LOGIN_THROTTLE_WINDOW_SECONDS)
    return LoginFailure.objects.filter(at__gte=since, lifted_at__isnull=True)


def login_locks(user: Any) -> dict[str, list[dict[str, Any]]]:
    """S-3: for the administrator, the accounts with recent failed logins (locked when one address
    or all together reached their limit) and the addresses near or at the spraying ceiling."""
    if not is_admin(user):
        return {"accounts": [], "addresses": []}
    recent = recent_login_failures()
    worst_pair: dict[str, int] = {}
    for row in recent.values("username", "client").annotate(n=Count("pk")):
        worst_pair[row["username"]] = max(worst_pair.get(row["username"], 0), row["n"])
    accounts = [
        {
            **row,
            "locked": row["failures"] >= settings.LOGIN_THROTTLE_ACCOUNT_ATTEMPTS
            or worst_pair.get(row["username"], 0) >= settings.LOGIN_THROTTLE_ATTEMPTS,
        }
        for row in recent.values("username")
        .annotate(failures=Count("pk"), addresses=Count("client", distinct=True), last=Max("at"))
        .order_by("-last")[:200]
    ]
    addresses = [
        {**row, "locked": row["failures"] >= settings.LOGIN_THROTTLE_ADDRESS_ATTEMPTS}
        for row in recent.values("client")
        .annotate(failures=Count("pk"), accounts=Count("username", distinct=True), last=Max("at"))
        .filter(failures__gte=settings.LOGIN_THROTTLE_ATTEMPTS)
        .order_by("-failures")[:200]
    ]
    return {"accounts": accounts, "addresses": addresses}


# Issue 21: what each process keeps of the API tokens it has seen, by (key hash, portal or
# staff): (the stamp's token when read, the token row with its user and department). Valid
# while the "api_tokens" stamp is unchanged; triggers change it on every write of a token, a
# user or a department (accounts migration 0009), in any process, so that a revocation, a
# deactivated user or a moved one is seen by the very next request everywhere.
_TOKENS: dict[tuple[str, bool], tuple[int, ApiToken]] = {}
_TOKENS_KEPT = 256


def api_token(digest: str, *, customers: bool) -> ApiToken | None:
    """The live token with this key hash, of a portal user if `customers` else of staff, with
    its user and department; None for an unknown, revoked or deactivated one. Each call gets
    its own copies, so nothing one request sets on its user reaches another request."""
    before = stamps.current("api_tokens")  # read before the rows: see stamps.kept
    kept = _TOKENS.get((digest, customers))
    if kept is not None and before is not None and kept[0] == before:
        return _copy(kept[1])
    row = (
        ApiToken.objects.select_related("user", "user__department")
        .filter(key_hash=digest, revoked=False, user__is_active=True, user__is_customer=customers)
        .first()
    )
    if row is None or before is None:
        return row
    if len(_TOKENS) >= _TOKENS_KEPT:
        _TOKENS.clear()
    _TOKENS[(digest, customers)] = (before, row)
    return _copy(row)


def _copy(token: ApiToken) -> ApiToken:
    user = copy.copy(token.user)
    if user.department is not None:
        user.department = copy.copy(user.department)
    token = copy.copy(token)
    token.user = user
    return token
