"""Release and execution forms on the order page (D-4, F-1, G-2): each verb is a form that parses
the input and a handler that calls the action with it (`oms.web.verbs`)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from oms.accounts.models import Role, User
from oms.core.printing import printable
from oms.fulfilment import actions, permissions, selectors
from oms.fulfilment.forms import (
    CompleteTaskForm,
    IncomingInspectionForm,
    PrepaymentForm,
    ProgressForm,
    PurchaseOrderForm,
    ReservationForm,
    ReservationStepForm,
    ShipmentForm,
)
from oms.fulfilment.models import DepartmentTask, DeptTaskStatus
from oms.fulfilment.states import can_release
from oms.orders.models import SalesOrder
from oms.orders.views import order_form, post_order_verb
from oms.policy import selectors as policy_selectors
from oms.web.verbs import Gate, Verb, chosen, input_form, refused_page_of


def _release(actor: User, order: SalesOrder, form: None) -> object:
    return actions.release_order(actor=actor, order=order)


def _prepayment(actor: User, order: SalesOrder, form: PrepaymentForm) -> object:
    data = form.cleaned_data
    return actions.record_prepayment(
        actor=actor,
        order=order,
        amount=data["amount"] or Decimal("0"),
        received_on=data["received_on"],
        reference=data["reference"],
    )


def _complete(actor: User, order: SalesOrder, form: CompleteTaskForm) -> object:
    return actions.complete_task(actor=actor, task=form.cleaned_data["task"], note=form.cleaned_data["note"])


def _progress(actor: User, order: SalesOrder, form: ProgressForm) -> object:
    data = form.cleaned_data
    return actions.report_progress(
        actor=actor,
        order=order,
        milestone=data["milestone"],
        progress=data["progress"],
        quantity_done=data["quantity_done"] or Decimal("0"),
        material_issued=data["material_issued"],
        notes=data["notes"],
    )


def _ship(actor: User, order: SalesOrder, form: ShipmentForm) -> object:
    return actions.ship(actor=actor, order=order, **form.shipment())


def _purchase(actor: User, order: SalesOrder, form: PurchaseOrderForm) -> object:
    data = form.cleaned_data
    return actions.create_purchase_order(
        actor=actor,
        order=order,
        supplier=data["supplier"],
        lines=[(data["product"], data["quantity"] or Decimal("0"), data["promised_date"])],
    )


def _receive(actor: User, order: SalesOrder, form: IncomingInspectionForm) -> object:
    data = form.cleaned_data
    return actions.receive_goods(
        actor=actor,
        line=data["line"],
        received_on=data["received_on"],
        received=data["received"] or Decimal("0"),
        accepted=data["accepted"] or Decimal("0"),
        disposition=data["disposition"],
        notes=data["notes"],
    )


def _reserve(actor: User, order: SalesOrder, form: ReservationForm) -> object:
    data = form.cleaned_data
    return actions.reserve(
        actor=actor,
        order=order,
        line_id=data["line"].pk,
        stock_level_id=data["stock_level"].pk,
        quantity=data["quantity"] or Decimal("0"),
    )


def _pick(actor: User, order: SalesOrder, form: ReservationStepForm) -> object:
    return actions.pick(actor=actor, reservation=form.cleaned_data["reservation"])


def _check(actor: User, order: SalesOrder, form: ReservationStepForm) -> object:
    data = form.cleaned_data
    return actions.second_check(actor=actor, reservation=data["reservation"], counted=data["counted"])


def _pack(actor: User, order: SalesOrder, form: ReservationStepForm) -> object:
    data = form.cleaned_data
    return actions.pack(actor=actor, reservation=data["reservation"], packing=data["packing"])


def _completes_a_task(user: Any, order: SalesOrder) -> bool:
    """F-1: the user may complete one of the order's open department tasks (`states.COMPLETE_TASK`:
    its assignee, or the head of its department)."""
    mine = (
        Q(assignee=user) | Q(department_id=user.department_id) if user.role == Role.HEAD else Q(assignee=user)
    )
    return DepartmentTask.objects.filter(mine, order=order, status=DeptTaskStatus.OPEN).exists()


_STOCK = Gate(permissions.can_handle_stock, gettext_lazy("只有仓储部门可以操作库存。"))

VERBS: dict[str, Verb] = {
    "release": Verb(
        _release,
        gate=Gate(can_release, gettext_lazy("只有销售部门负责人、订单确认部门或分管领导可以下达订单。")),
    ),
    "prepayment": Verb(
        _prepayment,
        input_form(PrepaymentForm),
        "fulfilment/forms/_prepayment.html",
        gate=Gate(permissions.can_record_prepayment, gettext_lazy("只有财务可以登记预付款。")),
    ),
    "complete": Verb(
        _complete,
        order_form(CompleteTaskForm),
        "fulfilment/forms/_complete.html",
        gate=Gate(_completes_a_task, gettext_lazy("只有任务的负责人或其部门负责人可以完成任务。")),
    ),
    "progress": Verb(
        _progress,
        order_form(ProgressForm),
        "fulfilment/forms/_progress.html",
        gate=Gate(permissions.can_report_progress, gettext_lazy("只有生产部门可以汇报生产进度。")),
    ),
    "ship": Verb(
        _ship,
        order_form(ShipmentForm),
        "fulfilment/forms/_ship.html",
        gate=Gate(permissions.can_ship, gettext_lazy("只有物流或仓储部门可以登记发货。")),
    ),
    "purchase": Verb(
        _purchase,
        order_form(PurchaseOrderForm),
        "fulfilment/forms/_purchase.html",
        gate=Gate(permissions.can_purchase, gettext_lazy("只有采购部门可以做这件事。")),
    ),
    "receive": Verb(
        _receive,
        order_form(IncomingInspectionForm),
        "fulfilment/forms/_receive.html",
        gate=Gate(permissions.can_receive_goods, gettext_lazy("只有质量、采购或仓储部门可以登记到货验收。")),
    ),
    "reserve": Verb(_reserve, order_form(ReservationForm), "fulfilment/forms/_reserve.html", gate=_STOCK),
    "pick": Verb(_pick, order_form(ReservationStepForm), gate=_STOCK),
    "check": Verb(_check, order_form(ReservationStepForm), "fulfilment/forms/_check.html", gate=_STOCK),
    "pack": Verb(_pack, order_form(ReservationStepForm), "fulfilment/forms/_pack.html", gate=_STOCK),
}


@login_required
@require_POST
def execution(request: HttpRequest, pk: int, verb: str) -> HttpResponse:
    """D-4, F-1, G-1, G-2, G-4, G-5: one release or execution action posted from the order page."""
    return post_order_verb(request, pk, verb, verbs=VERBS, redisplay=_redisplay)


def _row(form: forms.Form) -> Any:
    """The record of the order the form was about (a task, milestone, purchase line or
    reservation), when it was a valid choice."""
    rows = (chosen(form, k) for k in ("task", "milestone", "line", "reservation"))
    return next((row for row in rows if row is not None), None)


def _refused(request: HttpRequest, order: SalesOrder, verb: Verb, form: forms.Form) -> dict[str, Any]:
    """What the refused form's part of the page needs besides what was typed (nothing was saved)."""
    context = {**selectors.execution_of(order), "row": _row(form)}
    if isinstance(form, ShipmentForm):
        context["ship_rows"] = form.typed_rows()
    return context


_redisplay = refused_page_of(_refused)


@login_required
def task_redirect(request: HttpRequest, pk: int) -> HttpResponse:
    """From "my work" to the order page, where the department's task is completed."""
    task = get_object_or_404(DepartmentTask, pk=pk)
    return redirect("workbench:order_detail", pk=task.order_id)


def _warehouse_only(user: Any) -> None:
    assert isinstance(user, User)
    if user.department_kind != "warehouse" and user.role not in {"admin", "executive"}:
        raise Http404


@login_required
def picking(request: HttpRequest) -> HttpResponse:
    """G-4: the warehouse's picking list by priority."""
    _warehouse_only(request.user)
    return render(request, "fulfilment/picking.html", {"rows": selectors.picking_list(request.user)})


@login_required
def picking_print(request: HttpRequest) -> HttpResponse:
    """G-4, issue 23 point 6 (下推): the printable picking list generated from the reservations of
    one order or, ticked on the picking page, several (`?order=1&order=2`), else of every order on
    the picking list; PDF with ?format=pdf."""
    _warehouse_only(request.user)
    ids = [int(v) for v in request.GET.getlist("order") if v.isdigit()]
    # None ticked: the whole picking list, order by order.
    ids = ids or list(dict.fromkeys(r.order_id for r in selectors.picking_list(request.user)))
    groups = selectors.picking_of(request.user, ids)
    numbers = "-".join(o.number for o, _rows in groups[:3]) or "none"
    context = {"groups": groups, "company": policy_selectors.policy().company, "qr": "", "numbers": numbers}
    return printable(request, "fulfilment/picking_print.html", context, filename=f"picking-{numbers}.pdf")
