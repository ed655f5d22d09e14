"""Reading orders and inquiries, scoped to the viewer (S-1)."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet, Sum
from django.utils import timezone

from oms.accounts.models import DataScope, DepartmentKind, Role
from oms.accounts.permissions import is_admin, scope
from oms.core import registry
from oms.orders.fingerprint import lines_fingerprint
from oms.orders.indexes import LIVE
from oms.orders.models import OPEN_STATUSES, Inquiry, OrderLine, OrderStatus, SalesOrder
from oms.policy.selectors import policy

# Departments that work every order once it is past intake (they see all orders, prices masked per S-1).
_ALL_ORDER_DEPARTMENTS = {
    DepartmentKind.ORDER_CONFIRMATION,
    DepartmentKind.FINANCE,
    DepartmentKind.MANAGEMENT,
    DepartmentKind.SUPERVISION,
}


_SALES_SIDE = {DepartmentKind.SALES, DepartmentKind.CUSTOMER_SERVICE, DepartmentKind.MARKETING}
# Every order the intake has passed on: the open ones past the preliminary check, and the closed.
PAST_INTAKE = [
    s
    for s in (*OPEN_STATUSES, OrderStatus.CLOSED)
    if s not in {OrderStatus.PENDING_CHECK, OrderStatus.NEEDS_INFO, OrderStatus.AWAITING_DECISION}
]


def orders_for(user: Any) -> QuerySet[SalesOrder]:
    """Orders the user may see: their scope over salesperson and sales department; the
    departments that work every order see them all. Archived orders are not among them (M-3)."""
    # M-3: a filed order is read through the archive only (keepers, or an approved request, each
    # reading logged); the archive app files it by this reverse relation, imported by nobody here.
    return orders_in_scope(user).filter(not_archived())


def not_archived() -> Q:
    """The condition "not filed in the archive" (M-3): the mark `archive.actions.file_order` keeps
    on the order with the archive record (issue 21). The lists walk partial indexes of the live
    orders (`orders.indexes.live_indexes`); before, a `NOT EXISTS` probed the archive's index for
    each row a page or its capped count read (1,001 probes, 3 buffers each, for a count)."""
    return LIVE


# A number's placeholders are digits (`policy.actions.next_number`).
_PLACEHOLDER = re.compile(r"\{(?:yyyy|yy|mm|dd|seq(?::0?[0-9]*d?)?)\}")


def number_search(q: str) -> Q:
    """Orders whose number contains `q` (B-4's search). When `q` starts with the literal prefix of
    the number format in force ("SO" of "SO{yyyy}{mm}{dd}{seq:04d}"), that prefix ends in a letter
    and the rest of the format has no letter, the prefix can stand nowhere else in a number, so
    "contains" is "starts with": a range of `order_number_prefix_idx` (PostgreSQL) instead of the
    trigram index, where "SO", "SO0" … are in every number (issue 21)."""
    fmt = policy().numbering.order
    head = fmt.split("{", 1)[0].upper()
    rest = _PLACEHOLDER.sub("", fmt[len(head) :])
    text = q.upper()
    if (
        head[-1:].isalpha()
        and not any(ch.isalpha() for ch in rest)
        and text.startswith(head)
        and text != head
    ):
        return Q(number__istartswith=q)
    return Q(number__icontains=q)


def orders_in_scope(user: Any) -> QuerySet[SalesOrder]:
    """The orders within the user's scope (S-1), archived ones included: for what refers to an
    order after it ended (complaints N-2, KPIs O-1) without reading its contents."""
    qs = SalesOrder.objects.select_related("customer", "salesperson", "department")
    return _in_scope(qs, user, "")


def _in_scope(qs: QuerySet[Any], user: Any, prefix: str) -> QuerySet[Any]:
    """`qs` narrowed to the records whose order (reached through `prefix`, "" for the orders
    themselves) is within the user's scope (S-1)."""
    kind = getattr(user, "department_kind", "")
    if kind in _ALL_ORDER_DEPARTMENTS:
        return qs
    own = scope(qs, user, owner_field=f"{prefix}salesperson", department_field=f"{prefix}department")
    if kind and kind not in _SALES_SIDE:
        # Review, execution and support departments work every order once it is past intake (C-1).
        # An order cancelled after confirmation (J-1) stays visible: procurement still settles its
        # purchase orders with the suppliers.
        worked = Q(**{f"{prefix}status__in": PAST_INTAKE}) | Q(
            **{f"{prefix}status": OrderStatus.CANCELLED, f"{prefix}confirmed_at__isnull": False}
        )
        return own | qs.filter(worked)
    return own


def in_order_scope(qs: QuerySet[Any], user: Any, path: str) -> QuerySet[Any]:
    """The records of `qs` (invoices, say) whose order, reached through `path`
    ("statement__order"), the user may see: exactly `orders_for`'s scope (S-1, archived orders
    excluded, M-3), written as conditions on the joined order instead of `order IN (orders)`, so
    that the records' own index drives the query (issue 21: the ledger reads the unsettled
    invoices through their partial index, then checks each one's order)."""
    record = SalesOrder._meta.get_field("archive_record").related_model
    archived = Exists(record._default_manager.filter(order_id=OuterRef(f"{path}_id")))
    return _in_scope(qs, user, f"{path}__").filter(~archived)


def by_seller_in_scope(qs: QuerySet[Any], user: Any, *, person: str, department: str) -> QuerySet[Any] | None:
    """Records kept per salesperson and department of orders not archived (issue 21: the open
    balances of the receivables ledger), narrowed to exactly `orders_for`'s scope over those
    orders (S-1): all of them for the departments that see every order, the user's data scope over
    `person` and `department` for the sales side. None for the other departments, whose scope
    also depends on each order's status, which such records do not carry."""
    kind = getattr(user, "department_kind", "")
    if kind in _ALL_ORDER_DEPARTMENTS:
        return qs
    if kind and kind not in _SALES_SIDE:
        return None
    return scope(qs, user, owner_field=person, department_field=department)


def sees_every_order(user: Any) -> bool:
    """Whether the user's department sees every order (S-1: `orders_for` narrows nothing but the
    archive)."""
    return getattr(user, "department_kind", "") in _ALL_ORDER_DEPARTMENTS


def sees_own_orders_only(user: Any) -> bool:
    """Whether the user's order scope is their own orders (a salesperson's): a list of them walks
    the salesperson's own index, short, where the others walk the whole company's."""
    kind = getattr(user, "department_kind", "")
    return (
        (not kind or kind in _SALES_SIDE)
        and getattr(user, "effective_scope", None) == DataScope.OWN
        and not is_admin(user)
    )


def salespeople_for(user: Any) -> QuerySet[Any]:
    """The active salespeople whose orders the user may see (S-1), for the orders list's filter:
    every one for the departments that see every order (or every order past intake); else those
    of the user's data scope over people (themselves, their department or its tree)."""
    people = get_user_model().objects.filter(department__kind=DepartmentKind.SALES, is_active=True)
    kind = getattr(user, "department_kind", "")
    if kind in _ALL_ORDER_DEPARTMENTS or (kind and kind not in _SALES_SIDE):
        return people
    return scope(people, user, owner_field="id", department_field="department")


def order_detail(user: Any, pk: int) -> SalesOrder | None:
    """The order `user` may see (S-1). Its pinned policy version comes from the per-process cache
    (ADR 0017), not a join whose document each view would parse again (issue 21)."""
    return orders_for(user).select_related("created_by", "inquiry", "confirmed_by").filter(pk=pk).first()


def lines_of(order: SalesOrder) -> QuerySet[OrderLine]:
    return order.lines.select_related("product").order_by("line_no")


def customer_exposure(customer_id: int, *, exclude_order: int | None = None) -> dict[str, Decimal]:
    """B-6: what the customer owes or has committed: open orders not yet invoiced, and the
    receivables and overdue amounts of the ledger (L-4), with the days the oldest overdue
    invoice is late."""
    open_orders = SalesOrder.objects.filter(customer_id=customer_id, status__in=OPEN_STATUSES)
    if exclude_order is not None:
        open_orders = open_orders.exclude(pk=exclude_order)
    total = open_orders.aggregate(s=Sum("total_amount"))["s"] or Decimal("0")
    owed = {"receivables": Decimal("0"), "overdue": Decimal("0"), "overdue_days": Decimal("0")}
    for source in registry.credit_exposure_sources:  # the invoice ledger, wired in oms.wiring
        found = source(customer_id)
        owed = {
            "receivables": owed["receivables"] + found["receivables"],
            "overdue": owed["overdue"] + found["overdue"],
            # The oldest overdue invoice of any ledger counts, not a sum of days.
            "overdue_days": max(owed["overdue_days"], found.get("overdue_days", Decimal("0"))),
        }
        total -= found["invoiced_open"]  # counted once: as a receivable, not also as an open order
    return {"open_orders": max(total, Decimal("0")), **owed}


_DUPLICATES_SQL = (
    'SELECT "id", "number" FROM "orders_salesorder" WHERE "customer_id" = %s AND "lines_fingerprint" = %s'
    ' AND "created_at" >= %s AND "status" <> %s AND "id" <> %s ORDER BY "created_at" DESC, "id" DESC'
)


def possible_duplicates(
    *,
    customer_id: int,
    lines: list[tuple[int, Decimal]],
    window_hours: Decimal,
    exclude: int | None = None,
    limit: int | None = None,
) -> list[SalesOrder]:
    """B-9: orders of the same customer with the same lines (product, quantity) within the window,
    the newest first (at most `limit`): one lookup of the stored fingerprint (`order_duplicate_idx`)."""
    if not lines or window_hours <= 0:
        return []
    since = timezone.now() - timedelta(seconds=int(window_hours * 3600))
    # Written out (issue 21): every create runs it, and building it with the ORM cost ten times
    # what the database takes to answer. The same lookup the index was made for.
    sql = _DUPLICATES_SQL + (" LIMIT %s" if limit is not None else "")
    params: list[Any] = [
        customer_id,
        lines_fingerprint(lines),
        connection.ops.adapt_datetimefield_value(since),
        OrderStatus.CANCELLED.value,
        exclude or 0,
    ]
    return list(SalesOrder.objects.raw(sql, [*params, limit] if limit is not None else params))


def inquiries_for(user: Any) -> QuerySet[Inquiry]:
    qs = Inquiry.objects.select_related("customer", "received_by", "assigned_to")
    if getattr(user, "role", "") in {Role.EXECUTIVE, Role.ADMIN, Role.AUDITOR} or getattr(
        user, "department_kind", ""
    ) in {DepartmentKind.CUSTOMER_SERVICE, DepartmentKind.MARKETING}:
        return qs
    return qs.filter(
        Q(assigned_to=user)
        | Q(received_by=user)
        | Q(assigned_to__department_id=getattr(user, "department_id", None))
    )


# Prices the customer agreed to before: drafts and orders that never came about say nothing.
_NO_PRICE_STATUSES = (OrderStatus.DRAFT, OrderStatus.DECLINED, OrderStatus.CANCELLED)


def last_prices(user: Any, customer_id: int, product_id: int, limit: int = 5) -> list[OrderLine]:
    """Issue 23 point 7 (B-3): the latest prices of this product on this customer's earlier
    orders the user may see, newest first. Read off the line's product index, joined to the
    orders in scope; at most `limit` rows."""
    return list(
        OrderLine.objects.filter(
            product_id=product_id,
            order__in=orders_for(user)
            .filter(customer_id=customer_id)
            .exclude(status__in=_NO_PRICE_STATUSES)
            .values("pk"),
        )
        .select_related("order")
        .order_by("-order__order_date", "-order__pk", "line_no")[:limit]
    )
