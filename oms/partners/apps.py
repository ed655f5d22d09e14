from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnersConfig(AppConfig):
    name = "oms.partners"
    label = "partners"
    verbose_name = _("供应商与承运商")
