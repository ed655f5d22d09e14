from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "oms.supervision"
    label = "supervision"
    verbose_name = _("监督检查")

    def ready(self) -> None:
        from oms.supervision import permissions
        from oms.web.context_processors import MENU

        title = _("监督检查")
        if all(section[0] != title for section in MENU):
            MENU.insert(
                len(MENU) - 1,  # before the audit section
                (
                    title,
                    [
                        (_("抽查"), "supervision:check_list", permissions.can_see_checks),
                        (_("检查发现与整改"), "supervision:finding_list", lambda u: True),
                        (_("违规举报"), "supervision:report_list", permissions.can_read_reports),
                        (_("我要举报"), "supervision:report_new", permissions.can_report),
                    ],
                ),
            )
