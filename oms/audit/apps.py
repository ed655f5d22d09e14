from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "oms.audit"
    label = "audit"
    verbose_name = _("审计")

    def ready(self) -> None:
        from oms.audit import recorder
        from oms.core import stamps

        # Issue 21: on SQLite the chain's tail comes with the transaction's first locked read.
        stamps.ride("audit_tail", recorder.tail_column, recorder.take_tail)
