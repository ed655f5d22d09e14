"""Pages of contracts and controlled documents. Thin: selectors read, actions write."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from oms.accounts.models import User
from oms.accounts.permissions import can_edit_policy, mask_contact
from oms.contracts import actions, rendering
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
from oms.engine import workflow
from oms.orders.permissions import can_renegotiate
from oms.orders.selectors import order_detail
from oms.policy.visibility import visible_field_groups
from oms.web.pages import actor as acting_user
from oms.web.pages import flash_refusal


def _order(request: HttpRequest, pk: int) -> Any:
    order = order_detail(request.user, pk)
    if order is None:
        raise Http404
    return order


@login_required
def documents(request: HttpRequest, pk: int) -> HttpResponse:
    """E-2, E-3, E-4, F-3, M-4: the order's contract, documents, distributions and briefings."""
    order = _order(request, pk)
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
    basis = actions.review_basis(order) if contract else {}
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
            "release_block": actions.contract_signed(actor, order),
        },
    )


@login_required
@require_POST
def contract_action(request: HttpRequest, pk: int, verb: str) -> HttpResponse:
    order = _order(request, pk)
    actor = acting_user(request)
    contract = Contract.objects.filter(order=order).first()
    try:
        if verb == "generate":
            actions.generate_contract(actor=actor, order=order)
        elif contract is None:
            raise Http404
        elif verb == "review":
            points = {
                key: (request.POST.get(f"ok_{key}") == "on", request.POST.get(f"note_{key}", ""))
                for key, _label in REVIEW_POINTS
            }
            actions.review_contract(actor=actor, contract=contract, points=points)
        elif verb == "sign":
            actions.sign_contract(actor=actor, contract=contract, scan=request.FILES.get("scan"))
        elif verb == "version":
            actions.add_version(
                actor=actor,
                contract=contract,
                kind=request.POST.get("kind", ""),
                reason=request.POST.get("reason", ""),
            )
        else:
            raise Http404
        messages.success(request, _("已完成。"))
    except (ActionError, workflow.WorkflowError) as exc:
        flash_refusal(request, exc)
    return redirect("contracts:documents", pk=order.pk)


@login_required
def contract_print(request: HttpRequest, pk: int) -> HttpResponse:
    """E-1, E-4: the contract's current version as a printable page or a PDF."""
    order = _order(request, pk)
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
        "qr": rendering.qr_svg(order.number),
    }
    if request.GET.get("format") == "pdf":
        response = HttpResponse(
            rendering.pdf("contracts/contract_print.html", context), content_type="application/pdf"
        )
        response["Content-Disposition"] = f'attachment; filename="{contract.number}-v{version.number}.pdf"'
        return response
    return render(request, "contracts/contract_print.html", context)


@login_required
def order_print(request: HttpRequest, pk: int) -> HttpResponse:
    """The printable order form with company name, order number, QR code and seal area."""
    order = _order(request, pk)
    context = {
        "order": order,
        "lines": list(order.lines.select_related("product").order_by("line_no")),
        "company": order.policy().company,
        "qr": rendering.qr_svg(order.number),
        "capitals": amount_in_capitals(order.total_amount),
        "show_prices": "price" in visible_field_groups(request.user),
        # S-1: the PDF is rendered without the request, so the contact is masked here.
        "contact_phone": order.contact_phone
        if "contact" in visible_field_groups(request.user)
        else mask_contact(order.contact_phone),
    }
    if request.GET.get("format") == "pdf":
        response = HttpResponse(
            rendering.pdf("contracts/order_print.html", context), content_type="application/pdf"
        )
        response["Content-Disposition"] = f'attachment; filename="{order.number}.pdf"'
        return response
    return render(request, "contracts/order_print.html", context)


@login_required
def download(request: HttpRequest, pk: int) -> FileResponse:
    """Downloads go through the order's permission check and are logged."""
    document = get_object_or_404(Document, pk=pk)
    _order(request, document.order_id)
    actions.log_download(actor=acting_user(request), document=document)
    return FileResponse(document.file.open("rb"), as_attachment=True, filename=document.file_name)


@login_required
@require_POST
def document_action(request: HttpRequest, pk: int, verb: str) -> HttpResponse:
    order = _order(request, pk)
    actor = acting_user(request)
    try:
        if verb == "upload":
            actions.upload_document(
                actor=actor,
                order=order,
                doc_type=request.POST.get("doc_type", ""),
                title=request.POST.get("title", ""),
                upload=request.FILES.get("file"),
            )
        elif verb == "distribute":
            document = get_object_or_404(Document, pk=request.POST.get("document") or 0, order=order)
            actions.distribute(
                actor=actor,
                document=document,
                recipients=User.objects.filter(pk__in=request.POST.getlist("recipients")),
            )
        elif verb == "share":
            document = get_object_or_404(Document, pk=request.POST.get("document") or 0, order=order)
            actions.share_document(actor=actor, document=document, shared=request.POST.get("shared") == "1")
        elif verb == "acknowledge":
            distribution = get_object_or_404(
                Distribution, pk=request.POST.get("distribution") or 0, document__order=order
            )
            actions.acknowledge(actor=actor, distribution=distribution)
        elif verb == "briefing":
            held_on = request.POST.get("held_on", "")
            actions.record_briefing(
                actor=actor,
                order=order,
                held_on=date.fromisoformat(held_on) if held_on else None,
                topic=request.POST.get("topic", ""),
                notes=request.POST.get("notes", ""),
                attendees=User.objects.filter(pk__in=request.POST.getlist("attendees")),
            )
        else:
            raise Http404
        messages.success(request, _("已完成。"))
    except ValueError:
        messages.error(request, _("日期：格式不正确，应为 YYYY-MM-DD。"))
    except (ActionError, workflow.WorkflowError) as exc:
        flash_refusal(request, exc)
    return redirect("contracts:documents", pk=order.pk)


@login_required
def template_edit(request: HttpRequest) -> HttpResponse:
    """E-1: the administrator edits the contract text; the placeholders are listed beside it."""
    if not can_edit_policy(request.user):
        raise Http404
    template = ContractTemplate.objects.filter(active=True).order_by("-updated_at").first()
    body = template.body if template else rendering.DEFAULT_TEMPLATE
    error = ""
    if request.method == "POST":
        body = request.POST.get("body", "")
        try:
            actions.save_template(
                actor=acting_user(request),
                body=body,
                template=template,
                version=int(request.POST.get("version") or 0),
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
