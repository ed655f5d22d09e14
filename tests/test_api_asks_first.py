"""S-1, ADR 0013 (issue 23): on the REST API, who may is asked first, before the body is read.

Each write endpoint that takes a body declares its door with the route (`oms.web.api_gate.
asks_first`), asked right after authentication with the predicate the page's gate asks. Someone
without the right — the auditor, and a user of a department the step is not theirs — who sends a
malformed body is refused (403), not told what the body lacks (422), and nothing changes; someone
with the right sending the same body is told, with the field named (422).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from tests.permission_world import build_world, path_for
from tests.write_probe_cases import fingerprint

# route (as the probe names it) → (method, a malformed body, the field its 422 names, who has the
# right in the probe's world). Grouped as the API's routers are.
Who = Callable[[dict[str, Any]], Any]
CASES: dict[str, tuple[str, dict[str, Any], str, Who]] = {
    # master data (the shared router of `oms.web.api`)
    "api/customers/": ("post", {"code": 7}, "name", lambda w: w["users"]["admin"]),
    "api/customers/<item_id>": ("patch", {"name": "甲"}, "version", lambda w: w["users"]["admin"]),
    # orders (`oms.intake.api`)
    "api/orders/": ("post", {"lines": "x"}, "customer_id", lambda w: w["users"]["sales_staff"]),
    "api/orders/<order_id>": ("patch", {"lines": "x"}, "version", lambda w: w["order"].salesperson),
    "api/orders/<order_id>/check": (
        "post",
        {"decision": "maybe"},
        "decision",
        lambda w: w["users"]["sales_head"],
    ),
    "api/orders/<order_id>/complete-info": (
        "post",
        {"reason": 1},
        "reason",
        lambda w: w["order"].salesperson,
    ),
    "api/orders/<order_id>/decision": (
        "post",
        {"reason": "风险"},
        "accept",
        lambda w: w["users"]["executive"],
    ),
    # review and approval (`oms.review.api`)
    "api/review-tasks/<task_id>/opinion": ("post", {}, "verdict", lambda w: w["review_task"].assignee),
    "api/approval-steps/<step_id>/decision": ("post", {}, "approve", lambda w: w["step"].approver),
    "api/orders/<order_id>/confirmation": ("post", {}, "confirmed_by_name", lambda w: w["order"].salesperson),
    # changes (`oms.changes.api`)
    "api/orders/<order_id>/change-requests": (
        "post",
        {"kind": "change"},
        "source",
        lambda w: w["users"]["sales_staff"],
    ),
    "api/change-tasks/<task_id>/opinion": ("post", {}, "verdict", lambda w: w["change_task"].assignee),
    "api/change-requests/<request_id>/withdraw": ("post", {}, "reason", lambda w: w["change"].raised_by),
    # shipments (`oms.fulfilment.api`)
    "api/orders/<order_id>/shipments": (
        "post",
        {"mode": "road"},
        "lines",
        lambda w: w["users"]["logistics_staff"],
    ),
}


# The user of a department the step is not theirs, and what they get: 403, or 404 where the
# record is outside what they may see (a review task is seen by its department's people only).
# I-1: any department working on an order may raise a change, so only the auditor is refused there.
WRONG_DEPARTMENT: dict[str, tuple[str, int] | None] = {
    "api/review-tasks/<task_id>/opinion": ("production_staff", 404),
    "api/orders/<order_id>/change-requests": None,
}


# Writes with a body that have no door, and why. B-8: the portal's order is the customer's own
# to place; their token opens the portal's endpoints only, and the action asks the rest.
WITHOUT_DOOR = {"/portal/orders"}


def test_every_api_write_with_a_body_has_a_door() -> None:
    """S-1 (issue 23): a new write endpoint that reads a body without declaring who may fails."""
    from config.api import api
    from oms.web.api_gate import door_of

    missing = []
    for prefix, router in api._routers:
        for path, view in router.path_operations.items():
            for operation in view.operations:
                sources = {getattr(m, "__ninja_param_source__", "") for m in operation.models}
                route = f"{prefix.rstrip('/')}{path}"
                if set(operation.methods) != {"GET"} and "body" in sources and door_of(operation) is None:
                    missing.append(route)
    assert sorted(set(missing) - WITHOUT_DOOR) == []


@pytest.fixture
def world(settings: Any, tmp_path: Any) -> dict[str, Any]:
    settings.MEDIA_ROOT = tmp_path
    return build_world()


def _send(client: Any, route: str, world: dict[str, Any]) -> Any:
    method, body, _field, _who = CASES[route]
    send = getattr(client, method)
    return send(path_for(route, world), json.dumps(body), content_type="application/json")


@pytest.mark.django_db
@pytest.mark.parametrize("route", list(CASES))
def test_someone_without_the_right_is_refused_before_the_body_is_read(
    client: Any, world: dict[str, Any], route: str
) -> None:
    """S-1 (ADR 0013): the auditor and a production worker, neither of whom may take the step,
    get 403 for a malformed body (404 where the record is outside what they see) — never its
    field errors — and nothing changes."""
    wrong = WRONG_DEPARTMENT.get(route, ("production_staff", 403))
    expected = {"auditor": 403, **dict([wrong] if wrong else [])}
    before = fingerprint()
    answers = {}
    for name in expected:
        client.force_login(world["users"][name])
        response = _send(client, route, world)
        answers[name] = response.status_code
        assert response.json()["fields"] == {}, name
    assert answers == expected
    assert fingerprint() == before


@pytest.mark.django_db
@pytest.mark.parametrize("route", list(CASES))
def test_someone_with_the_right_is_told_what_the_body_lacks(
    client: Any, world: dict[str, Any], route: str
) -> None:
    """P-1, S-1: the door lets the person with the right through to the body's validation: a
    malformed body is 422 naming the field, and nothing changes."""
    _method, _body, field, who = CASES[route]
    client.force_login(who(world))
    before = fingerprint()
    response = _send(client, route, world)
    assert (response.status_code, response.json()["code"]) == (422, "invalid")
    assert field in response.json()["fields"]
    assert fingerprint() == before
