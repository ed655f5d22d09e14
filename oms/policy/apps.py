from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PolicyConfig(AppConfig):
    name = "oms.policy"
    label = "policy"
    verbose_name = _("制度设置")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from oms.policy import selectors
        from oms.policy.models import CalendarDay, PolicyVersion

        # Issue 21: the parsed policies and calendars are kept per process; a change forgets them.
        for model in (PolicyVersion, CalendarDay):
            post_save.connect(selectors.forget_parsed, sender=model, dispatch_uid=f"forget-{model.__name__}")
            post_delete.connect(
                selectors.forget_parsed, sender=model, dispatch_uid=f"forget-del-{model.__name__}"
            )
