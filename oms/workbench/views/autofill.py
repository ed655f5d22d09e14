"""What the order form fills in as the user picks (issue 23 point 7, B-3): a customer's contact,
payment terms, delivery place and 开票信息; a product's spec, unit and list price with the last
prices this customer paid. Small JSON answers, each scoped to what the user may see (S-1) and
read in a bounded number of queries; the page fills only the fields the user left untouched."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

from oms.catalog.selectors import products_for
from oms.core.money import plain_number
from oms.customers import selectors as customer_selectors
from oms.orders import permissions
from oms.orders.selectors import last_prices
from oms.policy.visibility import visible_field_groups


@login_required
@require_GET
def customer_defaults(request: HttpRequest, pk: int) -> JsonResponse:
    """The header fields a customer brings to a new order; 404 outside the user's data scope."""
    if not permissions.can_enter_orders(request.user):
        raise Http404
    customer = customer_selectors.customers_for(request.user).filter(pk=pk, active=True).first()
    if customer is None:
        raise Http404
    groups = visible_field_groups(request.user)
    contact = customer_selectors.primary_contact(customer)
    data = {
        "contact_name": contact.name if contact else "",
        "payment_terms": customer.payment_terms,
        "delivery_place": customer.address,
        "invoice_requirements": customer_selectors.invoice_details(customer),
    }
    # S-1: a phone the user may not read is not handed to the page to copy either.
    if "contact" in groups:
        data["contact_phone"] = (contact.phone if contact else "") or customer.phone
    return JsonResponse(data)


@login_required
@require_GET
def product_defaults(request: HttpRequest, pk: int) -> JsonResponse:
    """A product's spec, unit and list price, and the last five prices to the chosen customer
    (`?customer=`); prices only for users who may see them."""
    if not permissions.can_enter_orders(request.user):
        raise Http404
    product = products_for(request.user).filter(pk=pk, active=True).first()
    if product is None:
        raise Http404
    data: dict[str, object] = {"spec": product.spec, "unit": product.unit}
    if "price" in visible_field_groups(request.user):
        data["unit_price"] = plain_number(product.list_price)
        customer = request.GET.get("customer", "")
        rows = last_prices(request.user, int(customer), product.pk) if customer.isdigit() else []
        data["last_prices"] = [
            {
                "order": ln.order.number,
                "date": f"{ln.order.order_date:%Y-%m-%d}",
                "unit_price": plain_number(ln.unit_price),
                "quantity": plain_number(ln.quantity),
            }
            for ln in rows
        ]
    return JsonResponse(data)
