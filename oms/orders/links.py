"""Links to an order's pages, reversed by name, never built by hand (issue 22, point 2).

The pages live in the top-tier `oms.workbench`; a name is a string, so this lower tier links to
them without importing them. Work items and notifications store the link they are given."""

from __future__ import annotations

from typing import Any

from django.urls import reverse


def order_url(order: Any) -> str:
    """The order page (H-1)."""
    return reverse("workbench:order_detail", args=[order.pk])
