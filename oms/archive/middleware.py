"""Old links to an archived order's pages lead to its archive record (M-3).

Once filed, an order and everything belonging to it (its change and cancellation requests,
review tasks and reports, approval steps, department tasks, contract documents, shipments,
statements, invoices…) leave the operational pages: their selectors answer 404. Links to them
live on in the inbox, in "my work" and in people's bookmarks. Instead of a bare "Not Found", such
a link opens the archive record, where its access rules apply: a keeper or the holder of an
approved query request reads the order; anyone else sees the index card and the form to file a
query request, in their language.

One mechanism for every page: `ORDER_PAGES` names each page of an order's object and where that
object keeps its order; a test checks that every page of the project taking an object's id is
either listed here or named as not belonging to an order.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _

from oms.accounts.permissions import is_staff_member
from oms.billing.models import Invoice, Statement
from oms.changes.models import ChangeRequest, ChangeTask
from oms.contracts.models import Document
from oms.fulfilment.models import DepartmentTask, PurchaseOrder, Shipment
from oms.orders.models import SalesOrder
from oms.review.models import ApprovalStep, ReviewRound, ReviewTask

# URL name → (the model its `pk` names, the lookup from that model to the order's archive record).
_ORDER = (SalesOrder, "archive_record")
ORDER_PAGES: dict[str, tuple[type[models.Model], str]] = {
    "workbench:order_detail": _ORDER,
    "workbench:order_edit": _ORDER,
    "workbench:order_original": _ORDER,
    "workbench:order_versions": _ORDER,
    "workbench:order_transition": _ORDER,
    "changes:request_create": _ORDER,
    "changes:supplier_decision": _ORDER,
    "changes:customer_link": _ORDER,
    "contracts:documents": _ORDER,
    "contracts:contract_action": _ORDER,
    "contracts:contract_print": _ORDER,
    "contracts:order_print": _ORDER,
    "contracts:document_action": _ORDER,
    "review:record_confirmation": _ORDER,
    "review:confirmation_link": _ORDER,
    "fulfilment:execution": _ORDER,
    "quality:quality": _ORDER,
    "billing:billing": _ORDER,
    "tracking:order_tracking": _ORDER,
    "changes:request_detail": (ChangeRequest, "order__archive_record"),
    "changes:agreement": (ChangeRequest, "order__archive_record"),
    "changes:attachment": (ChangeRequest, "order__archive_record"),
    "changes:task": (ChangeTask, "request__order__archive_record"),
    "changes:purchase_order": (PurchaseOrder, "order__archive_record"),
    "contracts:download": (Document, "order__archive_record"),
    "review:task": (ReviewTask, "round__order__archive_record"),
    "review:report": (ReviewRound, "order__archive_record"),
    "review:report_pdf": (ReviewRound, "order__archive_record"),
    "review:failure_cause": (ReviewRound, "order__archive_record"),
    "review:approval_step": (ApprovalStep, "order__archive_record"),
    "review:approval_decide": (ApprovalStep, "order__archive_record"),
    "fulfilment:task": (DepartmentTask, "order__archive_record"),
    "delivery:document": (Shipment, "order__archive_record"),
    "delivery:acceptance": (Shipment, "order__archive_record"),
    "billing:statement": (Statement, "order__archive_record"),
    "billing:statement_print": (Statement, "order__archive_record"),
    "billing:invoice": (Invoice, "statement__order__archive_record"),
    "billing:dunning": (Invoice, "statement__order__archive_record"),
}


def archive_record_for(url_name: str, pk: int) -> int | None:
    """M-3: the archive record of the order the page's object belongs to, if that order is filed."""
    page = ORDER_PAGES.get(url_name)
    if page is None:
        return None
    model, lookup = page
    found = (
        model._default_manager.filter(pk=pk, **{f"{lookup}__isnull": False})
        .values_list(f"{lookup}__pk", flat=True)
        .first()
    )
    return int(found) if found is not None else None


class ArchivedLinkMiddleware:
    """M-3: a page of an archived order's object that answers 404 leads to the archive record."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, Http404) or not is_staff_member(getattr(request, "user", None)):
            return None
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return None
        pk = match.kwargs.get("pk")
        if not isinstance(pk, int):
            return None
        record = archive_record_for(match.view_name, pk)
        if record is None:
            return None
        messages.info(request, _("该订单已归档，请在订单档案中查阅。"))
        return redirect("archive:detail", pk=record)
