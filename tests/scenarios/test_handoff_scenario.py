"""Scenario (issue 23, point 3: nobody waits without knowing): one order walked from the
customer's confirmation to an approved archive query request. At every hand-off the next actor
finds the step on their "my work" page and in their inbox, and by e-mail on the company's channel
(T-1); the step they finished is closed (P-3); the step is due on the working calendar (P-2).
Hand-offs: contract generation and review (E-1, E-3), signing (E-2), release (F-1), production
milestones (F-2, G-2), final inspection (G-3, K-2), the warehouse staff (G-4), shipping (G-5, G-6),
the finance staff (L-2), the archive query request's approval (M-3)."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from django.utils.html import escape

from oms.accounts.models import User
from oms.archive import actions as archive
from oms.intake.tests.fixtures import confirmed_order
from oms.notifications.models import NotificationChannel, OutboundMessage
from oms.tracking.models import WorkItem
from oms.tracking.tests import handoff_walk as walk
from oms.tracking.tests.handoff_walk import finished, waiting

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _next_actor_sees(client: Any, person: User, kind: str, order: Any) -> WorkItem:
    """T-1: the step is in the person's "my work" (selector and page), in their inbox, and queued
    on the e-mail channel to their address."""
    item = waiting(person, kind, order)
    client.force_login(person)
    page = client.get(reverse("workbench:work")).content.decode()
    assert page.count(escape(item.title)) == 1, (person.username, item.title)
    assert OutboundMessage.objects.filter(recipient=person, title=item.title, target=person.email).exists()
    return item


def test_every_hand_off_from_contract_to_archive_tells_the_next_actor(client, more_heads) -> None:
    org = walk.people(more_heads)
    NotificationChannel.objects.create(name="公司邮件", kind="email")
    for person in User.objects.all():
        User.objects.filter(pk=person.pk).update(email=f"{person.username}@example.com")
    for value in org.values():
        if isinstance(value, User):
            value.refresh_from_db()

    # D-2 → E-1: the customer confirmed; the salesperson generates the contract.
    order = confirmed_order(org, quantity="10")
    _next_actor_sees(client, org["sales"], "contract.generate", order)
    contract = walk.contract_of(org, order)
    finished("contract.generate", order)
    # E-3: the sales head reviews it.
    _next_actor_sees(client, org["head"], "contract.review", order)
    contract = walk.review(org, contract)
    finished("contract.review", order)
    # E-2: the salesperson records the signed copy.
    _next_actor_sees(client, org["sales"], "contract.sign", order)
    walk.sign(org, contract)
    finished("contract.sign", order)
    # F-1: the sales head releases.
    _next_actor_sees(client, org["head"], "order.release", order)
    order = walk.release(org, order)
    finished("order.release", order)
    # F-2, G-2: production reports each milestone; each in turn is in every member's work.
    for milestone in order.milestones.order_by("seq"):
        item = _next_actor_sees(client, org["prod"], "production.milestone", order)
        assert milestone.name in item.title
        walk.produce(org, order, upto=milestone.seq)
    finished("production.milestone", order)
    # G-3, K-2: quality's final inspection.
    _next_actor_sees(client, org["qc"], "quality.final", order)
    walk.inspect(order)
    finished("quality.final", order)
    # G-4: any warehouse member reserves, picks, second-checks and packs.
    for person in (org["wh1"], org["wh2"]):
        _next_actor_sees(client, person, "warehouse.prepare", order)
    walk.pack(org, order)
    finished("warehouse.prepare", order)
    # G-5, G-6: logistics ships.
    _next_actor_sees(client, org["lg"], "logistics.ship", order)
    walk.ship(org, order)
    finished("logistics.ship", order)
    # K-3, L-2: accepted; the finance head approves the statement; the finance staff invoice it.
    walk.accept(org, order)
    statement = walk.approved_statement(org, order)
    _next_actor_sees(client, org["finance"], "billing.invoice", order)
    walk.invoice(org, statement)
    finished("billing.invoice", order)
    # M-2, M-3: paid, closed and filed; a query request waits on the requester's head.
    request = walk.ask(org, walk.pay_and_close(org, order))
    _next_actor_sees(client, org["prod_head"], "archive.request", order)
    archive.decide_access(actor=org["prod_head"], request=request, approve=True, note="同意")
    finished("archive.request", order)
    assert not order.work_items.filter(status="open").exists()
