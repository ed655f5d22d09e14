from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "oms.accounts"
    label = "accounts"
    verbose_name = _("组织与用户")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from oms.accounts.models import Department, User
        from oms.core import stamps

        # Issue 21: the heads and departments kept under the "api_tokens" stamp
        # (`accounts.selectors`): a user or department written by this transaction is seen by
        # its next lookup (the trigger gave the stamp a new token; this transaction's memo of
        # the tokens is forgotten so that it reads it).
        for model in (User, Department):
            post_save.connect(stamps.forget, sender=model, dispatch_uid=f"stamp-{model.__name__}")
            post_delete.connect(stamps.forget, sender=model, dispatch_uid=f"stamp-{model.__name__}-del")
