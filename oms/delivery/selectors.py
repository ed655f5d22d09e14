"""What the order page shows of delivery and acceptance (K-1..K-3)."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from oms.delivery.models import Acceptance, AcceptanceResult
from oms.delivery.permissions import can_record
from oms.orders.models import SalesOrder

ACCEPTANCE_CHECKS = [
    ("appearance_ok", _("外观")),
    ("quantity_ok", _("数量")),
    ("spec_ok", _("规格")),
    ("quality_ok", _("质量")),
]


def deliveries_of(order: SalesOrder, user: Any) -> dict[str, Any]:
    if order.status not in {
        "released",
        "in_production",
        "on_hold",
        "shipped",
        "received",
        "closed",
        "cancelled",
    }:
        return {"deliveries": []}
    shipments = list(
        order.shipments.prefetch_related(
            Prefetch("acceptances", queryset=Acceptance.objects.order_by("-created_at", "-pk")),
            "lines__order_line",
        ).order_by("number")
    )
    rows = [(s, next(iter(s.acceptances.all()), None)) for s in shipments]
    return {
        "deliveries": rows,
        "results": AcceptanceResult.choices,
        "acceptance_checks": ACCEPTANCE_CHECKS,
        "can_record_acceptance": can_record(user, order),
        "today": f"{timezone.localdate():%Y-%m-%d}",
    }
