"""Test helpers: the quality steps that release goods for shipping (K-2, G-3)."""

from __future__ import annotations

from typing import Any

from oms.quality import actions
from oms.quality.models import Inspection, InspectionPlan

PLAN = [{"item": "外观", "method": "目视", "frequency": "每批"}]


def inspector() -> Any:
    """A quality inspector (created once per test database)."""
    from conftest import make_user
    from oms.accounts.models import User

    return User.objects.filter(username="qc-final").first() or make_user("qc-final", kind="quality")


def pass_final_inspection(order: Any, *, products: list[Any] | None = None) -> list[Inspection]:
    """Quality plans the inspection if needed and passes the final inspection of every product of
    the order (or the given ones): what K-2 needs before the goods may ship."""
    qc = inspector()
    if not InspectionPlan.objects.filter(order=order).exists():
        actions.set_plan(actor=qc, order=order, items=PLAN)
    wanted = products if products is not None else [ln.product for ln in order.lines.all()]
    return [
        actions.record_inspection(
            actor=qc,
            order=order,
            stage="final",
            product_id=product.pk,
            results={"外观": "良好"},
            passed=True,
        )
        for product in {p.pk: p for p in wanted}.values()
    ]


def released_with_plan(org: dict[str, Any], plan: list[dict[str, str]]) -> tuple[dict[str, Any], Any]:
    """The organisation with its quality inspector `qc`, and a released order whose inspection
    plan quality has set to `plan` (G-3)."""
    from conftest import make_user
    from oms.fulfilment import actions as fulfilment
    from oms.intake.tests.fixtures import signed_order

    org["qc"] = make_user("qc1", kind="quality")
    order = fulfilment.release_order(actor=org["head"], order=signed_order(org))
    actions.set_plan(actor=org["qc"], order=order, items=plan)
    return org, order
