"""The REST API: master data for integrations (A-1..A-5); OpenAPI at /api/openapi.json."""

from __future__ import annotations

from oms.catalog import actions as catalog_actions
from oms.catalog import selectors as catalog_selectors
from oms.catalog.models import Product, StockLevel, Warehouse
from oms.changes.api import router as changes_router
from oms.customers import actions as customer_actions
from oms.customers import selectors as customer_selectors
from oms.customers.api import router as regions_router
from oms.customers.models import Contact, Customer
from oms.engine.records import editable_fields
from oms.fulfilment.api import router as shipments_router
from oms.intake.api import router as orders_router
from oms.partners import actions as partner_actions
from oms.partners import selectors as partner_selectors
from oms.partners.models import Carrier, Supplier
from oms.portal.api import router as portal_router
from oms.review.api import router as review_router
from oms.web.api import ApiSpec, DocumentedAPI, api_auth, crud_router, install_error_handlers

api = DocumentedAPI(title="订单管理系统 API", version="1", urls_namespace="api", auth=api_auth())
install_error_handlers(api)

SPECS = [
    ApiSpec(
        Customer,
        "customers",
        customer_selectors.customers_for,
        editable_fields(Customer),
        customer_actions.create_customer,
        customer_actions.update_customer,
        field_groups={"credit_limit": "price", "phone": "contact", "address": "contact"},
    ),
    ApiSpec(
        Contact,
        "contacts",
        customer_selectors.contacts_for,
        editable_fields(Contact),
        customer_actions.create_contact,
        customer_actions.update_contact,
        search_fields=("name", "customer__code", "customer__name"),
        field_groups={"phone": "contact", "email": "contact"},
    ),
    ApiSpec(
        Product,
        "products",
        catalog_selectors.products_for,
        editable_fields(Product),
        catalog_actions.create_product,
        catalog_actions.update_product,
        search_fields=("code", "name", "pinyin", "spec"),
        field_groups={"list_price": "price", "standard_cost": "cost"},
    ),
    ApiSpec(
        Warehouse,
        "warehouses",
        catalog_selectors.warehouses_for,
        editable_fields(Warehouse),
        catalog_actions.create_warehouse,
        catalog_actions.update_warehouse,
        search_fields=("code", "name"),
    ),
    ApiSpec(
        StockLevel,
        "stock-levels",
        catalog_selectors.stock_levels_for,
        editable_fields(StockLevel),
        catalog_actions.create_stock_level,
        catalog_actions.update_stock_level,
        search_fields=("product__code", "product__name"),
    ),
    ApiSpec(
        Supplier,
        "suppliers",
        partner_selectors.suppliers_for,
        editable_fields(Supplier),
        partner_actions.create_supplier,
        partner_actions.update_supplier,
    ),
    ApiSpec(
        Carrier,
        "carriers",
        partner_selectors.carriers_for,
        editable_fields(Carrier),
        partner_actions.create_carrier,
        partner_actions.update_carrier,
    ),
]
for _spec in SPECS:
    api.add_router(f"/{_spec.path}", crud_router(_spec))
api.add_router("/regions", regions_router)
api.add_router("/orders", orders_router)
api.add_router("/", review_router)
api.add_router("/", shipments_router)
api.add_router("/", changes_router)
api.add_router("/portal", portal_router)
