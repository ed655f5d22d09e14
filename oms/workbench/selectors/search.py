"""Find anything from the header (issue 23 point 8): an order, contract, purchase order,
shipment or tracking number, or a customer by code, name or pinyin initials (A-1), within what
the user may see (S-1). Every lookup is bounded and walks an index: numbers by exact match or
prefix (the orders' number and customer reference have trigram indexes on PostgreSQL, which
serve `UPPER(col) LIKE 'X%'`), customers first on their own table, then their orders by
`customer_id IN (...)` on the `(customer, -created_at)` index; never an ILIKE across a join."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q

from oms.contracts.models import Contract
from oms.customers.models import Customer
from oms.customers.selectors import customers_for
from oms.fulfilment.models import PurchaseOrder, Shipment
from oms.orders.models import SalesOrder
from oms.orders.selectors import orders_for

# Rows per kind: a search box answers with the few best matches, not a list to page through.
LIMIT = 10
MIN_LENGTH = 2
MAX_LENGTH = 60
# A purchase order reads "<order number>-P<n>", a delivery note "<order number>-<n>".
_PURCHASE = re.compile(r"^(?P<order>.+)-P(?P<n>\d{1,6})$", re.IGNORECASE)
_SHIPMENT = re.compile(r"^(?P<order>.+)-(?P<n>\d{1,6})$")


@dataclass
class Found:
    """What one search found, grouped by kind."""

    q: str
    orders: list[SalesOrder] = field(default_factory=list)
    contracts: list[Contract] = field(default_factory=list)
    purchase_orders: list[PurchaseOrder] = field(default_factory=list)
    shipments: list[Shipment] = field(default_factory=list)
    customers: list[Customer] = field(default_factory=list)
    customer_orders: list[SalesOrder] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.orders or self.contracts or self.purchase_orders or self.shipments or self.customers)


def _spellings(q: str) -> list[str]:
    """Exact matches on a unique number, as typed and upper-cased (numbers are upper-case)."""
    return list(dict.fromkeys([q, q.upper()]))


def _numbered(q: str, pattern: re.Pattern[str]) -> tuple[str, int] | None:
    match = pattern.match(q)
    return (match["order"], int(match["n"])) if match else None


def find(user: Any, q: str) -> Found:
    """Everything `q` names that `user` may see (issue 23 point 8, S-1): a few queries, each bounded."""
    q = q.strip()[:MAX_LENGTH]
    found = Found(q=q)
    if len(q) < MIN_LENGTH:
        return found
    visible = orders_for(user)
    found.orders = list(
        visible.filter(Q(number__istartswith=q) | Q(external_ref__istartswith=q)).order_by("-created_at")[
            :LIMIT
        ]
    )
    found.contracts = list(
        Contract.objects.select_related("order", "order__customer")
        .filter(number__in=_spellings(q), order__in=visible.values("pk"))
        .order_by("-pk")[:LIMIT]
    )
    po = _numbered(q, _PURCHASE)
    if po is not None:
        found.purchase_orders = list(
            PurchaseOrder.objects.select_related("order", "supplier")
            .filter(order__in=visible.filter(number__in=_spellings(po[0])).values("pk"), number=po[1])
            .order_by("pk")[:LIMIT]
        )
    found.shipments = _shipments(visible, q)
    found.customers = list(
        customers_for(user)
        .filter(Q(code__istartswith=q) | Q(name__icontains=q) | Q(pinyin__icontains=q))
        .order_by("code")[:LIMIT]
    )
    if found.customers:
        found.customer_orders = list(
            visible.filter(customer_id__in=[c.pk for c in found.customers]).order_by("-created_at")[:LIMIT]
        )
    return found


def _shipments(visible: Any, q: str) -> list[Shipment]:
    """By tracking number (exact, indexed) or by the delivery note's number `<order>-<n>`."""
    cond = Q(tracking_number__in=_spellings(q))
    note = _numbered(q, _SHIPMENT)
    if note is not None:
        cond |= Q(order__in=visible.filter(number__in=_spellings(note[0])).values("pk"), number=note[1])
    return list(
        Shipment.objects.select_related("order", "carrier")
        .filter(cond, order__in=visible.values("pk"))
        .order_by("-pk")[:LIMIT]
    )
