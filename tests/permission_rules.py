"""Who may open each route of the permission matrix (S-1, P-4, M-3): a rule per route in RULES,
and MASKED, the pages whose confidential values the field policy hides from some roles."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from oms.core.money import format_amount, format_price

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


def _raises_change(u: Any, w: dict[str, Any]) -> bool:
    """I-1: a person of a department working on the order; not the auditor, who reads."""
    from oms.changes.states import can_raise

    return bool(can_raise(u, w["order"]))


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


def _requested(u: Any, w: dict[str, Any]) -> bool:
    return bool(w["generated_file"].requested_by_id == u.pk)


@dataclass(frozen=True)
class Rule:
    """page: GET shows it (A) or refuses (R). action: POST reaches the action (D, V) or refuses
    (R) when the object is out of scope. jump: a redirect to a page that checks (D for all).
    `shown` overrides what an allowed GET answers (D for a page that works and redirects)."""

    kind: str
    who: Callable[[Any, dict[str, Any]], bool] = _everyone
    shown: str = "A"


def _api_door(route: str) -> Callable[[Any, dict[str, Any]], bool]:
    """S-1 (ADR 0013, issue 23): who may call an API write that reads a body is its declared door
    (`oms.web.api_gate.asks_first`), the named predicate the page's gate asks too, asked on the
    world's record through the caller's scope; the matrix checks the API answers by it."""

    def who(u: Any, w: dict[str, Any]) -> bool:
        from django.http import Http404
        from django.test import RequestFactory
        from django.urls import resolve

        from config.api import api
        from oms.core.errors import NotAllowed
        from oms.engine.workflow import PermissionDenied
        from oms.web.api_gate import door_of
        from tests.permission_world import path_for

        path = path_for(route, w)
        wanted = "/" + route.removeprefix("api/").replace("<", "{").replace(">", "}")
        door = next(
            door_of(operation)
            for prefix, router in api._routers
            for sub, view in router.path_operations.items()
            if "/" + f"{prefix.strip('/')}{sub}".strip("/") == wanted.rstrip("/")
            for operation in view.operations
            if door_of(operation) is not None
        )
        assert door is not None
        request = RequestFactory().post(path)
        request.user = u
        try:
            door(request, {k: int(v) for k, v in resolve(path).kwargs.items()})
        except (Http404, NotAllowed, PermissionDenied):
            return False
        return True

    return who


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
    "api/approval-steps/<step_id>/decision": action(_api_door("api/approval-steps/<step_id>/decision")),
    "api/carriers/": page(),
    "api/carriers/<item_id>": page(),
    "api/change-requests/<request_id>": page(CHANGE),
    "api/change-requests/<request_id>/withdraw": action(
        _api_door("api/change-requests/<request_id>/withdraw")
    ),
    "api/change-tasks/<task_id>/opinion": action(_api_door("api/change-tasks/<task_id>/opinion")),
    "api/contacts/": page(),
    "api/contacts/<item_id>": page(CONTACT),
    "api/customers/": page(),
    "api/customers/<item_id>": page(CUSTOMER),
    "api/orders/": page(),
    "api/orders/<order_id>": page(ORDER),
    "api/orders/<order_id>/change-requests": page(ORDER),
    "api/orders/<order_id>/check": action(_api_door("api/orders/<order_id>/check")),
    "api/orders/<order_id>/complete-info": action(_api_door("api/orders/<order_id>/complete-info")),
    "api/orders/<order_id>/confirmation": action(_api_door("api/orders/<order_id>/confirmation")),
    # D-2, S-1: who may send the link is asked before the order's state.
    "api/orders/<order_id>/confirmation-link": action(_both(ORDER, _renegotiates)),
    "api/orders/<order_id>/decision": action(_api_door("api/orders/<order_id>/decision")),
    "api/orders/<order_id>/review": page(ORDER),
    "api/orders/<order_id>/shipments": page(ORDER),
    "api/orders/<order_id>/submit": action(ORDER),
    "api/products/": page(),
    "api/products/<item_id>": page(),
    "api/regions/": page(),
    "api/review-tasks/": page(),
    "api/review-tasks/<task_id>": page(REVIEW_TASK),
    "api/review-tasks/<task_id>/opinion": action(_api_door("api/review-tasks/<task_id>/opinion")),
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
    # Files generated by the worker (issue 24.2): the requester's own, and any for an administrator.
    "downloads/": page(),
    "downloads/<int:pk>/": page(_requested),
    "downloads/<int:pk>/file/": page(_either(_requested, _admin)),
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
    "orders/register/": page(),  # issue 23: the execution register, rows scoped like the list
    "orders/<int:pk>/": page(ORDER),
    "orders/<int:pk>/billing/<str:verb>/": action(ORDER),
    "orders/<int:pk>/change-link/": action(ORDER),
    "orders/<int:pk>/changes/new/": page(_both(ORDER, _raises_change)),
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
    # Issue 21: the payment form's customers owing, searched; finance's form only.
    "receivables/payers/": page(_both(_price, _pred("oms.billing.states:in_finance"))),
    "receivables/account/": page(_price),  # issue 23: the customer is then chosen in scope
    # Issue 21: the statement's customers with invoices in the user's scope, searched.
    "receivables/account/customers/": page(_price),
    "receivables/reminder/<int:pk>/": page(_both(_price, ORDER)),  # overdue invoices of its orders in scope
    # Review and approval (C, D).
    "review/approvals/<int:pk>/": JUMP,
    "review/approvals/<int:pk>/decide/": action(ORDER),
    "review/rounds/<int:pk>/cause/": action(ORDER),
    "review/rounds/<int:pk>/report.pdf": page(ORDER),
    "review/rounds/<int:pk>/report/": page(ORDER),
    "review/tasks/": page(),
    "review/tasks/<int:pk>/": page(REVIEW_TASK),
    "review/batch/": page(),  # issue 23: the user's own open tasks and steps only
    "search/": page(),  # issue 23: the header search, results scoped per kind
    "shipments/notes/": page(),  # issue 23: the user's shipments in scope only
    "shipments/<int:pk>/<str:kind>/print/": page(ORDER),
    "shipments/<int:pk>/acceptance/": action(ORDER),
    "statements/<int:pk>/go/": JUMP,
    "statements/<int:pk>/print/": page(_both(ORDER, _price)),
    "tracking/overview/": page(HEADS_AND_UP),
    "warehouse/picking/": page(
        lambda u, w: u.department_kind == "warehouse" or u.role in {"admin", "executive"}
    ),
    "warehouse/picking/print/": page(
        lambda u, w: u.department_kind == "warehouse" or u.role in {"admin", "executive"}
    ),
    # The order form's fills (issue 23 point 7): who enters orders, for customers in their scope.
    "master/customers/<int:pk>/order-defaults/": page(_both(ORDER_ENTRY, CUSTOMER)),
    "master/products/<int:pk>/order-defaults/": page(ORDER_ENTRY),
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
    "orders/register/": [("price", _total)],
    "api/orders/<order_id>": [("price", _total_in_api), ("contact", _phone)],
    "archive/<int:pk>/": [("price", _archived_price)],
}
# Where on the page each group's values are: the order page is a document with tabs (issue 23.5),
# its contact on 基本信息 and its amounts on 明细, so each group is checked on its tab.
MASKED_QUERY = {"orders/<int:pk>/": {"price": "?tab=lines", "contact": "?tab=info"}}
MASKED_FOR = {"orders/": ORDER, "orders/register/": ORDER, "archive/<int:pk>/": _archive("can_read")}
