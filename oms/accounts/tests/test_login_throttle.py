"""S-3 (issue 20 point 4): the login throttle counts per account (the name normalised) and per
account and address, believes X-Forwarded-For only from trusted proxies, and an administrator
can lift a lock."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from conftest import make_user
from oms.accounts import actions
from oms.accounts.models import LoginFailure
from oms.audit.models import AuditEvent
from oms.core.errors import NotAllowed

pytestmark = pytest.mark.django_db

PASSWORD = "Correct-horse-42"


def _attempt(client: Client, username: str, password: str = "wrong", **extra: Any) -> int:
    return client.post(
        reverse("accounts:login"), {"username": username, "password": password}, **extra
    ).status_code


@override_settings(LOGIN_THROTTLE_ATTEMPTS=3)
def test_spaces_and_case_count_against_the_same_account(client: Client) -> None:
    """S-3: ' Alice ' and 'ALICE' are failures of 'alice'; after the limit 'alice' is refused
    even with the right password."""
    make_user("alice")
    for name in (" Alice ", "ALICE", "alice\t"):
        assert _attempt(client, name) == 200
    assert list(LoginFailure.objects.values_list("username", flat=True)) == ["alice"] * 3
    assert _attempt(client, "alice", PASSWORD) == 429
    assert _attempt(client, " ALICE ", PASSWORD) == 429
    assert "_auth_user_id" not in client.session


def test_a_name_typed_with_spaces_still_logs_in(client: Client) -> None:
    """S-3: normalising for the count does not change who logs in: the stored name, typed with
    surrounding spaces, opens the account."""
    user = make_user("alice")
    assert _attempt(client, "  alice ", PASSWORD) == 302
    assert client.session["_auth_user_id"] == str(user.pk)


@override_settings(LOGIN_THROTTLE_ATTEMPTS=3, LOGIN_THROTTLE_ADDRESS_ATTEMPTS=50)
def test_failures_for_one_account_do_not_lock_another_from_the_same_address(client: Client) -> None:
    """S-3: below the per-address ceiling, an office behind one address is not locked out because
    one person (or an attacker) failed on another account."""
    make_user("alice")
    bob = make_user("bob")
    for _ in range(10):
        _attempt(client, "alice")
    assert _attempt(client, "alice", PASSWORD) == 429
    assert _attempt(client, "bob", PASSWORD) == 302
    assert client.session["_auth_user_id"] == str(bob.pk)


@override_settings(LOGIN_THROTTLE_ATTEMPTS=3, LOGIN_THROTTLE_ADDRESS_ATTEMPTS=6)
def test_the_address_ceiling_stops_spraying(client: Client) -> None:
    """S-3: many accounts tried from one address reach the ceiling, which then holds for all."""
    make_user("carol")
    for name in ("a1", "a2", "a3", "a4", "a5", "a6"):
        _attempt(client, name)
    assert _attempt(client, "carol", PASSWORD) == 429


@override_settings(LOGIN_THROTTLE_ATTEMPTS=3, LOGIN_THROTTLE_ACCOUNT_ATTEMPTS=6)
def test_an_account_tried_from_many_addresses_is_locked(client: Client) -> None:
    """S-3: the per-account limit over all addresses stops a distributed guess."""
    make_user("alice")
    for i in range(6):
        _attempt(client, "alice", REMOTE_ADDR=f"10.0.0.{i}")
    assert _attempt(client, "alice", PASSWORD, REMOTE_ADDR="10.0.0.99") == 429


@override_settings(LOGIN_THROTTLE_ATTEMPTS=3, OMS_TRUSTED_PROXIES=["10.1.0.0/16"])
def test_a_spoofed_forwarded_address_from_an_untrusted_peer_is_ignored(client: Client) -> None:
    """S-3: a client that is not a trusted proxy cannot pick its address by X-Forwarded-For; the
    failures are counted against its real address, so a new header each time does not help."""
    make_user("alice")
    for i in range(3):
        _attempt(client, "alice", REMOTE_ADDR="203.0.113.5", HTTP_X_FORWARDED_FOR=f"198.51.100.{i}")
    assert set(LoginFailure.objects.values_list("client", flat=True)) == {"203.0.113.5"}
    response = _attempt(
        client, "alice", PASSWORD, REMOTE_ADDR="203.0.113.5", HTTP_X_FORWARDED_FOR="198.51.100.77"
    )
    assert response == 429


@override_settings(LOGIN_THROTTLE_ATTEMPTS=3, OMS_TRUSTED_PROXIES=["10.1.0.0/16", "127.0.0.1"])
def test_a_trusted_proxy_s_forwarded_address_is_used(client: Client) -> None:
    """S-3: behind a trusted proxy, the client is the right-most untrusted address of the chain;
    a locked person does not lock their colleague behind the same proxy."""
    make_user("alice")
    bob = make_user("bob")
    for _ in range(3):
        _attempt(client, "alice", REMOTE_ADDR="10.1.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4, 192.0.2.10")
    assert set(LoginFailure.objects.values_list("client", flat=True)) == {"192.0.2.10"}
    assert (
        _attempt(client, "alice", PASSWORD, REMOTE_ADDR="10.1.0.2", HTTP_X_FORWARDED_FOR="192.0.2.10") == 429
    )
    assert _attempt(client, "bob", PASSWORD, REMOTE_ADDR="10.1.0.2", HTTP_X_FORWARDED_FOR="192.0.2.10") == 302
    assert client.session["_auth_user_id"] == str(bob.pk)


@override_settings(LOGIN_THROTTLE_ATTEMPTS=3)
def test_the_administrator_lifts_a_lock_and_the_user_logs_in(admin_client: Client, admin_user: Any) -> None:
    """S-3: the lock page lists the locked account; lifting it lets the person in at once; the
    failures stay recorded, marked lifted, and the lifting is audited."""
    alice = make_user("alice")
    browser = Client()
    for _ in range(3):
        _attempt(browser, "Alice")
    assert _attempt(browser, "alice", PASSWORD) == 429
    page = admin_client.get(reverse("accounts:login_locks"))
    assert 'data-testid="lock-account-alice"' in page.content.decode()

    response = admin_client.post(reverse("accounts:login_locks"), {"username": " ALICE "})
    assert response.status_code == 302
    assert list(LoginFailure.objects.values_list("lifted_by", flat=True)) == [admin_user.pk] * 3
    event = AuditEvent.objects.get(action="login.unlock")
    assert (event.actor, event.object_id, event.after) == (
        admin_user,
        "alice",
        {"username": "alice", "client": "", "lifted": 3},
    )
    assert _attempt(browser, "alice", PASSWORD) == 302
    assert browser.session["_auth_user_id"] == str(alice.pk)


@override_settings(LOGIN_THROTTLE_ATTEMPTS=3)
def test_a_non_administrator_cannot_lift_a_lock(client: Client) -> None:
    """S-3: the page and the action are the administrator's; a refused attempt lifts nothing and
    records nothing."""
    make_user("alice")
    head = make_user("head2", role="head")
    browser = Client()
    for _ in range(3):
        _attempt(browser, "alice")
    client.force_login(head)
    events = AuditEvent.objects.count()
    assert client.get(reverse("accounts:login_locks")).status_code == 404
    assert client.post(reverse("accounts:login_locks"), {"username": "alice"}).status_code == 404
    with pytest.raises(NotAllowed):
        actions.lift_login_lock(actor=head, username="alice")
    assert LoginFailure.objects.filter(lifted_at__isnull=False).count() == 0
    assert AuditEvent.objects.count() == events
    assert _attempt(browser, "alice", PASSWORD) == 429


@override_settings(OMS_TRUSTED_PROXIES=["10.1.0.2"])
def test_a_malformed_forwarded_chain_from_a_proxy_falls_back_to_the_peer(rf: Any) -> None:
    """S-3: a chain the proxy passed on with garbage in it is not believed."""
    from oms.accounts.network import client_address

    request = rf.post("/", REMOTE_ADDR="10.1.0.2", HTTP_X_FORWARDED_FOR="not-an-ip, 192.0.2.1, evil")
    assert client_address(request) == "10.1.0.2"
    request = rf.post("/", REMOTE_ADDR="10.1.0.2", HTTP_X_FORWARDED_FOR="192.0.2.1, 10.1.0.2")
    assert client_address(request) == "192.0.2.1"


def test_a_bad_trusted_proxy_setting_stops_the_start() -> None:
    """S-3: a typo in OMS_TRUSTED_PROXIES is an error at start, not a silently open door."""
    from config.settings import _proxies

    assert _proxies(" 10.0.0.0/8, 127.0.0.1 ,") == ["10.0.0.0/8", "127.0.0.1"]
    with pytest.raises(ValueError):
        _proxies("10.0.0.0/8,proxy.local")
