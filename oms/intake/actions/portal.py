"""Orders customers place themselves in the portal (B-8)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from oms.accounts.models import User
from oms.accounts.selectors import head_of
from oms.audit import recorder
from oms.core.errors import ActionError, FieldErrors
from oms.core.phrases import phrase
from oms.customers.models import Customer
from oms.customers.selectors import portal_account_of
from oms.intake.actions.check import submit_order
from oms.notifications.actions import notify
from oms.orders.actions import save_new_order
from oms.orders.links import order_url
from oms.orders.models import Channel as OrderChannel
from oms.orders.models import SalesOrder
from oms.policy import selectors as policy_selectors

# The header fields a customer fills in the portal; the rest come from their records.
PORTAL_FIELDS = (
    "contact_phone",
    "order_class",
    "delivery_date",
    "delivery_place",
    "external_ref",
    "special_requirements",
)
# Every problem at once: the plain request replaces the model's message for what is missing.
_REQUIRED = {
    "delivery_date": gettext_lazy("请填写要求的交货日期。"),
    "delivery_place": gettext_lazy("请填写交货地点。"),
    "contact_phone": gettext_lazy("请填写联系电话。"),
}


def _seller_of(customer: Customer) -> User:
    """B-8: the customer's salesperson (or their department's head) takes the order."""
    seller = customer.owner or (head_of(customer.department) if customer.department else None)
    if seller is None or not seller.is_active:
        raise ActionError(_("您的客户档案还没有负责的销售，请先联系我们。"))
    return seller


@transaction.atomic
@recorder.batched
def place_customer_order(
    *,
    actor: User,
    data: Mapping[str, Any],
    lines: Sequence[Mapping[str, Any]],
    duplicate_reason: str = "",
) -> SalesOrder:
    """B-8: a customer's contact places an order in the portal. It is entered in their name for
    their own company, at list prices (sales negotiates in the preliminary check), for the
    customer's salesperson, and enters intake as `pending_check` with the check's deadline."""
    account = portal_account_of(actor)
    if account is None:
        raise ActionError(_("只有客户门户账号可以在门户下单。"))
    customer = Customer.objects.select_related("owner", "department").get(pk=account.customer_id)
    seller = _seller_of(customer)
    unknown = set(data) - set(PORTAL_FIELDS)
    if unknown:
        raise FieldErrors(dict.fromkeys(sorted(unknown), _("不认识的字段。")))
    priced = [{k: v for k, v in ln.items() if k in {"product", "quantity", "spec"}} for ln in lines]
    missing = {k: [str(m)] for k, m in _REQUIRED.items() if not str(data.get(k) or "").strip()}
    header = {
        "order_class": policy_selectors.policy().order_classes[0].code,
        **data,
        "customer": customer,
        "contact_name": account.contact.name,
        "order_date": timezone.localdate(),
        "channel": OrderChannel.PORTAL,
        "payment_terms": customer.payment_terms,
    }
    try:
        order = save_new_order(
            actor=actor,
            data=header,
            lines=priced,
            duplicate_reason=duplicate_reason,
            salesperson=seller,
            inquiry=None,
            customer_known=True,
        )
    except FieldErrors as exc:
        raise FieldErrors({**exc.errors, **missing}) from exc
    order = submit_order(actor=actor, order=order)
    notify(
        event="intake",
        recipients=[seller],
        title=phrase("客户 %(c)s 在门户下单 %(n)s，请初审", c=customer.name, n=order.number),
        url=order_url(order),
    )
    return order
