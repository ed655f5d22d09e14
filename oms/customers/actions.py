"""Every write to customers and their contacts (A-1)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from oms.accounts.permissions import can_manage_master_data
from oms.core import records
from oms.customers.models import Contact, Customer


def create_customer(*, actor: Any, data: Mapping[str, Any]) -> Customer:
    """A-1: a new customer; the customer code must be unique."""
    records.require(can_manage_master_data(actor))
    return records.create_named(actor=actor, model=Customer, data=data, action="customer.create")


def update_customer(
    *, actor: Any, obj: Customer, data: Mapping[str, Any], version: int, reason: str = ""
) -> Customer:
    """A-1: customers are kept current; every change is audited with before/after values."""
    records.require(can_manage_master_data(actor))
    return records.update_named(
        actor=actor, obj=obj, data=data, version=version, action="customer.update", reason=reason
    )


def create_contact(*, actor: Any, data: Mapping[str, Any]) -> Contact:
    records.require(can_manage_master_data(actor))
    return records.create(
        actor=actor, obj=Contact(**data), fields=records.editable_fields(Contact), action="contact.create"
    )


def update_contact(*, actor: Any, obj: Contact, data: Mapping[str, Any], version: int) -> Contact:
    records.require(can_manage_master_data(actor))
    return records.update(actor=actor, obj=obj, data=data, version=version, action="contact.update")
