"""What a customer's portal login reads (B-8, H-1, N-3): their own company's records only. Every
lookup takes the account, so another customer's order answers exactly as one that does not exist."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext

from oms.billing.receivables import customer_invoices, exposure
from oms.contracts.models import Document
from oms.customers.models import PortalAccount
from oms.customers.selectors import portal_account_of
from oms.delivery.actions import latest
from oms.delivery.models import ACCEPTING, Acceptance
from oms.feedback.models import Complaint, Invitation, SurveyStatus
from oms.fulfilment.models import Shipment
from oms.orders.models import CustomerStage, OrderLine, OrderStatus, SalesOrder
from oms.policy.selectors import policy
from oms.tracking.models import ExceptionStatus, OrderException

ENDED = (OrderStatus.DECLINED, OrderStatus.CANCELLED)


def account_of(user: Any) -> PortalAccount:
    """The viewer's portal account; staff and revoked logins get a 404 (the portal is not theirs)."""
    account = portal_account_of(user)
    if account is None:
        raise Http404
    return account


def orders(account: PortalAccount) -> QuerySet[SalesOrder]:
    """H-1: the company's orders from submission on; drafts are sales' working papers."""
    return SalesOrder.objects.filter(customer_id=account.customer_id, submitted_at__isnull=False)


def statuses_of_stage(stage: str) -> list[str]:
    """H-1: the order states shown to the customer as one stage (the ended ones excluded)."""
    return [s for s in OrderStatus.values if s not in ENDED and SalesOrder(status=s).customer_stage == stage]


def stage_label(order: SalesOrder) -> str:
    """What the customer reads for an order: their stage, or that it waits for them, or its end."""
    if order.status in ENDED:
        return str(order.get_status_display())
    if order.status == OrderStatus.AWAITING_CONFIRMATION:
        return gettext("待您确认")
    return order.customer_stage_label


def order_list(account: PortalAccount, *, stage: str = "", q: str = "") -> QuerySet[SalesOrder]:
    qs = orders(account).order_by("-created_at", "-pk")  # the (customer, -created_at) index
    if stage in CustomerStage.values:
        qs = qs.filter(status__in=statuses_of_stage(stage))
    elif stage == "ended":
        qs = qs.filter(status__in=ENDED)
    elif stage == "to_confirm":
        qs = qs.filter(status=OrderStatus.AWAITING_CONFIRMATION)
    if q:
        qs = qs.filter(Q(number__icontains=q) | Q(external_ref__icontains=q))
    return qs


def order_of(account: PortalAccount, number: str) -> SalesOrder:
    order = (
        orders(account)
        .select_related("salesperson", "customer")
        .prefetch_related(Prefetch("lines", queryset=OrderLine.objects.select_related("product")))
        .filter(number=number)
        .first()
    )
    if order is None:
        raise Http404
    return order


@dataclass
class ShipmentView:
    shipment: Shipment
    acceptance: Acceptance | None

    @property
    def can_accept(self) -> bool:
        return self.acceptance is None or self.acceptance.result not in ACCEPTING


def shipments_of(order: SalesOrder) -> list[ShipmentView]:
    """G-5, K-3: each shipment with its carrier, tracking number and the latest acceptance."""
    rows = list(
        Shipment.objects.filter(order=order)
        .select_related("carrier")
        .prefetch_related(
            Prefetch(
                "acceptances", queryset=Acceptance.objects.order_by("-created_at", "-pk"), to_attr="recent"
            )
        )
        .order_by("number")
    )
    return [ShipmentView(s, s.recent[0] if s.recent else None) for s in rows]


def shipment_of(account: PortalAccount, number: str, batch: int) -> Shipment:
    shipment = (
        Shipment.objects.select_related("order")
        .filter(order__in=orders(account), order__number=number, number=batch)
        .first()
    )
    if shipment is None:
        raise Http404
    return shipment


def shipments_to_accept(account: PortalAccount) -> int:
    """K-3: shipments of the company's shipped orders that nobody has accepted yet."""
    return (
        Shipment.objects.filter(order__in=orders(account), order__status=OrderStatus.SHIPPED)
        .exclude(acceptances__result__in=ACCEPTING)
        .count()
    )


def acceptable(shipment: Shipment) -> bool:
    return ShipmentView(shipment, latest(shipment)).can_accept


def documents_of(order: SalesOrder) -> QuerySet[Document]:
    """The current version of each document sales shared with the customer."""
    return Document.objects.filter(order=order, shared_with_customer=True, superseded=False).order_by(
        "doc_type", "title"
    )


def document_of(account: PortalAccount, number: str, pk: int) -> Document:
    document = documents_of(order_of(account, number)).filter(pk=pk).first()
    if document is None:
        raise Http404
    return document


def notices_of(order: SalesOrder) -> list[OrderException]:
    """H-4, T-1: the exceptions the customer is told of (the policy's kinds), without the
    internal description: the kind, when, and whether it is resolved."""
    kinds = order.policy().reporting.customer_notice_kinds
    return list(OrderException.objects.filter(order=order, kind__in=kinds).order_by("-created_at"))


def open_notices(account: PortalAccount) -> int:
    kinds = policy().reporting.customer_notice_kinds
    return OrderException.objects.filter(
        order__in=orders(account), kind__in=kinds, status=ExceptionStatus.OPEN
    ).count()


def complaints_of(account: PortalAccount) -> QuerySet[Complaint]:
    return Complaint.objects.filter(order__customer_id=account.customer_id).select_related("order")


def invitations_of(account: PortalAccount) -> QuerySet[Invitation]:
    """N-1, N-3: the surveys and closing questions waiting for the company's answer."""
    return (
        Invitation.objects.filter(customer_id=account.customer_id, answered_at__isnull=True)
        .filter(Q(survey__isnull=True) | Q(survey__status=SurveyStatus.SENT))
        .select_related("survey", "order")
        .order_by("-pk")
    )


def invitation_of(account: PortalAccount, pk: int) -> Invitation:
    invitation = invitations_of(account).filter(pk=pk).first()
    if invitation is None:
        raise Http404
    return invitation


def money(account: PortalAccount, today: date) -> dict[str, Any]:
    """L-2, L-4: the company's invoices and what it owes; each invoice's amount before tax, its tax
    and the total (价税合计), as the invoice itself states them (flows, point 4)."""
    invoices = customer_invoices(account.customer_id, today)
    for invoice in invoices:
        invoice["net"] = invoice["amount"] - invoice["tax_amount"]
    return {"invoices": invoices, **exposure(account.customer_id, today)}
