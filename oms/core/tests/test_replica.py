"""Issue 24.4: read-heavy pages read from the streaming replica; writes, anything after a write,
sessions and users stay on the primary; an unreachable replica falls back to the primary."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.sessions.models import Session
from django.db import OperationalError, connection, connections, transaction
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import resolve, reverse

from conftest import make_user
from oms.accounts.models import Role, User
from oms.core import replica
from oms.orders.models import SalesOrder

router = replica.ReplicaRouter()


def _reset_checks() -> None:
    replica._down_until.clear()
    replica._lag_checked.clear()


@pytest.fixture
def replica_on(settings: Any) -> Iterator[None]:
    settings.OMS_DATABASE_REPLICA = "replica"
    token = replica._reads.set(replica._Reads(replica=True))
    yield
    replica._reads.reset(token)


def test_without_a_replica_every_read_is_the_primary_s(settings: Any) -> None:
    settings.OMS_DATABASE_REPLICA = ""
    token = replica._reads.set(replica._Reads(replica=True))
    try:
        assert router.db_for_read(SalesOrder) == "default"
    finally:
        replica._reads.reset(token)


def test_outside_a_read_heavy_page_reads_are_the_primary_s(settings: Any) -> None:
    settings.OMS_DATABASE_REPLICA = "replica"
    assert router.db_for_read(SalesOrder) == "default"


def test_a_read_heavy_page_reads_orders_from_the_replica(replica_on: None) -> None:
    assert router.db_for_read(SalesOrder) == "replica"


def test_sessions_and_users_are_always_read_from_the_primary(replica_on: None) -> None:
    """A login just made must be seen: the session and the user come from the primary."""
    assert (router.db_for_read(Session), router.db_for_read(User)) == ("default", "default")


def test_after_a_write_the_request_reads_its_own_write_from_the_primary(replica_on: None) -> None:
    assert router.db_for_write(SalesOrder) == "default"
    assert router.db_for_read(SalesOrder) == "default"


@pytest.mark.django_db
def test_inside_a_transaction_reads_are_the_primary_s(replica_on: None) -> None:
    with transaction.atomic():
        assert router.db_for_read(SalesOrder) == "default"


def test_writes_go_to_the_primary_even_for_a_record_read_from_the_replica(replica_on: None) -> None:
    order = SalesOrder()
    order._state.db = "replica"
    assert router.db_for_write(SalesOrder, instance=order) == "default"


def test_the_replica_is_never_migrated() -> None:
    assert (router.allow_migrate("default", "orders"), router.allow_migrate("replica", "orders")) == (
        True,
        False,
    )


def _request(path: str, method: str = "get") -> Any:
    request = getattr(RequestFactory(), method)(path)
    request.resolver_match = resolve(request.path_info)
    return request


def test_analysis_and_kpi_pages_and_exports_are_read_heavy() -> None:
    assert [
        replica.is_read_heavy(_request(reverse("analytics:kpis"))),
        replica.is_read_heavy(_request(reverse("analytics:dashboard"))),
        replica.is_read_heavy(_request(reverse("customers:customer_list") + "?export=xlsx")),
    ] == [True, True, True]


def test_other_pages_and_posts_are_not_read_heavy() -> None:
    assert [
        replica.is_read_heavy(_request(reverse("customers:customer_list"))),
        replica.is_read_heavy(_request(reverse("analytics:plan_new"), method="post")),
    ] == [False, False]


@pytest.fixture
def replica_alias(settings: Any) -> Iterator[str]:
    """A second connection to the primary's (test) database under the alias `replica`, as a
    streaming replica would be: same rows, another connection."""
    connections.settings["replica"] = {**connections.settings["default"]}
    settings.OMS_DATABASE_REPLICA = "replica"
    settings.DATABASE_ROUTERS = ["oms.core.replica.ReplicaRouter"]
    _reset_checks()
    # Opened here, outside the test case's database guard (the alias did not exist when the test
    # case listed its databases); the page then finds it open.
    connections["replica"].connect()
    yield "replica"
    connections["replica"].close()
    del connections["replica"]
    del connections.settings["replica"]
    _reset_checks()


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="a streaming replica is PostgreSQL's")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # committed: two connections
def test_the_kpi_page_reads_its_figures_from_the_replica_and_the_login_from_the_primary(
    client: Any, replica_alias: str
) -> None:
    head = make_user("head", kind="sales", role=Role.HEAD)
    client.force_login(head)
    with (
        CaptureQueriesContext(connections["replica"]) as on_replica,
        CaptureQueriesContext(connections["default"]) as on_primary,
    ):
        response = client.get(reverse("analytics:kpis"), {"month": "2026-11", "by": "department"})
    assert response.status_code == 200
    replica_sql = " ".join(q["sql"] for q in on_replica.captured_queries)
    primary_sql = " ".join(q["sql"] for q in on_primary.captured_queries)
    # The figures are the kept monthly tallies (ADR 0018, 0019), read on the replica.
    assert '"tracking_kpitally"' in replica_sql and '"tracking_collectiontally"' in replica_sql
    # The tallies may join their people; the login itself (session, user) is read on the primary.
    assert 'FROM "django_session"' not in replica_sql and 'FROM "accounts_user"' not in replica_sql
    assert 'FROM "django_session"' in primary_sql and 'FROM "accounts_user"' in primary_sql


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="a streaming replica is PostgreSQL's")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # committed: two connections
def test_an_ordinary_page_never_touches_the_replica(client: Any, replica_alias: str) -> None:
    client.force_login(make_user("head", kind="sales", role=Role.HEAD))
    with CaptureQueriesContext(connections["replica"]) as on_replica:
        response = client.get(reverse("customers:customer_list"))
    assert (response.status_code, on_replica.captured_queries) == (200, [])


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="a streaming replica is PostgreSQL's")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # committed: two connections
def test_an_excel_export_reads_its_rows_from_the_replica(client: Any, replica_alias: str) -> None:
    """Issue 24.4: exports are read-heavy too; the list page without ?export= stays on the primary."""
    client.force_login(make_user("head", kind="sales", role=Role.HEAD))
    with CaptureQueriesContext(connections["replica"]) as on_replica:
        response = client.get(reverse("customers:customer_list"), {"export": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert 'FROM "customers_customer"' in " ".join(q["sql"] for q in on_replica.captured_queries)


class _DeadReplica:
    def ensure_connection(self) -> None:
        raise OperationalError("connection refused")


class _Connections:
    """The real connections, with the replica's refusing every connection."""

    def __getitem__(self, alias: str) -> Any:
        return _DeadReplica() if alias == "replica" else connections[alias]


@pytest.mark.django_db
def test_an_unreachable_replica_falls_back_to_the_primary(
    client: Any, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The replica is down: the page is served from the primary, and the replica is not tried
    again on every request."""
    monkeypatch.setattr(replica, "connections", _Connections())
    settings.OMS_DATABASE_REPLICA = "replica"
    settings.DATABASE_ROUTERS = ["oms.core.replica.ReplicaRouter"]
    _reset_checks()
    client.force_login(make_user("head", kind="sales", role=Role.HEAD))
    try:
        response = client.get(reverse("analytics:kpis"), {"month": "2026-11", "by": "department"})
        assert (response.status_code, "replica" in replica._down_until) == (200, True)
        monkeypatch.setattr(replica, "connections", connections)  # back up, but not retried yet
        assert replica.replica_available("replica") is False
    finally:
        _reset_checks()


class _LiveReplica:
    def ensure_connection(self) -> None:
        return None


class _LiveConnections:
    def __getitem__(self, alias: str) -> Any:
        return _LiveReplica() if alias == "replica" else connections[alias]


@pytest.mark.parametrize(("lag", "used"), [(0.0, True), (30.0, True), (30.5, False)])
def test_a_replica_too_far_behind_is_not_used(
    lag: float, used: bool, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """OMS_REPLICA_MAX_LAG_SECONDS (30): within it the replica serves the reports, beyond it the
    primary does."""
    settings.OMS_REPLICA_MAX_LAG_SECONDS = 30.0
    monkeypatch.setattr(replica, "connections", _LiveConnections())
    monkeypatch.setattr(replica, "replica_lag", lambda alias: lag)
    _reset_checks()
    try:
        assert replica.replica_available("replica") is used
    finally:
        _reset_checks()


def test_the_lag_is_measured_once_in_a_while_not_on_every_request(
    settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.OMS_REPLICA_MAX_LAG_SECONDS = 30.0
    measured: list[str] = []
    monkeypatch.setattr(replica, "connections", _LiveConnections())
    monkeypatch.setattr(replica, "replica_lag", lambda alias: measured.append(alias) or 0.0)
    _reset_checks()
    try:
        assert [replica.replica_available("replica") for _ in range(3)] == [True, True, True]
        assert measured == ["replica"]
    finally:
        _reset_checks()


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="replication lag is PostgreSQL's")
@pytest.mark.django_db
def test_a_server_that_is_not_in_recovery_has_no_lag() -> None:
    """The lag query runs on PostgreSQL; a primary (not replaying anything) is never behind."""
    assert replica.replica_lag("default") == 0.0
