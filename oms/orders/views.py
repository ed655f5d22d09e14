"""What every app's order-page verbs share (issue 22): the order the user may see, or 404, and
one posted verb run on it through `oms.web.verbs.post_verb`, back to the order page.

The order has one home (`oms.orders`), so the apps that post actions from the order page
(fulfilment, quality, …) look it up and post to it here rather than each with its own copy.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse

from oms.orders.models import SalesOrder
from oms.orders.selectors import order_detail
from oms.web.verbs import Redisplay, Verb, post_verb


def order_or_404(request: HttpRequest, pk: int) -> SalesOrder:
    """The order `pk` as the logged-in user may see it (their data scope), else 404."""
    order = order_detail(request.user, pk)
    if order is None:
        raise Http404
    return order


def order_form(cls: Callable[..., forms.Form]) -> Any:
    """The `Verb.form` builder of a form that takes the order first: `cls(order, data)`."""
    return lambda order, data, files: cls(order, data)


def post_order_verb(
    request: HttpRequest, pk: int, verb: str, *, verbs: Mapping[str, Verb], redisplay: Redisplay
) -> HttpResponse:
    """Run `verbs[verb]` on the order `pk` (404 when the user may not see it) and go back to the
    order page; a refused one is shown again by `redisplay` with what was typed."""
    order = order_or_404(request, pk)
    return post_verb(
        request,
        verbs=verbs,
        verb=verb,
        target=order,
        back=reverse("workbench:order_detail", args=[order.pk]),
        redisplay=redisplay,
    )
