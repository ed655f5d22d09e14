from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ArchiveConfig(AppConfig):
    name = "oms.archive"
    label = "archive"
    verbose_name = _("订单档案")
