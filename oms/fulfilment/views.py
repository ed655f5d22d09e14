"""Release and execution forms on the order page (D-4, F-1, G-2)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from oms.accounts.models import User
from oms.catalog.models import Product
from oms.core.errors import ActionError, FieldErrors
from oms.core.money import decimal_input
from oms.engine import workflow
from oms.fulfilment import actions, selectors
from oms.fulfilment.models import (
    DepartmentTask,
    GoodsReceipt,
    Milestone,
    Prepayment,
    ProgressReport,
    PurchaseLine,
    Reservation,
    ShipmentLine,
)
from oms.orders.selectors import order_detail
from oms.partners.models import Carrier, Supplier


def _decimal(text: str, key: str, model: type[models.Model], name: str) -> Decimal | None:
    """P-1: the shared parser at the column's digits; NaN, Infinity or an oversized value is
    refused naming the field (FieldErrors), empty is None (the action says what is required)."""
    return decimal_input(text, key=key, model=model, name=name)


@login_required
@require_POST
def execution(request: HttpRequest, pk: int, verb: str) -> HttpResponse:
    order = order_detail(request.user, pk)
    if order is None:
        raise Http404
    assert isinstance(request.user, User)
    actor = request.user
    try:
        if verb == "release":
            actions.release_order(actor=actor, order=order)
        elif verb == "prepayment":
            received = request.POST.get("received_on", "")
            actions.record_prepayment(
                actor=actor,
                order=order,
                amount=_decimal(request.POST.get("amount", ""), "amount", Prepayment, "amount")
                or Decimal("0"),
                received_on=date.fromisoformat(received) if received else None,
                reference=request.POST.get("reference", ""),
            )
        elif verb == "complete":
            task = get_object_or_404(DepartmentTask, pk=request.POST.get("task") or 0, order=order)
            actions.complete_task(actor=actor, task=task, note=request.POST.get("note", ""))
        elif verb == "progress":
            milestone = get_object_or_404(Milestone, pk=request.POST.get("milestone") or 0)
            try:
                progress = int(request.POST.get("progress", ""))
            except ValueError:
                raise FieldErrors({"progress": _("完成百分比应在 0 到 100 之间。")}) from None
            actions.report_progress(
                actor=actor,
                order=order,
                milestone=milestone,
                progress=progress,
                quantity_done=_decimal(
                    request.POST.get("quantity_done", "0") or "0",
                    "quantity_done",
                    ProgressReport,
                    "quantity_done",
                )
                or Decimal("0"),
                material_issued=request.POST.get("material_issued", ""),
                notes=request.POST.get("notes", ""),
            )
        elif verb == "ship":
            quantities = {
                int(k.split("-", 1)[1]): _decimal(str(v), k, ShipmentLine, "quantity") or Decimal("0")
                for k, v in request.POST.items()
                if k.startswith("qty-") and k[4:].isdigit() and str(v).strip()
            }
            shipped_on = request.POST.get("shipped_on", "")
            carrier = Carrier.objects.filter(pk=request.POST.get("carrier") or 0).first()
            actions.ship(
                actor=actor,
                order=order,
                mode=request.POST.get("mode", ""),
                shipped_on=date.fromisoformat(shipped_on) if shipped_on else None,
                quantities=quantities,
                carrier=carrier,
                route=request.POST.get("route", ""),
                packaging=request.POST.get("packaging", ""),
                tracking_number=request.POST.get("tracking_number", ""),
                confirmed_with=request.POST.get("confirmed_with", ""),
                expected_arrival=date.fromisoformat(arrival)
                if (arrival := request.POST.get("expected_arrival"))
                else None,
                delivery_place=request.POST.get("delivery_place", ""),
                quantity_checked=bool(request.POST.get("quantity_checked")),
            )
        elif verb == "purchase":
            product = Product.objects.filter(pk=request.POST.get("product") or 0).first()
            promised = request.POST.get("promised_date", "")
            actions.create_purchase_order(
                actor=actor,
                order=order,
                supplier=Supplier.objects.filter(pk=request.POST.get("supplier") or 0).first(),
                lines=[
                    (
                        product,
                        _decimal(request.POST.get("quantity", ""), "quantity", PurchaseLine, "quantity")
                        or Decimal("0"),
                        date.fromisoformat(promised) if promised else None,
                    )
                ],
            )
        elif verb == "receive":
            line = get_object_or_404(
                PurchaseLine, pk=request.POST.get("line") or 0, purchase_order__order=order
            )
            received_on = request.POST.get("received_on", "")
            actions.receive_goods(
                actor=actor,
                line=line,
                received_on=date.fromisoformat(received_on) if received_on else None,
                received=_decimal(request.POST.get("received", ""), "received", GoodsReceipt, "received")
                or Decimal("0"),
                accepted=_decimal(request.POST.get("accepted", ""), "accepted", GoodsReceipt, "accepted")
                or Decimal("0"),
                disposition=request.POST.get("disposition", ""),
                notes=request.POST.get("notes", ""),
            )
        elif verb in {"reserve", "pick", "check", "pack"}:
            _warehouse_step(request, order, verb, actor)
        else:
            raise Http404
        messages.success(request, _("已完成。"))
    except ValueError:
        messages.error(request, _("日期：格式不正确，应为 YYYY-MM-DD。"))
    except FieldErrors as exc:
        for msgs in exc.errors.values():
            for m in msgs:
                messages.error(request, m)
    except (ActionError, workflow.WorkflowError) as exc:
        messages.error(request, exc.message)
    return redirect("workbench:order_detail", pk=order.pk)


@login_required
def task_redirect(request: HttpRequest, pk: int) -> HttpResponse:
    """From "my work" to the order page, where the department's task is completed."""
    task = get_object_or_404(DepartmentTask, pk=pk)
    return redirect("workbench:order_detail", pk=task.order_id)


def _warehouse_step(request: HttpRequest, order: Any, verb: str, actor: User) -> None:
    if verb == "reserve":
        actions.reserve(
            actor=actor,
            order=order,
            line_id=int(request.POST.get("line") or 0),
            stock_level_id=int(request.POST.get("stock_level") or 0),
            quantity=_decimal(request.POST.get("quantity", ""), "quantity", Reservation, "quantity")
            or Decimal("0"),
        )
        return
    reservation = get_object_or_404(Reservation, pk=request.POST.get("reservation") or 0, order=order)
    if verb == "pick":
        actions.pick(actor=actor, reservation=reservation)
    elif verb == "check":
        actions.second_check(
            actor=actor,
            reservation=reservation,
            counted=_decimal(request.POST.get("counted", ""), "counted", Reservation, "quantity"),
        )
    else:
        actions.pack(actor=actor, reservation=reservation, packing=request.POST.get("packing", ""))


@login_required
def picking(request: HttpRequest) -> HttpResponse:
    """G-4: the warehouse's picking list by priority."""
    assert isinstance(request.user, User)
    if request.user.department_kind != "warehouse" and request.user.role not in {"admin", "executive"}:
        raise Http404
    return render(request, "fulfilment/picking.html", {"rows": selectors.picking_list(request.user)})
