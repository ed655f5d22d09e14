"""Whom a payment may come from on the receivables page (L-3, L-6): the customers owing in the
user's scope, searched by code, name or pinyin initials instead of listed whole (issue 21: the
payment form printed all ~1,600 of them into finance's page at 10^6 orders, 97 KB of its 128 KB).

The payment form's own check is unchanged: it takes any customer by key, as it always did; the
customer typed without a pick (no JavaScript) is found by its code or by its exact name."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet

from oms.billing.models import UnsettledOrder
from oms.billing.receivables import open_invoices
from oms.customers.models import Customer
from oms.customers.selectors import matching
from oms.orders.selectors import by_seller_in_scope

# The picker's suggestions at most (as the customer picker of the order form).
SUGGESTIONS = 20


def _owing(user: Any, today: date) -> QuerySet[Customer]:
    """The customers of the user's open orders that still owe: those with a kept unsettled order
    in scope (an unsettled invoice owes something, so exactly the customers owing), each probed
    once on the kept rows' customer index; for a department whose scope depends on each order's
    status, those of its unsettled invoices in scope (S-1)."""
    kept = by_seller_in_scope(
        UnsettledOrder.objects.all(), user, person="salesperson", department="department"
    )
    if kept is None:
        return Customer.objects.filter(pk__in=open_invoices(user, today=today).values("customer_id"))
    return Customer.objects.filter(Exists(kept.filter(customer_id=OuterRef("pk"))))


def anyone_owes(user: Any, *, today: date) -> bool:
    """Whether some customer in the user's scope owes (the page offers the payment form then)."""
    return _owing(user, today).exists()


def owing_customers(user: Any, *, today: date, q: str = "", limit: int = SUGGESTIONS) -> list[Customer]:
    """The customers owing in the user's scope whose code, name or pinyin initials contain `q`
    (every one when `q` is empty), by code, at most `limit` of them: the payment form's picker."""
    return matching(_owing(user, today).only("pk", "code", "name"), q, limit)


def typed_customer(typed: str, among: QuerySet[Customer] | None = None) -> Customer | None:
    """The customer a form names by what was typed rather than picked (L-3, L-4; a browser
    without JavaScript): its code; or the picker's label "code name"; or its exact name when only
    one of them has it. Among `among` (the statement of account: the customers in the user's
    scope, S-1), else any customer, as the payment form's key always allowed; None when none or
    several match."""
    typed = " ".join(typed.split())
    if not typed:
        return None
    customers = Customer.objects.all() if among is None else among
    code, _sep, rest = typed.partition(" ")
    by_code = customers.filter(code=code).first()
    if by_code is not None and rest in ("", " ".join(by_code.name.split())):
        return by_code
    named = list(customers.filter(name=typed)[:2])
    return named[0] if len(named) == 1 else None
