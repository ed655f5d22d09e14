"""S-1, P-4, M-3: the permission matrix for every role, generated from the URL configuration.

The demo company is loaded and carried further (an acceptance, a statement, an invoice, a
purchase order, a document, a filed order with a file), so that every route has a real object
to open. Each route has a rule in RULES; a route without one fails `test_every_route_has_a_rule`.
Each role opens each route: GET for pages, POST with an empty form for actions. The rule says
who may: for a page, the others get 403 or 404; for an action on an object, everyone outside
the object's scope gets 404 (inside it, each verb's own predicate decides, which the workflow
tests cover verb by verb). MASKED lists pages whose confidential values must be hidden from the
roles the field policy excludes.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from oms.core.money import format_amount, format_price
from tests.test_anonymous_access import PUBLIC, ROUTES

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


def build_world() -> dict[str, Any]:
    from oms.accounts.models import Department, User, UserSession
    from oms.archive.models import AccessRequest, ArchiveRecord
    from oms.billing import actions as billing
    from oms.catalog.models import Product, StockLevel, Warehouse
    from oms.changes.models import ChangeRequest, ChangeTask
    from oms.changes.tests.fixtures import approve_all
    from oms.contracts import actions as contracts
    from oms.contracts.models import DocumentType
    from oms.customers.models import Contact
    from oms.delivery import actions as delivery
    from oms.demo.data import load_demo
    from oms.fulfilment.models import DepartmentTask, PurchaseOrder
    from oms.intake.models import ImportBatch
    from oms.orders.models import Inquiry, SalesOrder
    from oms.partners.models import Carrier, Supplier
    from oms.review.models import ApprovalStep, ReviewRound, ReviewTask

    load_demo()
    from oms.customers import actions as customers_actions

    other_contact = Contact.objects.filter(customer__code="C0002").order_by("pk").first()
    assert other_contact is not None
    customers_actions.grant_portal_access(
        actor=User.objects.get(username="admin"), contact=other_contact, username="customer_other"
    )
    users = {u.username: u for u in User.objects.filter(username__in=PROFILES)}
    today = timezone.localdate()
    shipped = SalesOrder.objects.filter(status="shipped").latest("pk")
    shipment = shipped.shipments.get()
    po = PurchaseOrder.objects.create(
        order=shipped, number=1, supplier=Supplier.objects.first(), created_by=users["procurement_staff"]
    )
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
        quantities={ln.pk: str(ln.quantity) for ln in shipped.lines.all()},
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
        amount=str(statement.total),
        tax_amount="0",
    )
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
    batch = ImportBatch.objects.create(file_name="orders.xlsx", created_by=users["sales_staff"])
    session = UserSession.objects.create(
        user=users["sales_staff"], session_key="x" * 32, started_at=timezone.now()
    )
    confirmed = SalesOrder.objects.filter(status="confirmed").order_by("pk").first()
    assert confirmed is not None
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
    from oms.notifications.models import NotificationChannel
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
    improvement = feedback.add_action(
        actor=users["customer_service_staff"],
        survey=survey,
        title="发货前电话确认",
        owner=users["sales_staff"],
        due_on=today,
    )
    return {
        "users": users,
        "order": shipped,
        "confirmed": confirmed,
        "draft": SalesOrder.objects.get(status="draft"),
        "shipment": shipment,
        "po": po,
        "statement": statement,
        "invoice": invoice,
        "document": document,
        "record": record,
        "access_request": AccessRequest.objects.get(),
        "batch": batch,
        "session": session,
        "inquiry": Inquiry.objects.order_by("pk").first(),
        "change": change,
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
        "complaint": complaint,
        "survey": survey,
        "invitation": Invitation.objects.get(survey=survey),
        "question": Question.objects.order_by("pk").first(),
        "improvement": improvement,
        "spot_check": spot_check,
        "channel": NotificationChannel.objects.create(
            name="销售群", kind="wecom", webhook_url="http://127.0.0.1:9/robot", active=False
        ),
        "finding": finding,
        "violation_report": report,
        "failed_task": _failed_task(),
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


def path_for(route: str, world: dict[str, Any]) -> str:
    def fill(match: re.Match[str]) -> str:
        name = match.group(2)
        before = route[: match.start()]
        if name == "pk":
            key = next(key for prefix, key in _PK if before.startswith(prefix))
            return str(world[key].pk)
        if name == "order_id":
            return str(world["order"].pk)
        if name == "request_id":
            return str(world["change"].pk)
        if name == "task_id" and before.startswith("system/"):
            return str(world["failed_task"].pk)
        if name == "task_id":
            return str(world["change_task" if "change-tasks" in before else "review_task"].pk)
        if name == "step_id":
            return str(world["step"].pk)
        if name == "item_id":
            return str(world[_API_ITEM[before.split("/")[1]]].pk)
        if name == "verb":
            return _VERB.get(before) or _VERB[before.rstrip("/").rsplit("/", 1)[-1]]
        if name == "which":
            return "notice"
        if name == "kind":
            return "note"
        if name == "number" and before.startswith(PORTAL_ROUTES):
            return str(world["order"].number)
        if name == "batch":
            return str(world["shipment"].number)
        if name in {"n", "number"}:
            return "0" if name == "n" else "1"
        raise KeyError(f"no sample for <{name}> in {route}")

    return "/" + _PARAM.sub(fill, route)


CHECKED = [r for r in ROUTES if r not in PUBLIC and r]


# --- who may: predicates of (user, world) --------------------------------------------------


def _everyone(u: Any, w: dict[str, Any]) -> bool:
    return True


def _admin(u: Any, w: dict[str, Any]) -> bool:
    from oms.accounts.permissions import is_admin

    return bool(is_admin(u))


def _role(*roles: str) -> Callable[[Any, dict[str, Any]], bool]:
    return lambda u, w: u.role in roles


def _sees(key: str) -> Callable[[Any, dict[str, Any]], bool]:
    """The object's order is in the user's scope (S-1)."""

    def check(u: Any, w: dict[str, Any]) -> bool:
        from oms.orders.selectors import orders_for

        obj = w[key]
        return orders_for(u).filter(pk=getattr(obj, "order_id", obj.pk)).exists()

    return check


def _renegotiates(u: Any, w: dict[str, Any]) -> bool:
    from oms.orders.permissions import can_renegotiate

    return bool(can_renegotiate(u, w["order"]))


def _price(u: Any, w: dict[str, Any]) -> bool:
    from oms.policy.visibility import visible_field_groups

    return "price" in visible_field_groups(u)


def _both(*checks: Callable[[Any, dict[str, Any]], bool]) -> Callable[[Any, dict[str, Any]], bool]:
    return lambda u, w: all(c(u, w) for c in checks)


def _either(*checks: Callable[[Any, dict[str, Any]], bool]) -> Callable[[Any, dict[str, Any]], bool]:
    return lambda u, w: any(c(u, w) for c in checks)


def _pred(dotted: str) -> Callable[[Any, dict[str, Any]], bool]:
    """A named predicate of the code (module:name) taking the user alone."""
    import importlib

    module, name = dotted.split(":")
    fn = getattr(importlib.import_module(module), name)
    return lambda u, w: bool(fn(u))


def _in(selector: str, key: str) -> Callable[[Any, dict[str, Any]], bool]:
    """The object is in what the selector (module:name, taking the user) shows the user."""
    import importlib

    module, name = selector.split(":")
    fn = getattr(importlib.import_module(module), name)
    return lambda u, w: fn(u).filter(pk=w[key].pk).exists()


def _archive(name: str) -> Callable[[Any, dict[str, Any]], bool]:
    from oms.archive import permissions

    fn = getattr(permissions, name)
    return lambda u, w: bool(fn(u, w["record"]) if name == "can_read" else fn(u))


@dataclass(frozen=True)
class Rule:
    """page: GET shows it (A) or refuses (R). action: POST reaches the action (D, V) or refuses
    (R) when the object is out of scope. jump: a redirect to a page that checks (D for all).
    `shown` overrides what an allowed GET answers (D for a page that works and redirects)."""

    kind: str
    who: Callable[[Any, dict[str, Any]], bool] = _everyone
    shown: str = "A"


def page(who: Callable[[Any, dict[str, Any]], bool] = _everyone, shown: str = "A") -> Rule:
    return Rule("page", who, shown)


def action(who: Callable[[Any, dict[str, Any]], bool] = _everyone) -> Rule:
    return Rule("action", who)


JUMP = Rule("jump")
ORDER = _sees("order")
ADMIN = page(_admin)
ADMIN_ACTION = action(_admin)
ORDER_ENTRY = _pred("oms.orders.permissions:can_enter_orders")
HEADS_AND_UP = _role("head", "executive", "admin", "auditor")
POLICY = page(_pred("oms.accounts.permissions:can_view_policy"))
REVIEW_TASK = _in("oms.review.selectors:review_tasks_for", "review_task")
CUSTOMER = _in("oms.customers.selectors:customers_for", "customer")
CONTACT = _in("oms.customers.selectors:contacts_for", "contact")
CHANGE = _in("oms.changes.selectors:requests_for", "change")
PLANS = _either(
    _pred("oms.analytics.permissions:can_plan"), _pred("oms.analytics.permissions:can_view_dashboard")
)
COMPLAINT = _in("oms.feedback.selectors:complaints_for", "complaint")
SURVEYS = _pred("oms.feedback.permissions:can_see_surveys")


def _customer(u: Any, w: dict[str, Any]) -> bool:
    """A customer's portal login (B-8)."""
    return bool(getattr(u, "is_customer", False))


def _own_customer(u: Any, w: dict[str, Any]) -> bool:
    """A portal login of the customer whose order the route names (B-8): others get the 404 of
    an order that does not exist."""
    return _customer(u, w) and u.portal_account.customer_id == w["order"].customer_id


PORTAL = page(_customer)
PORTAL_ROUTES = ("portal/", "api/portal/")
PORTAL_OWN = page(_own_customer)

RULES: dict[str, Rule] = {
    # Organisation (A-4, S-1): lists show staff only what their scope holds; editing is the admin's.
    "accounts/departments/": page(),
    "accounts/departments/<int:pk>/edit/": ADMIN,
    "accounts/departments/new/": ADMIN,
    "accounts/users/": page(),
    "accounts/users/<int:pk>/edit/": ADMIN,
    "accounts/users/<int:pk>/password/": ADMIN,
    "accounts/users/new/": ADMIN,
    "accounts/sessions/": ADMIN,
    # Issue 24: the running system (jobs, workers, failed tasks) and a failed task's retry.
    "system/": ADMIN,
    "system/tasks/<str:task_id>/retry/": ADMIN_ACTION,
    "accounts/api-tokens/": ADMIN,
    "accounts/login-locks/": ADMIN,
    "accounts/sessions/<int:pk>/end/": ADMIN_ACTION,
    "accounts/two-factor/": page(_pred("oms.accounts.permissions:can_use_two_factor")),
    # API (same rules as the pages; session or token).
    "api/": page(lambda u, w: False),  # no page at the root
    "api/approval-steps/<step_id>/decision": action(),
    "api/carriers/": page(),
    "api/carriers/<item_id>": page(),
    "api/change-requests/<request_id>": page(CHANGE),
    "api/change-requests/<request_id>/withdraw": action(),
    "api/change-tasks/<task_id>/opinion": action(),
    "api/contacts/": page(),
    "api/contacts/<item_id>": page(CONTACT),
    "api/customers/": page(),
    "api/customers/<item_id>": page(CUSTOMER),
    "api/orders/": page(),
    "api/orders/<order_id>": page(ORDER),
    "api/orders/<order_id>/change-requests": page(ORDER),
    "api/orders/<order_id>/check": action(),
    "api/orders/<order_id>/complete-info": action(),
    "api/orders/<order_id>/confirmation": action(),
    "api/orders/<order_id>/confirmation-link": action(ORDER),
    "api/orders/<order_id>/decision": action(),
    "api/orders/<order_id>/review": page(ORDER),
    "api/orders/<order_id>/shipments": page(ORDER),
    "api/orders/<order_id>/submit": action(ORDER),
    "api/products/": page(),
    "api/products/<item_id>": page(),
    "api/regions/": page(),
    "api/review-tasks/": page(),
    "api/review-tasks/<task_id>": page(REVIEW_TASK),
    "api/review-tasks/<task_id>/opinion": action(),
    "api/stock-levels/": page(),
    "api/stock-levels/<item_id>": page(),
    "api/suppliers/": page(),
    "api/suppliers/<item_id>": page(),
    "api/warehouses/": page(),
    "api/warehouses/<item_id>": page(),
    # Analysis and assessment (O-1, O-3, Q-1, Q-2): those who assess; sales plan.
    "analytics/assessment/": page(_pred("oms.analytics.permissions:can_view_kpis")),
    "analytics/dashboard/": page(_pred("oms.analytics.permissions:can_view_dashboard")),
    "analytics/kpis/": page(_pred("oms.analytics.permissions:can_view_kpis")),
    "analytics/kpis/records/": page(lambda u, w: False),  # needs ?kpi=; without it: 404 or 403
    "analytics/plans/": page(PLANS),
    "analytics/plans/actual/": page(PLANS),
    "analytics/plans/new/": page(_pred("oms.analytics.permissions:can_plan")),
    # Archive (M-2, M-3): the index card for all staff, the contents on a grant or for keepers.
    "archive/": page(),
    "archive/<int:pk>/": page(),
    "archive/<int:pk>/disposal/": action(),
    "archive/<int:pk>/files/<int:n>/": page(_archive("can_read")),
    "archive/<int:pk>/packet/": page(_archive("can_read")),
    "archive/<int:pk>/request/": action(),
    "archive/disposed/": page(_archive("can_see_retention")),
    "archive/log/": page(_archive("can_see_access_log")),
    "archive/requests/": page(),
    "archive/requests/<int:pk>/": page(_in("oms.archive.selectors:requests_for", "access_request")),
    "archive/retention/": page(_archive("can_see_retention")),
    # Audit (S-2).
    "audit/": page(_pred("oms.accounts.permissions:can_view_audit")),
    "audit/verify/": page(_pred("oms.accounts.permissions:can_view_audit"), shown="D"),
    # Customers' voice (N-1..N-3): complaints by scope, surveys for those who run them.
    "complaints/": page(),
    "complaints/<int:pk>/": page(COMPLAINT),
    "complaints/<int:pk>/action/": action(COMPLAINT),
    "complaints/<int:pk>/step/": action(COMPLAINT),
    "complaints/new/": page(_pred("oms.feedback.permissions:handles_complaints")),
    "improvements/": page(),
    "improvements/<int:pk>/": page(_in("oms.feedback.selectors:actions_for", "improvement")),
    # Supervision (O-2, O-4): the group runs checks; anyone reports; only the group reads reports.
    "supervision/checks/": page(_pred("oms.supervision.permissions:can_see_checks")),
    "supervision/checks/<int:pk>/": page(_pred("oms.supervision.permissions:can_see_checks")),
    "supervision/checks/<int:pk>/<str:verb>/": action(_pred("oms.supervision.permissions:can_see_checks")),
    "supervision/checks/new/": page(_pred("oms.supervision.permissions:can_run_checks")),
    "supervision/findings/": page(),
    "supervision/findings/<int:pk>/": page(_in("oms.supervision.selectors:findings_for", "finding")),
    "supervision/reports/": page(_pred("oms.supervision.permissions:can_read_reports")),
    "supervision/reports/<int:pk>/": page(_pred("oms.supervision.permissions:can_read_reports")),
    "supervision/reports/new/": page(),
    "surveys/": page(SURVEYS),
    "surveys/<int:pk>/": page(SURVEYS),
    "surveys/<int:pk>/<str:verb>/": action(SURVEYS),
    "surveys/invitations/": page(),
    "surveys/invitations/<int:pk>/": page(_in("oms.feedback.selectors:invitations_for", "invitation")),
    "surveys/new/": page(_pred("oms.feedback.permissions:can_manage_surveys")),
    "surveys/questions/": ADMIN,
    "surveys/questions/<int:pk>/edit/": ADMIN,
    "surveys/questions/new/": ADMIN,
    # Changes (I, J).
    "changes/": page(),
    "changes/<int:pk>/": page(CHANGE),
    "changes/<int:pk>/agreement/": page(CHANGE),
    "changes/<int:pk>/file/<str:which>/": page(CHANGE),
    "changes/tasks/<int:pk>/": JUMP,
    "contracts/template/": ADMIN,
    "documents/<int:pk>/download/": page(_sees("document")),
    "inbox/": page(),
    # Notification channels and the delivery log (T-1): the administrator's.
    "inbox/channels/": ADMIN,
    "inbox/channels/<int:pk>/edit/": ADMIN,
    "inbox/channels/new/": ADMIN,
    "inbox/deliveries/": ADMIN,
    "inbox/preferences/": page(),
    # Inquiries and intake (B).
    "inquiries/": page(),
    "inquiries/<int:pk>/": page(_in("oms.orders.selectors:inquiries_for", "inquiry")),
    "inquiries/<int:pk>/order/": page(
        _both(_in("oms.orders.selectors:inquiries_for", "inquiry"), ORDER_ENTRY)
    ),
    "inquiries/new/": page(_pred("oms.orders.permissions:can_record_inquiry")),
    "invoices/<int:pk>/dunning/": action(_sees("order")),  # the invoice's order
    "invoices/<int:pk>/go/": JUMP,
    # Master data (A): everyone reads, the administrator edits.
    **{
        f"master/{m}/": page()
        for m in ("carriers", "contacts", "customers", "products", "stock", "suppliers", "warehouses")
    },
    **{
        f"master/{m}/<int:pk>/edit/": ADMIN
        for m in ("carriers", "contacts", "customers", "products", "stock", "suppliers", "warehouses")
    },
    **{
        f"master/{m}/new/": ADMIN
        for m in ("carriers", "contacts", "customers", "products", "stock", "suppliers", "warehouses")
    },
    "master/customers/picker/": page(),
    "master/contacts/<int:pk>/portal/": ADMIN,  # B-8: opening a contact's portal login
    "master/products/picker/": page(),
    # The order and what hangs on it: the order's scope decides (S-1).
    "orders/": page(),
    "orders/<int:pk>/": page(ORDER),
    "orders/<int:pk>/billing/<str:verb>/": action(ORDER),
    "orders/<int:pk>/change-link/": action(ORDER),
    "orders/<int:pk>/changes/new/": page(ORDER),
    "orders/<int:pk>/confirmation-link/": action(ORDER),
    "orders/<int:pk>/confirmation/": action(ORDER),
    "orders/<int:pk>/contract-print/": page(ORDER),
    "orders/<int:pk>/contract/<str:verb>/": action(ORDER),
    "orders/<int:pk>/do/<str:verb>/": action(ORDER),
    "orders/<int:pk>/document/<str:verb>/": action(ORDER),
    "orders/<int:pk>/documents/": page(ORDER),
    # A submitted order is not edited: those who may renegotiate it are sent back with a message.
    "orders/<int:pk>/edit/": page(
        _both(
            ORDER,
            _renegotiates,
        ),
        shown="D",
    ),
    "orders/<int:pk>/execution/<str:verb>/": action(ORDER),
    "orders/<int:pk>/original/": page(ORDER),
    "orders/<int:pk>/print/": page(ORDER),
    "orders/<int:pk>/purchase-decision/": action(ORDER),
    "orders/<int:pk>/quality/<str:verb>/": action(ORDER),
    "orders/<int:pk>/tracking/<str:verb>/": action(ORDER),
    "orders/<int:pk>/versions/": page(ORDER),
    "orders/import/": page(ORDER_ENTRY),
    "orders/import/<int:pk>/": page(lambda u, w: w["batch"].created_by_id == u.pk),
    "orders/import/template.xlsx": page(),
    "orders/new/": page(ORDER_ENTRY),
    "orders/tasks/<int:pk>/": JUMP,
    # Policy (DESIGN 5): heads and up read it, the administrator changes it.
    # The customer portal (B-8, H-1, N-3): customers only, each their own company's records.
    "portal/": PORTAL,
    "portal/api-tokens/": PORTAL,
    "api/portal/orders": PORTAL,
    "api/portal/orders/<number>": PORTAL_OWN,
    "api/portal/orders/<number>/confirm": action(_own_customer),
    "portal/complaints/": PORTAL,
    "portal/invoices/": PORTAL,
    "portal/messages/": PORTAL,
    "portal/orders/new/": PORTAL,
    "portal/orders/<str:number>/": PORTAL_OWN,
    "portal/orders/<str:number>/change/": PORTAL_OWN,
    "portal/orders/<str:number>/complaint/": PORTAL_OWN,
    "portal/orders/<str:number>/confirm/": action(_own_customer),
    "portal/orders/<str:number>/documents/<int:pk>/": PORTAL_OWN,
    # The world's shipment is accepted already: the page sends the customer back to the order.
    "portal/orders/<str:number>/shipments/<int:batch>/accept/": page(_own_customer, shown="D"),
    "portal/password/": PORTAL,
    "portal/surveys/": PORTAL,
    "portal/surveys/<int:pk>/": PORTAL_OWN,
    "policy/": POLICY,
    "policy/calendar/": POLICY,
    "policy/calendar/day/": page(_admin, shown="D"),
    "policy/calendar/seed/": page(_admin, shown="D"),
    "policy/edit/": ADMIN,
    "policy/export/": POLICY,
    "policy/export/<int:number>/": POLICY,
    "policy/import/": ADMIN,
    "purchase-orders/<int:pk>/": JUMP,
    "quality/statistics/": page(lambda u, w: u.department_kind == "quality" or u.role != "staff"),
    # Money (L, S-1): only roles that may see prices.
    "receivables/": page(_price),
    "receivables/receipt/": action(),
    "receivables/reminder/<int:pk>/": page(_both(_price, ORDER)),  # overdue invoices of its orders in scope
    # Review and approval (C, D).
    "review/approvals/<int:pk>/": JUMP,
    "review/approvals/<int:pk>/decide/": action(ORDER),
    "review/rounds/<int:pk>/cause/": action(ORDER),
    "review/rounds/<int:pk>/report.pdf": page(ORDER),
    "review/rounds/<int:pk>/report/": page(ORDER),
    "review/tasks/": page(),
    "review/tasks/<int:pk>/": page(REVIEW_TASK),
    "shipments/<int:pk>/<str:kind>/print/": page(ORDER),
    "shipments/<int:pk>/acceptance/": action(ORDER),
    "statements/<int:pk>/go/": JUMP,
    "statements/<int:pk>/print/": page(_both(ORDER, _price)),
    "tracking/overview/": page(HEADS_AND_UP),
    "warehouse/picking/": page(
        lambda u, w: u.department_kind == "warehouse" or u.role in {"admin", "executive"}
    ),
    "work/": page(),
}

# Form fields an action needs to get past its own "which one?" lookup to the scope check.
POST_DATA: dict[str, dict[str, Any]] = {
    "orders/<int:pk>/purchase-decision/": {"po": "po"},
    "archive/<int:pk>/disposal/": {"verb": "request_disposal"},
}


def _phone(w: dict[str, Any]) -> str:
    return str(w["order"].contact_phone)


def _total(w: dict[str, Any]) -> str:
    """The total as pages show it (P-1: 2,000.00)."""
    return format_amount(w["order"].total_amount)


def _total_in_api(w: dict[str, Any]) -> str:
    return str(w["order"].total_amount)


def _archived_price(w: dict[str, Any]) -> str:
    return format_price(w["record"].order.lines.get().unit_price)


# Pages whose confidential values follow the field policy (S-1, P-4): for each field group, a
# value that roles with the group see and roles without it must not.
# Each entry applies to the roles that see the object at all (its page rule, or the given one).
MASKED: dict[str, list[tuple[str, Callable[[dict[str, Any]], str]]]] = {
    "orders/<int:pk>/": [("price", _total), ("contact", _phone)],
    "orders/<int:pk>/print/": [("contact", _phone)],
    "orders/": [("price", _total)],
    "api/orders/<order_id>": [("price", _total_in_api), ("contact", _phone)],
    "archive/<int:pk>/": [("price", _archived_price)],
}
MASKED_FOR = {"orders/": ORDER, "archive/<int:pk>/": _archive("can_read")}


def expected(rule: Rule, allowed: bool) -> set[str]:
    if rule.kind == "jump":
        return {"GD"} if allowed else {"GR"}
    if rule.kind == "action":
        # A customer's login is refused before the method is even looked at (GR).
        return {"PD", "PV", "PA"} if allowed else {"PR", "GR"}
    return {f"G{rule.shown}"} if allowed else {"GR"}


def observe(
    client: Any,
    route: str,
    path: str,
    world: dict[str, Any],
    *,
    masked: list[tuple[str, Callable[[dict[str, Any]], str]]] = (),  # type: ignore[assignment]
    user: Any = None,
) -> str:
    """G or P (the method that answered) and A shown, R refused (403, 404), D redirected,
    V bad input reached the action, else the status code. A shown page that shows a value its
    viewer's field policy hides, or hides one it shows, answers "leak:<group>" or "hid:<group>"."""
    from oms.policy.visibility import visible_field_groups

    response = client.get(path)
    method = "G"
    if response.status_code == 405:
        data = {k: world[v].pk if v in world else v for k, v in POST_DATA.get(route, {}).items()}
        response = client.post(path, data)
        method = "P"
    code = response.status_code
    mark = {200: "A", 403: "R", 404: "R", 301: "D", 302: "D", 400: "V", 409: "V", 422: "V"}.get(
        code, str(code)
    )
    if mark == "D" and "/accounts/login/" in response.get("Location", ""):
        mark = "login"
    if mark == "A" and masked:
        body = response.content.decode()
        groups = visible_field_groups(user)
        for group, needle in masked:
            value = needle(world)
            if group in groups and value not in body:
                return f"hid:{group}"
            if group not in groups and value in body:
                return f"leak:{group}"
    return method + mark


def test_every_route_has_a_rule() -> None:
    """A new page or endpoint without a rule fails here (S-1)."""
    assert sorted(set(CHECKED) - set(RULES)) == []
    assert sorted(set(RULES) - set(CHECKED)) == []


@pytest.mark.django_db
def test_every_role_on_every_route(client: Any, settings: Any, tmp_path: Any) -> None:
    """S-1, P-4, M-3: each of the roles opens each route and gets what its rule says."""
    settings.MEDIA_ROOT = tmp_path
    world = build_world()
    wrong = []
    for route in CHECKED:
        rule = RULES[route]
        path = path_for(route, world)
        for name in PROFILES:
            user = world["users"][name]
            client.force_login(user)
            # B-8: customers are confined to the portal, and the portal is theirs alone.
            side = route.startswith(PORTAL_ROUTES) == _customer(user, world)
            want = expected(rule, side and rule.who(user, world))
            applies = MASKED_FOR.get(route, _everyone)(user, world)
            masked = MASKED.get(route, []) if applies else []
            got = observe(client, route, path, world, masked=masked, user=user)
            if got not in want:
                wrong.append((route, name, got, sorted(want)))
    assert wrong == [], "\n".join(map(str, wrong))
