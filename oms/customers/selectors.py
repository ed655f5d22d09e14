"""Reading customers, scoped to the viewer (S-1)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from oms.accounts.permissions import scope
from oms.customers.models import Contact, Customer, PortalAccount, Region


def customers_for(user: Any) -> QuerySet[Customer]:
    """Customers the user's data scope allows: own, department, department tree or all."""
    return scope(Customer.objects.select_related("region", "owner", "department"), user)


def contacts_for(user: Any) -> QuerySet[Contact]:
    return Contact.objects.select_related("customer").filter(customer__in=customers_for(user).values("pk"))


def regions() -> QuerySet[Region]:
    return Region.objects.filter(active=True)


def matching(found: QuerySet[Customer], q: str, limit: int = 20) -> list[Customer]:
    """The customers of `found` whose code, name or pinyin initials contain `q` (SHHX finds
    上海恒信; every one when `q` is empty), by code, at most `limit` of them: the one search of
    every customer picker (the order form's, the payment's, the statement of account's), each
    over the customers it may offer."""
    if q:
        found = found.filter(Q(code__icontains=q) | Q(name__icontains=q) | Q(pinyin__icontains=q))
    return list(found.order_by("code")[:limit])


def customer_choices(user: Any, q: str, limit: int = 20) -> list[Customer]:
    """The customer picker: the active customers in the user's scope, searched (`matching`)."""
    return matching(customers_for(user).filter(active=True), q, limit)


def portal_account_of(user: Any) -> PortalAccount | None:
    """B-8: the active portal account behind a customer's login; None for staff."""
    if not getattr(user, "is_customer", False):
        return None
    account = getattr(user, "portal_account", None)
    return account if account is not None and account.active else None


def portal_accounts_of(customer: Customer) -> QuerySet[PortalAccount]:
    return PortalAccount.objects.filter(customer=customer).select_related("contact", "user")


def invoice_details(customer: Customer) -> str:
    """Issue 23 point 7: the customer's 开票信息 as one line for an order's invoice requirements
    (title, tax number, bank and account, address and phone); empty parts are left out."""
    parts = [
        customer.invoice_title,
        customer.tax_number,
        f"{customer.bank_name} {customer.bank_account}".strip(),
        f"{customer.invoice_address} {customer.invoice_phone}".strip(),
    ]
    return "；".join(p for p in parts if p)[:255]


def primary_contact(customer: Customer) -> Contact | None:
    """The contact an order names first: the primary one, else the first by name (one query)."""
    return customer.contacts.filter(active=True).order_by("-is_primary", "name").first()
