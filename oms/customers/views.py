from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from oms.accounts.permissions import can_manage_master_data
from oms.core.errors import FieldErrors
from oms.customers import actions, selectors
from oms.customers.forms import PortalAccessForm, RevokeForm
from oms.customers.models import Contact, Customer
from oms.web.listing import Column, ListSpec
from oms.web.pages import actor, attempt

CUSTOMER_SPEC = ListSpec(
    model=Customer,
    prefix="customers:customer",
    title=_("客户"),
    columns=[
        Column("code"),
        Column("name"),
        Column("region__name", _("区域")),
        Column("grade"),
        Column("is_key"),
        Column("credit_limit", group="price"),
        Column("credit_rating"),
        Column("payment_terms"),
        Column("phone", group="contact"),
        Column("owner", sortable=False),
        Column("active"),
    ],
    selector=selectors.customers_for,
    filters=("region", "grade", "is_key", "credit_rating", "payment_terms", "active"),
    form_fields=(
        "code",
        "name",
        "region",
        "grade",
        "is_key",
        "credit_limit",
        "credit_rating",
        "payment_terms",
        "statement_day",
        "due_day",
        "phone",
        "address",
        "invoice_title",
        "tax_number",
        "bank_name",
        "bank_account",
        "invoice_address",
        "invoice_phone",
        "owner",
        "department",
        "notes",
        "blocked",
        "blocked_reason",
        "active",
    ),
    field_groups={"credit_limit": "price", "phone": "contact", "address": "contact"},
    create=actions.create_customer,
    update=actions.update_customer,
    can_edit=can_manage_master_data,
)

CONTACT_SPEC = ListSpec(
    model=Contact,
    prefix="customers:contact",
    title=_("联系人"),
    columns=[
        Column("customer__code", _("客户代码")),
        Column("customer__name", _("客户名称")),
        Column("name"),
        Column("title"),
        Column("phone", group="contact"),
        Column("email", group="contact"),
        Column("is_primary"),
    ],
    selector=selectors.contacts_for,
    search_fields=("name", "customer__code", "customer__name", "customer__pinyin"),
    filters=("is_primary",),
    form_fields=("customer", "name", "title", "phone", "email", "is_primary", "active"),
    field_groups={"phone": "contact", "email": "contact"},
    row_links=((_("门户账号"), "customers:contact_portal"),),
    create=actions.create_contact,
    update=actions.update_contact,
    can_edit=can_manage_master_data,
)


def customer_picker(request: HttpRequest) -> HttpResponse:
    """Search customers by code, name or pinyin initials; an htmx fragment for pickers."""
    items = selectors.customer_choices(request.user, request.GET.get("q", "").strip())
    return render(
        request, "core/picker_options.html", {"items": items, "target": request.GET.get("target", "")}
    )


@login_required
def contact_portal(request: HttpRequest, pk: int) -> HttpResponse:
    """B-8: the administrator opens a contact's own portal login (the initial password is shown
    once) or stops it."""
    if not can_manage_master_data(request.user):
        raise Http404
    contact = get_object_or_404(selectors.contacts_for(request.user), pk=pk)
    account = selectors.portal_accounts_of(contact.customer).filter(contact=contact).first()
    errors: dict[str, list[str]] = {}
    password = ""
    if request.method == "POST" and request.POST.get("verb") == "revoke" and account is not None:
        current = account
        attempt(
            request,
            lambda: actions.revoke_portal_access(
                actor=actor(request), account=current, version=RevokeForm(request.POST).version_seen()
            ),
            gettext("门户账号已停用。"),
        )
        return redirect("customers:contact_portal", pk=contact.pk)
    form = PortalAccessForm(request.POST)
    if request.method == "POST":
        try:
            if not form.is_valid():
                raise FieldErrors({k: [str(m) for m in ms] for k, ms in form.errors.items()})
            account, password = actions.grant_portal_access(
                actor=actor(request), contact=contact, username=form.cleaned_data["username"]
            )
        except FieldErrors as exc:
            errors = exc.errors
    return render(
        request,
        "customers/contact_portal.html",
        {
            "contact": contact,
            "account": account,
            "password": password,
            "errors": errors,
            "username": request.POST.get("username", "")
            or (account.user.username if account else contact.email),
        },
        status=422 if errors else 200,
    )
