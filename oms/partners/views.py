from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from oms.accounts.permissions import can_manage_master_data
from oms.partners import actions, selectors
from oms.partners.models import Carrier, Supplier
from oms.web.listing import Column, ListSpec

_COMMON = ("code", "name", "contact_name", "phone", "address", "qualification", "qualified_until", "active")

SUPPLIER_SPEC = ListSpec(
    model=Supplier,
    prefix="partners:supplier",
    title=_("供应商"),
    columns=[
        Column("code"),
        Column("name"),
        Column("supplies"),
        Column("contact_name"),
        Column("phone"),
        Column("qualification"),
        Column("qualified_until"),
        Column("active"),
    ],
    selector=selectors.suppliers_for,
    filters=("qualification", "active"),
    form_fields=(*_COMMON, "supplies"),
    create=actions.create_supplier,
    update=actions.update_supplier,
    can_edit=can_manage_master_data,
)

CARRIER_SPEC = ListSpec(
    model=Carrier,
    prefix="partners:carrier",
    title=_("承运商"),
    columns=[
        Column("code"),
        Column("name"),
        Column("service_area"),
        Column("contact_name"),
        Column("phone"),
        Column("qualification"),
        Column("active"),
    ],
    selector=selectors.carriers_for,
    filters=("qualification", "active"),
    form_fields=(*_COMMON, "service_area", "tracking_url"),
    create=actions.create_carrier,
    update=actions.update_carrier,
    can_edit=can_manage_master_data,
)
