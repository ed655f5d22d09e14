from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedbackConfig(AppConfig):
    name = "oms.feedback"
    label = "feedback"
    verbose_name = _("客户之声")
