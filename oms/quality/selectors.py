"""What the order page shows of quality (G-3)."""

from __future__ import annotations

from typing import Any

from oms.orders.models import SalesOrder
from oms.quality import states
from oms.quality.models import Inspection, InspectionPlan, NonConformance, Stage


def quality_of(order: SalesOrder, user: Any) -> dict[str, Any]:
    plan = InspectionPlan.objects.filter(order=order).first()
    return {
        "plan": plan,
        "plan_text": "\n".join(f"{i['item']} | {i['method']} | {i['frequency']}" for i in plan.items)
        if plan
        else "",
        "inspections": list(
            Inspection.objects.filter(order=order).select_related("product", "inspector")[:100]
        ),
        "ncs": list(NonConformance.objects.filter(order=order).select_related("responsible")),
        # G-1 (flows): the form offers no incoming stage: those come with the supplier's delivery.
        "stages": [c for c in Stage.choices if c[0] != Stage.INCOMING],
        # The inspection form's items: (item of the plan, what was typed: nothing yet).
        "inspection_items": [(name, "") for name in plan.item_names()] if plan else [],
        "can_resume": states.RESUME in states.ORDER_QUALITY.available(order, user),
        "is_quality": states.in_quality(user),
    }
