"""The customer's statement of account (往来对账单, issue 23 point 2, L-4): a page with the
customer and period to choose, printable (HTML and PDF) and exported to Excel."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from oms.billing import account
from oms.core.printing import printable
from oms.policy.selectors import policy
from oms.policy.visibility import visible_field_groups
from oms.web.listing import table_xlsx, watermark


class AccountForm(forms.Form):
    """Whose statement, and for which period (both days included)."""

    customer = forms.CharField(label=gettext_lazy("客户"))
    start = forms.DateField(label=gettext_lazy("起始日期"))
    end = forms.DateField(label=gettext_lazy("截止日期"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            raise forms.ValidationError(_("起始日期不能晚于截止日期。"))
        return data


def _period_defaults() -> dict[str, str]:
    today = timezone.localdate()
    return {"start": f"{date(today.year, 1, 1):%Y-%m-%d}", "end": f"{today:%Y-%m-%d}"}


@login_required
def statement_of_account(request: HttpRequest) -> HttpResponse:
    """Issue 23, L-4: opening balance, each invoice, red-letter invoice and payment of the period
    with its running balance, closing balance; `?format=pdf` prints it, `?export=xlsx` exports it."""
    if "price" not in visible_field_groups(request.user):
        raise Http404
    typed = {**_period_defaults(), **request.GET.dict()}
    form = AccountForm(typed if "customer" in request.GET else None)
    context: dict[str, Any] = {
        "typed": typed,
        "customers": account.statement_customers(request.user),
        "watermark": watermark(request.user),
    }
    if not form.is_bound:
        return render(request, "billing/account.html", context)
    if not form.is_valid():
        context["errors"] = [str(m) for msgs in form.errors.values() for m in msgs]
        return render(request, "billing/account.html", context, status=422)
    customer = account.customer_for_statement(request.user, form.cleaned_data["customer"])
    if customer is None:
        raise Http404
    statement = account.statement_of_account(customer, form.cleaned_data["start"], form.cleaned_data["end"])
    name = f"{customer.code}-{statement.start:%Y%m%d}-{statement.end:%Y%m%d}"
    if request.GET.get("export") == "xlsx":
        return table_xlsx(
            _("往来对账单 %(c)s") % {"c": customer.code},
            [str(c) for c in account.COLUMNS],
            account.export_rows(statement),
            viewer=request.user,
        )
    context.update({"statement": statement, "company": policy().company, "query": request.GET.urlencode()})
    if request.GET.get("print") or request.GET.get("format") == "pdf":
        return printable(request, "billing/account_print.html", context, filename=f"statement-{name}.pdf")
    return render(request, "billing/account.html", context)
