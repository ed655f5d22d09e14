from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewConfig(AppConfig):
    name = "oms.review"
    label = "review"
    verbose_name = _("评审、审批与确认")
