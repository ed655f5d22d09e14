"""The customer's statement of account (往来对账单, issue 23 point 2, L-4): a page with the
customer and period to choose, printable (HTML and PDF) and exported to Excel."""

from __future__ import annotations

from datetime import date
from html import escape
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from oms.billing import account
from oms.core.money import format_amount
from oms.core.printing import printable
from oms.policy.selectors import policy
from oms.policy.visibility import visible_field_groups
from oms.web.listing import table_xlsx, watermark


class AccountForm(forms.Form):
    """Whose statement, and for which period (both days included). The customer is the one the
    search field names (its code, the picked "code name", or an exact name), else the one given
    by key (the page's own links), as the payment form's (issue 21)."""

    customer = forms.CharField(label=gettext_lazy("客户"), required=False)
    customer_q = forms.CharField(label=gettext_lazy("客户"), max_length=240, required=False)
    start = forms.DateField(label=gettext_lazy("起始日期"))
    end = forms.DateField(label=gettext_lazy("截止日期"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (data.get("customer") or "").strip() and not (data.get("customer_q") or "").strip():
            self.add_error("customer", _("请选择客户。"))
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            raise forms.ValidationError(_("起始日期不能晚于截止日期。"))
        return data


def _period_defaults() -> dict[str, str]:
    today = timezone.localdate()
    return {"start": f"{date(today.year, 1, 1):%Y-%m-%d}", "end": f"{today:%Y-%m-%d}"}


def _lines(statement: account.AccountStatement) -> SafeString:
    """The statement's lines as table rows, written out at once (issue 21: a customer's year is
    hundreds of lines of eight cells; the same cells the template wrote, text escaped)."""

    def amount(value: Any) -> str:
        return format_amount(value) if value else ""

    return mark_safe(  # noqa: S308 — every text cell is escaped here
        "".join(
            f"<tr><td>{ln.on:%Y-%m-%d}</td><td>{escape(ln.kind)}</td><td>{escape(ln.number)}</td>"
            f"<td>{escape(ln.order)}</td><td>{escape(ln.reference)}</td>"
            f'<td class="text-end">{amount(ln.debit)}</td><td class="text-end">{amount(ln.credit)}</td>'
            f'<td class="text-end">{format_amount(ln.balance)}</td></tr>'
            for ln in statement.lines
        )
    )


@login_required
def statement_of_account(request: HttpRequest) -> HttpResponse:
    """Issue 23, L-4: opening balance, each invoice, red-letter invoice and payment of the period
    with its running balance, closing balance; `?format=pdf` prints it, `?export=xlsx` exports it."""
    if "price" not in visible_field_groups(request.user):
        raise Http404
    typed = {**_period_defaults(), **request.GET.dict()}
    bound = "customer" in request.GET or "customer_q" in request.GET
    form = AccountForm(typed if bound else None)
    # Issue 21: the customer is searched (`customer_picker`); the page lists none of them.
    context: dict[str, Any] = {"typed": typed, "watermark": watermark(request.user)}
    if not form.is_bound:
        return render(request, "billing/account.html", context)
    if not form.is_valid():
        context["errors"] = [str(m) for msgs in form.errors.values() for m in msgs]
        return render(request, "billing/account.html", context, status=422)
    searched = form.cleaned_data["customer_q"]
    customer = account.customer_for_statement(
        request.user, form.cleaned_data["customer"], searched, opening_on=form.cleaned_data["start"]
    )
    if customer is None and searched.strip():
        # None, several or none in scope have what was typed: the same answer for each (S-1).
        context["errors"] = [_("请选择客户。")]
        return render(request, "billing/account.html", context, status=422)
    if customer is None:
        raise Http404
    typed.update(customer=str(customer.pk), customer_q=str(customer))
    statement = account.statement_of_account(customer, form.cleaned_data["start"], form.cleaned_data["end"])
    name = f"{customer.code}-{statement.start:%Y%m%d}-{statement.end:%Y%m%d}"
    if request.GET.get("export") == "xlsx":
        return table_xlsx(
            _("往来对账单 %(c)s") % {"c": customer.code},
            [str(c) for c in account.COLUMNS],
            account.export_rows(statement),
            viewer=request.user,
        )
    context.update(
        {
            "statement": statement,
            "lines": _lines(statement),
            "company": policy().company,
            "query": request.GET.urlencode(),
        }
    )
    if request.GET.get("print") or request.GET.get("format") == "pdf":
        return printable(request, "billing/account_print.html", context, filename=f"statement-{name}.pdf")
    return render(request, "billing/account.html", context)


@login_required
def customer_picker(request: HttpRequest) -> HttpResponse:
    """L-4, issue 21: the statement's customers, searched (code, name or pinyin initials): those
    with invoices in the user's scope, 20 at most; an htmx fragment for its picker."""
    if "price" not in visible_field_groups(request.user):
        raise Http404
    found = account.statement_customers(request.user, request.GET.get("customer_q", "").strip()[:100])
    return render(request, "core/picker_options.html", {"items": found})
