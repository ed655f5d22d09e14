"""The demo company: every department of A-4 with staff and head, the other roles, master data,
and an audit chain that verifies, and fails once a row is tampered with (S-2)."""

from __future__ import annotations

import pytest
from django.db import connection

from oms.accounts.models import DepartmentKind, Role, User
from oms.audit import triggers
from oms.audit.models import AuditEvent
from oms.audit.verify import verify_chain
from oms.catalog.models import Product, StockLevel
from oms.customers.models import Customer
from oms.demo.data import DEMO_PASSWORD, load_demo
from oms.partners.models import Carrier, Supplier

pytestmark = pytest.mark.django_db


def test_demo_has_every_department_and_role() -> None:
    load_demo()
    for kind in DepartmentKind:
        assert User.objects.filter(department__kind=kind, role=Role.STAFF).exists(), kind
        assert User.objects.filter(department__kind=kind, role=Role.HEAD).exists(), kind
    assert set(
        User.objects.filter(role__in=[Role.EXECUTIVE, Role.ADMIN, Role.AUDITOR]).values_list(
            "role", flat=True
        )
    ) == {Role.EXECUTIVE, Role.ADMIN, Role.AUDITOR}
    assert User.objects.get(username="sales_staff").check_password(DEMO_PASSWORD)


def test_demo_has_master_data() -> None:
    load_demo()
    counts = (
        Customer.objects.count(),
        Product.objects.count(),
        StockLevel.objects.count(),
        Supplier.objects.count(),
        Carrier.objects.count(),
    )
    assert counts == (8, 8, 6, 4, 3)


def test_demo_loads_once() -> None:
    assert load_demo() is not None
    assert load_demo() is None


def test_demo_audit_chain_verifies_and_a_tampered_copy_fails() -> None:
    load_demo()
    assert verify_chain().ok
    victim = AuditEvent.objects.filter(action="customer.create").order_by("id")[2]
    triggers.drop(connection)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET actor_name = 'someone else' WHERE id = %s", [victim.id])
    triggers.install(connection)
    report = verify_chain()
    assert (report.ok, report.broken_at) == (False, victim.id)


def test_demo_has_orders_at_every_intake_stage() -> None:
    from oms.orders.models import Inquiry, SalesOrder

    load_demo()
    statuses = sorted(SalesOrder.objects.values_list("status", flat=True))
    assert statuses == sorted(
        [
            "draft",
            "pending_check",
            "needs_info",
            "awaiting_decision",
            "in_review",
            "awaiting_confirmation",
            "confirmed",
            "confirmed",
            "shipped",
            "shipped",
            "declined",
            "cancelled",
        ]
    )
    from oms.changes.models import ChangeRequest

    assert list(ChangeRequest.objects.values_list("status", "aspects")) == [("in_review", ["delivery_place"])]
    assert Inquiry.objects.count() == 2
    from oms.archive.models import AccessRequest

    # M-2, M-3: the cancelled draft is filed; production's request to read it waits for its head.
    assert list(
        AccessRequest.objects.values_list("record__order__status", "approver__username", "status")
    ) == [("cancelled", "production_head", "pending")]
    assert verify_chain().ok
