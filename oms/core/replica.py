"""Read-heavy pages read from a PostgreSQL streaming replica (issue 24.4); everything else stays
on the primary.

`OMS_DATABASE_REPLICA_URL` adds the database alias `replica` (settings.OMS_DATABASE_REPLICA names
it; empty when there is none, and then nothing here does anything). A request reads from it only
when all of these hold:
- it is a GET or HEAD of a read-heavy page: the analysis and KPI pages (the `analytics` URL
  namespace) or any Excel export (`?export=…`);
- the replica answers (otherwise the primary serves, and the replica is not tried again for
  `RETRY_SECONDS`) and is at most `OMS_REPLICA_MAX_LAG_SECONDS` behind the primary (checked at
  most every `LAG_CHECK_SECONDS` per process);
- the request has not written anything yet: after its first write every read goes to the
  primary, so a request always reads its own writes; so does anything inside a transaction;
- the model is not one whose rows must be current: sessions and users (a login just made must
  be seen), policy, the audit chain and the task queue are always read from the primary.
Writes always go to the primary, also for a record that was read from the replica.
Within that bound a report may miss the newest seconds of work; the pages sent to the replica are
reports, where that is acceptable.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.http import HttpRequest, HttpResponse

log = logging.getLogger(__name__)

READ_HEAVY_NAMESPACES = frozenset({"analytics"})
# Rows that a request may have just written, or that guard a decision: always the primary's.
PRIMARY_ONLY_APPS = frozenset(
    {"sessions", "accounts", "auth", "contenttypes", "policy", "audit", "django_tasks", "core"}
)
RETRY_SECONDS = 30.0
LAG_CHECK_SECONDS = 5.0
# Seconds the replica is behind: none on a primary, none when everything received is replayed
# (an idle primary sends nothing, so the last replay time alone would look old), else the age of
# the last replayed transaction.
LAG_SQL = (
    "SELECT CASE WHEN NOT pg_is_in_recovery() THEN 0 "
    "WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0 "
    "ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0) END"
)


@dataclass
class _Reads:
    replica: bool = False


_reads: ContextVar[_Reads | None] = ContextVar("oms_replica_reads", default=None)
_down_until: dict[str, float] = {}
_lag_checked: dict[str, tuple[float, bool]] = {}  # alias: (when, within the bound)


def replica_alias() -> str:
    return str(getattr(settings, "OMS_DATABASE_REPLICA", "") or "")


def reading_from_replica() -> bool:
    state = _reads.get()
    return bool(state and state.replica and replica_alias())


def replica_lag(alias: str) -> float:
    with connections[alias].cursor() as cursor:
        cursor.execute(LAG_SQL)
        row = cursor.fetchone()
    return float(row[0]) if row else 0.0


def replica_available(alias: str) -> bool:
    """The replica accepts a connection and is not too far behind; a failure sends reads to the
    primary for a while."""
    now = time.monotonic()
    if _down_until.get(alias, 0.0) > now:
        return False
    try:
        connections[alias].ensure_connection()
        checked = _lag_checked.get(alias)
        if checked is not None and now - checked[0] < LAG_CHECK_SECONDS:
            return checked[1]
        lag = replica_lag(alias)
    except DatabaseError:
        log.warning("read replica %r unreachable; reading from the primary", alias, exc_info=True)
        _down_until[alias] = now + RETRY_SECONDS
        return False
    within = lag <= settings.OMS_REPLICA_MAX_LAG_SECONDS
    if not within:
        log.warning("read replica %r is %.1f s behind; reading from the primary", alias, lag)
    _lag_checked[alias] = (now, within)
    return within


def is_read_heavy(request: HttpRequest) -> bool:
    if request.method not in {"GET", "HEAD"}:
        return False
    match = request.resolver_match
    if match is not None and READ_HEAVY_NAMESPACES.intersection(match.namespaces):
        return True
    return "export" in request.GET


class ReplicaRouter:
    """Django's database router for the rules above."""

    def db_for_read(self, model: type[Any], **hints: Any) -> str | None:
        if not reading_from_replica() or model._meta.app_label in PRIMARY_ONLY_APPS:
            return DEFAULT_DB_ALIAS
        if connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return DEFAULT_DB_ALIAS
        return replica_alias()

    def db_for_write(self, model: type[Any], **hints: Any) -> str:
        state = _reads.get()
        if state is not None:
            state.replica = False  # read-your-own-write: the rest of this request reads the primary
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        # The replica is a copy of the primary: a row from one may refer to a row from the other.
        return True

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        # A streaming replica replays the primary's migrations; it is never migrated itself.
        return db == DEFAULT_DB_ALIAS


class ReplicaReadsMiddleware:
    """Turns replica reads on for a read-heavy page's view, and off after the response."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _reads.set(_Reads())
        try:
            return self.get_response(request)
        finally:
            _reads.reset(token)

    def process_view(self, request: HttpRequest, view: Any, args: Any, kwargs: Any) -> None:
        alias = replica_alias()
        state = _reads.get()
        if alias and state is not None and is_read_heavy(request) and replica_available(alias):
            state.replica = True
