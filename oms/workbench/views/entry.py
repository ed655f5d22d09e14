"""The order list and the order form (B-2, B-3, D-3): entry, editing, an inquiry turned into an
order, and a customer's modification inside the window after confirmation. Every error is shown
next to its field or line, what the user typed is kept, and nothing is saved."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from oms.catalog.models import Product
from oms.core.errors import ActionError, FieldErrors, StaleVersion
from oms.core.money import plain_number
from oms.customers.selectors import customers_for
from oms.intake import actions as intake
from oms.orders import permissions
from oms.orders.forms import OrderHeaderForm, posted_lines
from oms.orders.models import EDITABLE_STATUSES, HEADER_FIELDS, Inquiry, OrderStatus, SalesOrder
from oms.orders.selectors import (
    inquiries_for,
    lines_of,
    number_search,
    order_detail,
    orders_for,
    salespeople_for,
)
from oms.policy import selectors as policy_selectors
from oms.policy.visibility import visible_field_groups
from oms.review import actions as review_actions
from oms.tracking.models import WorkItem, WorkStatus
from oms.web.listing import Column, ListSpec
from oms.web.pages import actor as _actor
from oms.workbench.views.order import apply_verb


def _overdue(qs: QuerySet[Any], user: Any) -> QuerySet[Any]:
    late = WorkItem.objects.filter(
        content_type=ContentType.objects.get_for_model(SalesOrder),
        object_id=OuterRef("pk"),
        status=WorkStatus.OPEN,
        overdue=True,
    )
    return qs.filter(Exists(late))


def _order_classes() -> list[tuple[str, str]]:
    return [(c.code, c.shown_label) for c in policy_selectors.policy().order_classes]


def customer_choices(user: Any, only: str | None = None) -> list[tuple[str, str]]:
    """The customer filter's options: active customers the user may see (S-1), by code; `only`:
    the one chosen, to print it (issue 21: fetched by the page, not printed into it)."""
    qs = customers_for(user).filter(active=True)
    if only is not None:
        qs = qs.filter(pk=only) if only.isdigit() else qs.none()
    return [
        (str(pk), f"{code} {name}")
        for pk, code, name in qs.order_by("code").values_list("pk", "code", "name")[:500]
    ]


def salesperson_choices(user: Any, only: str | None = None) -> list[tuple[str, str]]:
    """The salesperson filter's options: those whose orders the user may see (S-1)."""
    qs = salespeople_for(user)
    if only is not None:
        qs = qs.filter(pk=only) if only.isdigit() else qs.none()
    return [
        (str(u.pk), str(u))
        for u in qs.order_by("username").only("pk", "username", "first_name", "last_name")[:200]
    ]


ORDER_SPEC = ListSpec(
    model=SalesOrder,
    prefix="workbench:order",
    title=gettext_lazy("订单"),
    columns=[
        Column("number"),
        Column("customer__name", gettext_lazy("客户")),
        Column("order_date"),
        Column("order_class"),
        Column("channel"),
        Column("status"),
        Column("total_amount", group="price"),
        Column("delivery_date"),
        Column("salesperson", sortable=False),
        Column("submitted_at"),
    ],
    selector=orders_for,
    search_fields=("number", "customer__name", "customer__code", "customer__pinyin", "external_ref"),
    search_conditions={"number": number_search},
    filters=("status", "order_class", "channel", "salesperson", "customer"),
    choices={"order_class": _order_classes},
    scoped_choices={"salesperson": salesperson_choices, "customer": customer_choices},
    date_field="order_date",
    flag_filters={"overdue": (gettext_lazy("仅超时"), _overdue)},
    detail_url_name="workbench:order_detail",
    actions_template="workbench/order_list_actions.html",
    page_fields=(
        "number",
        "customer__name",
        "order_date",
        "order_class",
        "channel",
        "status",
        "total_amount",
        "delivery_date",
        *(f"salesperson__{f}" for f in ("username", "first_name", "last_name")),  # User.__str__
        "submitted_at",
    ),
)


def _line_rows(request: HttpRequest, order: SalesOrder | None) -> list[dict[str, Any]]:
    """Rows for the line editor: what was posted, else the order's lines (the order edited or
    the one copied), else one empty row."""
    if request.method == "POST":
        rows = posted_lines(request.POST)
        products = Product.objects.in_bulk([r["product"] for r in rows if isinstance(r.get("product"), int)])
        return [{**r, "product_label": str(products.get(r["product"], ""))} for r in rows] or [{}]
    if order is not None:
        return [
            {
                "product": ln.product_id,
                "product_label": str(ln.product),
                "spec": ln.spec,
                # None: the stored value is no number (P-1); an empty field lets it be repaired.
                "quantity": plain_number(ln.quantity) if ln.quantity is not None else "",
                "unit": ln.unit,
                "unit_price": plain_number(ln.unit_price) if ln.unit_price is not None else "",
            }
            for ln in lines_of(order)
        ]
    return [{}]


# What a copied order does not take over (issue 23 point 7): its own date and delivery date are
# new, and the customer's reference and original document belong to the order copied.
_NOT_COPIED = {"order_date", "delivery_date", "external_ref", "original_document"}


def _initial(
    order: SalesOrder | None, inquiry: Inquiry | None, source: SalesOrder | None = None
) -> dict[str, Any]:
    """A new order starts today in the normal class; one from an inquiry takes its contact, one
    copied from an earlier order its header (issue 23 point 7)."""
    initial: dict[str, Any] = {"order_date": timezone.localdate(), "order_class": "normal"}
    if source is not None:
        initial.update({f: getattr(source, f) for f in HEADER_FIELDS if f not in _NOT_COPIED})
        initial["customer"] = source.customer_id
    if inquiry is not None:
        initial.update(
            {
                "customer": inquiry.customer_id,
                "contact_name": inquiry.contact_name,
                "contact_phone": inquiry.contact_phone,
                "channel": inquiry.channel,
            }
        )
    if order is not None:
        initial["version"] = order.version
    return initial


def _save(
    request: HttpRequest, form: OrderHeaderForm, order: SalesOrder | None, inquiry: Inquiry | None
) -> SalesOrder:
    """The one action the form stands for: convert an inquiry, create, apply a customer's
    modification (D-3) or edit."""
    lines = posted_lines(request.POST)
    reason = form.cleaned_data.get("duplicate_reason", "")
    version = form.cleaned_data.get("version") or 0
    actor = _actor(request)
    if order is None and inquiry is not None:
        return intake.convert_inquiry(
            actor=actor, inquiry=inquiry, data=form.header(), lines=lines, duplicate_reason=reason
        )
    if order is None:
        return intake.create_order(actor=actor, data=form.header(), lines=lines, duplicate_reason=reason)
    if order.status == OrderStatus.CONFIRMED:
        return review_actions.apply_customer_modification(
            actor=actor,
            order=order,
            description=request.POST.get("modification", ""),
            data=form.header(),
            lines=lines,
            version=version,
        )
    return intake.update_order(
        actor=actor, order=order, data=form.header(), lines=lines, version=version, duplicate_reason=reason
    )


@dataclass
class _Outcome:
    """What a refused save leaves for the form: the status, the lines' errors, suspected duplicates."""

    status: int = 200
    line_errors: dict[str, list[str]] = field(default_factory=dict)
    duplicate: list[str] = field(default_factory=list)


def _refused(form: OrderHeaderForm, exc: ActionError) -> _Outcome:
    """Each refusal shown where it belongs: duplicates (B-9), fields and lines, a stale version."""
    if isinstance(exc, intake.DuplicateSuspected):
        form.add_error("duplicate_reason", exc.message)
        return _Outcome(409, duplicate=exc.numbers)
    if isinstance(exc, FieldErrors):
        outcome = _Outcome(400)
        for name, msgs in exc.errors.items():
            if name.startswith("lines"):
                outcome.line_errors.setdefault(name, []).extend(msgs)
            else:
                for m in msgs:
                    form.add_error(name if name in form.fields else None, m)
        return outcome
    form.add_error(None, exc.message)
    return _Outcome(409 if isinstance(exc, StaleVersion) else 403)


def _render_form(
    request: HttpRequest,
    form: OrderHeaderForm,
    order: SalesOrder | None,
    inquiry: Inquiry | None,
    outcome: _Outcome,
    source: SalesOrder | None = None,
) -> HttpResponse:
    rows = _line_rows(request, order or source)
    for i, row in enumerate(rows):
        row["errors"] = [
            m for k, ms in outcome.line_errors.items() if k.startswith(f"lines.{i}.") for m in ms
        ]
    return render(
        request,
        "workbench/order_form.html",
        {
            "form": form,
            "order": order,
            "inquiry": inquiry,
            "source": source,
            "rows": rows,
            "duplicate": outcome.duplicate,
            "lines_errors": outcome.line_errors.get("lines", []),
            "rows_have_errors": any(r["errors"] for r in rows),
            "show_prices": "price" in visible_field_groups(request.user),
        },
        status=outcome.status,
    )


def _form_page(
    request: HttpRequest,
    order: SalesOrder | None,
    inquiry: Inquiry | None = None,
    source: SalesOrder | None = None,
) -> HttpResponse:
    """B-3: the order form; every error is shown next to its field or line, and nothing is saved."""
    form = OrderHeaderForm(
        request.POST or None,
        request.FILES or None,
        instance=order and SalesOrder.objects.get(pk=order.pk),
        initial=_initial(order, inquiry, source),
    )
    outcome = _Outcome()
    if request.method == "POST" and not form.is_valid():
        outcome = _Outcome(400, line_errors=intake.line_errors(posted_lines(request.POST)))
    elif request.method == "POST":
        try:
            saved = _save(request, form, order, inquiry)
        except ActionError as exc:
            outcome = _refused(form, exc)
        else:
            messages.success(request, _("已保存订单 %(n)s。") % {"n": saved.number})
            if request.POST.get("then") == "submit":
                return apply_verb(request, saved, "submit")
            return redirect("workbench:order_detail", pk=saved.pk)
    return _render_form(request, form, order, inquiry, outcome, source)


def _copy_source(request: HttpRequest) -> SalesOrder | None:
    """Issue 23 point 7: the earlier order a new one is copied from, by `?copy=<id>` (the link on
    an order) or `?copy_number=` (typed on the new-order page); only an order the user may see."""
    if request.method != "GET":
        return None
    pk, number = request.GET.get("copy", ""), request.GET.get("copy_number", "").strip()
    if pk.isdigit():
        return order_detail(request.user, int(pk))
    if number:
        found = orders_for(request.user).filter(number=number).first()
        if found is None:
            messages.error(request, _("没有找到订单 %(n)s。") % {"n": number})
        return found
    return None


@login_required
def order_new(request: HttpRequest) -> HttpResponse:
    """B-3: a new order, empty or copied from an earlier one (a draft, saved by the same action)."""
    if not permissions.can_enter_orders(request.user):
        raise Http404
    return _form_page(request, None, source=_copy_source(request))


@login_required
def order_edit(request: HttpRequest, pk: int) -> HttpResponse:
    order = order_detail(request.user, pk)
    if order is None or not permissions.can_renegotiate(request.user, order):
        raise Http404
    if order.status not in EDITABLE_STATUSES and order.status != OrderStatus.CONFIRMED:
        messages.error(request, _("订单已提交，不能直接修改；请走变更流程。"))
        return redirect("workbench:order_detail", pk=order.pk)
    return _form_page(request, order)


@login_required
def inquiry_convert(request: HttpRequest, pk: int) -> HttpResponse:
    """B-2: the order form, filled from the inquiry it answers."""
    inquiry = inquiries_for(request.user).filter(pk=pk).first()
    if (
        inquiry is None
        or not permissions.can_handle_inquiry(request.user, inquiry)
        or not permissions.can_enter_orders(request.user)
    ):
        raise Http404
    return _form_page(request, None, inquiry=inquiry)
