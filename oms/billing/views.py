"""Settlement statements and invoices on the order page (L-1, L-2). Thin: every write is an action."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from functools import partial

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from oms.billing import actions, forms, selectors, states
from oms.billing import receivables as ledger
from oms.billing.models import Invoice, PaymentMethod, Statement
from oms.contracts.forms import submit
from oms.core.money import amount_in_capitals
from oms.core.printing import printable, qr_svg
from oms.customers.models import Customer
from oms.orders.models import SalesOrder
from oms.orders.selectors import order_detail, orders_for
from oms.policy.selectors import policy
from oms.policy.visibility import visible_field_groups
from oms.web.downloads import in_background, inline_rows
from oms.web.downloads.actions import queue_page
from oms.web.listing import export_xlsx, watermark
from oms.web.pages import actor


def _order_page(order: SalesOrder) -> str:
    return reverse("workbench:order_detail", args=[order.pk])


def _statement(request: HttpRequest, order: SalesOrder) -> HttpResponse:
    form = forms.StatementForm(request.POST, billable=selectors.billable(order))
    return submit(
        request,
        form,
        lambda _data: actions.prepare_statement(actor=actor(request), order=order, **form.action_input()),
        title=_("编制结算清单"),
        back=_order_page(order),
        success=lambda statement: _("结算清单 %(s)s 已提交财务审核。") % {"s": statement.number},
    )


def _review(request: HttpRequest, order: SalesOrder, *, approve: bool) -> HttpResponse:
    statement = get_object_or_404(Statement, pk=request.POST.get("statement") or 0, order=order)
    return submit(
        request,
        forms.ReviewForm(request.POST),
        lambda data: actions.review_statement(
            actor=actor(request), statement=statement, approve=approve, comment=data["comment"]
        ),
        title=_("审核结算清单 %(s)s") % {"s": statement.number},
        back=_order_page(order),
        success=_("已审核。"),
    )


def _invoice(request: HttpRequest, order: SalesOrder) -> HttpResponse:
    statement = get_object_or_404(Statement, pk=request.POST.get("statement") or 0, order=order)
    return submit(
        request,
        forms.InvoiceForm(request.POST, statement=statement),
        lambda data: actions.record_invoice(
            actor=actor(request),
            statement=statement,
            invoice_type=data["invoice_type"],
            number=data["number"],
            issued_on=data["issued_on"],
            amount=data["amount"],
            tax_amount=data["tax_amount"],
            instalment=data["instalment"],
        ),
        title=_("登记发票（结算清单 %(s)s）") % {"s": statement.number},
        back=_order_page(order),
        success=_("发票已登记。"),
    )


def _instalments(request: HttpRequest, order: SalesOrder) -> HttpResponse:
    form = forms.InstalmentsForm(request.POST)
    return submit(
        request,
        form,
        lambda _data: actions.set_instalments(actor=actor(request), order=order, schedule=form.schedule()),
        title=_("分期计划"),
        back=_order_page(order),
        success=_("分期计划已保存。"),
    )


def _close(request: HttpRequest, order: SalesOrder) -> HttpResponse:
    return submit(
        request,
        forms.CloseForm(request.POST),
        lambda data: actions.close_order(actor=actor(request), order=order, reason=data["reason"]),
        title=_("关闭订单"),
        back=_order_page(order),
        success=_("订单已关闭。"),
    )


VERBS: dict[str, Callable[[HttpRequest, SalesOrder], HttpResponse]] = {
    "statement": _statement,
    "approve": partial(_review, approve=True),
    "return": partial(_review, approve=False),
    "invoice": _invoice,
    "instalments": _instalments,
    "close": _close,
}


@login_required
@require_POST
def billing(request: HttpRequest, pk: int, verb: str) -> HttpResponse:
    """L-1..L-3, M-1: one verb of the order's settlement panel, its input parsed by its form."""
    order = order_detail(request.user, pk)
    handler = VERBS.get(verb)
    if order is None or handler is None:
        raise Http404
    return handler(request, order)


@login_required
def statement_print(request: HttpRequest, pk: int) -> HttpResponse:
    """L-2: the settlement statement as the customer reconciles it: printable or a PDF."""
    statement = get_object_or_404(Statement.objects.select_related("order", "order__customer"), pk=pk)
    if order_detail(request.user, statement.order_id) is None or "price" not in visible_field_groups(
        request.user
    ):
        raise Http404
    context = {
        "statement": statement,
        "order": statement.order,
        "lines": list(statement.lines.select_related("order_line__product").order_by("order_line__line_no")),
        "fees": list(statement.fees.all()),
        "company": statement.order.policy().company,
        "capitals": amount_in_capitals(statement.total),
        "qr": qr_svg(statement.number),
    }
    return printable(request, "billing/statement_print.html", context, filename=f"{statement.number}.pdf")


@login_required
def statement_redirect(request: HttpRequest, pk: int) -> HttpResponse:
    statement = get_object_or_404(Statement, pk=pk)
    return redirect("workbench:order_detail", pk=statement.order_id)


LEDGER_ROWS = 500


@login_required
def receivables(request: HttpRequest) -> HttpResponseBase:
    """L-4: the receivables ledger with ageing, for the orders the user may see; Excel export."""
    if "price" not in visible_field_groups(request.user):
        raise Http404
    today = timezone.localdate()
    rows = ledger.ledger(request.user, today=today)
    if request.GET.get("overdue"):
        rows = [r for r in rows if r.overdue > 0]
    if request.GET.get("export") == "xlsx":
        if not in_background(request) and len(rows) > inline_rows():
            # Issue 24.2: a long ledger is written by the worker; the user waits on its page.
            queued = queue_page(request, kind="receivables.xlsx", title=_("应收账款台账"))
            return redirect("core:download_status", pk=queued.pk)
        return export_xlsx(
            _("应收账款台账"), ledger.COLUMNS, [*rows, ledger.totals(rows)], viewer=request.user
        )
    customers = {r.customer_id: r.customer for r in rows if r.outstanding > 0}
    # Issue 21: the page prints the first rows; the totals and the export cover every row (at
    # 10^6 orders the ledger has half a million rows, 100 s of template time for finance).
    shown = rows[:LEDGER_ROWS]
    return render(
        request,
        "billing/receivables.html",
        {
            "rows": shown,
            "hidden_rows": len(rows) - len(shown),
            "total": ledger.totals(rows),
            "columns": ledger.COLUMNS,
            "today": today,
            "is_finance": states.in_finance(request.user),
            "customers": sorted(customers.items(), key=lambda c: c[1]),
            "methods": PaymentMethod.choices,
            "currency": policy().currency,
            "watermark": watermark(request.user),
        },
    )


@login_required
@require_POST
def payment(request: HttpRequest) -> HttpResponse:
    """L-3, L-6: finance records a payment; it is matched to the customer's invoices, oldest due first."""
    return submit(
        request,
        forms.PaymentForm(request.POST),
        lambda data: actions.record_payment(
            actor=actor(request),
            customer=data["customer"],
            amount=data["amount"],
            currency=data["currency"],
            received_on=data["received_on"],
            method=data["method"],
            reference=data["reference"],
        ),
        title=_("登记收款"),
        back=reverse("billing:receivables"),
        success=_("收款已登记并核销。"),
    )


@login_required
def payment_reminder(request: HttpRequest, pk: int) -> HttpResponse:
    """L-5: the payment reminder (催款通知) to a customer: its overdue invoices, printable or PDF."""
    if "price" not in visible_field_groups(request.user):
        raise Http404
    customer = get_object_or_404(Customer, pk=pk)
    today = timezone.localdate()
    invoices = [
        (inv, ledger.outstanding(inv), (today - inv.due_date).days)
        for inv in Invoice.objects.filter(
            statement__order__in=orders_for(request.user).values("pk"),
            statement__order__customer=customer,
            due_date__lt=today,
        )
        .select_related("statement__order")
        .order_by("due_date")
    ]
    rows = [r for r in invoices if r[1] > 0]
    if not rows:
        raise Http404
    context = {
        "customer": customer,
        "rows": rows,
        "total": sum((r[1] for r in rows), Decimal("0")),
        "company": policy().company,
        "today": today,
    }
    return printable(
        request,
        "billing/reminder_print.html",
        context,
        filename=f"reminder-{customer.code}-{today:%Y%m%d}.pdf",
    )


@login_required
@require_POST
def dunning(request: HttpRequest, pk: int) -> HttpResponse:
    """L-5: sales or finance record a dunning step on an invoice."""
    invoice = get_object_or_404(Invoice.objects.select_related("statement__order"), pk=pk)
    order = order_detail(request.user, invoice.statement.order_id)
    if order is None:
        raise Http404
    return submit(
        request,
        forms.DunningForm(request.POST),
        lambda data: actions.record_dunning(
            actor=actor(request), invoice=invoice, kind=data["kind"], note=data["note"]
        ),
        title=_("登记催收（发票 %(i)s）") % {"i": invoice.number},
        back=_order_page(order),
        success=_("催收已登记。"),
    )


@login_required
def invoice_redirect(request: HttpRequest, pk: int) -> HttpResponse:
    invoice = get_object_or_404(Invoice.objects.select_related("statement"), pk=pk)
    return redirect("workbench:order_detail", pk=invoice.statement.order_id)
