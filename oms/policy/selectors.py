"""Reading the policy in force, a pinned version, and the calendar (DESIGN 5)."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models.expressions import RawSQL
from django.utils import timezone

from oms.core import stamps, txmemo
from oms.policy.models import CalendarDay, PolicyVersion
from oms.policy.schema import PolicyData
from oms.policy.worktime import WorkCalendar

# Parsed policies by PolicyVersion pk. A published version is never edited (DESIGN 5), so its
# parsed form can be kept for the life of the process; any version saved or deleted empties the
# cache (`forget_parsed`, connected in PolicyConfig.ready), which also covers a primary key reused
# after a rolled-back transaction (issue 21: 21 validations of the whole document per order).
_PARSED: dict[int, PolicyData] = {}
# The same by version number, for an order's pinned version (issue 21: no read of the version in
# force to learn whether it is the pinned one); emptied with _PARSED.
_BY_NUMBER: dict[int, PolicyData] = {}
# Version rows by pk, for a pinned record's `policy_version` (`PinnedVersionField`); emptied with
# _PARSED.
_ROWS: dict[int, PolicyVersion] = {}
_CURRENT = "policy.current"


def forget_parsed(**_kwargs: Any) -> None:
    _PARSED.clear()
    _BY_NUMBER.clear()
    _ROWS.clear()
    _CALENDARS.clear()
    txmemo.forget(_CURRENT)
    stamps.forget()


def current_version() -> PolicyVersion:
    """The version in force: the newest published one (version 1 is seeded by a migration).
    Read once per transaction: within it the newest version changes only by its own publishing,
    which forgets it."""
    memo = txmemo.memo()
    version = memo.get(_CURRENT) if memo is not None else None
    if version is None:
        version = PolicyVersion.objects.order_by("-number").first()
        if version is None:
            raise PolicyVersion.DoesNotExist("no policy version has been published")
        if memo is not None:
            memo[_CURRENT] = version
    return version


# The two columns `in_force_columns` adds to a caller's statement.
IN_FORCE_PK, IN_FORCE_NUMBER = "policy_in_force_pk", "policy_in_force_number"


_NEWEST_PK = 'SELECT "id" FROM "policy_policyversion" ORDER BY "number" DESC LIMIT 1'
_NEWEST_NUMBER = 'SELECT "number" FROM "policy_policyversion" ORDER BY "number" DESC LIMIT 1'


def in_force_columns() -> dict[str, RawSQL]:
    """The version in force (its pk and number) as two columns for a statement the caller runs
    anyway, to be handed to `note_in_force` (issue 21: creating an order learns it together with
    the customer's scope check, one round trip instead of two). The same row `current_version`
    would read, by the same index; written out, since the ORM's subqueries cost more to build
    than the statement they save."""
    return {
        IN_FORCE_PK: RawSQL(_NEWEST_PK, ()),  # noqa: S611 - constant SQL, no parameters
        IN_FORCE_NUMBER: RawSQL(_NEWEST_NUMBER, ()),  # noqa: S611 - constant SQL, no parameters
    }


def note_in_force(pk: int | None, number: int | None) -> None:
    """Remember for the transaction the version in force that a caller's statement read with
    `in_force_columns`, unless the transaction knows it already (it keeps one version in force
    from start to end). Its document is not read here: it is parsed once per process, and a
    version new to the process loads it on first use."""
    memo = txmemo.memo()
    if memo is None or memo.get(_CURRENT) is not None or pk is None or number is None:
        return
    memo[_CURRENT] = PolicyVersion.from_db(PolicyVersion.objects.db, ["id", "number"], [pk, number])


def policy(version: int | None = None, *, of: Any = None) -> PolicyData:
    """The one way to read the policy (DESIGN 5, issue 22). Which version applies:

    1. `of` a record — an order, or anything else that inherits `PinnedPolicy`: the version it
       was pinned to when it started, for its whole life. A later policy never moves its time
       limits, its approval chain or its price floor, whichever action (an edit of its lines, a
       change request, a review) asks. A record not yet pinned (being created) gets the version
       in force, which is the one it is about to be pinned to.
    2. `version` given (a version number): that version.
    3. Neither: the version in force, the newest published — for what is not about one record
       (role predicates, the sweeper's thresholds, page defaults).

    Each version is validated once per process (published versions are never edited; saving or
    deleting any row empties the cache), and the version in force is read once per transaction.
    `record.policy()` is the same as `policy(of=record)`.
    """
    if of is not None:
        if "policy_version" in of._state.fields_cache:  # the row is at hand: no query
            return _parsed(of.policy_version)
        if of.policy_version_id is not None:
            return _of_pk(of.policy_version_id)
        return _parsed(current_version())
    if version is None:
        return _parsed(current_version())
    found = _BY_NUMBER.get(version)
    if found is None:
        current = current_version()
        row = current if current.number == version else PolicyVersion.objects.get(number=version)
        found = _BY_NUMBER[version] = _parsed(row)
    return found


def _parsed(row: PolicyVersion) -> PolicyData:
    """The typed settings of a version row, validated once per process."""
    found = _PARSED.get(row.pk)
    if found is None:
        found = _PARSED[row.pk] = PolicyData.model_validate(row.data)
    return found


def _of_pk(pk: int) -> PolicyData:
    found = _PARSED.get(pk)
    if found is None:
        found = _parsed(PolicyVersion.objects.get(pk=pk))
    return found


def pinned_row(pk: int, load: Callable[[], PolicyVersion]) -> PolicyVersion:
    """The version row with this key: `load()` the first time in this process, then a copy of
    the row kept (DESIGN 5: a published version is never edited; issue 21)."""
    row = _ROWS.get(pk)
    if row is None:
        row = _ROWS[pk] = load()
    return copy.copy(row)


def policy_of_request(user: Any) -> PolicyData:
    """`policy()` (the version in force, rule 3) kept on the request's user: the menu's and a
    page's role predicates ask it several times (the user object lives as long as the request)."""
    cached = getattr(user, "_oms_policy", None)
    if cached is None:
        cached = policy()
        if user is not None:
            user._oms_policy = cached
    return cached


def time_limit_hours(*, order_class: str, version: int | None = None, of: Any = None) -> Decimal:
    """B-7: the processing time limit of an order class, in working hours (of the version, or of
    the version pinned by `of`, as `policy`)."""
    for rule in policy(version, of=of).order_classes:
        if rule.code == order_class:
            return rule.time_limit_hours
    raise KeyError(f"unknown order class {order_class!r}")


def versions() -> list[PolicyVersion]:
    return list(PolicyVersion.objects.select_related("created_by").order_by("-number"))


# Working calendars by (the calendar's change stamp, office hours): a trigger gives the stamp a new
# token on any write of the table (`oms.core.stamps`), so another process's edit, a bulk write or
# raw SQL is seen at the next transaction without loading the table (issue 21).
_CALENDARS: dict[tuple[Any, ...], WorkCalendar] = {}
_STAMP = "calendar"


def forget_calendar() -> None:
    """This transaction wrote the calendar: read its stamp again at the next use."""
    stamps.forget()


def work_calendar(version: int | None = None, *, of: Any = None) -> WorkCalendar:
    """The calendar with the office hours of the given policy version, or of the version `of` a
    pinned record (rule 1 of `policy`). No query while the calendar is unchanged, beyond the
    transaction's one read of the change stamps; the table is read again only when it changed."""
    hours = policy(version, of=of).working_time
    return stamps.kept(
        _STAMP,
        _CALENDARS,
        (hours.office_start, hours.lunch_start, hours.lunch_end, hours.office_end, settings.TIME_ZONE),
        lambda: WorkCalendar(
            dict(CalendarDay.objects.values_list("date", "is_workday")),
            office_start=hours.office_start,
            lunch_start=hours.lunch_start,
            lunch_end=hours.lunch_end,
            office_end=hours.office_end,
        ),
    )


def calendar_years() -> list[int]:
    return sorted({d.year for d in CalendarDay.objects.dates("date", "year")})


def missing_next_year(today: date | None = None) -> int | None:
    """C-3: the next year when it has no calendar data yet (for the administrator's warning)."""
    today = today or timezone.localdate()
    next_year = today.year + 1
    return None if CalendarDay.objects.filter(date__year=next_year).exists() else next_year
