"""Every write of supervision (O-2, O-4): drawing a spot check, confirming its checklist,
findings and their corrections, violation reports."""

from __future__ import annotations

import random
import secrets
from collections.abc import Mapping
from datetime import date

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from oms.accounts.models import User
from oms.audit import recorder
from oms.core.errors import ActionError, FieldErrors, NotAllowed, StaleVersion
from oms.core.phrases import phrase
from oms.engine import records, workflow
from oms.feedback import actions as feedback
from oms.notifications.actions import notify
from oms.orders.models import SalesOrder
from oms.policy.actions import next_number
from oms.policy.selectors import policy, work_calendar
from oms.supervision import checks, permissions, states
from oms.supervision.models import Finding, SpotCheck, SpotCheckItem, ViolationReport

VERDICTS = ("pass", "fail", "na")


def population(start: date, end: date) -> list[int]:
    """O-2: the orders a spot check draws from: confirmed in the period, archived ones included,
    in a fixed order so that a seed always draws the same sample from the same orders."""
    return list(
        SalesOrder.objects.filter(confirmed_at__date__gte=start, confirmed_at__date__lte=end)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def draw(ids: list[int], size: int, seed: int) -> list[int]:
    """O-2: the sample: `size` orders drawn with Python's Mersenne Twister seeded with `seed`."""
    return sorted(random.Random(seed).sample(ids, min(size, len(ids))))


@transaction.atomic
def start_spot_check(
    *,
    actor: User,
    title: str,
    period_start: date | None,
    period_end: date | None,
    sample_size: int | None = None,
    seed: int | None = None,
) -> SpotCheck:
    """O-2: draw a random sample of the period's orders (the seed is recorded, or given to repeat
    an earlier draw) and pre-fill each order's checklist from its records."""
    if not permissions.can_run_checks(actor):
        raise NotAllowed(_("只有监督小组可以发起抽查。"))
    rules = policy().supervision
    size = sample_size or rules.sample_size
    _check_spot_check(title=title, period_start=period_start, period_end=period_end, size=size)
    assert period_start is not None and period_end is not None
    ids = population(period_start, period_end)
    if not ids:
        raise FieldErrors({"period_start": [_("该期间没有已确认的订单。")]})
    used_seed = seed if seed is not None else secrets.randbits(48)
    check = records.create(
        actor=actor,
        obj=SpotCheck(
            number=next_number(
                fmt=policy().numbering.spot_check, when=timezone.localdate(), key="spot_check"
            ),
            title=title.strip(),
            period_start=period_start,
            period_end=period_end,
            sample_size=size,
            seed=used_seed,
            population=len(ids),
            checks=list(rules.checklist),
            created_by=actor,
        ),
        fields=[
            "number",
            "title",
            "period_start",
            "period_end",
            "sample_size",
            "seed",
            "population",
            "checks",
        ],
        action="supervision.spot_check",
    )
    orders = SalesOrder.objects.in_bulk(draw(ids, size, used_seed))
    SpotCheckItem.objects.bulk_create(
        [
            SpotCheckItem(spot_check=check, order=orders[pk], found=checks.run(orders[pk], check.checks))
            for pk in sorted(orders)
        ]
    )
    return check


def _check_spot_check(*, title: str, period_start: date | None, period_end: date | None, size: int) -> None:
    errors: dict[str, list[str]] = {}
    if not title.strip():
        errors["title"] = [_("请填写标题。")]
    if period_start is None or period_end is None:
        errors["period_start"] = [_("请填写抽查的订单期间。")]
    elif period_end < period_start:
        errors["period_end"] = [_("结束日期不能早于开始日期。")]
    if size < 1:
        errors["sample_size"] = [_("样本量至少为 1。")]
    if errors:
        raise FieldErrors(errors)


@transaction.atomic
def confirm_item(
    *, actor: User, item: SpotCheckItem, verdicts: Mapping[str, str], note: str, version: int
) -> SpotCheckItem:
    """O-2: the inspector confirms or corrects each pre-filled check (pass, fail, n/a)."""
    if not permissions.can_run_checks(actor):
        raise NotAllowed(_("只有监督小组可以登记检查结论。"))
    codes = item.spot_check.checks
    bad = [c for c in codes if verdicts.get(c) not in VERDICTS]
    if bad:
        raise FieldErrors({c: [_("请为每个检查项目选择结论。")] for c in bad})
    return records.update(
        actor=actor,
        obj=item,
        data={
            "verdicts": {c: verdicts[c] for c in codes},
            "note": note.strip(),
            "checked_by": actor,
            "checked_at": timezone.now(),
        },
        version=version,
        action="supervision.check_item",
    )


@transaction.atomic
def close_spot_check(*, actor: User, check: SpotCheck, summary: str) -> SpotCheck:
    if not summary.strip():
        raise FieldErrors({"summary": [_("请填写检查结论。")]})
    unchecked = check.items.filter(checked_at__isnull=True).count()
    if unchecked:
        raise ActionError(_("还有 %(n)s 张订单未登记检查结论。") % {"n": unchecked})
    return workflow.apply(
        states.CLOSE_CHECK,
        check,
        actor=actor,
        changes={"summary": summary.strip(), "closed_at": timezone.now()},
    )


@transaction.atomic
def add_finding(
    *,
    actor: User,
    description: str,
    corrective_action: str,
    owner: User | None,
    item: SpotCheckItem | None = None,
    check_code: str = "",
    order: SalesOrder | None = None,
) -> Finding:
    """O-2: a finding and its corrective action, an improvement action owned by one person and
    due within the policy's working days (escalated when late, verified by the group)."""
    if not permissions.can_run_checks(actor):
        raise NotAllowed(_("只有监督小组可以登记检查发现。"))
    if not description.strip():
        raise FieldErrors({"description": [_("请填写问题描述。")]})
    calendar = work_calendar()
    due = calendar.add_working_days(timezone.now(), policy().supervision.correction_days)
    subject = item.order if item else order
    action = feedback.add_action(
        actor=actor,
        title=corrective_action,
        owner=owner,
        due_on=timezone.localtime(due).date(),
        origin=_("检查发现 %(c)s %(o)s")
        % {"c": item.spot_check.number if item else "", "o": subject.number if subject else ""},
    )
    return records.create(
        actor=actor,
        obj=Finding(
            spot_check=item.spot_check if item else None,
            item=item,
            order=subject,
            check_code=check_code,
            description=description.strip(),
            action=action,
            created_by=actor,
        ),
        fields=["spot_check", "order", "check_code", "description", "action"],
        action="supervision.finding",
    )


@transaction.atomic
def report_violation(
    *, actor: User, subject: str, description: str, order_number: str = ""
) -> ViolationReport:
    """O-4: anyone on the staff reports a violation. The audit trail records the report without
    its reporter, so that the log does not reveal who reported; the supervision head is told."""
    if not permissions.can_report(actor):
        raise NotAllowed(_("请先登录。"))
    errors: dict[str, list[str]] = {}
    if not subject.strip():
        errors["subject"] = [_("请填写举报事项。")]
    if not description.strip():
        errors["description"] = [_("请填写情况说明。")]
    if errors:
        raise FieldErrors(errors)
    report = ViolationReport.objects.create(
        reporter=actor,
        subject=subject.strip()[:200],
        description=description.strip(),
        order_number=order_number.strip()[:60],
    )
    recorder.record(
        actor="violation report", obj=report, action="supervision.report", after={"subject": report.subject}
    )
    heads = [u for u in User.objects.filter(is_active=True, role="head") if permissions.is_group_head(u)]
    notify(
        event="supervision",
        recipients=heads,
        title=phrase("收到违规举报：%(s)s", s=report.subject),
        url=reverse("supervision:report", args=[report.pk]),
    )
    return report


@transaction.atomic
def close_report(
    *, actor: User, report: ViolationReport, outcome: str, substantiated: bool | None, version: int
) -> ViolationReport:
    if version != report.version:
        raise StaleVersion(_("该记录已被他人更新，请刷新后再试。"))
    if not outcome.strip():
        raise FieldErrors({"outcome": [_("请填写处理结果。")]})
    return workflow.apply(
        states.CLOSE_REPORT,
        report,
        actor=actor,
        changes={"outcome": outcome.strip(), "substantiated": substantiated, "handled_at": timezone.now()},
    )
