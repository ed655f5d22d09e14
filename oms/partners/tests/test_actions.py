"""A-3: suppliers and carriers are kept with their qualification status, through the partners'
actions (validated, audited, refused for roles without master-data rights)."""

from __future__ import annotations

from typing import Any

import pytest

from oms.audit.models import AuditEvent
from oms.core.errors import FieldErrors, NotAllowed
from oms.partners import actions
from oms.partners.models import Carrier, Qualification, Supplier

pytestmark = pytest.mark.django_db


def _partner(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"code": "S9001", "name": "苏州精工配件有限公司", "phone": "0512-12345678"}
    data.update(overrides)
    return data


def test_a_new_supplier_is_on_probation_until_qualified(admin_user) -> None:
    """A-3: a supplier starts on probation (考察中); qualifying it is an audited change."""
    supplier = actions.create_supplier(actor=admin_user, data=_partner())
    assert supplier.qualification == Qualification.PROBATION
    actions.update_supplier(
        actor=admin_user,
        obj=supplier,
        data={"qualification": Qualification.QUALIFIED},
        version=supplier.version,
    )
    supplier.refresh_from_db()
    assert supplier.qualification == Qualification.QUALIFIED
    event = AuditEvent.objects.get(action="supplier.update")
    assert event.after == {"qualification": "qualified"}


def test_a_carrier_keeps_its_qualification_status(admin_user) -> None:
    """A-3: carriers (物流服务商) have a qualification status too."""
    carrier = actions.create_carrier(
        actor=admin_user,
        data=_partner(code="L9001", name="顺达物流", qualification=Qualification.DISQUALIFIED),
    )
    carrier.refresh_from_db()
    assert carrier.qualification == Qualification.DISQUALIFIED


def test_an_unknown_qualification_status_is_refused_naming_the_field(admin_user) -> None:
    """A-3: the status is one of 合格 / 考察中 / 不合格."""
    with pytest.raises(FieldErrors) as info:
        actions.create_supplier(actor=admin_user, data=_partner(qualification="maybe"))
    assert list(info.value.errors) == ["qualification"]
    assert Supplier.objects.count() == 0


def test_sales_staff_may_not_create_a_carrier(sales_staff) -> None:
    """A-3: partners are master data; nothing is saved for a role without the right."""
    with pytest.raises(NotAllowed):
        actions.create_carrier(actor=sales_staff, data=_partner(code="L9001"))
    assert (Carrier.objects.count(), AuditEvent.objects.count()) == (0, 0)
