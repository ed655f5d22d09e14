"""Issue 22: the tracking panel parses its input through one form per action; a refused form
says why on the order page, a malformed number is refused by name (never a server error), and
nothing is saved."""

from __future__ import annotations

import pytest
from django.urls import reverse

from oms.intake.tests.fixtures import order_in_review
from oms.tracking.models import OrderException

pytestmark = pytest.mark.django_db


def test_an_exception_without_a_responsible_person_is_refused(client, org) -> None:
    order = order_in_review(org)
    client.force_login(org["head"])
    response = client.post(
        reverse("tracking:order_tracking", args=[order.pk, "exception"]),
        {"kind": "delay", "description": "供应商延迟", "responsible": "abc"},
        follow=True,
    )
    assert response.status_code == 200
    assert "请选择在职且有部门的负责人。" in response.content.decode()
    assert not OrderException.objects.exists()


def test_a_malformed_exception_number_is_refused_by_name(client, org) -> None:
    order = order_in_review(org)
    client.force_login(org["head"])
    response = client.post(
        reverse("tracking:order_tracking", args=[order.pk, "resolve"]),
        {"exception": "1e9", "cause": "x", "resolution": "y"},
    )
    assert response.status_code == 302
