from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContractsConfig(AppConfig):
    name = "oms.contracts"
    label = "contracts"
    verbose_name = _("合同与受控资料")
