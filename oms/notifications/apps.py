from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "oms.notifications"
    label = "notifications"
    verbose_name = _("消息")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from oms.core import stamps
        from oms.notifications.models import NotificationChannel

        # Issue 21: a channel written by this transaction is seen by its next message.
        post_save.connect(stamps.forget, sender=NotificationChannel, dispatch_uid="stamp-channel")
        post_delete.connect(stamps.forget, sender=NotificationChannel, dispatch_uid="stamp-channel-del")
