"""Pages of intake: orders list, entry with the line editor, the order page with its check,
my work, inquiries and spreadsheet import. Thin: selectors read, actions write."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Exists, OuterRef, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from oms.accounts.models import User
from oms.accounts.permissions import redact
from oms.audit.models import AuditEvent
from oms.billing import selectors as billing_selectors
from oms.catalog.models import Product
from oms.changes import selectors as change_selectors
from oms.contracts.models import Distribution
from oms.core import params
from oms.core.errors import ActionError, FieldErrors, StaleVersion
from oms.core.money import plain_number
from oms.customers.models import Customer
from oms.delivery import selectors as delivery_selectors
from oms.engine import workflow
from oms.fulfilment import selectors as fulfilment_selectors
from oms.fulfilment import states as fulfilment_states
from oms.intake import actions, importing
from oms.intake.forms import ImportForm, InquiryForm, OrderHeaderForm, ReasonForm, posted_lines
from oms.intake.models import ImportBatch
from oms.intake.selectors import check_report
from oms.orders import permissions, states, versions
from oms.orders.history import entries
from oms.orders.models import EDITABLE_STATUSES, Inquiry, OrderStatus, SalesOrder
from oms.orders.selectors import inquiries_for, lines_of, order_detail, orders_for
from oms.policy import selectors as policy_selectors
from oms.policy.visibility import visible_field_groups
from oms.policy.worktime import CalendarMissing
from oms.quality import selectors as quality_selectors
from oms.review import actions as review_actions
from oms.review import selectors as review_selectors
from oms.tracking import selectors as tracking_selectors
from oms.tracking.models import EntryKind, ExceptionKind, WorkItem, WorkStatus
from oms.tracking.permissions import can_record_entry
from oms.tracking.selectors import department_queue, my_work, open_items_of
from oms.web.listing import Column, ListSpec, capped_count, watermark, workbook_bytes, xlsx_response
from oms.web.pages import actor as _actor


def _overdue(qs: QuerySet[Any], user: Any) -> QuerySet[Any]:
    from django.contrib.contenttypes.models import ContentType

    late = WorkItem.objects.filter(
        content_type=ContentType.objects.get_for_model(SalesOrder),
        object_id=OuterRef("pk"),
        status=WorkStatus.OPEN,
        overdue=True,
    )
    return qs.filter(Exists(late))


def _order_classes() -> list[tuple[str, str]]:
    return [(c.code, c.label) for c in policy_selectors.policy().order_classes]


def _customers() -> list[tuple[str, str]]:
    return [
        (str(pk), f"{code} {name}")
        for pk, code, name in Customer.objects.filter(active=True)
        .order_by("code")
        .values_list("pk", "code", "name")[:500]
    ]


def _salespeople() -> list[tuple[str, str]]:
    return [
        (str(u.pk), str(u))
        for u in User.objects.filter(department__kind="sales", is_active=True).order_by("username")[:200]
    ]


ORDER_SPEC = ListSpec(
    model=SalesOrder,
    prefix="intake:order",
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
    filters=("status", "order_class", "channel", "salesperson", "customer"),
    choices={"order_class": _order_classes, "salesperson": _salespeople, "customer": _customers},
    date_field="order_date",
    flag_filters={"overdue": (gettext_lazy("仅超时"), _overdue)},
    detail_url_name="intake:order_detail",
    actions_template="intake/order_list_actions.html",
)


def _hours_left(items: list[WorkItem]) -> list[tuple[WorkItem, Any]]:
    """Working hours left before each deadline (negative once late); None past the calendar."""
    if not items:
        return []
    cal = policy_selectors.work_calendar()
    now = timezone.now()
    result: list[tuple[WorkItem, Any]] = []
    for item in items:
        try:
            result.append((item, cal.working_hours_between(now, item.due_at)))
        except CalendarMissing:
            result.append((item, None))
    return result


def _who(e: AuditEvent) -> str:
    """D-2, I-1: who acted, saying so when it was the customer: their portal login (with their
    company), or the name they typed on a one-time link; staff by their name."""
    actor = e.actor
    if actor is not None and actor.is_customer:
        try:
            company = actor.portal_account.customer.name
        except ObjectDoesNotExist:
            company = ""
        return _("客户%(n)s（%(c)s）· 客户门户") % {"n": e.actor_name, "c": company}
    if actor is None and e.actor_name.startswith("客户："):
        return _("客户%(n)s · 客户链接") % {"n": e.actor_name.removeprefix("客户：")}
    return e.actor_name


def _timeline(events: list[AuditEvent]) -> list[tuple[AuditEvent, Any, str]]:
    """H-1: creation and every change of state, labelled in the user's language, with who acted."""
    labels = dict(OrderStatus.choices)
    result: list[tuple[AuditEvent, Any, str]] = []
    for e in events:
        if e.action == "order.create":
            result.append((e, _("创建"), _who(e)))
        elif e.action.startswith("transition:"):
            result.append((e, labels.get(e.after.get("status"), e.after.get("status")), _who(e)))
    return result


def _line_rows(request: HttpRequest, order: SalesOrder | None) -> list[dict[str, Any]]:
    """Rows for the line editor: what was posted, else the order's lines, else one empty row."""
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


def _form_page(
    request: HttpRequest, order: SalesOrder | None, inquiry: Inquiry | None = None
) -> HttpResponse:
    """B-3: the order form; every error is shown next to its field or line, and nothing is saved."""
    initial: dict[str, Any] = {"order_date": timezone.localdate(), "order_class": "normal"}
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
    form = OrderHeaderForm(
        request.POST or None,
        request.FILES or None,
        instance=order and SalesOrder.objects.get(pk=order.pk),
        initial=initial,
    )
    line_errors: dict[str, list[str]] = {}
    duplicate: list[str] = []
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                lines = posted_lines(request.POST)
                reason = form.cleaned_data.get("duplicate_reason", "")
                if order is None and inquiry is not None:
                    saved = actions.convert_inquiry(
                        actor=_actor(request),
                        inquiry=inquiry,
                        data=form.header(),
                        lines=lines,
                        duplicate_reason=reason,
                    )
                elif order is None:
                    saved = actions.create_order(
                        actor=_actor(request), data=form.header(), lines=lines, duplicate_reason=reason
                    )
                elif order.status == OrderStatus.CONFIRMED:
                    saved = review_actions.apply_customer_modification(
                        actor=_actor(request),
                        order=order,
                        description=request.POST.get("modification", ""),
                        data=form.header(),
                        lines=lines,
                        version=form.cleaned_data.get("version") or 0,
                    )
                else:
                    saved = actions.update_order(
                        actor=_actor(request),
                        order=order,
                        data=form.header(),
                        lines=lines,
                        version=form.cleaned_data.get("version") or 0,
                        duplicate_reason=reason,
                    )
            except actions.DuplicateSuspected as exc:
                duplicate, status = exc.numbers, 409
                form.add_error("duplicate_reason", exc.message)
            except FieldErrors as exc:
                status = 400
                for name, msgs in exc.errors.items():
                    if name.startswith("lines"):
                        line_errors.setdefault(name, []).extend(msgs)
                    else:
                        for m in msgs:
                            form.add_error(name if name in form.fields else None, m)
            except StaleVersion as exc:
                form.add_error(None, exc.message)
                status = 409
            except ActionError as exc:
                form.add_error(None, exc.message)
                status = 403
            else:
                messages.success(request, _("已保存订单 %(n)s。") % {"n": saved.number})
                if request.POST.get("then") == "submit":
                    return _apply(request, saved, "submit")
                return redirect("intake:order_detail", pk=saved.pk)
        else:
            status = 400
            line_errors = actions.line_errors(posted_lines(request.POST))
    rows = _line_rows(request, order)
    for i, row in enumerate(rows):
        row["errors"] = [m for k, ms in line_errors.items() if k.startswith(f"lines.{i}.") for m in ms]
    return render(
        request,
        "intake/order_form.html",
        {
            "form": form,
            "order": order,
            "inquiry": inquiry,
            "rows": rows,
            "duplicate": duplicate,
            "lines_errors": line_errors.get("lines", []),
            "rows_have_errors": any(r["errors"] for r in rows),
            "show_prices": "price" in visible_field_groups(request.user),
        },
        status=status,
    )


@login_required
def order_new(request: HttpRequest) -> HttpResponse:
    if not permissions.can_enter_orders(request.user):
        raise Http404
    return _form_page(request, None)


@login_required
def order_edit(request: HttpRequest, pk: int) -> HttpResponse:
    order = order_detail(request.user, pk)
    if order is None or not permissions.can_renegotiate(request.user, order):
        raise Http404
    if order.status not in EDITABLE_STATUSES and order.status != OrderStatus.CONFIRMED:
        messages.error(request, _("订单已提交，不能直接修改；请走变更流程。"))
        return redirect("intake:order_detail", pk=order.pk)
    return _form_page(request, order)


@login_required
def order_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The order: status, flags, lines, the check's figures, deadline, timeline and audit history (H-1, B-6)."""
    order = order_detail(request.user, pk)
    if order is None:
        # M-3: an archived order is read in the archive; the archive's middleware leads this link
        # there (the index card and the query request form), never to its contents.
        raise Http404
    events = list(
        AuditEvent.objects.filter(object_type="orders.salesorder", object_id=str(order.pk))
        .select_related("actor__portal_account__customer")
        .order_by("id")[:500]
    )
    groups = visible_field_groups(request.user)
    # S-1: the history shows only what the viewer may see of the recorded values.
    history = entries(
        [(e, redact(e.before, groups), redact(e.after, groups), _who(e)) for e in events], order
    )
    items = list(open_items_of(order))
    return render(
        request,
        "intake/order_detail.html",
        {
            "order": order,
            "lines": list(lines_of(order)),
            "history": history,
            "watermark": watermark(request.user),
            "timeline": _timeline(events),
            "items": items,
            "time_left": _hours_left(items),
            "report": check_report(order) if order.status in {"pending_check", "awaiting_decision"} else None,
            "buttons": states.ORDER.available(order, request.user),
            "own_decisions": [str(t.label) for t in states.ORDER.refused_to_raiser(order, request.user)],
            "can_edit": order.status in EDITABLE_STATUSES
            and permissions.can_renegotiate(request.user, order),
            **_review_panel(request, order),
            **change_selectors.order_panel(request.user, order),
            **delivery_selectors.deliveries_of(order, request.user),
            **billing_selectors.billing_of(order, request.user),
            "exceptions": tracking_selectors.exceptions_of(order),
            "ledger": tracking_selectors.ledger_of(order),
            **fulfilment_selectors.execution_of(order),
            **quality_selectors.quality_of(order, request.user),
            "can_release": fulfilment_states.RELEASE
            in fulfilment_states.ORDER_EXECUTION.available(order, request.user),
            # H-3: a department's periodic report is offered to that department only.
            "entry_kinds": [c for c in EntryKind.choices if can_record_entry(request.user, c[0])],
            "exception_kinds": ExceptionKind.choices,
            "people": User.objects.filter(is_active=True, department__isnull=False)
            .select_related("department")
            .order_by("department__code", "username"),
            "show_prices": "price" in visible_field_groups(request.user),
            "reason_form": ReasonForm(),
        },
    )


def _review_panel(request: HttpRequest, order: SalesOrder) -> dict[str, Any]:
    """C-5, D-1, D-2, D-3: the order's review rounds, approval steps and confirmation."""
    deadline = review_actions.modification_deadline(order)
    return {
        "rounds": review_selectors.rounds_of(order),
        "steps": review_selectors.approval_steps_of(order),
        "can_renegotiate": permissions.can_renegotiate(request.user, order),
        "modification_deadline": deadline,
        "modification_open": bool(
            deadline and order.status == OrderStatus.CONFIRMED and timezone.now() <= deadline
        ),
        "modifications": list(order.modifications.select_related("applied_by")),
    }


_VERBS = {
    "resubmit_review": lambda actor, order, reason: review_actions.resubmit_for_review(
        actor=actor, order=order, reason=reason
    ),
    "cancel_after_review": lambda actor, order, reason: review_actions.cancel_after_review(
        actor=actor, order=order, reason=reason
    ),
    "submit": lambda actor, order, reason: actions.submit_order(actor=actor, order=order),
    "cancel_draft": lambda actor, order, reason: actions.cancel_draft(
        actor=actor, order=order, reason=reason
    ),
    "pass_check": lambda actor, order, reason: actions.pass_check(actor=actor, order=order, reason=reason),
    "request_info": lambda actor, order, reason: actions.request_info(
        actor=actor, order=order, reason=reason
    ),
    "complete_info": lambda actor, order, reason: actions.complete_info(
        actor=actor, order=order, reason=reason
    ),
    "escalate": lambda actor, order, reason: actions.escalate(actor=actor, order=order, reason=reason),
    "accept": lambda actor, order, reason: actions.decide(
        actor=actor, order=order, accept=True, reason=reason
    ),
    "decline": lambda actor, order, reason: actions.decide(
        actor=actor, order=order, accept=False, reason=reason
    ),
}


def _apply(request: HttpRequest, order: SalesOrder, verb: str, reason: str = "") -> HttpResponse:
    try:
        _VERBS[verb](_actor(request), order, reason)
    except workflow.WorkflowError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("%(t)s：已完成。") % {"t": states.ORDER.transitions[verb].label})
    return redirect("intake:order_detail", pk=order.pk)


@login_required
def original_document(request: HttpRequest, pk: int) -> FileResponse:
    """B-5: the customer's original document, for whoever may see the order."""
    order = order_detail(request.user, pk)
    if order is None or not order.original_document:
        raise Http404
    return FileResponse(
        order.original_document.open("rb"),
        as_attachment=True,
        filename=Path(order.original_document.name or "document").name,
    )


@login_required
@require_POST
def order_transition(request: HttpRequest, pk: int, verb: str) -> HttpResponse:
    order = order_detail(request.user, pk)
    if order is None or verb not in _VERBS:
        raise Http404
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    return _apply(request, order, verb, reason)


@login_required
def work(request: HttpRequest) -> HttpResponse:
    """H-5, P-3: what waits on me, overdue first; a head also sees the department's queue."""
    mine_qs = my_work(request.user)
    queue_qs = department_queue(request.user)
    mine, queue = list(mine_qs[:WORK_PAGE]), list(queue_qs[:WORK_PAGE])
    # M-4: documents handed to me that I have not signed for yet.
    receipts = list(
        Distribution.objects.filter(recipient_id=request.user.pk, acknowledged_at__isnull=True)
        .select_related("document")
        .order_by("distributed_at")[:WORK_PAGE]
    )
    return render(
        request,
        "intake/work.html",
        {
            "receipts": receipts,
            "mine": _work_rows(mine),
            "queue": _work_rows(queue),
            "mine_more": _more(mine_qs, len(mine)),
            "queue_more": _more(queue_qs, len(queue)),
        },
    )


WORK_PAGE = 100


def _more(qs: QuerySet[Any], shown: int) -> str | int:
    """How many more items wait than are shown, counted no further than `COUNT_CAP` (issue 21)."""
    if shown < WORK_PAGE:
        return 0
    found, capped = capped_count(qs)
    return f"{found - shown}+" if capped else found - shown


_TARGET_URLS = {
    "salesorder": "/orders/{}/",
    "inquiry": "/inquiries/{}/",
    "reviewtask": "/review/tasks/{}/",
    "approvalstep": "/review/approvals/{}/",
    "departmenttask": "/orders/tasks/{}/",
    "changerequest": "/changes/{}/",
    "changetask": "/changes/tasks/{}/",
    "purchaseorder": "/purchase-orders/{}/",
    "statement": "/statements/{}/go/",
    "invoice": "/invoices/{}/go/",
}


def _work_rows(items: list[WorkItem]) -> list[dict[str, Any]]:
    """Rows ready to print: a row costs no template lookups or URL reversals (H-5 at 10^5 orders)."""
    rows = []
    for item, left in _hours_left(items):
        pattern = _TARGET_URLS.get(item.content_type.model)
        rows.append(
            {
                "title": item.title,
                "url": pattern.format(item.object_id) if pattern else "",
                "responsible": str(item.assignee or item.department),
                "due": timezone.localtime(item.due_at).strftime("%Y-%m-%d %H:%M"),
                "late": item.overdue or (left is not None and left < 0),
                "left": left,
                "escalated_to": str(item.escalated_to) if item.escalated_to_id else "",
            }
        )
    return rows


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


@login_required
def inquiry_page(request: HttpRequest, pk: int) -> HttpResponse:
    inquiry = inquiries_for(request.user).filter(pk=pk).first()
    if inquiry is None:
        raise Http404
    if request.method == "POST":
        verb = request.POST.get("verb")
        try:
            if verb == "assign":
                assignee = get_object_or_404(User, pk=request.POST.get("assignee") or 0)
                actions.assign_inquiry(actor=_actor(request), inquiry=inquiry, assignee=assignee)
            elif verb == "close":
                actions.close_inquiry(
                    actor=_actor(request), inquiry=inquiry, reason=request.POST.get("reason", "")
                )
            elif verb == "convert":
                return redirect("intake:inquiry_convert", pk=inquiry.pk)
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


@login_required
def inquiry_convert(request: HttpRequest, pk: int) -> HttpResponse:
    inquiry = inquiries_for(request.user).filter(pk=pk).first()
    if (
        inquiry is None
        or not permissions.can_handle_inquiry(request.user, inquiry)
        or not permissions.can_enter_orders(request.user)
    ):
        raise Http404
    return _form_page(request, None, inquiry=inquiry)


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
            return redirect("intake:order_list")
        actions.cancel_import(actor=_actor(request), batch=batch)
        messages.info(request, _("已取消导入，未保存任何订单。"))
        return redirect("intake:order_list")
    return render(request, "intake/import_preview.html", {"batch": batch})


@login_required
def order_versions(request: HttpRequest, pk: int) -> HttpResponse:
    """I-4: the order's versions and the difference between any two (default: the last two)."""
    order = order_detail(request.user, pk)
    if order is None:
        raise Http404
    all_versions = list(order.versions.select_related("created_by").order_by("number"))
    numbers = [v.number for v in all_versions]
    b = params.int_param(request, "b", numbers[-1] if numbers else 0)
    a = params.int_param(request, "a", numbers[-2] if len(numbers) > 1 else b)
    by_number = {v.number: v for v in all_versions}
    difference = (
        versions.diff(by_number[a].snapshot, by_number[b].snapshot)
        if a in by_number and b in by_number
        else None
    )
    labels = {
        f: getattr(SalesOrder._meta.get_field(f.removesuffix("_id")), "verbose_name", f)
        for f in versions.TERMS
    }
    return render(
        request,
        "intake/versions.html",
        {
            "order": order,
            "versions": all_versions,
            "a": a,
            "b": b,
            "diff": difference,
            "labels": labels,
            "show_prices": "price" in visible_field_groups(request.user),
        },
    )
