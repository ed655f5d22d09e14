from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeliveryConfig(AppConfig):
    name = "oms.delivery"
    label = "delivery"
    verbose_name = _("交付与验收")
