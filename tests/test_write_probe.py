"""S-1, P-4, M-3 (ADR 0013): the auditor reads and never writes, on every path.

Every posted action of the pages (each verb of each `oms.web.verbs` table, the order page's
transitions, the tracking panel's verbs) and every other route that takes a POST, page or API,
is tried as the auditor of the demo company, who sees every order. Each is posted with complete,
valid input (built from the verb's own form, or given per route here), so that a missing check
shows as a write, not as a field error: the attempt must be refused by who may — a verb's gate
(`Verb.gate`) with its own message, before the input is read — and leave every table, every
record's version and the audit log as they were. A verb without a case in VERB_CASES, or a
POST route without one in ROUTE_CASES, fails `test_every_write_has_a_case`.
"""

from __future__ import annotations

import copy
import importlib
import json
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django import forms
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Max, Sum
from django.http import QueryDict
from django.utils import timezone
from django.utils.datastructures import MultiValueDict

from tests.permission_rules import RULES
from tests.permission_world import PORTAL_ROUTES, build_world, path_for
from tests.test_anonymous_access import PUBLIC, ROUTES

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
    "supervision/checks/<int:pk>/close/": ("", {"summary": "抽查完毕"}, "您没有权限执行“完成抽查”。"),
    "supervision/checks/<int:pk>/finding/": (
        "",
        {"item": "1", "description": "缺评审意见"},
        "只有监督小组可以登记检查发现。",
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
    "supervision/reports/<int:pk>/": ("", {"outcome": "不属实", "version": "1"}, "您没有权限执行“办结”。"),
    # The API (JSON): each write endpoint with a complete body. The expected refusals are the
    # API's: 403 for who may not. A transition of the engine on the world's received order (or
    # approved change) answers its state first (409, DESIGN 4's fixed order); that the auditor
    # may take none of them is asked of the transitions' permissions in
    # test_the_auditor_is_refused_every_order_transition.
    "api/approval-steps/<step_id>/decision": ("", {"approve": True, "comment": "同意"}, "403"),
    "api/change-requests/<request_id>/withdraw": ("", {"reason": "客户撤回"}, "409"),
    "api/change-tasks/<task_id>/opinion": ("", {"verdict": "approve", "comment": "可行"}, "403"),
    "api/orders/<order_id>/check": ("", {"decision": "pass", "reason": ""}, "409"),
    "api/orders/<order_id>/complete-info": ("", {"reason": "已补充"}, "409"),
    "api/orders/<order_id>/confirmation": ("", {"confirmed_by_name": "张伟"}, "409"),
    "api/orders/<order_id>/confirmation-link": ("", {}, "403"),
    "api/orders/<order_id>/decision": ("", {"accept": True, "reason": "接受风险"}, "409"),
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
}

# Writes the auditor may make, and why (their own settings, not a business record).
OWN = {
    # M-3: asking for access is how any reader, the auditor too, reaches a filed order's
    # contents; the grant is the keeper's decision (ADR 0013: not a business record changed).
    "archive/<int:pk>/request/": "an archive access request",
    # O-4: every member of staff may report a violation to the supervision group.
    "supervision/reports/new/": "a violation report",
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


def valid_input(form: forms.Form, world: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
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


def _corrected(form: forms.Form, data: dict[str, Any], files: dict[str, Any]) -> dict[str, Any]:
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


def verb_cases() -> dict[str, tuple[str, str | None, str]]:
    """Every posted verb as "module:TABLE.verb" → (route, target key, how the verb is named)."""
    cases: dict[str, tuple[str, str | None, str]] = {}
    for table, verbs in verb_tables().items():
        route, target, naming = VERB_TABLES.get(table, ("", None, "unknown"))
        for verb in verbs:
            if naming == "panel":
                cases[f"{table}.{verb}"] = (*PANEL[verb], "none")
            else:
                cases[f"{table}.{verb}"] = (route, target, naming)
    return cases


def test_every_write_has_a_case() -> None:
    """S-1: a new verb table, verb or POST route without a case here fails."""
    assert sorted(set(verb_tables()) - set(VERB_TABLES)) == []
    assert sorted(set(VERB_TABLES) - set(verb_tables())) == []
    for table, verbs in verb_tables().items():
        if VERB_TABLES[table][2] == "panel":
            assert sorted(set(verbs) - set(PANEL)) == [], table
    from oms.tracking.views import VERBS as tracking_verbs

    assert sorted(tracking_verbs) == sorted(TRACKING)
    posted = {r for r in ROUTES if r not in PUBLIC and r in RULES and RULES[r].kind == "action"}
    covered = {case[0] for case in verb_cases().values()} | set(ROUTE_CASES) | set(OWN)
    covered |= {"orders/<int:pk>/do/<str:verb>/", "orders/<int:pk>/tracking/<str:verb>/"}
    # Routes whose verb is in the path, their cases one per verb.
    covered |= {r for r in posted if any(c.startswith(r.split("<str:verb>")[0]) for c in ROUTE_CASES)}
    portal = {r for r in posted if r.startswith(PORTAL_ROUTES)}
    assert sorted(posted - covered - portal) == []


def _form(handler: Any, target: Any, world: dict[str, Any]) -> forms.Form:
    """The verb's form for its target; a form that finds its record from the input first (a
    statement of the order) is given the world's."""
    seed = QueryDict(mutable=True)
    seed.update({"statement": str(world["statement"].pk), "invoice": str(world["invoice"].pk)})
    return handler.form(target, seed, MultiValueDict())


def _post(client: Any, path: str, data: dict[str, Any], files: dict[str, Any]) -> Any:
    return client.post(path, {**data, **files}, follow=True)


def _fill(data: dict[str, Any], world: dict[str, Any]) -> dict[str, Any]:
    """Input with "@key" the world's record's pk, "=key.attr" its attribute, "~kind-key" a batch
    row's key and "=today.iso" today."""

    def value(v: Any) -> Any:
        if isinstance(v, dict):
            return {k: value(x) for k, x in v.items()}
        if isinstance(v, list):
            return [value(x) for x in v]
        return _special(v, world) if isinstance(v, str) else v

    return {k: value(v) for k, v in data.items()}


def _special(v: str, world: dict[str, Any]) -> Any:
    result: Any = v
    if v == "=today.iso":
        result = timezone.localdate().isoformat()
    elif v.startswith("~"):
        kind, key = v[1:].split("-", 1)
        result = f"{kind}-{world[key].pk}"
    elif v.startswith("@"):
        result = world[v[1:]].pk
    elif v.startswith("="):
        key, attr = v[1:].split(".")
        result = getattr(world[key], attr)
    return result


@pytest.fixture
def world(settings: Any, tmp_path: Any) -> dict[str, Any]:
    settings.MEDIA_ROOT = tmp_path
    built = build_world()
    from oms.tracking import actions as tracking

    users = built["users"]
    built["prod_head"] = users["production_head"]
    built["exception"] = tracking.raise_exception(
        actor=users["sales_staff"],
        order=built["order"],
        kind="delay",
        description="供应商延迟",
        responsible=users["production_head"],
    )
    return built


@pytest.mark.django_db
def test_the_auditor_is_refused_every_verb_with_valid_input(client: Any, world: dict[str, Any]) -> None:
    """S-1: each verb's gate refuses the auditor before the input is read, with its message, and
    nothing is written."""
    auditor = world["users"]["auditor"]
    client.force_login(auditor)
    tables = verb_tables()
    wrong: list[tuple[Any, ...]] = []
    for case, (route, key, naming) in sorted(verb_cases().items()):
        table, verb = case.rsplit(".", 1)
        handler = tables[table][verb]
        target = world[key] if key else None
        if handler.gate is None:
            wrong.append((case, "no gate"))
            continue
        if handler.gate.allows(auditor, target):
            wrong.append((case, "the gate lets the auditor post"))
            continue
        data, files = valid_input(_form(handler, target, world), world) if handler.form else ({}, {})
        if naming == "field":
            data["verb"] = verb
        path = path_for(route.replace("<str:verb>", verb), world)
        before = fingerprint()
        response = _post(client, path, data, files)
        if fingerprint() != before:
            wrong.append((case, "written"))
        elif str(handler.gate.message) not in response.content.decode():
            wrong.append((case, f"not the gate's refusal ({response.status_code})"))
    assert wrong == [], "\n".join(map(str, wrong))


@pytest.mark.django_db
def test_the_auditor_is_refused_every_order_transition(client: Any, world: dict[str, Any]) -> None:
    """S-1: the order page's transitions (submit, the check, management's decision…) are not the
    auditor's: the engine's permission refuses them, and a posted one writes nothing."""
    from oms.orders import states
    from oms.workbench.views import VERBS

    auditor = world["users"]["auditor"]
    client.force_login(auditor)
    wrong: list[tuple[Any, ...]] = []
    for verb in sorted(VERBS):
        for key in ("draft", "order", "confirmed"):
            if states.ORDER.transitions[verb].permission(auditor, world[key]):
                wrong.append((verb, key, "permitted"))
        before = fingerprint()
        client.post(path_for(f"orders/<int:pk>/do/{verb}/", world), {"reason": "核对"}, follow=True)
        if fingerprint() != before:
            wrong.append((verb, "written"))
    assert wrong == [], "\n".join(map(str, wrong))


@pytest.mark.django_db
def test_the_auditor_is_refused_the_tracking_verbs(client: Any, world: dict[str, Any]) -> None:
    """H-2, H-4, S-1: ledger lines, exceptions and their resolution, refused with valid input."""
    client.force_login(world["users"]["auditor"])
    wrong: list[tuple[Any, ...]] = []
    for verb, data in sorted(TRACKING.items()):
        before = fingerprint()
        response = client.post(
            path_for(f"orders/<int:pk>/tracking/{verb}/", world), _fill(data, world), follow=True
        )
        if fingerprint() != before:
            wrong.append((verb, "written"))
        elif READ_ONLY not in response.content.decode():
            wrong.append((verb, "not refused as read-only"))
    assert wrong == [], "\n".join(map(str, wrong))


@pytest.mark.django_db
def test_the_auditor_is_refused_every_other_write(client: Any, world: dict[str, Any]) -> None:
    """S-1: every other route that takes a POST (pages and the API), with valid input: refused
    as the case says, nothing written."""
    client.force_login(world["users"]["auditor"])
    wrong: list[tuple[Any, ...]] = []
    for route, (form, extra, expected) in sorted(ROUTE_CASES.items()):
        data: dict[str, Any] = {}
        files: dict[str, Any] = {}
        if form:
            module, name = form.split(":")
            data, files = valid_input(getattr(importlib.import_module(module), name)(), world)
        data.update(_fill(extra, world))
        path = path_for(route, world)
        before = fingerprint()
        if route.startswith("api/"):
            if "@copy" in data:  # the record's own answer, less what is the record's alone
                key = data.pop("@copy")
                got = client.get(f"{path}{world[key].pk}").json()
                data = {**{k: v for k, v in got.items() if k not in {"id", "version", "code"}}, **data}
                # A related record the answer names ({"id": …}) is posted by its id.
                data.update({f"{k}_id": v["id"] for k, v in got.items() if isinstance(v, dict) and "id" in v})
                data["code"] = f"{got.get('code', '')}X"
            before = fingerprint()
            response = client.post(path, json.dumps(data), content_type="application/json")
            if route.endswith("s/") and f"api/{route[4:]}" and key_patch(route, world):
                patched = client.patch(
                    key_patch(route, world), json.dumps({"version": 1}), content_type="application/json"
                )
                if patched.status_code != 403:
                    wrong.append((f"PATCH {route}", patched.status_code))
        else:
            response = client.post(path, {**data, **files}, follow=True)
        body = response.content.decode()
        if fingerprint() != before:
            wrong.append((route, "written", response.status_code))
        elif expected.isdigit():
            if str(response.status_code) != expected:
                wrong.append((route, response.status_code, body[:200]))
        elif expected not in body:
            wrong.append((route, f"not refused: {response.status_code}", _messages(body)))
    assert wrong == [], "\n".join(map(str, wrong))


def key_patch(route: str, world: dict[str, Any]) -> str:
    """The master data record's address for its PATCH, for a master data route of the API."""
    key = API_MASTER.get(route[4:].rstrip("/"))
    return f"/{route}{world[key].pk}" if key else ""


def _messages(body: str) -> list[str]:
    import re

    return re.findall(r'class="alert[^"]*"[^>]*>\s*([^<]+)', body)[:3]


@pytest.mark.django_db
def test_the_auditor_may_not_send_surveys(world: dict[str, Any]) -> None:
    """N-1, S-1: the world's survey is sent already, so the engine's state check answers the
    probe first; who may send one is asked here: not the auditor."""
    from oms.feedback import states

    survey = world["survey"]
    survey.status = next(iter(states.SURVEY.transitions["send"].source))
    assert not states.SURVEY.transitions["send"].permission(world["users"]["auditor"], survey)
