from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ArchiveConfig(AppConfig):
    name = "oms.archive"
    label = "archive"
    verbose_name = _("订单档案")

    def ready(self) -> None:
        from oms.archive.actions import file_finished, file_on_end
        from oms.engine.workflow import transition_applied
        from oms.tracking.actions import PERIODIC_CHECKS

        transition_applied.connect(file_on_end, dispatch_uid="archive.file_on_end")
        from oms.archive.integrity import check_access_log
        from oms.audit.verify import EXTRA_CHECKS

        if check_access_log not in EXTRA_CHECKS:  # issue 20.11: verified with the audit chain
            EXTRA_CHECKS.append(check_access_log)
        if file_finished not in PERIODIC_CHECKS:
            PERIODIC_CHECKS.append(file_finished)
        from oms.archive import permissions
        from oms.web.context_processors import MENU

        title = _("档案")
        if all(section[0] != title for section in MENU):
            MENU.insert(
                len(MENU) - 1,  # before the audit section
                (
                    title,
                    [
                        (_("订单档案"), "archive:record_list", permissions.can_browse),
                        (_("查询申请"), "archive:request_list", permissions.can_browse),
                        (_("保存期满"), "archive:retention_list", permissions.can_see_retention),
                        (_("销毁登记"), "archive:disposed_list", permissions.can_see_retention),
                        (_("查阅登记"), "archive:log_list", permissions.can_see_access_log),
                    ],
                ),
            )
