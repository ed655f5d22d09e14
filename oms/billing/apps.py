from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BillingConfig(AppConfig):
    name = "oms.billing"
    label = "billing"
    verbose_name = _("结算与开票")

    def ready(self) -> None:
        from decimal import Decimal

        from django.utils import timezone

        from oms.billing.receivables import exposure
        from oms.orders.selectors import RECEIVABLES

        def owed(customer_id: int) -> dict[str, Decimal]:
            return exposure(customer_id, timezone.localdate())

        if not RECEIVABLES:
            RECEIVABLES.append(owed)

        from oms.billing.actions import check_dunning
        from oms.tracking.actions import PERIODIC_CHECKS

        if check_dunning not in PERIODIC_CHECKS:
            PERIODIC_CHECKS.append(check_dunning)
