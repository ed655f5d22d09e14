"""S-1, P-4, M-3 (ADR 0013): the auditor reads and never writes, on every path.

Every posted action of the pages (each verb of each `oms.web.verbs` table, the order page's
transitions, the tracking panel's verbs) and every other route that takes a POST, page or API,
is tried as the auditor of the demo company, who sees every order. Each is posted with complete,
valid input (built from the verb's own form, or given per route in write_probe_cases), so that a missing check
shows as a write, not as a field error: the attempt must be refused by who may — a verb's gate
(`Verb.gate`) with its own message, before the input is read — and leave every table, every
record's version and the audit log as they were. A verb table without an entry in VERB_TABLES, or
a POST route without a case in ROUTE_CASES, fails `test_every_write_has_a_case`.
"""

from __future__ import annotations

import importlib
import json
from typing import Any

import pytest
from django import forms
from django.http import QueryDict
from django.utils import timezone
from django.utils.datastructures import MultiValueDict

from tests.permission_rules import RULES
from tests.permission_world import PORTAL_ROUTES, build_world, path_for
from tests.test_anonymous_access import PUBLIC, ROUTES
from tests.write_probe_cases import (
    API_MASTER,
    OWN,
    PANEL,
    READ_ONLY,
    ROUTE_CASES,
    TRACKING,
    VERB_TABLES,
    fingerprint,
    post_routes,
    valid_input,
    verb_tables,
)


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
    # Every route whose view takes a POST (found from the views, `post_routes`), and every route
    # the matrix calls an action: a new form page (…/new/) without a case fails as a new action does.
    actions = {r for r in ROUTES if r in RULES and RULES[r].kind == "action"}
    posted = {r for r in (post_routes() | actions) if r not in PUBLIC}
    assert len(post_routes() - actions) > 40  # the pages' forms are found too
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
        if form == "listing":
            data, files = valid_input(_listing_form(route, world), world)
        elif form:
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


def _listing_form(route: str, world: dict[str, Any]) -> forms.BaseForm:
    """A master-data form page's own form (`oms.web.listing.pages.model_form`), with every field
    the administrator may fill, for the record the page edits (none for a new one)."""
    from django.urls import resolve

    from oms.web.listing.pages import model_form

    path = path_for(route, world)
    match = resolve(path)
    spec = match.func.view_initkwargs["spec"]  # type: ignore[attr-defined]
    obj = spec.model._default_manager.get(pk=match.kwargs["pk"]) if "pk" in match.kwargs else None
    return model_form(spec, world["users"]["admin"])(instance=obj)


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


@pytest.mark.django_db
def test_the_auditor_may_not_decide_access_requests(world: dict[str, Any]) -> None:
    """M-3, S-1: the world's access request is decided already, so the engine's state check answers
    the probe first; who may approve or refuse a pending one is asked here: not the auditor."""
    from oms.archive import states

    found = world["access_request"]
    found.status = next(iter(states.APPROVE_ACCESS.source))
    auditor = world["users"]["auditor"]
    assert [
        t
        for t in ("approve_access", "refuse_access")
        if states.ACCESS.transitions[t].permission(auditor, found)
    ] == []
