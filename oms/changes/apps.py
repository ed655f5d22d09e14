from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChangesConfig(AppConfig):
    name = "oms.changes"
    label = "changes"
    verbose_name = _("订单变更与取消")
