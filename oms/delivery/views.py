"""Delivery notes, certificates of conformity, and the customer's acceptance (K-1..K-3)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from oms.accounts.permissions import visible_field_groups
from oms.core import workflow
from oms.core.errors import ActionError, FieldErrors
from oms.core.pages import actor, flash_refusal
from oms.core.printing import printable, qr_svg
from oms.delivery import actions
from oms.delivery.models import AcceptanceResult
from oms.delivery.selectors import ACCEPTANCE_CHECKS
from oms.fulfilment.models import Shipment
from oms.orders.selectors import order_detail


def _shipment(request: HttpRequest, pk: int) -> Shipment:
    shipment = get_object_or_404(Shipment.objects.select_related("order", "carrier"), pk=pk)
    if order_detail(request.user, shipment.order_id) is None:
        raise Http404
    return shipment


def _checks(post: QueryDict) -> dict[str, bool]:
    return {c: bool(post.get(c)) for c in actions.CHECKS}


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


@login_required
def document(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """K-2: the delivery note (送货单) and the certificate of conformity (合格证) of a shipment,
    printable or as a PDF; they go with the goods."""
    shipment = _shipment(request, pk)
    if kind not in {"note", "certificate"}:
        raise Http404
    order = shipment.order
    lines = list(
        shipment.lines.select_related("order_line", "order_line__product").order_by("order_line__line_no")
    )
    # K-2: each line's certificate names the final inspection that released it for this shipment.
    released = {
        line_pk: i
        for i in shipment.released_by.select_related("inspector").prefetch_related("lines")
        for line_pk in (ln.pk for ln in i.lines.all())
    }
    context: dict[str, Any] = {
        "shipment": shipment,
        "order": order,
        "lines": [(sl, released.get(sl.order_line_id)) for sl in lines],
        "company": order.policy().company,
        "qr": qr_svg(f"{order.number}-{shipment.number}"),
        "show_prices": "price" in visible_field_groups(request.user),
    }
    template = "delivery/note.html" if kind == "note" else "delivery/certificate.html"
    return printable(request, template, context, filename=f"{order.number}-{shipment.number}-{kind}.pdf")


@login_required
@require_POST
def acceptance(request: HttpRequest, pk: int) -> HttpResponse:
    """K-3: staff record the customer's acceptance, or send the customer a link to give it."""
    shipment = _shipment(request, pk)
    try:
        if request.POST.get("verb") == "link":
            token = actions.issue_acceptance_link(actor=actor(request), shipment=shipment)
            url = request.build_absolute_uri(reverse("delivery:accept", args=[token]))
            messages.success(request, _("验收链接（只显示这一次，请发送给客户）：%(u)s") % {"u": url})
        else:
            actions.record_acceptance(
                actor=actor(request),
                shipment=shipment,
                result=request.POST.get("result", ""),
                checks=_checks(request.POST),
                remarks=request.POST.get("remarks", ""),
                received_on=_date(request.POST.get("received_on", "")),
                accepted_by_name=request.POST.get("accepted_by_name", ""),
                signed_note=request.FILES.get("signed_note"),
            )
            messages.success(request, _("已登记客户验收。"))
    except (ActionError, workflow.WorkflowError) as exc:
        flash_refusal(request, exc)
    return redirect("intake:order_detail", pk=shipment.order_id)


def accept(request: HttpRequest, token: str) -> HttpResponse:
    """K-3: the customer's page behind the link: the shipment, and their acceptance."""
    link = actions.link_for(token)
    if link is None:
        return render(request, "review/confirm_invalid.html", {"reason": _("验收链接无效。")}, status=404)
    errors: dict[str, list[str]] = {}
    message = ""
    if request.method == "POST":
        try:
            done = actions.accept_by_link(
                token=token,
                name=request.POST.get("name", ""),
                result=request.POST.get("result", ""),
                checks=_checks(request.POST),
                remarks=request.POST.get("remarks", ""),
                received_on=_date(request.POST.get("received_on", "")),
            )
        except FieldErrors as exc:
            errors = exc.errors
        except (ActionError, workflow.WorkflowError) as exc:
            message = exc.message
        else:
            return render(request, "delivery/accept_done.html", {"acceptance": done})
    elif link.used_at is not None:
        return render(
            request, "review/confirm_invalid.html", {"reason": _("该验收链接已使用过。")}, status=410
        )
    shipment = link.shipment
    return render(
        request,
        "delivery/accept.html",
        {
            "link": link,
            "shipment": shipment,
            "order": shipment.order,
            "lines": list(
                shipment.lines.select_related("order_line__product").order_by("order_line__line_no")
            ),
            "results": AcceptanceResult.choices,
            "post": request.POST if request.method == "POST" else QueryDict(),
            "errors": errors,
            "message": message,
            "today": f"{timezone.localdate():%Y-%m-%d}",
            "acceptance_checks": ACCEPTANCE_CHECKS,
        },
        status=422 if errors else (400 if message else 200),
    )
