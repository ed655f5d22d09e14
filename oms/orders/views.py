"""What every app's order-page verbs share (issue 22): the order the user may see, or 404, and
one posted verb run on it through `oms.web.verbs.post_verb`, back to the order page.

The order has one home (`oms.orders`), so the apps that post actions from the order page
(fulfilment, quality, …) look it up and post to it here rather than each with its own copy.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from oms.core.errors import ActionError
from oms.engine import workflow
from oms.orders.models import SalesOrder
from oms.orders.selectors import order_detail
from oms.web.pages import actor, flash_refusal
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
    request: HttpRequest,
    pk: int,
    verb: str,
    *,
    verbs: Mapping[str, Verb],
    redisplay: Redisplay,
    back: Callable[[SalesOrder], str] | None = None,
) -> HttpResponse:
    """Run `verbs[verb]` on the order `pk` (404 when the user may not see it) and go back to the
    order page (or the order's page `back(order)`); a refused one is shown again by `redisplay`
    with what was typed."""
    order = order_or_404(request, pk)
    return post_verb(
        request,
        verbs=verbs,
        verb=verb,
        target=order,
        back=back(order) if back else reverse("workbench:order_detail", args=[order.pk]),
        redisplay=redisplay,
    )


def issue_order_link(
    request: HttpRequest, pk: int, issue: Callable[..., str], route: str, shown: str
) -> HttpResponse:
    """Issue the customer a one-time link about the order `pk` (`issue(actor=, order=)`, the
    action, returns its token, `oms.core.tokens`) and show its address once, in the message `shown` (`%(u)s`): the
    database keeps only the token's hash, so this is the only time it can be read. A refusal is
    a message; either way back to the order page."""
    order = order_or_404(request, pk)
    try:
        token = issue(actor=actor(request), order=order)
    except (ActionError, workflow.WorkflowError) as exc:
        flash_refusal(request, exc)
    else:
        url = request.build_absolute_uri(reverse(route, args=[token]))
        messages.success(request, shown % {"u": url})
    return redirect("workbench:order_detail", pk=order.pk)
