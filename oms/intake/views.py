"""Pages of intake: inquiries (B-2) and spreadsheet import (B-9). The order's own pages (list,
entry, the order page, my work) are in `oms.workbench`. Thin: selectors read, actions write."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from oms.accounts.models import User
from oms.core.errors import ActionError, FieldErrors
from oms.engine import workflow
from oms.intake import actions, importing
from oms.intake.forms import ImportForm, InquiryForm
from oms.intake.models import ImportBatch
from oms.orders import permissions, states
from oms.orders.models import Inquiry
from oms.orders.selectors import inquiries_for
from oms.web.listing import Column, ListSpec, workbook_bytes, xlsx_response
from oms.web.pages import actor as _actor

# --- inquiries -----------------------------------------------------------------------------

INQUIRY_SPEC = ListSpec(
    model=Inquiry,
    prefix="intake:inquiry",
    title=gettext_lazy("咨询"),
    columns=[
        Column("created_at"),
        Column("customer__name", gettext_lazy("客户")),
        Column("prospect_name"),
        Column("contact_name"),
        Column("channel"),
        Column("status"),
        Column("received_by", sortable=False),
        Column("assigned_to", sortable=False),
    ],
    selector=inquiries_for,
    search_fields=("customer__name", "customer__pinyin", "prospect_name", "contact_name", "content"),
    filters=("status", "channel"),
    date_field="created_at__date",
    detail_url_name="intake:inquiry_detail",
    actions_template="intake/inquiry_list_actions.html",
)


@login_required
def inquiry_new(request: HttpRequest) -> HttpResponse:
    if not permissions.can_record_inquiry(request.user):
        raise Http404
    form = InquiryForm(request.POST or None)
    salespeople = User.objects.filter(department__kind="sales", is_active=True).order_by("username")
    if request.method == "POST" and form.is_valid():
        assignee = salespeople.filter(pk=request.POST.get("assignee") or 0).first()
        try:
            inquiry = actions.record_inquiry(actor=_actor(request), data=form.cleaned_data, assignee=assignee)
        except FieldErrors as exc:
            for name, msgs in exc.errors.items():
                for m in msgs:
                    form.add_error(name if name in form.fields else None, m)
        else:
            messages.success(request, _("已登记咨询。"))
            return redirect("intake:inquiry_detail", pk=inquiry.pk)
    return render(
        request,
        "intake/inquiry_form.html",
        {"form": form, "salespeople": salespeople},
        status=400 if form.errors else 200,
    )


def _assign(request: HttpRequest, inquiry: Inquiry) -> None:
    assignee = get_object_or_404(User, pk=request.POST.get("assignee") or 0)
    actions.assign_inquiry(actor=_actor(request), inquiry=inquiry, assignee=assignee)


def _close(request: HttpRequest, inquiry: Inquiry) -> None:
    actions.close_inquiry(actor=_actor(request), inquiry=inquiry, reason=request.POST.get("reason", ""))


# B-2: the inquiry page's buttons (`verb`) and what each does; converting opens the order form.
_INQUIRY_VERBS = {"assign": _assign, "close": _close}


@login_required
def inquiry_page(request: HttpRequest, pk: int) -> HttpResponse:
    inquiry = inquiries_for(request.user).filter(pk=pk).first()
    if inquiry is None:
        raise Http404
    if request.method == "POST":
        verb = request.POST.get("verb") or ""
        if verb == "convert":
            return redirect("workbench:inquiry_convert", pk=inquiry.pk)
        try:
            if verb in _INQUIRY_VERBS:
                _INQUIRY_VERBS[verb](request, inquiry)
        except (workflow.WorkflowError, ActionError) as exc:
            messages.error(request, exc.message)
        return redirect("intake:inquiry_detail", pk=inquiry.pk)
    return render(
        request,
        "intake/inquiry_detail.html",
        {
            "inquiry": inquiry,
            "buttons": states.INQUIRY.available(inquiry, request.user),
            "salespeople": User.objects.filter(department__kind="sales", is_active=True).order_by("username"),
            "orders": list(inquiry.orders.all()),
        },
    )


# --- import --------------------------------------------------------------------------------


@login_required
def import_upload(request: HttpRequest) -> HttpResponse:
    if not permissions.can_enter_orders(request.user):
        raise Http404
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            # B-9: an oversized upload is refused before it is read into memory.
            importing.check_upload_size(upload.size or 0)
            batch = actions.preview_import(
                actor=_actor(request), file_name=upload.name, content=upload.read()
            )
        except FieldErrors as exc:
            for m in exc.errors.get("file", []):
                form.add_error("file", m)
        else:
            return redirect("intake:import_preview", pk=batch.pk)
    return render(
        request,
        "intake/import.html",
        {"form": form, "headers": importing.template_headers()},
        status=400 if form.errors else 200,
    )


def import_template(request: HttpRequest) -> HttpResponse:
    """B-9: the empty template, written by the one export writer like every other Excel file."""
    content = workbook_bytes([(_("订单导入"), importing.template_headers(), [])], mark=None)
    return xlsx_response(content, "order-import-template.xlsx")


@login_required
def import_preview(request: HttpRequest, pk: int) -> HttpResponse:
    batch = get_object_or_404(ImportBatch, pk=pk, created_by=request.user)
    if request.method == "POST":
        if request.POST.get("verb") == "confirm":
            try:
                numbers = actions.confirm_import(actor=_actor(request), batch=batch)
            except ActionError as exc:
                messages.error(request, exc.message)
                return redirect("intake:import_preview", pk=batch.pk)
            messages.success(
                request, _("已导入 %(n)s 张订单：%(l)s") % {"n": len(numbers), "l": "、".join(numbers)}
            )
            return redirect("workbench:order_list")
        actions.cancel_import(actor=_actor(request), batch=batch)
        messages.info(request, _("已取消导入，未保存任何订单。"))
        return redirect("workbench:order_list")
    return render(request, "intake/import_preview.html", {"batch": batch})
