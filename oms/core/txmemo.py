"""Values remembered for as long as the current transaction lasts (issue 21).

A transaction's actions read the same things again and again (the policy in force, the audit
chain's tail); remembering them within the transaction saves the statements without ever
serving a value across transactions, where another process may have changed it.

Django has no hook for the end of a transaction, so a memo is tied to a marker registered with
`transaction.on_commit`: Django drops the markers when the transaction commits or rolls back,
and drops those registered inside a savepoint when that savepoint rolls back. A memo whose
marker is gone is forgotten. Outside a transaction (autocommit) nothing is remembered.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from django.db import connection, transaction

T = TypeVar("T")


class _Marker:
    """Registered with on_commit only to be found again; running it (at commit) does nothing."""

    __slots__ = ()

    def __call__(self) -> None:
        return None


def mark() -> _Marker | None:
    """A new marker in the current transaction (and savepoint), or None in autocommit."""
    if not connection.in_atomic_block:
        return None
    marker = _Marker()
    transaction.on_commit(marker)
    return marker


def alive(marker: _Marker | None) -> bool:
    """Whether the marker's transaction, and every savepoint it was made in, is still open."""
    return (
        marker is not None
        and connection.in_atomic_block
        # From the end: the marker asked about is usually the latest registered.
        and any(entry[1] is marker for entry in reversed(connection.run_on_commit))
    )


def memo() -> dict[str, Any] | None:
    """A dict that lives as long as the current transaction; outside a transaction, the one of
    the request that reads (`request_scope`), else None."""
    held = getattr(connection, "_oms_tx_memo", None)
    if held is not None and alive(held[0]):
        return held[1]
    marker = mark()
    if marker is None:
        return getattr(connection, "_oms_request_memo", None)
    values: dict[str, Any] = {}
    connection._oms_tx_memo = (marker, values)  # type: ignore[attr-defined]
    return values


def forget(key: str) -> None:
    """Drop one remembered value (its source changed within the transaction or the request)."""
    held = getattr(connection, "_oms_tx_memo", None)
    if held is not None:
        held[1].pop(key, None)
    request_memo = getattr(connection, "_oms_request_memo", None)
    if request_memo is not None:
        request_memo.pop(key, None)


@contextmanager
def request_scope() -> Iterator[None]:
    """A memo for one request that only reads (GET, HEAD; opened by
    `oms.web.middleware.RequestMemoMiddleware`): the policy in force, the calendar's stamp and
    the department tree were read again by each part of a page that asked — the menu, the field
    policy, the scope, the filters (issue 21). A request is short and sees one state of them,
    as a transaction does; the next request reads afresh."""
    previous = getattr(connection, "_oms_request_memo", None)
    connection._oms_request_memo = {}  # type: ignore[attr-defined]
    try:
        yield
    finally:
        connection._oms_request_memo = previous  # type: ignore[attr-defined]


def per_request(key: str, load: Callable[[], T]) -> T:
    """`load()`, remembered under `key` for the rest of the current reading request, outside any
    transaction; inside one (an action) or outside a request it is simply called."""
    values: dict[str, Any] | None = getattr(connection, "_oms_request_memo", None)
    if values is None or connection.in_atomic_block:
        return load()
    if key not in values:
        values[key] = load()
    return values[key]


@contextmanager
def action_scope() -> Iterator[None]:
    """A memo for one action (its outermost call; `recorder.batched` opens it): the organisation
    and channel rows an action looks up once per department or notification are read once for
    the whole action, and read afresh by the next one (issue 21)."""
    if getattr(connection, "_oms_action_memo", None) is not None:
        yield
        return
    connection._oms_action_memo = {}  # type: ignore[attr-defined]
    try:
        yield
    finally:
        connection._oms_action_memo = None  # type: ignore[attr-defined]


def action_memo() -> dict[str, Any] | None:
    """The current action's memo itself (its identity tells one action from the next), or None."""
    return getattr(connection, "_oms_action_memo", None)


def in_action() -> bool:
    return getattr(connection, "_oms_action_memo", None) is not None


def per_action(key: str, load: Callable[[], T]) -> T:
    """`load()`, remembered under `key` for the rest of the current action; outside an action
    it is simply called."""
    values: dict[str, Any] | None = getattr(connection, "_oms_action_memo", None)
    if values is None:
        return load()
    if key not in values:
        values[key] = load()
    return values[key]
