"""Every write to policy settings and the calendar (DESIGN 5, C-3)."""

from __future__ import annotations

import tomllib
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import tomli_w
from django.db import connection, transaction
from django.db.models import Max
from django.utils.translation import gettext as _
from pydantic import ValidationError

from oms.audit import recorder
from oms.core.errors import FieldErrors, StaleVersion
from oms.policy import selectors, statutory
from oms.policy.errors import field_errors
from oms.policy.models import CalendarDay, CalendarSource, NumberSequence, PolicyVersion
from oms.policy.schema import PolicyData


def _require_administrator(actor: Any) -> None:
    """Policy and calendar are the administrator's (a command-line or system actor is an operator)."""
    from oms.accounts.permissions import can_edit_policy
    from oms.core.errors import NotAllowed

    if getattr(actor, "pk", None) is not None and not can_edit_policy(actor):
        raise NotAllowed(_("只有系统管理员可以修改制度和工作日历。"))


def _validated(data: dict[str, Any]) -> PolicyData:
    try:
        return PolicyData.model_validate(data)
    except ValidationError as exc:
        raise FieldErrors(dict(field_errors(exc))) from exc


@transaction.atomic
def publish_policy(
    *, actor: Any, data: dict[str, Any], note: str = "", based_on: int | None = None
) -> PolicyVersion:
    """Validate the whole policy and publish it as the next version; refused whole on any error.

    `based_on` is the version the editor started from; if another version was published since,
    the edit is stale and refused (DESIGN 6).
    """
    _require_administrator(actor)
    policy = _validated(data)
    latest = PolicyVersion.objects.select_for_update().order_by("-number").first()
    latest_number = latest.number if latest else 0
    if based_on is not None and based_on != latest_number:
        raise StaleVersion(_("制度已被他人更新为 v%(n)s，请刷新后再编辑。") % {"n": latest_number})
    stored = policy.model_dump(mode="json")
    version = PolicyVersion.objects.create(
        number=latest_number + 1,
        data=stored,
        note=note,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    before, after = recorder.diff(latest.data if latest else {}, stored)
    recorder.record(
        actor=actor, obj=version, action="policy.publish", before=before, after=after, reason=note
    )
    return version


def parse_policy_toml(text: str) -> dict[str, Any]:
    """Parse TOML text; decimals stay Decimal. A syntax error names the line."""
    try:
        return tomllib.loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as exc:
        raise FieldErrors({"toml": _("TOML 格式错误：%(e)s") % {"e": exc}}) from exc


def import_policy_toml(
    *, actor: Any, text: str, note: str = "", based_on: int | None = None
) -> PolicyVersion:
    """Load a whole policy from TOML: a missing or wrong-typed value refuses it whole."""
    return publish_policy(
        actor=actor, data=parse_policy_toml(text), note=note or _("从 TOML 导入"), based_on=based_on
    )


def policy_to_toml(version: PolicyVersion) -> str:
    data = PolicyData.model_validate(version.data).model_dump(mode="python")
    return tomli_w.dumps(toml_ready(data))


def toml_ready(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: toml_ready(v) for k, v in value.items()}
    if isinstance(value, list):
        return [toml_ready(v) for v in value]
    if isinstance(value, Decimal) and value == value.to_integral_value():
        # TOML has no decimal type: whole amounts as integers read back exactly as they were.
        return int(value)
    return value


@transaction.atomic
def seed_calendar(*, actor: Any, years: list[int]) -> int:
    """Fill whole years from the statutory calendar (chinesecalendar); manual days are kept.

    Returns the number of days written. A year the package has no data for is refused.
    """
    _require_administrator(actor)
    written = 0
    for year in years:
        existing = set(CalendarDay.objects.filter(date__year=year).values_list("date", flat=True))
        try:
            days = statutory.statutory_days(year)
        except NotImplementedError as exc:
            raise FieldErrors(
                {"year": _("法定节假日数据不包含 %(y)s 年，请手工维护。") % {"y": year}}
            ) from exc
        rows = [CalendarDay(date=d, is_workday=w, name=n) for d, w, n in days if d not in existing]
        CalendarDay.objects.bulk_create(rows)
        selectors.forget_calendar()
        written += len(rows)
        recorder.record(
            actor=actor,
            obj=None,
            action="calendar.seed",
            after={"year": year, "days": len(rows)},
            object_type="policy.calendarday",
            object_id=str(year),
            object_repr=str(year),
        )
    return written


@transaction.atomic
def add_calendar_year(*, actor: Any, year: int, workdays: str = "mon-fri") -> int:
    """A year the statutory data does not cover yet: weekdays work, weekends rest, editable after."""
    _require_administrator(actor)
    if CalendarDay.objects.filter(date__year=year).exists():
        raise FieldErrors({"year": _("%(y)s 年已有日历数据。") % {"y": year}})
    day, rows = date(year, 1, 1), []
    while day.year == year:
        rows.append(CalendarDay(date=day, is_workday=day.weekday() < 5, source=CalendarSource.MANUAL))
        day += timedelta(days=1)
    CalendarDay.objects.bulk_create(rows)
    selectors.forget_calendar()
    recorder.record(
        actor=actor,
        obj=None,
        action="calendar.add_year",
        after={"year": year, "days": len(rows)},
        object_type="policy.calendarday",
        object_id=str(year),
        object_repr=str(year),
    )
    return len(rows)


@transaction.atomic
def set_calendar_day(
    *, actor: Any, day: CalendarDay, is_workday: bool, name: str, version: int | None, reason: str = ""
) -> CalendarDay:
    """Mark one day working or not (e.g. a company holiday).

    An edit based on a version read earlier is refused when stale; `version=None` states the
    day's new value outright (the calendar page's "set this date" form) and is still audited.
    """
    _require_administrator(actor)
    locked = CalendarDay.objects.select_for_update().get(pk=day.pk)
    if version is not None and locked.version != version:
        raise StaleVersion(_("该日期已被他人修改，请刷新后重试。"))
    before = {"is_workday": locked.is_workday, "name": locked.name}
    locked.is_workday, locked.name = is_workday, name[:60]
    locked.source = CalendarSource.MANUAL
    locked.version += 1
    locked.save()
    recorder.record(
        actor=actor,
        obj=locked,
        action="calendar.set_day",
        before=before,
        after={"is_workday": is_workday, "name": locked.name},
        reason=reason,
    )
    return locked


_NEXT_NUMBER_SQL = 'UPDATE "policy_numbersequence" SET "last" = "last" + 1 WHERE "key" = %s RETURNING "last"'


def next_number(*, fmt: str, when: date, key: str, lock_audit_chain: bool = False) -> str:
    """B-4: the next number in `fmt` for the period the format implies, under a row lock.

    `lock_audit_chain`: the same statement takes the audit chain's lock (issue 21), for an action
    that audits right after numbering (creating an order); its counter's row lock, held to the
    end of the transaction, is already taken before the chain's by every such action."""
    period = fmt.split("{seq")[0].format(yyyy=f"{when:%Y}", yy=f"{when:%y}", mm=f"{when:%m}", dd=f"{when:%d}")
    full_key = f"{key}:{period}"
    with transaction.atomic(savepoint=False):
        # Issue 21: one statement for the usual case, the counter already there (both engines
        # support UPDATE … RETURNING; the row stays locked until the transaction ends).
        sql = _NEXT_NUMBER_SQL + (recorder.chain_lock_column() if lock_audit_chain else "")
        with connection.cursor() as cursor:
            cursor.execute(sql, [full_key])
            row = cursor.fetchone()
        if row is not None:
            last = row[0]
            if lock_audit_chain:
                recorder.chain_locked()
        else:
            seq, _created = NumberSequence.objects.select_for_update().get_or_create(key=full_key)
            seq.last += 1
            seq.save(update_fields=["last"])
            last = seq.last
    return fmt.format(yyyy=f"{when:%Y}", yy=f"{when:%y}", mm=f"{when:%m}", dd=f"{when:%d}", seq=last)


def latest_number() -> int:
    return PolicyVersion.objects.aggregate(m=Max("number"))["m"] or 0
