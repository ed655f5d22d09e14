from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from oms.partners.models import Carrier, Supplier


def suppliers_for(user: Any) -> QuerySet[Supplier]:
    return Supplier.objects.all() if getattr(user, "is_authenticated", False) else Supplier.objects.none()


def carriers_for(user: Any) -> QuerySet[Carrier]:
    return Carrier.objects.all() if getattr(user, "is_authenticated", False) else Carrier.objects.none()
