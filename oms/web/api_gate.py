"""Who may, asked first on the REST API (S-1, ADR 0013, issue 23).

django-ninja validates an endpoint's path, query and body before the endpoint's function runs,
so a check inside the function comes after the body was read: someone without the right who
sends a malformed body was told, field by field, what the body lacks (422) instead of being
refused (403). The pages ask first (`oms.web.verbs.Gate`); this is the API's one door.

`@asks_first(door)` under `@router.post(...)` runs `door(request, ids)` right after the
operation's authentication and before its input is parsed: ninja's `Operation.run` calls
`_run_checks` (auth, throttles) and only then `_get_values` (the body). `ids` are the route's
path parameters as record ids; a door loads its record through the caller's scope (a 404 for
one outside it stays a 404) and raises `NotAllowed` (403) when the named predicate refuses.
The hook is ninja's own `decorate_view` (its decorators are applied again to every clone of
the operation a router is mounted with), so the door holds wherever the router is mounted.
"""

from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from django.http import Http404, HttpRequest, HttpResponse
from ninja.decorators import decorate_view

from oms.core.errors import NotAllowed
from oms.core.params import MAX_DB_INT
from oms.engine import workflow

F = TypeVar("F", bound=Callable[..., Any])
Door = Callable[[HttpRequest, Mapping[str, int]], object]


def path_ids(request: HttpRequest) -> dict[str, int]:
    """The route's path parameters as record ids. A value no record can have (not a whole number,
    or past what the database holds) names no record: 404, whatever the caller may do."""
    match = request.resolver_match
    ids: dict[str, int] = {}
    for name, value in (match.kwargs if match is not None else {}).items():
        text = str(value)
        if not text.isdigit() or not 1 <= int(text) <= MAX_DB_INT:
            raise Http404
        ids[name] = int(text)
    return ids


def refuse_unless(allowed: bool, message: Any) -> None:
    """The door's refusal: 403 with the gate's message, before the input is read."""
    if not allowed:
        raise NotAllowed(str(message))


def may_take(transitions: Sequence[workflow.Transition], obj: Any, actor: Any) -> None:
    """The engine's own refusal (`workflow.check_actor`: 403 `forbidden`, or `self_decision` for
    the raiser, P-5) unless `actor` may take one of `transitions` on `obj` — the ones the body
    chooses between (pass, ask for information or escalate). The state is the engine's to
    answer, under its lock, once the body is read."""
    refusals: list[workflow.PermissionDenied] = []
    for transition in transitions:
        try:
            workflow.check_actor(transition, obj, actor)
        except workflow.PermissionDenied as exc:
            refusals.append(exc)
        else:
            return
    raise refusals[0]


def asks_first(door: Door) -> Callable[[F], F]:
    """Declare, with the route, who may call it: `door` is asked after authentication and
    before the path, query and body are parsed."""

    def on_run(run: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        operation: Any = run.__self__  # type: ignore[attr-defined]  # the Operation of this `run`
        checks = operation._run_checks

        def checks_then_door(request: HttpRequest) -> HttpResponse | None:
            error: HttpResponse | None = checks(request)
            if error is not None:
                return error  # not authenticated: who asks is not known yet
            try:
                door(request, path_ids(request))
            except Exception as exc:  # answered as the endpoint's own refusals are
                response: HttpResponse = operation.api.on_exception(request, exc)
                return response
            return None

        operation._run_checks = checks_then_door
        return run

    on_run.door = door  # type: ignore[attr-defined]  # for the test that every write has one
    return decorate_view(on_run)


def door_of(operation: Any) -> Door | None:
    """The door `asks_first` declared on a mounted operation, if any."""
    doors = [getattr(d, "door", None) for d in getattr(operation, "_run_decorators", [])]
    return next((d for d in doors if d is not None), None)
