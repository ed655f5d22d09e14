from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The demo company for the embedded default (top tier: it writes through every app's actions)."""

    name = "oms.demo"
    label = "demo"
    verbose_name = _("演示数据")
