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

from collections.abc import Callable
from typing import Any

import pytest

from tests.permission_rules import (
    MASKED,
    MASKED_FOR,
    MASKED_QUERY,
    POST_DATA,
    RULES,
    Rule,
    _customer,
    _everyone,
)
from tests.permission_world import PORTAL_ROUTES, PROFILES, build_world, path_for
from tests.test_anonymous_access import PUBLIC, ROUTES

CHECKED = [r for r in ROUTES if r not in PUBLIC and r]


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
            tabs = MASKED_QUERY.get(route, {})
            if tabs and masked:
                seen = {
                    observe(client, route, path + tabs[g], world, masked=[(g, f)], user=user)
                    for g, f in masked
                }
                got = next(iter(seen - want), next(iter(seen)))
            else:
                got = observe(client, route, path, world, masked=masked, user=user)
            if got not in want:
                wrong.append((route, name, got, sorted(want)))
    assert wrong == [], "\n".join(map(str, wrong))
