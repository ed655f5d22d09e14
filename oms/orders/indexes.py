"""Indexes of the orders lists (issue 21, M-3), kept out of the model module for its length."""

from __future__ import annotations

from django.db import models

# Orders not filed in the archive (M-3): what every operational list shows.
LIVE = models.Q(archived=False)


def live_indexes() -> list[models.Index]:
    """The lists of live orders in their order (newest first): a customer's, a salesperson's and
    everyone's, the last with the scope's columns so that a head's capped count (`salesperson = me
    OR department IN (…)`) reads the index only. Partial: the archived orders (45 % of the table
    at 10^6) are not in them, so neither a page nor its count probes the archive per row."""
    return [
        models.Index(
            fields=[*key, "-created_at", "-id"], include=inc, condition=LIVE, name=f"order_live_{n}_idx"
        )
        for key, inc, n in (
            (["customer"], [], "customer"),
            (["salesperson"], [], "person"),
            ([], ["salesperson", "department"], "all"),
        )
    ]
