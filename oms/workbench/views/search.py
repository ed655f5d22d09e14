"""The header's search box and its results page (issue 23 point 8): one box for order,
contract, purchase order, shipment and tracking numbers and customers, grouped by kind."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from oms.core import params
from oms.workbench.selectors.search import MIN_LENGTH, find


@login_required
def search(request: HttpRequest) -> HttpResponse:
    """S-1: only what the user may see; one exact order number opens that order at once."""
    found = find(request.user, params.text_param(request, "q"))
    only_order = (
        len(found.orders) == 1
        and found.orders[0].number.upper() == found.q.upper()
        and not (found.contracts or found.purchase_orders or found.shipments or found.customers)
    )
    if only_order:
        return redirect("workbench:order_detail", pk=found.orders[0].pk)
    return render(request, "workbench/search.html", {"found": found, "min_length": MIN_LENGTH})
