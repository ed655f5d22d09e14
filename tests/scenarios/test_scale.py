"""The orders list, my work and the management overview keep a bounded number of queries with
10^4 open orders (DESIGN 9, H-5, H-6)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from bench.seed import grow_orders

pytestmark = pytest.mark.django_db


def test_list_pages_at_ten_thousand_open_orders(client, org, django_assert_max_num_queries) -> None:
    grow_orders(10_000, sales=org["sales"], customer=org["customer"], products=[org["gear"], org["motor"]])
    client.force_login(org["exec"])
    for url, limit in (
        (reverse("workbench:order_list"), 15),
        (reverse("tracking:overview"), 12),
        (reverse("workbench:work"), 15),
        (reverse("workbench:order_list") + "?overdue=1&status=pending_check", 15),
    ):
        with django_assert_max_num_queries(limit):
            assert client.get(url).status_code == 200, url
