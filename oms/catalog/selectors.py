"""Reading products, warehouses and stock (company-wide reference data; prices masked per S-1)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from oms.catalog.models import Product, StockLevel, Warehouse


def products_for(user: Any) -> QuerySet[Product]:
    return Product.objects.all() if getattr(user, "is_authenticated", False) else Product.objects.none()


def warehouses_for(user: Any) -> QuerySet[Warehouse]:
    return Warehouse.objects.all() if getattr(user, "is_authenticated", False) else Warehouse.objects.none()


def stock_levels_for(user: Any) -> QuerySet[StockLevel]:
    qs = StockLevel.objects.select_related("product", "warehouse")
    return qs if getattr(user, "is_authenticated", False) else qs.none()


def product_choices(user: Any, q: str, limit: int = 20) -> list[Product]:
    """The product picker: by code, name, spec or pinyin initials."""
    qs = products_for(user).filter(active=True)
    if q:
        qs = qs.filter(
            Q(code__icontains=q) | Q(name__icontains=q) | Q(pinyin__icontains=q) | Q(spec__icontains=q)
        )
    return list(qs.order_by("code")[:limit])
