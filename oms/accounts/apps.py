from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "oms.accounts"
    label = "accounts"
    verbose_name = _("组织与用户")
