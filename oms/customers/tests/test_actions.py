"""A-1, P-1: customers are validated field by field; nothing is saved half-way; every change is audited."""

from __future__ import annotations

from decimal import Decimal

import pytest

from oms.audit.models import AuditEvent
from oms.core.errors import FieldErrors, NotAllowed, StaleVersion
from oms.customers import actions
from oms.customers.models import Customer
from oms.customers.tests.factories import CustomerFactory, RegionFactory

pytestmark = pytest.mark.django_db


def _data(**overrides):
    data = {
        "code": "C9001",
        "name": "上海恒信机械有限公司",
        "region": RegionFactory(),
        "credit_limit": Decimal("1000"),
        "phone": "13812345678",
    }
    data.update(overrides)
    return data


def test_create_sets_pinyin_initials_and_audits(admin_user) -> None:
    customer = actions.create_customer(actor=admin_user, data=_data())
    event = AuditEvent.objects.get(action="customer.create")
    assert customer.pinyin == "SHHXJXYXGS SHHSJXYXGS SHHXWXYXGS SHHSWXYXGS"
    assert (event.object_id, event.after["code"], event.after["credit_limit"]) == (
        str(customer.pk),
        "C9001",
        "1000",
    )


def test_duplicate_customer_code_is_refused(admin_user) -> None:
    CustomerFactory(code="C9001")
    with pytest.raises(FieldErrors) as info:
        actions.create_customer(actor=admin_user, data=_data())
    assert list(info.value.errors) == ["code"]
    assert Customer.objects.count() == 1


def test_negative_credit_limit_is_refused(admin_user) -> None:
    with pytest.raises(FieldErrors) as info:
        actions.create_customer(actor=admin_user, data=_data(credit_limit=Decimal("-1")))
    assert list(info.value.errors) == ["credit_limit"]
    assert Customer.objects.count() == 0


def test_malformed_phone_is_refused(admin_user) -> None:
    with pytest.raises(FieldErrors) as info:
        actions.create_customer(actor=admin_user, data=_data(phone="12345"))
    assert info.value.errors == {"phone": ["电话号码格式不正确，例如 13812345678 或 021-12345678。"]}
    assert AuditEvent.objects.count() == 0


def test_unknown_region_is_refused(admin_user) -> None:
    data = _data()
    data.pop("region")
    with pytest.raises(FieldErrors) as info:
        actions.create_customer(actor=admin_user, data={**data, "region_id": 9999})
    assert list(info.value.errors) == ["region"]
    assert Customer.objects.count() == 0


def test_update_audits_only_the_changed_fields(admin_user) -> None:
    customer = CustomerFactory(credit_limit=Decimal("100"))
    updated = actions.update_customer(
        actor=admin_user,
        obj=customer,
        data={"credit_limit": Decimal("250"), "grade": customer.grade},
        version=1,
        reason="年度评审",
    )
    event = AuditEvent.objects.get(action="customer.update")
    assert (updated.version, updated.credit_limit) == (2, Decimal("250"))
    assert (event.before, event.after, event.reason) == (
        {"credit_limit": "100.00"},
        {"credit_limit": "250"},
        "年度评审",
    )


def test_stale_update_is_refused_and_changes_nothing(admin_user) -> None:
    customer = CustomerFactory(name="甲公司")
    actions.update_customer(actor=admin_user, obj=customer, data={"name": "乙公司"}, version=1)
    with pytest.raises(StaleVersion):
        actions.update_customer(actor=admin_user, obj=customer, data={"name": "丙公司"}, version=1)
    customer.refresh_from_db()
    assert (customer.name, customer.version, customer.pinyin) == ("乙公司", 2, "YGS JGS YGC JGC")


def test_staff_may_not_create_customers(sales_staff) -> None:
    with pytest.raises(NotAllowed):
        actions.create_customer(actor=sales_staff, data=_data())
    assert Customer.objects.count() == 0
