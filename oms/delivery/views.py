"""Delivery notes, certificates of conformity, and the customer's acceptance (K-1..K-3)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from oms.accounts.models import User
from oms.core import params
from oms.core.errors import ActionError, FieldErrors
from oms.core.printing import pdf_of_many, printable, qr_svg
from oms.delivery import actions
from oms.delivery.forms import LinkAcceptanceForm, StaffAcceptanceForm
from oms.delivery.models import AcceptanceResult
from oms.delivery.permissions import can_record
from oms.delivery.selectors import (
    ACCEPTANCE_CHECKS,
    NOTES_LIMIT,
    note_lines,
    shipments_for,
    with_note_contents,
)
from oms.engine import workflow
from oms.fulfilment.models import Shipment
from oms.orders.selectors import order_detail
from oms.policy.visibility import visible_field_groups
from oms.web.pages import visible_or_404
from oms.web.verbs import Gate, Verb, post_verb, refused_page_of


def _shipment(request: HttpRequest, pk: int) -> Shipment:
    shipment = get_object_or_404(Shipment.objects.select_related("order", "carrier"), pk=pk)
    if order_detail(request.user, shipment.order_id) is None:
        raise Http404
    return shipment


def _note_context(request: HttpRequest, shipment: Shipment) -> dict[str, Any]:
    order = shipment.order
    return {
        "shipment": shipment,
        "order": order,
        "lines": note_lines(shipment),
        "company": order.policy().company,
        "qr": qr_svg(f"{order.number}-{shipment.number}"),
        "show_prices": "price" in visible_field_groups(request.user),
    }


@login_required
def document(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """K-2: the delivery note (送货单) and the certificate of conformity (合格证) of a shipment,
    printable or as a PDF; they go with the goods."""
    if kind not in {"note", "certificate"}:
        raise Http404
    shipment = visible_or_404(with_note_contents(shipments_for(request.user)), pk)
    order = shipment.order
    template = "delivery/note.html" if kind == "note" else "delivery/certificate.html"
    return printable(
        request,
        template,
        _note_context(request, shipment),
        filename=f"{order.number}-{shipment.number}-{kind}.pdf",
    )


@login_required
def notes(request: HttpRequest) -> HttpResponse:
    """Issue 23 point 9, K-2: tick several shipments and print their delivery notes as one PDF,
    each note on its own pages exactly as printed alone."""
    ids = [int(v) for v in request.GET.getlist("shipment") if v.isdigit() and len(v) <= 12]
    if request.GET.get("format") == "pdf" and ids:
        chosen = list(with_note_contents(shipments_for(request.user).filter(pk__in=ids[:NOTES_LIMIT])))
        if not chosen:
            raise Http404
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        response = HttpResponse(
            pdf_of_many("delivery/note.html", [_note_context(request, s) for s in chosen], request=request),
            content_type="application/pdf",
        )
        response["Content-Disposition"] = f'attachment; filename="delivery-notes-{stamp}.pdf"'
        return response
    since, until = params.date_param(request, "date_from"), params.date_param(request, "date_to")
    shipments = shipments_for(request.user)
    if since is not None:
        shipments = shipments.filter(shipped_on__gte=since)
    if until is not None:
        shipments = shipments.filter(shipped_on__lte=until)
    return render(
        request,
        "delivery/notes.html",
        {"shipments": list(shipments[:NOTES_LIMIT]), "limit": NOTES_LIMIT, "since": since, "until": until},
    )


def _link(actor: User, shipment: Shipment, form: None) -> str:
    return actions.issue_acceptance_link(actor=actor, shipment=shipment)


def _record(actor: User, shipment: Shipment, form: StaffAcceptanceForm) -> object:
    data = form.cleaned_data
    return actions.record_acceptance(
        actor=actor,
        shipment=shipment,
        accepted_by_name=data["accepted_by_name"],
        signed_note=data["signed_note"],
        **form.finding(),
    )


def _link_shown(request: HttpRequest, token: str) -> str:
    url = request.build_absolute_uri(reverse("delivery:accept", args=[token]))
    return _("验收链接（只显示这一次，请发送给客户）：%(u)s") % {"u": url}


def _records(user: User, shipment: Shipment) -> bool:
    return can_record(user, shipment.order)


# Who may post each is asked before the form is read (S-1); the actions ask again.
VERBS: dict[str, Verb] = {
    "link": Verb(
        _link, done=_link_shown, gate=Gate(_records, gettext_lazy("只有销售、客服或物流可以发送验收链接。"))
    ),
    "record": Verb(
        _record,
        StaffAcceptanceForm,
        "delivery/forms/_acceptance.html",
        done=lambda r, x: _("已登记客户验收。"),
        gate=Gate(_records, gettext_lazy("只有销售、客服或物流可以登记客户验收。")),
    ),
}


@login_required
@require_POST
def acceptance(request: HttpRequest, pk: int) -> HttpResponse:
    """K-3: staff record the customer's acceptance, or send the customer a link to give it."""
    shipment = _shipment(request, pk)
    return post_verb(
        request,
        verbs=VERBS,
        verb=request.POST.get("verb") or "record",
        target=shipment,
        back=reverse("workbench:order_detail", args=[shipment.order_id]),
        redisplay=_redisplay,
    )


# The refused acceptance on its own page, with what was typed and why (nothing was saved; the
# signed note must be chosen again, as a browser never fills a file in).
_redisplay = refused_page_of(
    lambda request, shipment, verb, form: {
        "shipment": shipment,
        "post": form.data,
        "results": AcceptanceResult.choices,
        "acceptance_checks": ACCEPTANCE_CHECKS,
        "today": f"{timezone.localdate():%Y-%m-%d}",
    },
    order_of=lambda shipment: shipment.order,
    page="delivery/acceptance_form.html",
)


def accept(request: HttpRequest, token: str) -> HttpResponse:
    """K-3: the customer's page behind the link: the shipment, and their acceptance."""
    link = actions.link_for(token)
    if link is None:
        return render(request, "review/confirm_invalid.html", {"reason": _("验收链接无效。")}, status=404)
    errors: dict[str, list[str]] = {}
    message = ""
    if request.method == "POST":
        form = LinkAcceptanceForm(link.shipment, request.POST)
        try:
            if not form.is_valid():
                raise FieldErrors({k: [str(m) for m in v] for k, v in form.errors.items()})
            done = actions.accept_by_link(token=token, name=form.cleaned_data["name"], **form.finding())
        except FieldErrors as exc:
            errors = exc.errors
        except (ActionError, workflow.WorkflowError) as exc:
            message = exc.message
        else:
            return render(request, "delivery/accept_done.html", {"acceptance": done})
    elif link.used_at is not None:
        return render(
            request, "review/confirm_invalid.html", {"reason": _("该验收链接已使用过。")}, status=410
        )
    shipment = link.shipment
    return render(
        request,
        "delivery/accept.html",
        {
            "link": link,
            "shipment": shipment,
            "order": shipment.order,
            "lines": list(
                shipment.lines.select_related("order_line__product").order_by("order_line__line_no")
            ),
            "results": AcceptanceResult.choices,
            "post": request.POST if request.method == "POST" else QueryDict(),
            "errors": errors,
            "message": message,
            "today": f"{timezone.localdate():%Y-%m-%d}",
            "acceptance_checks": ACCEPTANCE_CHECKS,
        },
        status=422 if errors else (400 if message else 200),
    )
