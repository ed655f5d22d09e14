"""The customer portal (B-8, H-1, N-3): a customer's contact follows and acts on their company's
orders, each found through `selectors` with the viewer's account (another's answers 404)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import FieldDoesNotExist
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse, QueryDict
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from oms.accounts import actions as accounts
from oms.accounts.models import API_SCOPES, ApiToken
from oms.catalog.models import Product
from oms.changes import actions as changes
from oms.changes.forms import customer_form, customer_input
from oms.changes.states import CHANGEABLE
from oms.contracts import actions as contracts
from oms.core import params
from oms.core.errors import ActionError, FieldErrors
from oms.core.forms import cleaned
from oms.customers.models import PortalAccount
from oms.delivery import actions as delivery
from oms.delivery.forms import AcceptanceForm
from oms.delivery.models import AcceptanceResult
from oms.delivery.selectors import ACCEPTANCE_CHECKS
from oms.engine import workflow
from oms.feedback import actions as feedback
from oms.feedback.forms import PortalComplaintForm, answer_values
from oms.feedback.models import ComplaintCategory
from oms.intake import actions as intake
from oms.intake.actions import DuplicateSuspected
from oms.notifications import actions as notifications
from oms.notifications.models import Notification
from oms.orders.models import CustomerStage, OrderLine, OrderStatus, SalesOrder
from oms.policy.selectors import policy
from oms.portal import selectors
from oms.portal.forms import PortalOrderForm
from oms.review import actions as review
from oms.web.listing import table_xlsx
from oms.web.pages import actor, attempt

PAGE_SIZE = 20
NEW_LINES = 5  # blank product rows on the order form; more come with "add a line"

View = Callable[..., HttpResponseBase]
T = TypeVar("T")


def portal_page(view: View) -> View:
    """Login required, and a customer's active portal account; anyone else gets 404."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        return view(request, selectors.account_of(request.user), *args, **kwargs)

    return wrapped


def _submit(do: Callable[[], T]) -> tuple[T | None, dict[str, list[str]], ActionError | None]:
    """Run the posted action: its result, or what to show on the form again (nothing was saved)."""
    try:
        return do(), {}, None
    except FieldErrors as exc:
        return None, exc.errors, exc
    except ActionError as exc:
        return None, {"": [exc.message]}, exc
    except workflow.WorkflowError as exc:
        return None, {"": [exc.message]}, None


def _refuse(form: Any) -> Any:
    """A form's own refusal, as the action's would be (each field's messages, nothing saved)."""
    raise FieldErrors({k: [str(m) for m in v] for k, v in form.errors.items()})


def _label(model: Any, name: str) -> str:
    try:
        return str(getattr(model._meta.get_field(name), "verbose_name", name))
    except FieldDoesNotExist:
        return name


def _labelled(errors: dict[str, list[str]]) -> dict[str, list[str]]:
    """Each field's first problem, named by the field's label ("交货日期：请填写…"), since the
    order form shows them together above the fields; a line's by its row ("第 1 行数量：…")."""
    out: dict[str, list[str]] = {}
    for key, msgs in errors.items():
        label = ""
        if key.startswith("lines."):
            _lines, index, name = [*key.split("."), "", ""][:3]
            row = _("第 %(n)s 行") % {"n": int(index) + 1 if index.isdigit() else index}
            label = row + (_label(OrderLine, name) if name else "")
        elif key and key != "lines":
            label = _label(SalesOrder, key)
        out[key] = [f"{label}：{msgs[0]}" if label else msgs[0]]
    return out


def _context(account: PortalAccount, **extra: Any) -> dict[str, Any]:
    return {"account": account, "customer": account.customer, **extra}


@portal_page
def home(request: HttpRequest, account: PortalAccount) -> HttpResponse:
    """H-1: the company's orders with the stage each has reached; what waits for the customer first."""
    stage = request.GET.get("stage", "")
    q = request.GET.get("q", "").strip()
    qs = selectors.order_list(account, stage=stage, q=q)
    if request.GET.get("export") == "xlsx":
        rows = (
            (
                o.number,
                o.external_ref,
                o.order_date,
                o.delivery_date,
                o.total_amount,
                selectors.stage_label(o),
            )
            for o in qs.iterator()
        )
        headers = [_("订单编号"), _("客户单号"), _("下单日期"), _("交货日期"), _("订单金额"), _("进度")]
        return table_xlsx(_("我的订单"), headers, rows, viewer=request.user)
    page = Paginator(qs, PAGE_SIZE).get_page(params.page_param(request))
    base = selectors.orders(account)
    return render(
        request,
        "portal/home.html",
        _context(
            account,
            page=page,
            rows=[(o, selectors.stage_label(o)) for o in page.object_list],
            stage=stage,
            q=q,
            stages=[*CustomerStage.choices, ("to_confirm", _("待您确认")), ("ended", _("已取消/未接单"))],
            to_confirm=base.filter(status=OrderStatus.AWAITING_CONFIRMATION).count(),
            to_accept=selectors.shipments_to_accept(account),
            surveys=selectors.invitations_of(account).count(),
            notices=selectors.open_notices(account),
        ),
    )


@portal_page
def order(request: HttpRequest, account: PortalAccount, number: str) -> HttpResponse:
    """H-1, G-5, K-3: one order: lines, stage, delay notices, shipments with tracking numbers,
    shared documents; confirm it, accept a shipment, complain."""
    found = selectors.order_of(account, number)
    return render(
        request,
        "portal/order.html",
        _context(
            account,
            order=found,
            stage=selectors.stage_label(found),
            ended=found.status in selectors.ENDED,
            shipments=selectors.shipments_of(found),
            documents=list(selectors.documents_of(found)),
            notices=selectors.notices_of(found),
            complaints=list(selectors.complaints_of(account).filter(order=found).order_by("-received_at")),
            can_confirm=found.status == OrderStatus.AWAITING_CONFIRMATION,
            can_complain=found.confirmed_at is not None,
            can_change=found.status in CHANGEABLE,
        ),
    )


@portal_page
@require_POST
def confirm(request: HttpRequest, account: PortalAccount, number: str) -> HttpResponse:
    """D-2: the customer confirms the order the company reviewed and approved."""
    found = selectors.order_of(account, number)
    attempt(
        request,
        lambda: review.confirm_in_portal(actor=actor(request), order=found),
        _("订单已确认，谢谢！"),
    )
    return redirect("portal:order", number=found.number)


@portal_page
def accept(request: HttpRequest, account: PortalAccount, number: str, batch: int) -> HttpResponse:
    """K-3: the customer checks a shipment's appearance, quantity, specification and quality and
    accepts it, with remarks, or rejects it."""
    shipment = selectors.shipment_of(account, number, batch)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        form = AcceptanceForm(shipment, request.POST)
        done, errors, _exc = _submit(
            lambda: (
                delivery.accept_in_portal(actor=actor(request), shipment=shipment, **form.finding())
                if form.is_valid()
                else _refuse(form)
            )
        )
        if done is not None:
            messages.success(request, _("已提交验收结论，谢谢！"))
            return redirect("portal:order", number=number)
    elif not selectors.acceptable(shipment):
        messages.info(request, _("第 %(n)s 批已验收。") % {"n": shipment.number})
        return redirect("portal:order", number=number)
    return render(
        request,
        "portal/accept.html",
        _context(
            account,
            order=shipment.order,
            shipment=shipment,
            lines=list(shipment.lines.select_related("order_line__product").order_by("order_line__line_no")),
            results=AcceptanceResult.choices,
            acceptance_checks=ACCEPTANCE_CHECKS,
            post=request.POST if request.method == "POST" else QueryDict(),
            errors=errors,
            today=f"{timezone.localdate():%Y-%m-%d}",
        ),
        status=422 if errors else 200,
    )


@portal_page
def document(request: HttpRequest, account: PortalAccount, number: str, pk: int) -> FileResponse:
    """A document sales shared with the customer; every download is logged (M-4)."""
    found = selectors.document_of(account, number, pk)
    contracts.log_download(actor=actor(request), document=found)
    return FileResponse(found.file.open("rb"), as_attachment=True, filename=found.file_name)


def _order_lines(post: QueryDict) -> list[dict[str, Any]]:
    """The filled product rows of the form; empty rows are ignored."""
    lines = []
    for product, quantity, spec in zip(
        post.getlist("product"), post.getlist("quantity"), post.getlist("spec"), strict=False
    ):
        if not product and not quantity.strip():
            continue
        lines.append(
            {"product": int(product) if product.isdigit() else 0, "quantity": quantity.strip(), "spec": spec}
        )
    return lines


@portal_page
def order_new(request: HttpRequest, account: PortalAccount) -> HttpResponse:
    """B-8: the customer places an order; it goes to sales' preliminary check at once."""
    errors: dict[str, list[str]] = {}
    duplicate: list[str] = []
    post = request.POST if request.method == "POST" else QueryDict()
    if request.method == "POST":
        form = PortalOrderForm(post)
        placed, errors, exc = _submit(
            lambda: intake.place_customer_order(
                actor=actor(request),
                data=cleaned(form),
                lines=_order_lines(post),
                duplicate_reason=post.get("duplicate_reason", ""),
            )
        )
        errors = _labelled(errors)
        if isinstance(exc, DuplicateSuspected):
            duplicate = exc.numbers
            errors = {"duplicate_reason": [exc.message]}
        if placed is not None:
            messages.success(
                request, _("订单 %(n)s 已提交，我们会尽快审核并与您确认。") % {"n": placed.number}
            )
            return redirect("portal:order", number=placed.number)
    filled = _order_lines(post)
    rows = [*filled, *({} for _n in range(max(NEW_LINES - len(filled), 1)))]
    return render(
        request,
        "portal/order_new.html",
        _context(
            account,
            post=post,
            errors=errors,
            duplicate=duplicate,
            rows=rows,
            products=list(Product.objects.filter(active=True).order_by("code")),
            classes=policy().order_classes,
            contact=account.contact,
        ),
        status=422 if errors else 200,
    )


@portal_page
def change(request: HttpRequest, account: PortalAccount, number: str) -> HttpResponse:
    """I-1: the customer asks for a change of quantities, specifications, delivery date or place,
    with the reason; the departments review it like any other change request."""
    found = selectors.order_of(account, number)
    given = request.POST if request.method == "POST" else QueryDict()
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        done, errors, _exc = _submit(
            lambda: changes.request_in_portal(
                actor=actor(request), order=found, **customer_input(found, given)
            )
        )
        if done is not None:
            messages.success(request, _("变更申请 %(r)s 已提交，评审结果由销售通知您。") % {"r": done.number})
            return redirect("portal:order", number=found.number)
    return render(
        request,
        "portal/change.html",
        _context(account, order=found, errors=errors, **customer_form(found, given)),
        status=422 if errors else 200,
    )


@portal_page
def complaints(request: HttpRequest, account: PortalAccount) -> HttpResponse:
    """N-3: the company's complaints and where each stands."""
    return render(
        request,
        "portal/complaints.html",
        _context(account, items=list(selectors.complaints_of(account).order_by("-received_at")[:200])),
    )


@portal_page
def complaint_new(request: HttpRequest, account: PortalAccount, number: str) -> HttpResponse:
    """N-2, N-3: the customer complains about a confirmed order; the first answer is due within
    the policy's working days."""
    found = selectors.order_of(account, number)
    errors: dict[str, list[str]] = {}
    post = request.POST if request.method == "POST" else QueryDict()
    if request.method == "POST":
        form = PortalComplaintForm(post, request.FILES)
        done, errors, _exc = _submit(
            lambda: feedback.complain_in_portal(actor=actor(request), order=found, **cleaned(form))
        )
        if done is not None:
            messages.success(
                request,
                _("投诉 %(n)s 已受理，我们将在 %(d)s 前答复您。")
                % {"n": done.number, "d": f"{timezone.localtime(done.answer_due_at):%Y-%m-%d %H:%M}"},
            )
            return redirect("portal:complaints")
    return render(
        request,
        "portal/complaint_new.html",
        _context(account, order=found, post=post, errors=errors, categories=ComplaintCategory.choices),
        status=422 if errors else 200,
    )


@portal_page
def money(request: HttpRequest, account: PortalAccount) -> HttpResponse:
    """L-2, L-4: the company's invoices, what is paid and what is still owed."""
    figures = selectors.money(account, timezone.localdate())
    if request.GET.get("export") == "xlsx":
        headers = [
            _("发票号码"),
            _("发票类型"),
            _("订单"),
            _("开票日期"),
            _("应收日期"),
            _("不含税金额"),
            _("税额"),
            _("价税合计"),
            _("已付"),
            _("未付"),
        ]
        rows = (
            (
                i["number"],
                i["type_label"],
                i["order_number"],
                i["issued_on"],
                i["due_date"],
                i["net"],
                i["tax_amount"],
                i["amount"],
                i["paid"],
                i["outstanding"],
            )
            for i in figures["invoices"]
        )
        return table_xlsx(_("发票与付款"), headers, rows, viewer=request.user)
    return render(request, "portal/money.html", _context(account, **figures))


@portal_page
def surveys(request: HttpRequest, account: PortalAccount) -> HttpResponse:
    return render(
        request, "portal/surveys.html", _context(account, items=list(selectors.invitations_of(account)))
    )


@portal_page
def survey(request: HttpRequest, account: PortalAccount, pk: int) -> HttpResponse:
    """N-1, N-3: the customer answers a survey or the closing question of an order."""
    invitation = selectors.invitation_of(account, pk)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        done, errors, _exc = _submit(
            lambda: feedback.answer_in_portal(
                actor=actor(request),
                invitation=invitation,
                values=answer_values(
                    feedback.questions_of(invitation), policy().feedback.score_scale, request.POST
                ),
                comment=request.POST.get("comment", ""),
            )
        )
        if done is not None:
            messages.success(request, _("感谢您的答复！"))
            return redirect("portal:surveys")
    scale = policy().feedback.score_scale
    return render(
        request,
        "portal/survey.html",
        _context(
            account,
            i=invitation,
            questions=feedback.questions_of(invitation),
            scale=range(1, scale + 1),
            errors=errors,
        ),
        status=422 if errors else 200,
    )


@portal_page
def inbox(request: HttpRequest, account: PortalAccount) -> HttpResponse:
    """T-1: what the company told the customer (confirmation, release, shipment, delays)."""
    if request.method == "POST":
        notifications.mark_read(user=request.user)
        return redirect("portal:inbox")
    items = list(Notification.objects.filter(recipient_id=request.user.pk)[:100])
    return render(request, "portal/inbox.html", _context(account, items=items))


@portal_page
def password(request: HttpRequest, account: PortalAccount) -> HttpResponse:
    """S-3: the contact replaces the initial password with their own."""
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        user, errors, _exc = _submit(
            lambda: accounts.change_own_password(
                actor=actor(request),
                old_password=request.POST.get("old_password", ""),
                new_password=request.POST.get("new_password", ""),
            )
        )
        if user is not None:
            update_session_auth_hash(request, user)
            messages.success(request, _("密码已修改。"))
            return redirect("portal:home")
    return render(
        request, "portal/password.html", _context(account, errors=errors), status=422 if errors else 200
    )


@portal_page
def api_tokens(request: HttpRequest, account: PortalAccount) -> HttpResponse:
    """B-8: the customer's own system reads and places their orders through the API with a token
    of this login (the key shown once); they revoke it here."""
    user = actor(request)
    key = ""
    errors: dict[str, list[str]] = {}
    if request.method == "POST" and request.POST.get("revoke"):
        token = get_object_or_404(ApiToken, pk=request.POST.get("revoke") or 0, user=user)
        attempt(request, lambda: accounts.revoke_api_token(actor=user, token=token), _("令牌已吊销。"))
        return redirect("portal:api_tokens")
    if request.method == "POST":
        issued, errors, _exc = _submit(
            lambda: accounts.issue_api_token(
                actor=user,
                user=user,
                name=request.POST.get("name", ""),
                scopes=request.POST.getlist("scopes"),
            )
        )
        key = issued or ""
    return render(
        request,
        "portal/api_tokens.html",
        _context(
            account,
            tokens=list(ApiToken.objects.filter(user=user).order_by("revoked", "-created_at")),
            scopes=list(API_SCOPES.items()),
            key=key,
            errors=errors,
        ),
        status=422 if errors else 200,
    )
