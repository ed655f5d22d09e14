from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntakeConfig(AppConfig):
    name = "oms.intake"
    label = "intake"
    verbose_name = _("订单接收与初审")
