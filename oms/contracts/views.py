"""Pages of contracts and controlled documents. Thin: selectors read, actions write."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from oms.accounts.models import User
from oms.accounts.permissions import can_edit_policy, mask_contact
from oms.contracts import actions, forms, rendering, selectors
from oms.contracts.forms import submit
from oms.contracts.models import (
    REVIEW_POINTS,
    Contract,
    ContractTemplate,
    Distribution,
    Document,
    DocumentType,
    VersionKind,
)
from oms.contracts.states import can_handle_contract, can_review_contract
from oms.core import params
from oms.core.errors import ActionError, FieldErrors
from oms.core.money import amount_in_capitals
from oms.core.printing import printable, qr_svg
from oms.engine import workflow
from oms.orders.permissions import can_renegotiate
from oms.orders.views import order_or_404
from oms.policy.visibility import visible_field_groups
from oms.web.pages import actor as acting_user


@login_required
def documents(request: HttpRequest, pk: int) -> HttpResponse:
    """E-2, E-3, E-4, F-3, M-4: the order's contract, documents, distributions and briefings."""
    order = order_or_404(request, pk)
    actor = acting_user(request)
    contract = Contract.objects.filter(order=order).first()
    versions = (
        list(contract.versions.select_related("created_by", "reviewed_by").order_by("-number"))
        if contract
        else []
    )
    docs = list(order.documents.select_related("owner").order_by("doc_type", "title", "-version_no"))
    dists = list(
        Distribution.objects.filter(document__order=order)
        .select_related("recipient", "document")
        .order_by("document_id", "recipient_id")
    )
    by_doc: dict[int, list[Distribution]] = {}
    for d in dists:
        by_doc.setdefault(d.document_id, []).append(d)
    basis = selectors.review_basis(order) if contract else {}
    return render(
        request,
        "contracts/documents.html",
        {
            "order": order,
            "contract": contract,
            "versions": versions,
            "docs": [(d, by_doc.get(d.pk, [])) for d in docs],
            "mine": [d for d in dists if d.recipient_id == actor.pk and d.acknowledged_at is None],
            "briefings": list(order.briefings.prefetch_related("attendees").select_related("recorded_by")),
            "points": [(key, label, basis.get(key, "")) for key, label in REVIEW_POINTS],
            "kinds": VersionKind.choices,
            "doc_types": DocumentType.choices,
            "people": User.objects.filter(is_active=True)
            .select_related("department")
            .order_by("department__code", "username"),
            "can_generate": can_renegotiate(actor, order)
            and order.status == "confirmed"
            and contract is None,
            "can_review": contract is not None
            and contract.status == "drafting"
            and can_review_contract(actor, contract),
            "can_handle": bool(contract) and can_handle_contract(actor, contract),
            "release_block": selectors.contract_signed(actor, order),
        },
    )


def _documents_page(order: Any) -> str:
    return reverse("contracts:documents", args=[order.pk])


def _generate(request: HttpRequest, order: Any, contract: Contract | None) -> HttpResponse:
    return submit(
        request,
        forms.ActionForm(request.POST),
        lambda _data: actions.generate_contract(actor=acting_user(request), order=order),
        title=_("生成合同"),
        back=_documents_page(order),
        success=_("已完成。"),
    )


def _review(request: HttpRequest, order: Any, contract: Contract) -> HttpResponse:
    form = forms.ContractReviewForm(request.POST)
    return submit(
        request,
        form,
        lambda _data: actions.review_contract(
            actor=acting_user(request), contract=contract, points=form.points()
        ),
        title=_("合同评审 %(n)s") % {"n": contract.number},
        back=_documents_page(order),
        success=_("已完成。"),
    )


def _sign(request: HttpRequest, order: Any, contract: Contract) -> HttpResponse:
    return submit(
        request,
        forms.SignForm(request.POST, request.FILES),
        lambda data: actions.sign_contract(actor=acting_user(request), contract=contract, scan=data["scan"]),
        title=_("上传签字盖章件 %(n)s") % {"n": contract.number},
        back=_documents_page(order),
        success=_("已完成。"),
    )


def _version(request: HttpRequest, order: Any, contract: Contract) -> HttpResponse:
    return submit(
        request,
        forms.VersionForm(request.POST),
        lambda data: actions.add_version(
            actor=acting_user(request), contract=contract, kind=data["kind"], reason=data["reason"]
        ),
        title=_("合同新版本 %(n)s") % {"n": contract.number},
        back=_documents_page(order),
        success=_("已完成。"),
    )


CONTRACT_VERBS: dict[str, Callable[[HttpRequest, Any, Contract], HttpResponse]] = {
    "review": _review,
    "sign": _sign,
    "version": _version,
}


@login_required
@require_POST
def contract_action(request: HttpRequest, pk: int, verb: str) -> HttpResponse:
    """E-1..E-3: generate, review, sign or re-draft the order's contract, input parsed by its form."""
    order = order_or_404(request, pk)
    contract = Contract.objects.filter(order=order).first()
    if verb == "generate":
        return _generate(request, order, contract)
    handler = CONTRACT_VERBS.get(verb)
    if contract is None or handler is None:
        raise Http404
    return handler(request, order, contract)


@login_required
def contract_print(request: HttpRequest, pk: int) -> HttpResponse:
    """E-1, E-4: the contract's current version as a printable page or a PDF."""
    order = order_or_404(request, pk)
    contract = get_object_or_404(Contract, order=order)
    number = params.int_param(request, "version", 0)
    version = (
        contract.versions.filter(number=number).first()
        if number
        else contract.versions.order_by("-number").first()
    )
    if version is None:
        raise Http404
    context = {
        "contract": contract,
        "version": version,
        "company": order.policy().company,
        "qr": qr_svg(order.number),
    }
    return printable(
        request, "contracts/contract_print.html", context, filename=f"{contract.number}-v{version.number}.pdf"
    )


@login_required
def order_print(request: HttpRequest, pk: int) -> HttpResponse:
    """The printable order form with company name, order number, QR code and seal area."""
    order = order_or_404(request, pk)
    context = {
        "order": order,
        "lines": list(order.lines.select_related("product").order_by("line_no")),
        "company": order.policy().company,
        "qr": qr_svg(order.number),
        "capitals": amount_in_capitals(order.total_amount),
        "show_prices": "price" in visible_field_groups(request.user),
        # S-1: the PDF is rendered without the request, so the contact is masked here.
        "contact_phone": order.contact_phone
        if "contact" in visible_field_groups(request.user)
        else mask_contact(order.contact_phone),
    }
    return printable(request, "contracts/order_print.html", context, filename=f"{order.number}.pdf")


@login_required
def download(request: HttpRequest, pk: int) -> FileResponse:
    """Downloads go through the order's permission check and are logged."""
    document = get_object_or_404(Document, pk=pk)
    order_or_404(request, document.order_id)
    actions.log_download(actor=acting_user(request), document=document)
    return FileResponse(document.file.open("rb"), as_attachment=True, filename=document.file_name)


def _upload(request: HttpRequest, order: Any) -> HttpResponse:
    return submit(
        request,
        forms.UploadForm(request.POST, request.FILES),
        lambda data: actions.upload_document(
            actor=acting_user(request),
            order=order,
            doc_type=data["doc_type"],
            title=data["title"],
            upload=data["file"],
        ),
        title=_("上传资料"),
        back=_documents_page(order),
        success=_("已完成。"),
    )


def _distribute(request: HttpRequest, order: Any) -> HttpResponse:
    document = get_object_or_404(Document, pk=request.POST.get("document") or 0, order=order)
    return submit(
        request,
        forms.DistributeForm(request.POST),
        lambda data: actions.distribute(
            actor=acting_user(request), document=document, recipients=data["recipients"]
        ),
        title=_("分发资料：%(t)s") % {"t": document.title},
        back=_documents_page(order),
        success=_("已完成。"),
    )


def _share(request: HttpRequest, order: Any) -> HttpResponse:
    document = get_object_or_404(Document, pk=request.POST.get("document") or 0, order=order)
    return submit(
        request,
        forms.ShareForm(request.POST),
        lambda data: actions.share_document(
            actor=acting_user(request), document=document, shared=data["shared"]
        ),
        title=_("客户可见：%(t)s") % {"t": document.title},
        back=_documents_page(order),
        success=_("已完成。"),
    )


def _acknowledge(request: HttpRequest, order: Any) -> HttpResponse:
    distribution = get_object_or_404(
        Distribution, pk=request.POST.get("distribution") or 0, document__order=order
    )
    return submit(
        request,
        forms.ActionForm(request.POST),
        lambda _data: actions.acknowledge(actor=acting_user(request), distribution=distribution),
        title=_("签收资料"),
        back=_documents_page(order),
        success=_("已完成。"),
    )


def _briefing(request: HttpRequest, order: Any) -> HttpResponse:
    return submit(
        request,
        forms.BriefingForm(request.POST),
        lambda data: actions.record_briefing(
            actor=acting_user(request),
            order=order,
            held_on=data["held_on"],
            topic=data["topic"],
            notes=data["notes"],
            attendees=data["attendees"],
        ),
        title=_("技术交底"),
        back=_documents_page(order),
        success=_("已完成。"),
    )


DOCUMENT_VERBS: dict[str, Callable[[HttpRequest, Any], HttpResponse]] = {
    "upload": _upload,
    "distribute": _distribute,
    "share": _share,
    "acknowledge": _acknowledge,
    "briefing": _briefing,
}


@login_required
@require_POST
def document_action(request: HttpRequest, pk: int, verb: str) -> HttpResponse:
    """E-4, F-3, M-4, H-1: one verb on the order's controlled documents, input parsed by its form."""
    order = order_or_404(request, pk)
    handler = DOCUMENT_VERBS.get(verb)
    if handler is None:
        raise Http404
    return handler(request, order)


@login_required
def template_edit(request: HttpRequest) -> HttpResponse:
    """E-1: the administrator edits the contract text; the placeholders are listed beside it."""
    if not can_edit_policy(request.user):
        raise Http404
    template = ContractTemplate.objects.filter(active=True).order_by("-updated_at").first()
    body = template.body if template else rendering.DEFAULT_TEMPLATE
    error = ""
    form = forms.TemplateForm(request.POST or None)
    if request.method == "POST":
        body = request.POST.get("body", "")
        try:
            if not form.is_valid():
                raise FieldErrors({k: [str(m) for m in ms] for k, ms in form.errors.items()})
            actions.save_template(
                actor=acting_user(request),
                body=form.cleaned_data["body"],
                template=template,
                version=form.cleaned_data["version"] or 0,
            )
        except (ActionError, workflow.WorkflowError) as exc:
            error = (
                "；".join(m for ms in exc.errors.values() for m in ms)
                if isinstance(exc, FieldErrors)
                else exc.message
            )
        else:
            messages.success(request, _("合同模板已保存。"))
            return redirect("contracts:template")
    return render(
        request,
        "contracts/template.html",
        {
            "template": template,
            "body": body,
            "error": error,
            "placeholders": sorted(rendering.PLACEHOLDERS.items()),
        },
        status=400 if error else 200,
    )
