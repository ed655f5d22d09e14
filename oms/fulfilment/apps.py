from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FulfilmentConfig(AppConfig):
    name = "oms.fulfilment"
    label = "fulfilment"
    verbose_name = _("下达与执行")

    def ready(self) -> None:
        from oms.fulfilment.actions import check_reporting
        from oms.tracking.actions import PERIODIC_CHECKS

        if check_reporting not in PERIODIC_CHECKS:
            PERIODIC_CHECKS.append(check_reporting)
