"""G-1, G-3 (flows, point 3): a supplier delivery's incoming inspection is recorded once: the
receipt (procurement's fulfilment.IncomingInspection) feeds quality's record of it (quality.
Inspection, stage incoming), linked; quality records no second incoming inspection of its own; the
migration links existing rows and deletes nothing. One rule per test."""

from __future__ import annotations

import importlib
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest
from django.apps import apps
from django.utils import timezone

from conftest import make_user
from oms.audit.models import AuditEvent
from oms.core.errors import FieldErrors
from oms.fulfilment import actions
from oms.fulfilment.models import IncomingInspection, PurchaseLine
from oms.intake.tests.fixtures import signed_order
from oms.orders.models import SalesOrder
from oms.partners.models import Supplier
from oms.quality import actions as quality
from oms.quality.models import Inspection
from oms.quality.tests.fixtures import PLAN

pytestmark = pytest.mark.django_db
migration = importlib.import_module("oms.fulfilment.migrations.0011_incoming_inspection_feeds_quality")


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def bought(more_heads: dict[str, Any]) -> tuple[dict[str, Any], SalesOrder, PurchaseLine]:
    """A released order with a purchase order of 10 gears from a qualified supplier."""
    org = more_heads
    org["buyer"] = make_user("buyer1", kind="procurement")
    org["qc"] = make_user("qc1", kind="quality")
    order = actions.release_order(actor=org["head"], order=signed_order(org))
    po = actions.create_purchase_order(
        actor=org["buyer"],
        order=order,
        supplier=Supplier.objects.create(code="S1", name="宁波精工", qualification="qualified"),
        lines=[(org["gear"], Decimal("10"), date(2026, 12, 10))],
    )
    return org, order, po.lines.get()


def _receive(org: dict[str, Any], line: PurchaseLine, accepted: str, **kwargs: Any) -> IncomingInspection:
    return actions.receive_goods(
        actor=org["qc"],
        line=line,
        received_on=date(2026, 12, 9),
        received=Decimal("10"),
        accepted=Decimal(accepted),
        **kwargs,
    )


def test_a_delivery_feeds_one_quality_record_linked_to_it(bought: Any) -> None:
    """G-1, G-3: the receipt writes quality's incoming inspection of the order and product, with
    the counts, passed when nothing was rejected, by whoever inspected it."""
    org, order, line = bought
    receipt = _receive(org, line, "10")
    inspection = Inspection.objects.get()
    assert receipt.inspection == inspection
    assert (inspection.order, inspection.stage, inspection.product, inspection.passed) == (
        order,
        "incoming",
        org["gear"],
        True,
    )
    assert (inspection.results, inspection.inspector, list(inspection.lines.all())) == (
        {"到货": "10", "合格": "10"},
        org["qc"],
        [],
    )


def test_rejected_goods_make_a_failed_record_naming_the_disposition(bought: Any) -> None:
    """G-1: 2 of 10 rejected and returned: quality's record fails and says so; no non-conformance
    is opened (the receipt's return or exchange deals with the goods)."""
    org, order, line = bought
    _receive(org, line, "8", disposition="return", notes="2 件毛刺")
    inspection = Inspection.objects.get()
    assert (inspection.passed, inspection.results, inspection.notes) == (
        False,
        {"到货": "10", "合格": "8", "不合格": "2", "处理": "退货"},
        "2 件毛刺",
    )
    assert not order.non_conformances.exists()


def test_a_refused_delivery_writes_no_quality_record(bought: Any) -> None:
    """G-1: rejects without a disposition are refused; nothing is written on either side."""
    org, _order, line = bought
    events = AuditEvent.objects.count()
    with pytest.raises(FieldErrors):
        _receive(org, line, "8")
    assert (IncomingInspection.objects.count(), Inspection.objects.count()) == (0, 0)
    assert AuditEvent.objects.count() == events


def test_quality_records_no_second_incoming_inspection(bought: Any) -> None:
    """G-1, G-3: an incoming inspection is recorded with the delivery, so quality's own form refuses
    the stage, the reason on the stage field, nothing written."""
    org, order, _line = bought
    quality.set_plan(actor=org["qc"], order=order, items=PLAN)
    with pytest.raises(FieldErrors) as refused:
        quality.record_inspection(
            actor=org["qc"],
            order=order,
            stage="incoming",
            product_id=org["gear"].pk,
            results={"外观": "良好"},
            passed=True,
        )
    assert refused.value.errors == {"stage": ["来料检验在采购到货验收时登记，不在这里另记。"]}
    assert Inspection.objects.count() == 0


def _unlinked(org: dict[str, Any], line: PurchaseLine, rejected: str, at: datetime) -> IncomingInspection:
    """A receipt as rows were before the link (written directly: the state the migration finds)."""
    row = IncomingInspection.objects.create(
        line=line,
        received_on=at.date(),
        received=Decimal("10"),
        accepted=Decimal("10") - Decimal(rejected),
        rejected=Decimal(rejected),
        disposition="exchange" if rejected != "0" else "",
        inspected_by=org["qc"],
    )
    IncomingInspection.objects.filter(pk=row.pk).update(created_at=at)
    return row


def test_the_migration_links_the_matching_quality_record(bought: Any) -> None:
    """G-1, G-3: an unlinked delivery and quality's incoming inspection of the same order and
    product, same day and outcome, become one linked record; nothing is added or deleted."""
    org, order, line = bought
    at = timezone.make_aware(datetime(2026, 12, 3, 10))
    row = _unlinked(org, line, "0", at)
    own = Inspection.objects.create(
        order=order,
        stage="incoming",
        product=org["gear"],
        passed=True,
        inspector=org["qc"],
        results={"外观": "良好"},
    )
    Inspection.objects.filter(pk=own.pk).update(inspected_at=at)
    migration.link(apps, None)
    row.refresh_from_db()
    assert (row.inspection_id, Inspection.objects.count()) == (own.pk, 1)


def test_the_migration_writes_the_record_a_delivery_lacks(bought: Any) -> None:
    """G-1, G-3: a delivery quality never recorded gets its record, dated when it was inspected."""
    org, order, line = bought
    at = timezone.make_aware(datetime(2026, 12, 3, 10))
    row = _unlinked(org, line, "3", at)
    migration.link(apps, None)
    row.refresh_from_db()
    made = Inspection.objects.get()
    assert row.inspection_id == made.pk
    assert (made.order, made.passed, made.inspected_at, made.results) == (
        order,
        False,
        at,
        {"到货": "10", "合格": "7", "不合格": "3", "处理": "换货"},
    )
