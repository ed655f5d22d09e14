from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from oms.accounts.permissions import can_manage_master_data
from oms.catalog import actions, selectors
from oms.catalog.models import Product, StockLevel, Warehouse
from oms.policy.visibility import visible_field_groups
from oms.web.listing import Column, ListSpec
from oms.web.widgets import PickerWidget

PRODUCT_SPEC = ListSpec(
    model=Product,
    prefix="catalog:product",
    title=_("产品"),
    columns=[
        Column("code"),
        Column("name"),
        Column("spec"),
        Column("unit"),
        Column("list_price", group="price"),
        Column("standard_cost", group="cost"),
        Column("lead_time_days"),
        Column("is_stock_item"),
        Column("active"),
    ],
    selector=selectors.products_for,
    search_fields=("code", "name", "pinyin", "spec"),
    filters=("is_stock_item", "is_service", "active"),
    form_fields=(
        "code",
        "name",
        "spec",
        "unit",
        "list_price",
        "standard_cost",
        "lead_time_days",
        "is_stock_item",
        "is_service",
        "active",
    ),
    field_groups={"list_price": "price", "standard_cost": "cost"},
    create=actions.create_product,
    update=actions.update_product,
    can_edit=can_manage_master_data,
)

WAREHOUSE_SPEC = ListSpec(
    model=Warehouse,
    prefix="catalog:warehouse",
    title=_("仓库"),
    columns=[Column("code"), Column("name"), Column("address"), Column("active")],
    selector=selectors.warehouses_for,
    search_fields=("code", "name"),
    filters=("active",),
    form_fields=("code", "name", "address", "active"),
    create=actions.create_warehouse,
    update=actions.update_warehouse,
    can_edit=can_manage_master_data,
)

STOCK_SPEC = ListSpec(
    model=StockLevel,
    prefix="catalog:stock",
    title=_("库存"),
    columns=[
        Column("product__code", _("产品编码")),
        Column("product__name", _("产品名称")),
        Column("warehouse__name", _("仓库")),
        Column("on_hand"),
        Column("reserved"),
        Column("safety_stock"),
    ],
    selector=selectors.stock_levels_for,
    search_fields=("product__code", "product__name", "product__pinyin"),
    filters=("warehouse",),
    form_fields=("product", "warehouse", "on_hand", "reserved", "safety_stock"),
    create=actions.create_stock_level,
    update=actions.update_stock_level,
    can_edit=can_manage_master_data,
    form_widgets={"product": PickerWidget(url_name="catalog:product_picker")},
)


def product_picker(request: HttpRequest) -> HttpResponse:
    """Search products by code, name, spec or pinyin initials; an htmx fragment for pickers."""
    items = selectors.product_choices(request.user, request.GET.get("q", "").strip())
    show_prices = "price" in visible_field_groups(request.user)
    return render(request, "core/picker_options.html", {"items": items, "show_prices": show_prices})
