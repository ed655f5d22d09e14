from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "oms.notifications"
    label = "notifications"
    verbose_name = _("消息")

    def ready(self) -> None:
        from oms.engine.workflow import transition_applied
        from oms.notifications.channels import on_transition

        transition_applied.connect(on_transition, dispatch_uid="notifications.webhooks")
