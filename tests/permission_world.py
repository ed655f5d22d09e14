"""The world the permission matrix opens (S-1, P-4, M-3): the demo company carried further (an
acceptance, a statement, an invoice, a purchase order, a document, a filed order with a file,
complaints, surveys, supervision records), so that every route has a real object to open, and
the path of each route filled with those objects."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

PROFILES = [
    "sales_staff",
    "sales_head",
    "customer_service_staff",
    "production_staff",
    "production_head",
    "finance_staff",
    "warehouse_staff",
    "quality_staff",
    "procurement_staff",
    "logistics_staff",
    "administration_staff",
    "executive",
    "auditor",
    "admin",
    # B-8: a customer's portal login (the shipped order's customer) and another customer's.
    "customer",
    "customer_other",
]


def _failed_task() -> Any:
    """A background task that failed on the database queue (issue 24.2)."""
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.create(
        status="FAILED",
        args_kwargs={"args": [], "kwargs": {}},
        task_path="oms.notifications.tasks.send_deliveries",
        backend_name="default",
        run_after=timezone.now(),
        finished_at=timezone.now(),
        exception_class_path="builtins.ValueError",
        traceback="ValueError: down",
    )


def _generated_file(requester: Any) -> Any:
    """A list export the worker wrote for one user (issue 24.2): only they, or an administrator,
    may fetch it."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from oms.web.models import GeneratedFile

    stored = default_storage.save("generated/world/orders.xlsx", ContentFile(b"xlsx"))
    return GeneratedFile.objects.create(
        requested_by=requester,
        kind="list.xlsx",
        title="orders",
        status="done",
        storage_name=stored,
        file_name="orders.xlsx",
        size=4,
        finished_at=timezone.now(),
        expires_at=timezone.now() + timedelta(hours=24),
    )


PORTAL_ROUTES = ("portal/", "api/portal/")


def build_world() -> dict[str, Any]:
    from oms.accounts.models import User
    from oms.fulfilment.models import PurchaseOrder
    from oms.orders.models import SalesOrder
    from oms.partners.models import Supplier

    _demo_with_a_second_portal_login()
    users = {u.username: u for u in User.objects.filter(username__in=PROFILES)}
    today = timezone.localdate()
    shipped = SalesOrder.objects.filter(status="shipped").latest("pk")
    shipment = shipped.shipments.get()
    po = PurchaseOrder.objects.create(
        order=shipped, number=1, supplier=Supplier.objects.first(), created_by=users["procurement_staff"]
    )
    settled = _settled(users, shipped, shipment, today)
    filed = _filed(users, shipped)
    voice = _voice(users, shipped, today)
    supervision = _supervision(users, today)
    return {
        "users": users,
        "order": shipped,
        "shipment": shipment,
        "po": po,
        **settled,
        **filed,
        **voice,
        **supervision,
        "improvement": _improvement(users, voice["survey"], today),
        **_records(users, shipped),
        "failed_task": _failed_task(),
        "generated_file": _generated_file(users["sales_staff"]),
    }


def _demo_with_a_second_portal_login() -> None:
    """B-8: the demo company, and a portal login for a second customer."""
    from oms.accounts.models import User
    from oms.customers import actions as customers_actions
    from oms.customers.models import Contact
    from oms.demo.data import load_demo

    load_demo()
    other_contact = Contact.objects.filter(customer__code="C0002").order_by("pk").first()
    assert other_contact is not None
    customers_actions.grant_portal_access(
        actor=User.objects.get(username="admin"), contact=other_contact, username="customer_other"
    )


def _settled(users: dict[str, Any], shipped: Any, shipment: Any, today: date) -> dict[str, Any]:
    """The shipped order accepted, its statement approved and an overdue invoice recorded."""
    from oms.accounts.models import User
    from oms.billing import actions as billing
    from oms.delivery import actions as delivery

    delivery.record_acceptance(
        actor=users["sales_staff"],
        shipment=shipment,
        result="accepted",
        checks=dict.fromkeys(delivery.CHECKS, True),
        received_on=today,
        accepted_by_name="张伟",
        signed_note=SimpleUploadedFile("signed.pdf", b"%PDF-1.4 signed"),
    )
    statement = billing.prepare_statement(
        actor=users["sales_staff"],
        order=shipped,
        quantities={ln.pk: ln.quantity for ln in shipped.lines.all()},
        reconciled_with="张伟",
        reconciled_on=today,
    )
    finance_head = User.objects.get(username="finance_head")
    statement = billing.review_statement(actor=finance_head, statement=statement, approve=True)
    invoice = billing.record_invoice(
        actor=finance_head,
        statement=statement,
        invoice_type="special_vat",
        number="FP0001",
        issued_on=today - timedelta(days=90),
        amount=statement.total,
        tax_rate=Decimal("0"),
    )
    return {"statement": statement, "invoice": invoice}


def _filed(users: dict[str, Any], shipped: Any) -> dict[str, Any]:
    """Files to download: a shared document, the customer's PO, the demo change's notice and
    agreement, and the filed order's original."""
    from oms.archive.models import ArchiveRecord
    from oms.changes.models import ChangeRequest
    from oms.changes.tests.fixtures import approve_all
    from oms.contracts import actions as contracts
    from oms.contracts.models import DocumentType
    from oms.orders.models import SalesOrder

    document = contracts.upload_document(
        actor=users["sales_staff"],
        order=shipped,
        doc_type=DocumentType.values[0],
        title="图纸",
        upload=SimpleUploadedFile("drawing.pdf", b"%PDF-1.4 drawing"),
    )
    contracts.share_document(actor=users["sales_staff"], document=document, shared=True)
    shipped.original_document.save("customer-po.pdf", ContentFile(b"%PDF-1.4 customer po"), save=False)
    SalesOrder.objects.filter(pk=shipped.pk).update(original_document=shipped.original_document.name)
    change = ChangeRequest.objects.get()
    change.customer_notice.save("notice.pdf", ContentFile(b"%PDF-1.4 notice"), save=True)
    approve_all(change)  # the demo change, approved: its agreement exists
    record = ArchiveRecord.objects.get()
    filed = record.order
    filed.original_document.save("po.pdf", ContentFile(b"%PDF-1.4 po"), save=False)
    SalesOrder.objects.filter(pk=filed.pk).update(original_document=filed.original_document.name)
    return {"document": document, "change": change, "record": record}


def _voice(users: dict[str, Any], shipped: Any, today: date) -> dict[str, Any]:
    """N-1..N-3: a complaint and a sent survey."""
    from oms.feedback import actions as feedback
    from oms.feedback.models import Invitation, Question

    complaint = feedback.register_complaint(
        actor=users["customer_service_staff"],
        order_number=shipped.number,
        category="quality",
        description="异响",
        complainant="张伟",
    )
    if not Question.objects.exists():
        feedback.save_question(
            actor=users["admin"], data={"text": "交货及时", "kind": "score", "position": 1}
        )
    survey = feedback.create_survey(
        actor=users["customer_service_staff"], title="年度调查", period_start=today, period_end=today
    )
    feedback.send_survey(
        actor=users["customer_service_staff"], survey=survey, customer_ids=[shipped.customer_id]
    )
    return {
        "complaint": complaint,
        "survey": survey,
        "invitation": Invitation.objects.get(survey=survey),
        "question": Question.objects.order_by("pk").first(),
    }


def _supervision(users: dict[str, Any], today: date) -> dict[str, Any]:
    """O-2, O-4: a spot check with a finding and its action, and a violation report."""
    from oms.accounts.models import User
    from oms.feedback import actions as feedback
    from oms.supervision import actions as supervision

    inspector = User.objects.get(username="auditor")
    spot_check = supervision.SpotCheck.objects.create(
        number="CC1",
        title="抽查",
        period_start=today,
        period_end=today,
        sample_size=1,
        seed=1,
        population=1,
        checks=["review_opinions"],
        created_by=inspector,
    )
    finding = supervision.Finding.objects.create(
        spot_check=spot_check,
        description="缺评审意见",
        created_by=inspector,
        action=feedback.add_action(
            actor=users["customer_service_staff"], title="补充", owner=users["sales_staff"], due_on=today
        ),
    )
    report = supervision.report_violation(
        actor=users["production_staff"], subject="私下改价", description="x"
    )
    return {"spot_check": spot_check, "finding": finding, "violation_report": report}


def _improvement(users: dict[str, Any], survey: Any, today: date) -> Any:
    """N-1: an improvement decided from the survey."""
    from oms.feedback import actions as feedback

    return feedback.add_action(
        actor=users["customer_service_staff"],
        survey=survey,
        title="发货前电话确认",
        owner=users["sales_staff"],
        due_on=today,
    )


def _records(users: dict[str, Any], shipped: Any) -> dict[str, Any]:
    """The other records a route opens, found in the demo data (or made for the purpose)."""
    from oms.accounts.models import Department, UserSession
    from oms.archive.models import AccessRequest
    from oms.catalog.models import Product, StockLevel, Warehouse
    from oms.changes.models import ChangeTask
    from oms.customers.models import Contact
    from oms.fulfilment.models import DepartmentTask
    from oms.intake.models import ImportBatch
    from oms.notifications.models import NotificationChannel
    from oms.orders.models import Inquiry, SalesOrder
    from oms.partners.models import Carrier, Supplier
    from oms.review.models import ApprovalStep, ReviewRound, ReviewTask

    confirmed = SalesOrder.objects.filter(status="confirmed").order_by("pk").first()
    assert confirmed is not None
    return {
        "confirmed": confirmed,
        "draft": SalesOrder.objects.get(status="draft"),
        "access_request": AccessRequest.objects.get(),
        "batch": ImportBatch.objects.create(file_name="orders.xlsx", created_by=users["sales_staff"]),
        "session": UserSession.objects.create(
            user=users["sales_staff"], session_key="x" * 32, started_at=timezone.now()
        ),
        "inquiry": Inquiry.objects.order_by("pk").first(),
        "change_task": ChangeTask.objects.order_by("pk").first(),
        "task": DepartmentTask.objects.filter(order=shipped).order_by("pk").first(),
        "round": ReviewRound.objects.filter(order=shipped).order_by("pk").first(),
        "review_task": ReviewTask.objects.filter(round__order=shipped).order_by("pk").first(),
        "step": ApprovalStep.objects.filter(order=shipped).order_by("pk").first(),
        "customer": shipped.customer,
        "contact": Contact.objects.order_by("pk").first(),
        "product": Product.objects.order_by("pk").first(),
        "warehouse": Warehouse.objects.order_by("pk").first(),
        "stock": StockLevel.objects.order_by("pk").first(),
        "supplier": Supplier.objects.order_by("pk").first(),
        "carrier": Carrier.objects.order_by("pk").first(),
        "department": Department.objects.order_by("pk").first(),
        "user": users["sales_staff"],
        "channel": NotificationChannel.objects.create(
            name="销售群", kind="wecom", webhook_url="http://127.0.0.1:9/robot", active=False
        ),
    }


_PK = [
    ("portal/orders/", "document"),
    ("portal/surveys/", "invitation"),
    ("accounts/departments/", "department"),
    ("accounts/users/", "user"),
    ("accounts/sessions/", "session"),
    ("archive/requests/", "access_request"),
    ("archive/", "record"),
    ("changes/tasks/", "change_task"),
    ("complaints/", "complaint"),
    ("improvements/", "improvement"),
    ("inbox/channels/", "channel"),
    ("supervision/checks/", "spot_check"),
    ("supervision/findings/", "finding"),
    ("supervision/reports/", "violation_report"),
    ("surveys/invitations/", "invitation"),
    ("surveys/questions/", "question"),
    ("surveys/", "survey"),
    ("changes/", "change"),
    ("documents/", "document"),
    ("downloads/", "generated_file"),
    ("inquiries/", "inquiry"),
    ("invoices/", "invoice"),
    ("master/carriers/", "carrier"),
    ("master/contacts/", "contact"),
    ("master/customers/", "customer"),
    ("master/products/", "product"),
    ("master/stock/", "stock"),
    ("master/suppliers/", "supplier"),
    ("master/warehouses/", "warehouse"),
    ("orders/import/", "batch"),
    ("orders/tasks/", "task"),
    ("orders/", "order"),
    ("purchase-orders/", "po"),
    ("receivables/reminder/", "customer"),
    ("review/approvals/", "step"),
    ("review/rounds/", "round"),
    ("review/tasks/", "review_task"),
    ("shipments/", "shipment"),
    ("statements/", "statement"),
]
_API_ITEM = {
    "carriers": "carrier",
    "contacts": "contact",
    "customers": "customer",
    "products": "product",
    "stock-levels": "stock",
    "suppliers": "supplier",
    "warehouses": "warehouse",
}
# One real verb per action route: enough to reach the view's scope check and the action.
_VERB = {
    "surveys/<int:pk>/": "conclusions",
    "supervision/checks/<int:pk>/": "close",
    "billing": "statement",
    "contract": "generate",
    "do": "submit",
    "document": "upload",
    "execution": "release",
    "quality": "plan",
    "tracking": "entry",
}
_PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")

# A route parameter's sample: the same for every route, read from the world, or found from the
# part of the route before it.
_FIXED = {"which": "notice", "kind": "note", "n": "0"}
_FROM_WORLD = {
    "order_id": ("order", "pk"),
    "request_id": ("change", "pk"),
    "step_id": ("step", "pk"),
    "batch": ("shipment", "number"),
}


def _task_key(before: str) -> str:
    if before.startswith("system/"):
        return "failed_task"
    return "change_task" if "change-tasks" in before else "review_task"


_BY_ROUTE: dict[str, Any] = {
    "pk": lambda before, w: str(w[next(key for prefix, key in _PK if before.startswith(prefix))].pk),
    "task_id": lambda before, w: str(w[_task_key(before)].pk),
    "item_id": lambda before, w: str(w[_API_ITEM[before.split("/")[1]]].pk),
    "verb": lambda before, w: _VERB.get(before) or _VERB[before.rstrip("/").rsplit("/", 1)[-1]],
    "number": lambda before, w: str(w["order"].number) if before.startswith(PORTAL_ROUTES) else "1",
}


def path_for(route: str, world: dict[str, Any]) -> str:
    def fill(match: re.Match[str]) -> str:
        name = match.group(2)
        before = route[: match.start()]
        if name in _FIXED:
            return _FIXED[name]
        if name in _FROM_WORLD:
            key, attribute = _FROM_WORLD[name]
            return str(getattr(world[key], attribute))
        if name in _BY_ROUTE:
            return str(_BY_ROUTE[name](before, world))
        raise KeyError(f"no sample for <{name}> in {route}")

    return "/" + _PARAM.sub(fill, route)
