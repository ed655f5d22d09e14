"""O-2, O-4: spot checks drawn reproducibly from a recorded seed, the checklist pre-filled from
the records, findings tracked to verification, and violation reports whose reporter only the
supervision head sees."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import make_user
from oms.audit.models import AuditEvent
from oms.core.errors import FieldErrors, NotAllowed
from oms.engine.workflow import PermissionDenied
from oms.feedback import actions as feedback
from oms.intake.tests.fixtures import confirmed_order
from oms.orders.models import SalesOrder
from oms.supervision import actions
from oms.supervision.models import Finding, SpotCheck, SpotCheckItem, ViolationReport
from oms.tracking.actions import sweep
from oms.tracking.models import WorkItem

pytestmark = pytest.mark.django_db


@pytest.fixture
def group(org: dict[str, Any]) -> dict[str, Any]:
    org["inspector"] = make_user("sup1", kind="supervision")
    org["sup_head"] = make_user("suphead", kind="supervision", role="head")
    return org


def _orders(org: dict[str, Any], n: int) -> list[int]:
    """`n` confirmed orders (made quickly: confirmation time set on plain orders)."""
    from oms.intake import actions as intake
    from oms.intake.tests.fixtures import header

    ids = []
    for i in range(n):
        order = intake.create_order(
            actor=org["sales"],
            data=header(org),
            lines=[{"product": org["gear"].pk, "quantity": "1", "unit_price": "1000"}],
            duplicate_reason=f"test {i}",
        )
        ids.append(order.pk)
    SalesOrder.objects.filter(pk__in=ids).update(confirmed_at=timezone.now())
    return ids


def test_the_sample_is_drawn_again_from_its_seed(group) -> None:
    """O-2: the same seed over the same orders draws the same sample; the check records it."""
    ids = _orders(group, 12)
    today = timezone.localdate()
    first = actions.start_spot_check(
        actor=group["inspector"],
        title="11 月抽查",
        period_start=today,
        period_end=today,
        sample_size=4,
        seed=20261125,
    )
    again = actions.start_spot_check(
        actor=group["inspector"],
        title="复核",
        period_start=today,
        period_end=today,
        sample_size=4,
        seed=20261125,
    )
    sample = list(first.items.order_by("order_id").values_list("order_id", flat=True))
    assert sample == list(again.items.order_by("order_id").values_list("order_id", flat=True))
    assert sample == actions.draw(sorted(ids), 4, 20261125)
    assert (first.seed, first.population, first.sample_size, len(sample)) == (20261125, 12, 4, 4)


def test_a_seed_is_recorded_when_none_is_given(group) -> None:
    _orders(group, 3)
    today = timezone.localdate()
    check = actions.start_spot_check(
        actor=group["inspector"], title="x", period_start=today, period_end=today
    )
    assert check.seed > 0 and check.items.count() == 3  # the policy's sample (10) exceeds the 3 orders


def test_the_checklist_is_prefilled_from_the_records(group) -> None:
    """O-2: a confirmed order: review and approval complete; later stages not reached (None)."""
    order = confirmed_order(group)
    today = timezone.localdate()
    check = actions.start_spot_check(
        actor=group["inspector"], title="x", period_start=today, period_end=today
    )
    found = check.items.get(order=order).found
    assert {k: v["ok"] for k, v in found.items()} == {
        "review_opinions": True,
        "approval_complete": True,
        "contract_before_release": None,
        "distribution_signoffs": None,
        "inspection_before_shipment": None,
        "acceptance_recorded": None,
        "statement_reviewed": None,
        "changes_approved": None,
    }


def test_only_the_group_draws_a_check(group) -> None:
    _orders(group, 2)
    today = timezone.localdate()
    with pytest.raises(NotAllowed):
        actions.start_spot_check(actor=group["sales"], title="x", period_start=today, period_end=today)
    assert SpotCheck.objects.count() == 0


def test_every_check_needs_a_verdict(group) -> None:
    _orders(group, 1)
    today = timezone.localdate()
    check = actions.start_spot_check(
        actor=group["inspector"], title="x", period_start=today, period_end=today
    )
    item = check.items.get()
    with pytest.raises(FieldErrors):
        actions.confirm_item(
            actor=group["inspector"],
            item=item,
            verdicts={"review_opinions": "pass"},
            note="",
            version=item.version,
        )
    item.refresh_from_db()
    assert (item.verdicts, item.checked_at, item.version) == ({}, None, 1)


def test_a_finding_is_corrected_escalated_when_late_and_verified(group) -> None:
    """O-2: the corrective action is an improvement action: owner and deadline (policy: 5
    working days); late, it escalates; the owner cannot verify it, the group does."""
    _orders(group, 1)
    today = timezone.localdate()
    check = actions.start_spot_check(
        actor=group["inspector"], title="x", period_start=today, period_end=today
    )
    item = check.items.get()
    finding = actions.add_finding(
        actor=group["inspector"],
        item=item,
        check_code="review_opinions",
        description="评审意见超时",
        corrective_action="补充说明并培训",
        owner=group["sales"],
    )
    correction = finding.action
    work = WorkItem.objects.get(kind="improvement.action", object_id=correction.pk)
    assert (correction.title, correction.origin, work.assignee) == (
        "补充说明并培训",
        f"检查发现 {check.number} {item.order.number}",
        group["sales"],
    )
    sweep(now=work.due_at + timedelta(minutes=1))
    work.refresh_from_db()
    assert (work.overdue, work.escalated_to) == (True, group["head"])
    correction = feedback.decide_action(
        actor=group["sales"], action=correction, verb="finish", note="已补充", version=correction.version
    )
    with pytest.raises(PermissionDenied):
        feedback.decide_action(
            actor=group["sales"], action=correction, verb="verify", note="", version=correction.version
        )
    correction = feedback.decide_action(
        actor=group["inspector"],
        action=correction,
        verb="verify",
        note="抽查确认",
        version=correction.version,
    )
    work.refresh_from_db()
    assert (correction.status, correction.verified_by, work.status) == (
        "verified",
        group["inspector"],
        "done",
    )


def test_a_report_hides_its_reporter_from_all_but_the_head(client, group) -> None:
    """O-4: the group handles the report without knowing who filed it; the head sees the name;
    the audit trail does not name the reporter."""
    client.force_login(group["prod"])
    client.post(
        reverse("supervision:report_new"), {"subject": "私下改价", "description": "某订单确认后改价未走变更"}
    )
    report = ViolationReport.objects.get()
    assert report.reporter == group["prod"]
    client.force_login(group["inspector"])
    page = client.get(reverse("supervision:report", args=[report.pk])).content.decode()
    assert "私下改价" in page and "prod1" not in page
    export = client.get(reverse("supervision:report_list"), {"export": "xlsx"})
    assert b"prod1" not in export.content
    client.force_login(group["sup_head"])
    page = client.get(reverse("supervision:report", args=[report.pk])).content.decode()
    assert "prod1" in page
    event = AuditEvent.objects.get(action="supervision.report")
    assert (event.actor_id, event.actor_name) == (None, "violation report")
    client.force_login(group["sales"])
    assert client.get(reverse("supervision:report", args=[report.pk])).status_code == 404


def test_the_check_page_is_bounded(client, group, django_assert_max_num_queries) -> None:
    _orders(group, 15)
    today = timezone.localdate()
    check = actions.start_spot_check(
        actor=group["inspector"], title="x", period_start=today, period_end=today
    )
    client.force_login(group["inspector"])
    with django_assert_max_num_queries(15):
        page = client.get(reverse("supervision:check", args=[check.pk])).content.decode()
    assert "按种子重抽结果一致" in page and SpotCheckItem.objects.count() == 10


def test_spot_check_period_must_have_orders(group) -> None:
    with pytest.raises(FieldErrors):
        actions.start_spot_check(
            actor=group["inspector"], title="x", period_start=date(2020, 1, 1), period_end=date(2020, 1, 31)
        )
    assert (SpotCheck.objects.count(), Finding.objects.count()) == (0, 0)
