"""Pages of change and cancellation requests (I-1..I-4, J-1). Thin: every write is an action."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from oms.accounts.models import User
from oms.catalog.models import Product
from oms.changes import actions, selectors, states
from oms.changes.forms import (
    AgreementForm,
    ExplanationForm,
    OpinionForm,
    WithdrawForm,
    change_values,
    customer_form,
    customer_input,
    customer_name,
    posted_lines,
    posted_terms,
)
from oms.changes.models import ChangeRequest, ChangeTask, RequestKind, RequestStatus, Source
from oms.core.errors import ActionError, FieldErrors
from oms.core.forms import add_errors
from oms.core.money import plain_number
from oms.core.printing import printable
from oms.customers.models import PaymentTerms
from oms.engine import workflow
from oms.fulfilment import actions as fulfilment
from oms.fulfilment.models import PurchaseOrder
from oms.orders.models import SalesOrder
from oms.orders.permissions import can_renegotiate
from oms.orders.selectors import order_detail
from oms.orders.views import issue_order_link, order_or_404
from oms.policy.visibility import visible_field_groups
from oms.review.models import TaskStatus, Verdict
from oms.web.listing import Column, ListSpec
from oms.web.pages import actor, attempt, flash_refusal
from oms.web.verbs import Gate, Verb, input_form, post_verb

NEW_ROWS = 3

REQUEST_SPEC = ListSpec(
    model=ChangeRequest,
    prefix="changes:request",
    title=gettext_lazy("变更与取消申请"),
    columns=[
        Column("number"),
        Column("order__number", gettext_lazy("订单")),
        Column("order__customer__name", gettext_lazy("客户")),
        Column("kind"),
        Column("source"),
        Column("status"),
        Column("raiser_display", gettext_lazy("申请人"), sortable=False),
        Column("created_at"),
        Column("loss_amount", group="price"),
    ],
    selector=selectors.requests_for,
    search_fields=("number", "order__number", "order__customer__name", "reason"),
    filters=("kind", "status", "source"),
    date_field="created_at__date",
    detail_url_name="changes:request_detail",
)


def _form_rows(order: SalesOrder, post: QueryDict | None) -> list[dict[str, Any]]:
    lines = list(order.lines.select_related("product").order_by("line_no"))
    rows: list[dict[str, Any]] = []
    for i, ln in enumerate(lines):
        p = f"lines-{i}-"
        rows.append(
            {
                "index": i,
                "line": ln,
                "quantity": post.get(p + "quantity", "") if post else plain_number(ln.quantity),
                "unit_price": post.get(p + "unit_price", "") if post else plain_number(ln.unit_price),
                "spec": post.get(p + "spec", "") if post else ln.spec,
                "remove": bool(post and post.get(p + "remove")),
                "errors": [],
            }
        )
    given = post if post is not None else QueryDict()
    product_ids = [
        int(v)
        for i in range(len(lines), len(lines) + NEW_ROWS)
        if (v := given.get(f"lines-{i}-product", "")) and v.isdigit()
    ]
    names = {p.pk: f"{p.code} {p.name}" for p in Product.objects.filter(pk__in=product_ids)}
    for i in range(len(lines), len(lines) + NEW_ROWS):
        p = f"lines-{i}-"
        product = given.get(p + "product", "")
        rows.append(
            {
                "index": i,
                "line": None,
                "product": product,
                "product_label": names.get(int(product)) if product.isdigit() else "",
                "quantity": given.get(p + "quantity", ""),
                "unit_price": given.get(p + "unit_price", ""),
                "spec": given.get(p + "spec", ""),
                "errors": [],
            }
        )
    return rows


@login_required
def new_request(request: HttpRequest, pk: int) -> HttpResponse:
    """I-1, J-1: the change request form (new terms and lines) or the cancellation form (reason,
    expected impact and the loss assessment)."""
    order = order_detail(request.user, pk)
    if order is None or not states.can_raise(request.user, order):
        raise Http404
    kind = request.GET.get("kind") or request.POST.get("kind") or RequestKind.CHANGE
    if kind not in RequestKind.values:
        raise Http404
    show_prices = "price" in visible_field_groups(request.user)
    post = request.POST if request.method == "POST" else None
    rows = _form_rows(order, post)
    errors: dict[str, list[str]] = {}
    if post is not None:
        created, errors = _raise(request, order, kind, show_prices, rows)
        if created is not None:
            messages.success(request, _("申请 %(r)s 已提交，已送相关部门评审。") % {"r": created.number})
            return redirect("changes:request_detail", pk=created.pk)
    return render(
        request,
        "changes/form.html",
        {
            "order": order,
            "kind": kind,
            "rows": rows,
            "values": post or _order_values(order),
            "errors": errors,
            "row_errors": any(r["errors"] for r in rows),
            "sources": Source.choices,
            "payment_terms": PaymentTerms.choices,
            "show_prices": show_prices,
            "facts": actions.loss_facts(order) if kind == RequestKind.CANCELLATION else None,
        },
        status=422 if errors else 200,
    )


def _raise(
    request: HttpRequest, order: SalesOrder, kind: str, show_prices: bool, rows: list[dict[str, Any]]
) -> tuple[ChangeRequest | None, dict[str, list[str]]]:
    """The posted form as typed values, raised as a request; what is refused comes back as errors
    by field, each line's also beside its row."""
    post = request.POST
    lines, row_of = posted_lines(post, order, show_prices)
    change = kind == RequestKind.CHANGE
    data = post.copy()
    data["kind"] = kind
    try:
        values = change_values(
            data, posted_terms(post) if change else None, lines if change else None, request.FILES
        )
        return actions.raise_request(actor=actor(request), order=order, **values), {}
    except FieldErrors as exc:
        for key, msgs in exc.errors.items():
            parts = key.split(".")
            if len(parts) == 3 and parts[1].isdigit() and int(parts[1]) < len(row_of):
                rows[row_of[int(parts[1])]]["errors"].extend(msgs)
        return None, exc.errors
    except ActionError as exc:
        messages.error(request, exc.message)
        return None, {}


def _order_values(order: SalesOrder) -> dict[str, Any]:
    """The form's first values: the order's terms as they are."""
    return {
        "source": Source.CUSTOMER,
        "delivery_date": f"{order.delivery_date:%Y-%m-%d}",
        "delivery_place": order.delivery_place,
        "payment_terms": order.payment_terms,
        "invoice_requirements": order.invoice_requirements,
        "special_requirements": order.special_requirements,
        "needs_customisation": order.needs_customisation,
        "needs_special_packaging": order.needs_special_packaging,
        "needs_special_transport": order.needs_special_transport,
    }


@login_required
def request_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The request: what changes, why, the impact, each department's opinion, the decision, the
    agreement or the loss; the reviewer's form when it is their turn."""
    change = selectors.request_detail(request.user, pk)
    if change is None:
        raise Http404
    opinion = OpinionForm()
    if request.method == "POST" and request.POST.get("verb") == "opinion":
        refused = _opinion(request, change)
        if refused is None:
            return redirect("changes:request_detail", pk=change.pk)
        opinion = refused
    elif request.method == "POST":
        return post_verb(
            request,
            verbs=REQUEST_VERBS,
            verb=request.POST.get("verb", ""),
            target=change,
            back=reverse("changes:request_detail", args=[change.pk]),
            redisplay=_redisplay,
        )
    return _request_page(request, change, opinion)


def _request_page(
    request: HttpRequest,
    change: ChangeRequest,
    opinion: OpinionForm,
    refused: Mapping[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    """The request page; `refused` holds the refused follow-up form by its verb (what was typed and
    the messages by field), shown again as it was filled."""
    tasks = selectors.tasks_of(change)
    user = request.user
    mine = next(
        (t for t in tasks if t.status == TaskStatus.OPEN and actions.may_decide(user, t)),
        None,
    )
    order = change.order
    return render(
        request,
        "changes/request.html",
        {
            "change": change,
            "order": order,
            "tasks": tasks,
            "mine": mine,
            "opinion": opinion,
            "verdicts": Verdict.choices,
            "labels": {n: actions.term_label(n) for n in actions.TERM_ASPECTS},
            "can_withdraw": change.is_open and states.can_withdraw(user, change),
            "is_sales": can_renegotiate(user, order),
            "show_prices": "price" in visible_field_groups(user),
            "facts": change.loss_facts
            if change.kind == RequestKind.CANCELLATION and change.status != RequestStatus.IN_REVIEW
            else (actions.loss_facts(order) if change.kind == RequestKind.CANCELLATION else None),
            "refused": refused or {},
        },
        status=422 if opinion.errors else status,
    )


def _opinion(request: HttpRequest, change: ChangeRequest) -> OpinionForm | None:
    """I-2: the reviewer's opinion. Returns the form to show again with what they typed when the
    input was refused; None when it was taken (or refused outright, with the reason shown)."""
    task_id = request.POST.get("task", "")
    task = get_object_or_404(ChangeTask, pk=int(task_id) if task_id.isdigit() else 0, request=change)
    form = OpinionForm(request.POST)
    try:
        if not form.is_valid():
            return form
        actions.give_opinion(actor=actor(request), task=task, **form.cleaned_data)
    except FieldErrors as exc:
        add_errors(form, exc)
        return form
    except (ActionError, workflow.WorkflowError) as exc:
        flash_refusal(request, exc)
        return None
    messages.success(request, _("意见已提交。"))
    return None


def _sells(user: User, change: ChangeRequest) -> bool:
    return can_renegotiate(user, change.order)


def _withdraw(user: User, change: ChangeRequest, form: WithdrawForm) -> object:
    return actions.withdraw(actor=user, request=change, **form.cleaned_data)


def _sign(user: User, change: ChangeRequest, form: AgreementForm) -> object:
    return actions.sign_agreement(actor=user, request=change, scan=form.cleaned_data["scan"])


def _explain(user: User, change: ChangeRequest, form: ExplanationForm) -> object:
    return actions.record_explanation(actor=user, request=change, text=form.cleaned_data["explanation"])


# What follows the decision (I-3): withdraw the request, file the signed agreement, or record the
# explanation. A refused one shows the page again with what was typed (issue 22).
# Who may post each is asked before the form is read (S-1); the actions ask again under the lock.
REQUEST_VERBS: dict[str, Verb] = {
    "withdraw": Verb(
        _withdraw,
        input_form(WithdrawForm),
        "changes/forms/_withdraw.html",
        lambda r, x: _("申请已撤回。"),
        gate=Gate(
            lambda user, change: workflow.may(states.WITHDRAW, change, user),
            gettext_lazy("只有提出人或负责该订单的销售可以撤回申请。"),
        ),
    ),
    "sign": Verb(
        _sign,
        input_form(AgreementForm),
        "changes/forms/_sign.html",
        lambda r, x: _("变更协议已登记为签订。"),
        gate=Gate(_sells, gettext_lazy("只有负责该订单的销售可以登记变更协议。")),
    ),
    "explain": Verb(
        _explain,
        input_form(ExplanationForm),
        "changes/forms/_explain.html",
        lambda r, x: _("已记录向客户的说明。"),
        gate=Gate(_sells, gettext_lazy("只有负责该订单的销售可以记录向客户的说明。")),
    ),
}


def _redisplay(
    request: HttpRequest,
    change: ChangeRequest,
    verb: Verb,
    form: forms.Form,
    errors: Mapping[str, list[str]],
    status: int,
) -> HttpResponse:
    """The request page again, the refused form as typed with each message beside its field."""
    name = next(k for k, v in REQUEST_VERBS.items() if v is verb)
    refused = {name: {"typed": form.data, "errors": errors}}
    return _request_page(request, change, OpinionForm(), refused, status)


@login_required
def agreement(request: HttpRequest, pk: int) -> HttpResponse:
    """I-3: the change agreement, printable or as a PDF, like the contract."""
    change = selectors.request_detail(request.user, pk)
    if change is None or not change.agreement_html:
        raise Http404
    context = {"request": change, "company": change.order.policy().company}
    return printable(
        request, "changes/agreement_print.html", context, filename=f"{change.agreement_number}.pdf"
    )


@login_required
def attachment(request: HttpRequest, pk: int, which: str) -> FileResponse:
    """The customer's written notice or the signed agreement, for whoever may see the request."""
    change = selectors.request_detail(request.user, pk)
    field = {"notice": "customer_notice", "agreement": "agreement_file"}.get(which)
    if change is None or field is None or not getattr(change, field):
        raise Http404
    file = getattr(change, field)
    return FileResponse(file.open("rb"), as_attachment=True, filename=file.name.rsplit("/", 1)[-1])


@login_required
def task_redirect(request: HttpRequest, pk: int) -> HttpResponse:
    task = get_object_or_404(ChangeTask, pk=pk)
    return redirect("changes:request_detail", pk=task.request_id)


@login_required
def purchase_redirect(request: HttpRequest, pk: int) -> HttpResponse:
    po = get_object_or_404(PurchaseOrder, pk=pk)
    return redirect("workbench:order_detail", pk=po.order_id)


@login_required
@require_POST
def supplier_decision(request: HttpRequest, pk: int) -> HttpResponse:
    """J-1: procurement records the supplier decision on a cancelled order's purchase order."""
    order = order_or_404(request, pk)
    po = get_object_or_404(PurchaseOrder, pk=request.POST.get("po") or 0, order=order)
    attempt(
        request,
        lambda: fulfilment.decide_supplier(
            actor=actor(request),
            po=po,
            decision=request.POST.get("decision", ""),
            note=request.POST.get("note", ""),
        ),
        _("已记录供应商处理决定。"),
    )
    return redirect("workbench:order_detail", pk=order.pk)


@login_required
@require_POST
def customer_link(request: HttpRequest, pk: int) -> HttpResponse:
    """I-1: sales issues the customer a one-time link to ask for a change."""
    shown = _("变更链接（只显示这一次，请发送给客户）：%(u)s")
    return issue_order_link(request, pk, actions.issue_customer_link, "changes:customer_change", shown)


def customer_change(request: HttpRequest, token: str) -> HttpResponse:
    """I-1: the customer's page behind the link: the order as it is, and what they want changed."""
    link = actions.customer_link(token)
    if link is None:
        return render(request, "review/confirm_invalid.html", {"reason": _("变更链接无效。")}, status=404)
    order = link.order
    errors: dict[str, list[str]] = {}
    message = ""
    if request.method == "POST":
        post = request.POST
        try:
            change = actions.request_by_customer(
                token=token, name=customer_name(post), **customer_input(order, post)
            )
        except FieldErrors as exc:
            errors = exc.errors
        except (ActionError, workflow.WorkflowError) as exc:
            message = exc.message
        else:
            return render(request, "changes/customer_done.html", {"order": order, "change": change})
    elif link.used_at is not None:
        return render(
            request, "review/confirm_invalid.html", {"reason": _("该变更链接已使用过。")}, status=410
        )
    given = request.POST if request.method == "POST" else QueryDict()
    return render(
        request,
        "changes/customer.html",
        {
            "order": order,
            "link": link,
            **customer_form(order, given),
            "errors": errors,
            "message": message,
        },
        status=422 if errors else (400 if message else 200),
    )
