"""Issue 22, point 1: the order's pages in the top tier, composed from what each process app
registers (`oms.core.registry.order_panels`, filled by `oms.wiring`)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkbenchConfig(AppConfig):
    name = "oms.workbench"
    label = "workbench"
    verbose_name = _("订单工作台")
