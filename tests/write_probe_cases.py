"""The cases of `test_write_probe` (S-1, ADR 0013): where each verb is posted and on what, every
other POST route with its valid input and the refusal the auditor gets, the writes the auditor may
make, and the builders of complete input and of the fingerprint of everything a write changes."""

from __future__ import annotations

import copy
import importlib
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from django import forms
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Max, Sum
from django.http import QueryDict
from django.utils import timezone
from django.utils.datastructures import MultiValueDict

# --- the verbs: each table of `oms.web.verbs.Verb`, where it is posted and on what ------------------

# "module:TABLE" → (route, the world's key of the verb's target, how the verb is named: in the
# route ("path") or as the posted field `verb` ("field")).
VERB_TABLES: dict[str, tuple[str, str | None, str]] = {
    "oms.billing.views:VERBS": ("orders/<int:pk>/billing/<str:verb>/", "order", "path"),
    "oms.billing.views:PAYMENT_VERBS": ("receivables/receipt/", None, "none"),
    "oms.billing.views:DUNNING_VERBS": ("invoices/<int:pk>/dunning/", "invoice", "none"),
    "oms.changes.views:REQUEST_VERBS": ("changes/<int:pk>/", "change", "field"),
    "oms.contracts.views:CONTRACT_VERBS": ("orders/<int:pk>/contract/<str:verb>/", "order", "path"),
    "oms.contracts.views:DOCUMENT_VERBS": ("orders/<int:pk>/document/<str:verb>/", "order", "path"),
    "oms.delivery.views:VERBS": ("shipments/<int:pk>/acceptance/", "shipment", "field"),
    "oms.fulfilment.views:VERBS": ("orders/<int:pk>/execution/<str:verb>/", "order", "path"),
    "oms.quality.views:VERBS": ("orders/<int:pk>/quality/<str:verb>/", "order", "path"),
    "oms.review.views:PANEL_VERBS": ("", "", "panel"),
}
# The review panel's verbs each have their own route and target.
PANEL = {
    "decide": ("review/approvals/<int:pk>/decide/", "step"),
    "confirm": ("orders/<int:pk>/confirmation/", "order"),
    "cause": ("review/rounds/<int:pk>/cause/", "round"),
}
# Routes whose verbs are not a `Verb` table, each verb with its valid input and the refusal it
# must get (a message shown, or a status).
ORDER_PAGE_VERBS = "oms.workbench.views.order:VERBS"
TRACKING = {
    "entry": {"kind": "progress", "text": "已排产"},
    "exception": {"kind": "delay", "description": "供应商延迟", "responsible": "@prod_head"},
    "resolve": {"exception": "@exception", "cause": "供应商延迟", "resolution": "已调货"},
}
READ_ONLY = "审计员只能查看，不能记录跟踪台账或提出、处理异常。"


def verb_tables() -> dict[str, dict[str, Any]]:
    """Every `Verb` table of the apps' views, found by walking them (not a hand-kept list)."""
    from oms.web.verbs import Verb

    found: dict[str, dict[str, Any]] = {}
    for config in apps.get_app_configs():
        if not config.name.startswith("oms."):
            continue
        for name in _view_modules(config.name):
            module = importlib.import_module(name)
            for attr, value in vars(module).items():
                if (
                    isinstance(value, dict)
                    and value
                    and all(isinstance(v, Verb) for v in value.values())
                    and f"{name}:{attr}" not in found
                ):
                    found[f"{name}:{attr}"] = value
    return found


def _view_modules(app: str) -> Iterator[str]:
    import pkgutil

    for candidate in (f"{app}.views",):
        try:
            module = importlib.import_module(candidate)
        except ModuleNotFoundError:
            continue
        yield candidate
        for info in pkgutil.iter_modules(getattr(module, "__path__", [])):
            yield f"{candidate}.{info.name}"


# --- every other route that takes a POST: its valid input and the refusal the auditor gets ----------

# The API's master data: a new record is posted as a copy of the world's one (its own answer).
API_MASTER = {
    "carriers": "carrier",
    "contacts": "contact",
    "customers": "customer",
    "products": "product",
    "stock-levels": "stock",
    "suppliers": "supplier",
    "warehouses": "warehouse",
}

# The related records a copy names by id.
API_MASTER_IDS = {
    "contacts": {"customer_id": "@customer"},
    "customers": {"region_id": "=customer.region_id"},
    "stock-levels": {"product_id": "@product", "warehouse_id": "@warehouse"},
}

# route → (valid input; values "@key" are the world's record's pk; the expected refusal: a status
# "403", "404" or "405", or a text the answer shows). JSON for the API.
ROUTE_CASES: dict[str, tuple[str, dict[str, Any], str]] = {
    # (the form whose fields are filled as `valid_input` fills a verb's, "module:Form" or ""; the
    # further input; the refusal)
    "accounts/sessions/<int:pk>/end/": ("", {}, "404"),
    "system/tasks/<str:task_id>/retry/": ("", {}, "404"),
    "archive/<int:pk>/disposal/": (
        "oms.archive.forms:ReasonForm",
        {"verb": "request_disposal"},
        "您没有权限执行“申请销毁”。",
    ),
    "complaints/<int:pk>/action/": ("oms.feedback.forms:ImprovementForm", {"owner": "@user"}, "您没有权限"),
    "complaints/<int:pk>/step/": (
        "",
        {"step": "collect_evidence", "evidence_note": "照片", "version": "=complaint.version"},
        "您没有权限",
    ),
    "improvements/<int:pk>/": (
        "",
        {"verb": "finish", "note": "已改进", "version": "=improvement.version"},
        "您没有权限",
    ),
    "inquiries/<int:pk>/": ("", {"verb": "assign", "assignee": "@user"}, "您没有权限执行“分配给销售”。"),
    "orders/<int:pk>/changes/new/": ("oms.changes.forms:RequestForm", {"kind": "change"}, "404"),
    "orders/<int:pk>/change-link/": ("", {}, "只有负责该订单的销售可以发送变更链接。"),
    "orders/<int:pk>/confirmation-link/": ("", {}, "只有销售可以发送确认链接。"),
    "orders/<int:pk>/purchase-decision/": (
        "",
        {"po": "@po", "decision": "accept"},
        "只有采购部门可以做这件事。",
    ),
    "review/tasks/<int:pk>/": (
        "oms.review.forms:OpinionForm",
        {},
        "只有评审人（或超时后接手的上级）可以给出意见。",
    ),
    "review/batch/": (
        "",
        {"decision": "approve", "reason": "同意", "items": "~task-review_task"},
        "1 项未能处理",
    ),
    "surveys/<int:pk>/send/": ("oms.feedback.forms:SendSurveyForm", {}, "不能执行“发送调查”"),
    "surveys/<int:pk>/close/": ("", {}, "您没有权限执行“结束调查”。"),
    "surveys/<int:pk>/conclusions/": ("oms.feedback.forms:SurveyReportForm", {}, "您没有权限执行此操作。"),
    "surveys/<int:pk>/notice/": ("oms.feedback.forms:SurveyReportForm", {}, "您没有权限执行此操作。"),
    "surveys/<int:pk>/action/": (
        "oms.feedback.forms:ImprovementForm",
        {"owner": "@user"},
        "您没有权限执行此操作。",
    ),
    # The API (JSON): each write endpoint with a complete body. The expected refusals are the
    # API's: 403 for who may not, asked before the body is read (`oms.web.api_gate`, issue 23),
    # so also on a transition whose state would refuse it. An endpoint without a body reaches
    # the engine, which answers the state of the world's received order first (409, DESIGN 4's
    # fixed order); that the auditor may take none of the transitions is asked of their
    # permissions in test_the_auditor_is_refused_every_order_transition.
    "api/approval-steps/<step_id>/decision": ("", {"approve": True, "comment": "同意"}, "403"),
    "api/change-requests/<request_id>/withdraw": ("", {"reason": "客户撤回"}, "403"),
    "api/change-tasks/<task_id>/opinion": ("", {"verdict": "approve", "comment": "可行"}, "403"),
    "api/orders/<order_id>/check": ("", {"decision": "pass", "reason": ""}, "403"),
    "api/orders/<order_id>/complete-info": ("", {"reason": "已补充"}, "403"),
    "api/orders/<order_id>/confirmation": ("", {"confirmed_by_name": "张伟"}, "403"),
    "api/orders/<order_id>/confirmation-link": ("", {}, "403"),
    "api/orders/<order_id>/decision": ("", {"accept": True, "reason": "接受风险"}, "403"),
    "api/orders/<order_id>/submit": ("", {}, "409"),
    "api/review-tasks/<task_id>/opinion": ("", {"verdict": "approve", "comment": "可行"}, "403"),
    "api/orders/<order_id>/change-requests": (
        "",
        {"kind": "change", "source": "customer", "reason": "客户要求", "impact": "无", "terms": {}},
        "403",
    ),
    "api/orders/<order_id>/shipments": (
        "",
        {
            "mode": "road",
            "shipped_on": "=today.iso",
            "lines": {"1": "1"},
            "expected_arrival": "=today.iso",
            "confirmed_with": "张伟",
            "quantity_checked": True,
        },
        "403",
    ),
    "api/orders/": (
        "",
        {
            "customer_id": "@customer",
            "contact_name": "张伟",
            "contact_phone": "13812345678",
            "order_date": "=today.iso",
            "delivery_date": "=today.iso",
            "delivery_place": "上海",
            "payment_terms": "monthly",
            "lines": [{"product_id": "@product", "quantity": "1", "unit_price": "1000"}],
        },
        "403",
    ),
    **{
        f"api/{m}/": ("", {"@copy": key, **API_MASTER_IDS.get(m, {})}, "403") for m, key in API_MASTER.items()
    },
    "complaints/new/": ("oms.feedback.forms:ComplaintForm", {"order_number": "=order.number"}, "403"),
    "inquiries/new/": ("oms.intake.forms:InquiryForm", {}, "404"),
    "orders/new/": ("", {}, "404"),
    "orders/<int:pk>/edit/": ("", {}, "404"),
    "orders/import/": ("", {}, "404"),
    "surveys/new/": ("oms.feedback.forms:SurveyForm", {}, "403"),
    "analytics/plans/new/": ("", {}, "403"),
    # Page-level forms (S-1): found by `post_routes`, not only the matrix's actions. A master-data
    # form page is filled from its own form ("listing": the page's `model_form`, as the
    # administrator sees it); the page refuses who may not edit before reading it.
    **{
        f"{prefix}/{end}": ("listing", {}, "404")
        for prefix in (
            "accounts/departments",
            "accounts/users",
            "inbox/channels",
            "master/carriers",
            "master/contacts",
            "master/customers",
            "master/products",
            "master/stock",
            "master/suppliers",
            "master/warehouses",
            "surveys/questions",
        )
        for end in ("new/", "<int:pk>/edit/")
    },
    "accounts/api-tokens/": ("", {"user": "@user", "name": "ERP", "scopes": "orders:read"}, "404"),
    "accounts/login-locks/": ("", {"username": "sales_staff"}, "404"),
    "accounts/users/<int:pk>/password/": ("", {"password": "Probe-Passw0rd-2026!"}, "404"),
    # The world's access request is decided already, so the engine's state check answers first;
    # who may decide one is asked in test_the_auditor_may_not_decide_access_requests.
    "archive/requests/<int:pk>/": (
        "",
        {"verb": "approve_access", "days": "7", "reason": "同意"},
        "该申请已被他人处理，请刷新后再试。",
    ),
    "contracts/template/": ("oms.contracts.forms:TemplateForm", {}, "404"),
    "master/contacts/<int:pk>/portal/": ("", {"username": "probe_portal"}, "404"),
    "orders/import/<int:pk>/": ("", {"verb": "confirm"}, "404"),
    "policy/calendar/day/": ("", {"date": "=today.iso", "is_workday": "0", "reason": "核对"}, "404"),
    "policy/calendar/seed/": ("", {"year": "2030", "mode": "weekdays"}, "404"),
    "policy/edit/": ("", {"note": "核对", "based_on": "1"}, "404"),
    "policy/import/": ("", {"text": "[review]\n", "note": "核对"}, "404"),
    "surveys/invitations/<int:pk>/": ("", {}, "只有业务员或客服可以发送调查链接。"),
}

# Writes the auditor may make, and why (their own settings, not a business record).
OWN = {
    # M-3: asking for access is how any reader, the auditor too, reaches a filed order's
    # contents; the grant is the keeper's decision (ADR 0013: not a business record changed).
    "archive/<int:pk>/request/": "an archive access request",
    # O-4: every member of staff may report a violation to the supervision group.
    "supervision/reports/new/": "a violation report",
    # O-2, O-4: the supervision group's own records (spot checks, their findings, handling a
    # report); the audit staff are the group where the policy names their department, as the
    # demo's does. They change no order.
    "supervision/checks/<int:pk>/<str:verb>/": "closing the group's spot check or its finding",
    "supervision/reports/<int:pk>/": "handling a violation report as the group",
    "supervision/checks/new/": "drawing the group's spot check",
    # S-2: verifying the audit chain is the auditor's own work; it reads the chain and its anchors.
    "audit/verify/": "verifying the audit chain",
    # M-4: a download is logged (who read which document), whatever the method.
    "documents/<int:pk>/download/": "the log of their own reading",
    "inbox/": "marking their own notifications read",
    "accounts/logout/": "logging out",
    "i18n/setlang/": "the language of their own pages",
    "inbox/preferences/": "their own notification preferences",
    "accounts/two-factor/": "their own second factor",
}


def fingerprint() -> tuple[Any, ...]:
    """Every business table's row count and, where records carry one, their versions' sum and
    the newest row: a write anywhere shows (sessions, which logging in changes, are not counted)."""
    skip = {"sessions", "admin", "contenttypes", "auth", "django_tasks_database"}
    found = []
    for model in apps.get_models():
        if (
            model._meta.app_label in skip
            or model._meta.proxy
            or model._meta.db_table == "accounts_usersession"
        ):
            continue
        rows = model._base_manager.all()
        fields = {f.name for f in model._meta.concrete_fields}
        agg: dict[str, Any] = {"n": Max("pk")}
        if "version" in fields:
            agg["v"] = Sum("version")
        found.append((model._meta.label, rows.count(), tuple(sorted(rows.aggregate(**agg).items()))))
    return tuple(found)


def _first(field: Any) -> Any:
    """The first record a choice of records offers."""
    return field.queryset.order_by("pk").first()


def _choices(field: Any) -> list[Any]:
    return list(field.choices)


def valid_input(form: forms.BaseForm, world: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Complete input for `form`, each field given a value it accepts: the first record its
    choices offer, the first choice, a date, an amount, a word, a small PDF."""
    data: dict[str, Any] = {}
    files: dict[str, Any] = {}
    today = timezone.localdate()
    fields: dict[str, Any] = dict(form.fields)
    for name, field in fields.items():
        key = form.add_prefix(name)
        if isinstance(field, forms.ModelMultipleChoiceField):
            first = _first(field)
            data[key] = [first.pk] if first else []
        elif isinstance(field, forms.ModelChoiceField):
            first = _first(field)
            data[key] = first.pk if first else ""
        elif isinstance(field, forms.FileField):
            files[key] = SimpleUploadedFile("probe.pdf", b"%PDF-1.4 probe", content_type="application/pdf")
        elif isinstance(field, forms.MultipleChoiceField):
            data[key] = [c[0] for c in _choices(field) if c[0] != ""][:1]
        elif isinstance(field, forms.ChoiceField):
            data[key] = next((c[0] for c in _choices(field) if c[0] != ""), "")
        elif isinstance(field, forms.BooleanField):
            data[key] = "on"
        elif isinstance(field, forms.DateTimeField):
            data[key] = (timezone.now() - timedelta(hours=1)).strftime("%Y-%m-%d %H:%M")
        elif isinstance(field, forms.DateField):
            data[key] = today.isoformat()
        elif isinstance(field, forms.DecimalField | forms.IntegerField | forms.FloatField):
            data[key] = "1"
        else:
            data[key] = "核对无误"
    if "version" in form.fields:
        data[form.add_prefix("version")] = "1"
    return _corrected(form, data, files), files


# What a field refused at the first guess is given instead, in turn (an amount typed as text, a
# currency code, a date written out).
_RETRIES = ("1", "0", "CNY", timezone.localdate().isoformat(), "on")


def _corrected(form: forms.BaseForm, data: dict[str, Any], files: dict[str, Any]) -> dict[str, Any]:
    """`data` with each field the bound form refuses tried again with `_RETRIES`, keeping the first
    value it accepts (a record the world lacks, such as a distribution to sign, stays missing)."""
    for name in list(form.fields):
        key = form.add_prefix(name)
        for value in (data.get(key), *_RETRIES):
            data[key] = value
            if name not in _bound(form, data, files).errors:
                break
    return data


def _bound(form: forms.Form, data: dict[str, Any], files: dict[str, Any]) -> forms.Form:
    query = QueryDict(mutable=True)
    for k, v in data.items():
        if isinstance(v, list):
            query.setlist(k, [str(x) for x in v])
        elif v is not None:
            query[k] = str(v)
    bound: Any = copy.copy(form)
    bound.data, bound.files, bound.is_bound = query, MultiValueDict({k: [v] for k, v in files.items()}), True
    bound._errors, bound._bound_fields_cache = None, {}  # each binding reads its own data
    return bound


# --- which routes take a POST: found from the views, not from a hand-kept list ---------------------


def post_routes() -> set[str]:
    """S-1: every URL pattern (outside Django's admin) whose view accepts a POST: an API
    operation declared for POST, a class-based view with `post`, a view limited by
    `require_http_methods` to methods that include POST, or a function view whose code reads
    the posted input (`request.POST`, `request.FILES`, `request.method == "POST"`). A page-level
    form route (…/new/, …/edit/) is one as much as an action's route is."""
    from django.urls import URLPattern, URLResolver, get_resolver

    def walk(patterns: list[Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                yield prefix + str(p.pattern), p.callback

    return {
        route
        for route, view in walk(get_resolver().url_patterns)
        if not route.startswith("admin/") and "POST" in _methods(view)
    }


def _methods(view: Any) -> set[str]:
    """The HTTP methods `view` answers with its own handling (see `post_routes`)."""
    import inspect

    if getattr(view, "view_class", None) is not None:
        return {m.upper() for m in view.view_class.http_method_names if hasattr(view.view_class, m)}
    func = view
    while True:
        func = getattr(func, "func", func)  # a functools.partial
        for cell in func.__closure__ or ():
            value = cell.cell_contents
            if hasattr(value, "operations"):  # django-ninja's PathView
                return {m for op in value.operations for m in op.methods}
            if (
                isinstance(value, list | tuple)
                and value
                and all(isinstance(m, str) and m.isupper() for m in value)
            ):
                return set(value)  # require_http_methods's list
        if not hasattr(func, "__wrapped__"):
            break
        func = func.__wrapped__
    source = inspect.getsource(func)
    return {"GET", "POST"} if "POST" in source or "FILES" in source else {"GET"}
