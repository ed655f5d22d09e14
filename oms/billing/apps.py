from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BillingConfig(AppConfig):
    name = "oms.billing"
    label = "billing"
    verbose_name = _("结算与开票")
