"""Settlement statements and invoices on the order page (L-1, L-2). Thin: every write is an action."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from functools import partial
from typing import Any

from django import forms as django_forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from oms.accounts.models import User
from oms.billing import actions, forms, ledger_page, payers, selectors, states
from oms.billing import receivables as ledger
from oms.billing.models import DunningKind, Invoice, PaymentMethod, Statement
from oms.core import params
from oms.core.money import amount_in_capitals
from oms.core.printing import printable, qr_svg
from oms.customers.models import Customer
from oms.orders.models import SalesOrder
from oms.orders.permissions import can_renegotiate
from oms.orders.selectors import order_detail, orders_for
from oms.policy.selectors import policy
from oms.policy.visibility import visible_field_groups
from oms.web.downloads import in_background, inline_rows
from oms.web.downloads.actions import queue_page
from oms.web.listing import export_xlsx, watermark
from oms.web.verbs import Gate, Verb, input_form, post_verb, refused_page


def _order_page(order: SalesOrder) -> str:
    return reverse("workbench:order_detail", args=[order.pk])


def _statement_or_404(order: SalesOrder, data: Any) -> Statement:
    statement = forms.statement_of(order, data.get("statement"))
    if statement is None:
        raise Http404
    return statement


def _statement_form(order: SalesOrder, data: Any, files: Any) -> forms.StatementForm:
    return forms.StatementForm(data, billable=selectors.billable(order))


def _review_form(order: SalesOrder, data: Any, files: Any) -> forms.ReviewForm:
    return forms.ReviewForm(data, statement=_statement_or_404(order, data))


def _invoice_form(order: SalesOrder, data: Any, files: Any) -> forms.InvoiceForm:
    return forms.InvoiceForm(data, statement=_statement_or_404(order, data))


def _reversal_form(order: SalesOrder, data: Any, files: Any) -> forms.ReversalForm:
    pk = data.get("invoice")
    invoice = Invoice.objects.filter(statement__order=order, pk=pk if str(pk or "").isdigit() else 0).first()
    if invoice is None:
        raise Http404
    return forms.ReversalForm(data, invoice=invoice)


def _reverse(user: User, order: SalesOrder, form: forms.ReversalForm) -> object:
    data = form.cleaned_data
    return actions.reverse_invoice(
        actor=user,
        invoice=form.target_invoice,
        number=data["number"],
        issued_on=data["issued_on"],
        reason=data["reason"],
    )


def _prepare(user: User, order: SalesOrder, form: forms.StatementForm) -> object:
    return actions.prepare_statement(actor=user, order=order, **form.action_input())


def _review(user: User, order: SalesOrder, form: forms.ReviewForm, *, approve: bool) -> object:
    return actions.review_statement(
        actor=user,
        statement=form.target_statement,
        approve=approve,
        comment=form.cleaned_data["comment"],
    )


def _invoice(user: User, order: SalesOrder, form: forms.InvoiceForm) -> object:
    data = form.cleaned_data
    return actions.record_invoice(
        actor=user,
        statement=form.target_statement,
        invoice_type=data["invoice_type"],
        number=data["number"],
        issued_on=data["issued_on"],
        amount=data["amount"],
        tax_rate=data["tax_rate"],
        instalment=data["instalment"],
    )


def _instalments(user: User, order: SalesOrder, form: forms.InstalmentsForm) -> object:
    return actions.set_instalments(actor=user, order=order, schedule=form.schedule())


def _close(user: User, order: SalesOrder, form: forms.CloseForm) -> object:
    return actions.close_order(actor=user, order=order, reason=form.cleaned_data["reason"])


def _sales_or_finance(user: Any, order: Any) -> bool:
    return can_renegotiate(user, order) or states.in_finance(user)


_FINANCE_REVIEWS = Gate(states.in_finance, gettext_lazy("只有财务可以审核结算清单。"))

VERBS: dict[str, Verb] = {
    "statement": Verb(
        _prepare,
        _statement_form,
        "billing/forms/_statement.html",
        done=lambda r, st: _("结算清单 %(s)s 已提交财务审核。") % {"s": st.number},
        gate=Gate(can_renegotiate, gettext_lazy("只有负责该订单的销售可以编制结算清单。")),
    ),
    "approve": Verb(
        partial(_review, approve=True),
        _review_form,
        "billing/forms/_review.html",
        done=lambda r, x: _("已审核。"),
        gate=_FINANCE_REVIEWS,
    ),
    "return": Verb(
        partial(_review, approve=False),
        _review_form,
        "billing/forms/_review.html",
        done=lambda r, x: _("已审核。"),
        gate=_FINANCE_REVIEWS,
    ),
    "invoice": Verb(
        _invoice,
        _invoice_form,
        "billing/forms/_invoice.html",
        done=lambda r, x: _("发票已登记。"),
        gate=Gate(states.in_finance, gettext_lazy("只有财务可以登记发票。")),
    ),
    "reverse": Verb(
        _reverse,
        _reversal_form,
        "billing/forms/_reverse.html",
        done=lambda r, red: _("红字发票 %(n)s 已登记，原发票已冲红。") % {"n": red.number},
        gate=Gate(states.in_finance, gettext_lazy("只有财务可以开具红字发票。")),
    ),
    "instalments": Verb(
        _instalments,
        input_form(forms.InstalmentsForm),
        "billing/forms/_instalments.html",
        done=lambda r, x: _("分期计划已保存。"),
        gate=Gate(_sales_or_finance, gettext_lazy("只有销售或财务可以制定分期计划。")),
    ),
    "close": Verb(
        _close,
        input_form(forms.CloseForm),
        "billing/forms/_close.html",
        done=lambda r, x: _("订单已关闭。"),
        gate=Gate(states.can_close, gettext_lazy("只有该订单的销售或财务可以关闭订单。")),
    ),
}


@login_required
@require_POST
def billing(request: HttpRequest, pk: int, verb: str) -> HttpResponse:
    """L-1..L-3, M-1: one verb of the order's settlement panel, its input parsed by its form."""
    order = order_detail(request.user, pk)
    if order is None:
        raise Http404
    return post_verb(
        request,
        verbs=VERBS,
        verb=verb,
        target=order,
        back=_order_page(order),
        redisplay=_redisplay,
    )


def _redisplay(
    request: HttpRequest,
    order: SalesOrder,
    verb: Verb,
    form: django_forms.Form,
    errors: Mapping[str, list[str]],
    status: int,
) -> HttpResponse:
    """The refused settlement form on its own page, with what was typed and why (nothing saved)."""
    context = selectors.billing_of(order, request.user)
    context["st"] = getattr(form, "target_statement", None)
    context["inv"] = getattr(form, "target_invoice", None)
    if isinstance(form, forms.StatementForm):
        context["statement_rows"] = form.typed_rows()
        context["fee_rows"] = form.typed_fees()
    if isinstance(form, forms.InstalmentsForm):
        context["schedule_rows"] = form.typed_rows()
    return refused_page(
        request, order=order, form_template=verb.template, form=form, errors=errors, status=status, **context
    )


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


# Issue 21: a page of the ledger; the totals cover every row, the export prints them all.
LEDGER_ROWS = 50
SHOWS = ("open", "settled", "all")


@login_required
def receivables(request: HttpRequest) -> HttpResponseBase:
    """L-4: the receivables ledger with ageing, for the orders the user may see; Excel export.
    Issue 21: the open view (the default) and the overdue view walk the kept unsettled orders,
    with totals over all of them from the kept open balances; the settled and whole ledger page
    through the orders, newest first, with the totals of the page and no count."""
    if "price" not in visible_field_groups(request.user):
        raise Http404
    today = timezone.localdate()
    # Issue 23: settled orders stay on the ledger; finance filters open or settled ones.
    show = request.GET.get("show") or "open"
    show = show if show in SHOWS else "open"
    overdue = bool(request.GET.get("overdue"))
    if request.GET.get("export") == "xlsx":
        rows = ledger.ledger(request.user, today=today, show=show, overdue=overdue)
        if not in_background(request) and len(rows) > inline_rows():
            # Issue 24.2: a long ledger is written by the worker; the user waits on its page.
            queued = queue_page(request, kind="receivables.xlsx", title=_("应收账款台账"))
            return redirect("core:download_status", pk=queued.pk)
        return export_xlsx(
            _("应收账款台账"), ledger.COLUMNS, [*rows, ledger.totals(rows)], viewer=request.user
        )
    is_finance = states.in_finance(request.user)
    context: dict[str, Any] = {
        "columns": ledger.COLUMNS,
        "today": today,
        "is_finance": is_finance,
        "methods": PaymentMethod.choices,
        "currency": policy().currency,
        "watermark": watermark(request.user),
        "show": show,
        "overdue": overdue,
        "shows": [("open", _("未结清")), ("settled", _("已结清")), ("all", _("全部"))],
    }
    number = params.page_param(request)
    if show == "open" or overdue:
        context.update(
            _open_rows(request.user, today, show=show, overdue=overdue, number=number, is_finance=is_finance)
        )
    else:
        page = ledger_page.peek(ledger.orders_page(request.user, today=today, show=show), LEDGER_ROWS, number)
        rows = ledger.rows_of(page.object_list, today)
        context.update(
            rows=rows,
            page=page,
            total=ledger.totals(rows),
            page_total=True,
        )
    # Finance's payment form, offered while someone owes; its customer is searched (`payers`).
    context["owing"] = is_finance and payers.anyone_owes(request.user, today=today)
    context["rows_html"] = ledger_page.rows_html(context["rows"])
    return render(request, "billing/receivables.html", context)


def _open_rows(
    user: Any, today: Any, *, show: str, overdue: bool, number: int, is_finance: bool
) -> dict[str, Any]:
    """Issue 21: a page of the open orders; the totals (and the export) cover every open order."""
    empty = show == "settled"  # a settled order has nothing overdue
    found = ledger.open_ledger(
        user,
        today=today,
        overdue=overdue,
        limit=0 if empty else LEDGER_ROWS,
        page=number,
    )
    open_pages = Paginator(range(0 if empty else found.count), max(LEDGER_ROWS, 1))
    return {
        "rows": [] if empty else found.rows,
        "hidden_rows": 0 if empty else found.count - len(found.rows),
        "page": open_pages.get_page(number) if open_pages.num_pages > 1 else None,
        "total": ledger.totals([]) if empty else found.total,
    }


def _pay(user: User, target: None, form: forms.PaymentForm) -> object:
    data = form.cleaned_data
    return actions.record_payment(
        actor=user,
        customer=data["customer"],
        amount=data["amount"],
        currency=data["currency"],
        received_on=data["received_on"],
        method=data["method"],
        reference=data["reference"],
    )


PAYMENT_VERBS = {
    "payment": Verb(
        _pay,
        input_form(forms.PaymentForm),
        "billing/forms/_payment.html",
        done=lambda r, p: _("收款 %(n)s 已登记并核销。") % {"n": p.number},
        gate=Gate(lambda user, target: states.in_finance(user), gettext_lazy("只有财务可以登记收款。")),
    )
}


@login_required
@require_POST
def payment(request: HttpRequest) -> HttpResponse:
    """L-3, L-6: finance records a payment; it is matched to the customer's invoices, oldest due first."""
    return post_verb(
        request,
        verbs=PAYMENT_VERBS,
        verb="payment",
        target=None,
        back=reverse("billing:receivables"),
        redisplay=_payment_redisplay,
    )


def _payment_redisplay(
    request: HttpRequest,
    target: None,
    verb: Verb,
    form: django_forms.Form,
    errors: Mapping[str, list[str]],
    status: int,
) -> HttpResponse:
    """The refused payment on its own page, with what was typed and why (nothing was saved)."""
    return render(
        request,
        "billing/refused.html",
        {
            "title": _("登记收款"),
            "back": reverse("billing:receivables"),
            "form_template": verb.template,
            "typed": form.data,
            "error_messages": [m for msgs in errors.values() for m in msgs],
            "methods": PaymentMethod.choices,
            "currency": policy().currency,
            "today": timezone.localdate(),
        },
        status=status,
    )


@login_required
def payer_picker(request: HttpRequest) -> HttpResponse:
    """L-3, issue 21: the payment form's customers, searched (code, name or pinyin initials):
    those owing in the finance user's scope, 20 at most; an htmx fragment for its picker."""
    if "price" not in visible_field_groups(request.user) or not states.in_finance(request.user):
        raise Http404
    found = payers.owing_customers(
        request.user, today=timezone.localdate(), q=request.GET.get("customer_q", "").strip()[:100]
    )
    return render(request, "core/picker_options.html", {"items": found})


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


def _dun(user: User, invoice: Invoice, form: forms.DunningForm) -> object:
    data = form.cleaned_data
    return actions.record_dunning(actor=user, invoice=invoice, kind=data["kind"], note=data["note"])


DUNNING_VERBS = {
    "dunning": Verb(
        _dun,
        input_form(forms.DunningForm),
        "billing/forms/_dunning.html",
        done=lambda r, x: _("催收已登记。"),
        gate=Gate(
            lambda user, inv: _sales_or_finance(user, inv.statement.order),
            gettext_lazy("只有销售或财务可以登记催收。"),
        ),
    )
}


@login_required
@require_POST
def dunning(request: HttpRequest, pk: int) -> HttpResponse:
    """L-5: sales or finance record a dunning step on an invoice."""
    invoice = get_object_or_404(Invoice.objects.select_related("statement__order"), pk=pk)
    order = order_detail(request.user, invoice.statement.order_id)
    if order is None:
        raise Http404
    return post_verb(
        request,
        verbs=DUNNING_VERBS,
        verb="dunning",
        target=invoice,
        back=_order_page(order),
        redisplay=lambda req, inv, verb, form, errors, status: refused_page(
            req,
            order=order,
            form_template=verb.template,
            form=form,
            errors=errors,
            status=status,
            inv=inv,
            dunning_kinds=DunningKind.choices,
        ),
    )


@login_required
def invoice_redirect(request: HttpRequest, pk: int) -> HttpResponse:
    invoice = get_object_or_404(Invoice.objects.select_related("statement"), pk=pk)
    return redirect("workbench:order_detail", pk=invoice.statement.order_id)
