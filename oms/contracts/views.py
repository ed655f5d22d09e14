"""Pages of contracts and controlled documents. Thin: selectors read, actions write."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from oms.accounts.models import User
from oms.accounts.permissions import can_edit_policy, mask_contact
from oms.contracts import actions, forms, rendering, selectors
from oms.contracts.models import (
    REVIEW_POINTS,
    Contract,
    ContractTemplate,
    Distribution,
    Document,
    DocumentType,
    VersionKind,
)
from oms.contracts.permissions import (
    ACKNOWLEDGING_REFUSED,
    BRIEFING_REFUSED,
    FILING_REFUSED,
    SHARING_REFUSED,
    can_acknowledge,
    can_file_document,
    can_record_briefing,
    can_share_document,
)
from oms.contracts.states import can_handle_contract, can_review_contract
from oms.core import params
from oms.core.errors import ActionError, FieldErrors
from oms.core.money import amount_in_capitals
from oms.core.printing import printable, qr_svg
from oms.engine import workflow
from oms.orders.permissions import can_renegotiate
from oms.orders.views import order_form, order_or_404, post_order_verb
from oms.policy.visibility import visible_field_groups
from oms.web.pages import actor as acting_user
from oms.web.verbs import FIELDS_FORM, Gate, Verb, fields_redisplay, input_form


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
            "can_file": can_file_document(actor, order),
            "release_block": selectors.contract_signed(actor, order),
        },
    )


def _documents_page(order: Any) -> str:
    return reverse("contracts:documents", args=[order.pk])


def _contract(order: Any) -> Contract:
    return get_object_or_404(Contract, order=order)


def _generate(actor: User, order: Any, form: None) -> object:
    return actions.generate_contract(actor=actor, order=order)


def _review(actor: User, order: Any, form: forms.ContractReviewForm) -> object:
    return actions.review_contract(actor=actor, contract=_contract(order), points=form.points())


def _sign(actor: User, order: Any, form: forms.SignForm) -> object:
    return actions.sign_contract(actor=actor, contract=_contract(order), scan=form.cleaned_data["scan"])


def _version(actor: User, order: Any, form: forms.VersionForm) -> object:
    data = form.cleaned_data
    return actions.add_version(
        actor=actor, contract=_contract(order), kind=data["kind"], reason=data["reason"]
    )


def _handles_contract(user: Any, order: Any) -> bool:
    """E-2: the order's sales or a contract reviewer (`states.can_handle_contract`, on the order)."""
    return can_renegotiate(user, order) or can_review_contract(user, None)


# Who may post each verb, asked before its input is parsed (issue 23): the actions' predicates.
_FILES = Gate(can_file_document, FILING_REFUSED)
_HANDLES = Gate(_handles_contract, gettext_lazy("只有订单的销售或合同评审人可以办理合同。"))

CONTRACT_VERBS: dict[str, Verb] = {
    "generate": Verb(_generate, gate=Gate(can_renegotiate, gettext_lazy("只有销售可以生成合同。"))),
    "review": Verb(
        _review,
        input_form(forms.ContractReviewForm),
        FIELDS_FORM,
        gate=Gate(
            lambda user, order: can_review_contract(user, None),
            gettext_lazy("只有销售部门负责人、订单确认部门或分管领导可以评审合同。"),
        ),
    ),
    "sign": Verb(_sign, input_form(forms.SignForm), FIELDS_FORM, gate=_HANDLES),
    "version": Verb(_version, input_form(forms.VersionForm), FIELDS_FORM, gate=_HANDLES),
}


def _post(request: HttpRequest, pk: int, verb: str, verbs: dict[str, Verb]) -> HttpResponse:
    """One verb on the order `pk`, back to its documents page; a refused form is shown again with
    what was typed (422 bad input, 400 refused action)."""
    redisplay = fields_redisplay(_documents_page)
    return post_order_verb(request, pk, verb, verbs=verbs, redisplay=redisplay, back=_documents_page)


@login_required
@require_POST
def contract_action(request: HttpRequest, pk: int, verb: str) -> HttpResponse:
    """E-1..E-3: generate, review, sign or re-draft the order's contract, input parsed by its form."""
    return _post(request, pk, verb, CONTRACT_VERBS)


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


def _upload(actor: User, order: Any, form: forms.UploadForm) -> object:
    data = form.cleaned_data
    return actions.upload_document(
        actor=actor, order=order, doc_type=data["doc_type"], title=data["title"], upload=data["file"]
    )


def _distribute(actor: User, order: Any, form: forms.DistributeForm) -> object:
    data = form.cleaned_data
    return actions.distribute(actor=actor, document=data["document"], recipients=data["recipients"])


def _share(actor: User, order: Any, form: forms.ShareForm) -> object:
    data = form.cleaned_data
    return actions.share_document(actor=actor, document=data["document"], shared=data["shared"])


def _acknowledge(actor: User, order: Any, form: forms.AcknowledgeForm) -> object:
    return actions.acknowledge(actor=actor, distribution=form.cleaned_data["distribution"])


def _briefing(actor: User, order: Any, form: forms.BriefingForm) -> object:
    data = form.cleaned_data
    return actions.record_briefing(
        actor=actor,
        order=order,
        held_on=data["held_on"],
        topic=data["topic"],
        notes=data["notes"],
        attendees=data["attendees"],
    )


DOCUMENT_VERBS: dict[str, Verb] = {
    "upload": Verb(_upload, input_form(forms.UploadForm), FIELDS_FORM, gate=_FILES),
    "distribute": Verb(_distribute, order_form(forms.DistributeForm), FIELDS_FORM, gate=_FILES),
    "share": Verb(
        _share, order_form(forms.ShareForm), FIELDS_FORM, gate=Gate(can_share_document, SHARING_REFUSED)
    ),
    # Nothing is typed to sign for a document: a refusal is a message on the documents page.
    "acknowledge": Verb(
        _acknowledge, order_form(forms.AcknowledgeForm), gate=Gate(can_acknowledge, ACKNOWLEDGING_REFUSED)
    ),
    "briefing": Verb(
        _briefing,
        order_form(forms.BriefingForm),
        FIELDS_FORM,
        gate=Gate(can_record_briefing, BRIEFING_REFUSED),
    ),
}


@login_required
@require_POST
def document_action(request: HttpRequest, pk: int, verb: str) -> HttpResponse:
    """E-4, F-3, M-4, H-1: one verb on the order's controlled documents, input parsed by its form."""
    return _post(request, pk, verb, DOCUMENT_VERBS)


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
