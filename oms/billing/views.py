"""Settlement statements and invoices on the order page (L-1, L-2). Thin: every write is an action."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from oms.billing import actions, states
from oms.billing import receivables as ledger
from oms.billing.models import Invoice, ReceiptMethod, Statement
from oms.contracts import rendering
from oms.core.errors import ActionError, FieldErrors
from oms.core.money import amount_in_capitals
from oms.customers.models import Customer
from oms.engine import workflow
from oms.orders.selectors import order_detail, orders_for
from oms.policy.selectors import policy
from oms.policy.visibility import visible_field_groups
from oms.web.listing import export_xlsx, watermark
from oms.web.pages import actor, flash_refusal


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


@login_required
@require_POST
def billing(request: HttpRequest, pk: int, verb: str) -> HttpResponse:
    order = order_detail(request.user, pk)
    if order is None:
        raise Http404
    post = request.POST
    try:
        if verb == "statement":
            quantities = {int(k[4:]): v for k, v in post.items() if k.startswith("qty-") and k[4:].isdigit()}
            fees = [(post.get(f"fee-{i}-description", ""), post.get(f"fee-{i}-amount", "")) for i in range(3)]
            statement = actions.prepare_statement(
                actor=actor(request),
                order=order,
                quantities=quantities,
                fees=fees,
                reconciled_with=post.get("reconciled_with", ""),
                reconciled_on=_date(post.get("reconciled_on", "")),
            )
            messages.success(request, _("结算清单 %(s)s 已提交财务审核。") % {"s": statement.number})
        elif verb in {"approve", "return"}:
            statement = get_object_or_404(Statement, pk=post.get("statement") or 0, order=order)
            actions.review_statement(
                actor=actor(request),
                statement=statement,
                approve=verb == "approve",
                comment=post.get("comment", ""),
            )
            messages.success(request, _("已审核。"))
        elif verb == "invoice":
            statement = get_object_or_404(Statement, pk=post.get("statement") or 0, order=order)
            actions.record_invoice(
                actor=actor(request),
                statement=statement,
                invoice_type=post.get("invoice_type", ""),
                number=post.get("number", ""),
                issued_on=_date(post.get("issued_on", "")),
                amount=post.get("amount", ""),
                tax_amount=post.get("tax_amount", ""),
                instalment=order.instalments.filter(pk=post.get("instalment") or 0, superseded=False).first(),
            )
            messages.success(request, _("发票已登记。"))
        elif verb == "instalments":
            schedule = [(_date(post.get(f"due-{i}", "")), post.get(f"amount-{i}", "")) for i in range(6)]
            actions.set_instalments(actor=actor(request), order=order, schedule=schedule)
            messages.success(request, _("分期计划已保存。"))
        elif verb == "close":
            actions.close_order(actor=actor(request), order=order, reason=post.get("reason", ""))
            messages.success(request, _("订单已关闭。"))
        else:
            raise Http404
    except (ActionError, workflow.WorkflowError) as exc:
        flash_refusal(request, exc)
    return redirect("workbench:order_detail", pk=order.pk)


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
        "qr": rendering.qr_svg(statement.number),
    }
    if request.GET.get("format") == "pdf":
        response = HttpResponse(
            rendering.pdf("billing/statement_print.html", context), content_type="application/pdf"
        )
        response["Content-Disposition"] = f'attachment; filename="{statement.number}.pdf"'
        return response
    return render(request, "billing/statement_print.html", context)


@login_required
def statement_redirect(request: HttpRequest, pk: int) -> HttpResponse:
    statement = get_object_or_404(Statement, pk=pk)
    return redirect("workbench:order_detail", pk=statement.order_id)


LEDGER_ROWS = 500


@login_required
def receivables(request: HttpRequest) -> HttpResponse:
    """L-4: the receivables ledger with ageing, for the orders the user may see; Excel export."""
    if "price" not in visible_field_groups(request.user):
        raise Http404
    today = timezone.localdate()
    rows = ledger.ledger(request.user, today=today)
    if request.GET.get("overdue"):
        rows = [r for r in rows if r.overdue > 0]
    if request.GET.get("export") == "xlsx":
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
            "methods": ReceiptMethod.choices,
            "currency": policy().currency,
            "watermark": watermark(request.user),
        },
    )


@login_required
@require_POST
def receipt(request: HttpRequest) -> HttpResponse:
    """L-3, L-6: finance records a receipt; it is matched to the customer's invoices, oldest due first."""
    post = request.POST
    customer = Customer.objects.filter(pk=post.get("customer") or 0).first()
    try:
        if customer is None:
            raise FieldErrors({"customer": _("请选择客户。")})
        actions.record_receipt(
            actor=actor(request),
            customer=customer,
            amount=post.get("amount", ""),
            currency=post.get("currency", ""),
            received_on=_date(post.get("received_on", "")),
            method=post.get("method", ""),
            reference=post.get("reference", ""),
        )
    except (ActionError, workflow.WorkflowError) as exc:
        flash_refusal(request, exc)
    else:
        messages.success(request, _("收款已登记并核销。"))
    return redirect("billing:receivables")


@login_required
def payment_reminder(request: HttpRequest, pk: int) -> HttpResponse:
    """L-5: the payment reminder (催款通知) to a customer: its overdue invoices, printable or PDF."""
    if "price" not in visible_field_groups(request.user):
        raise Http404
    customer = get_object_or_404(Customer, pk=pk)
    today = timezone.localdate()
    invoices = [
        (inv, actions.outstanding(inv), (today - inv.due_date).days)
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
    if request.GET.get("format") == "pdf":
        response = HttpResponse(
            rendering.pdf("billing/reminder_print.html", context), content_type="application/pdf"
        )
        response["Content-Disposition"] = (
            f'attachment; filename="reminder-{customer.code}-{today:%Y%m%d}.pdf"'
        )
        return response
    return render(request, "billing/reminder_print.html", context)


@login_required
@require_POST
def dunning(request: HttpRequest, pk: int) -> HttpResponse:
    """L-5: sales or finance record a dunning step on an invoice."""
    invoice = get_object_or_404(Invoice.objects.select_related("statement__order"), pk=pk)
    if order_detail(request.user, invoice.statement.order_id) is None:
        raise Http404
    try:
        actions.record_dunning(
            actor=actor(request),
            invoice=invoice,
            kind=request.POST.get("kind", ""),
            note=request.POST.get("note", ""),
        )
    except (ActionError, workflow.WorkflowError) as exc:
        flash_refusal(request, exc)
    else:
        messages.success(request, _("催收已登记。"))
    return redirect("workbench:order_detail", pk=invoice.statement.order_id)


@login_required
def invoice_redirect(request: HttpRequest, pk: int) -> HttpResponse:
    invoice = get_object_or_404(Invoice.objects.select_related("statement"), pk=pk)
    return redirect("workbench:order_detail", pk=invoice.statement.order_id)
