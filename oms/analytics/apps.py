from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    name = "oms.analytics"
    label = "analytics"
    verbose_name = _("考核与分析")

    def ready(self) -> None:
        from oms.analytics import permissions
        from oms.analytics.actions import record_closed_months
        from oms.tracking.actions import PERIODIC_CHECKS
        from oms.web.context_processors import MENU

        if record_closed_months not in PERIODIC_CHECKS:
            PERIODIC_CHECKS.append(record_closed_months)

        title = _("考核与分析")
        if all(section[0] != title for section in MENU):
            MENU.insert(
                len(MENU) - 1,  # before the audit section
                (
                    title,
                    [
                        (_("分析看板"), "analytics:dashboard", permissions.can_view_dashboard),
                        (_("考核指标"), "analytics:kpis", permissions.can_view_kpis),
                        (_("月度考核报告"), "analytics:assessment", permissions.can_view_kpis),
                        (
                            _("订单计划"),
                            "analytics:plan_list",
                            lambda u: permissions.can_plan(u) or permissions.can_view_dashboard(u),
                        ),
                        (
                            _("计划与实际"),
                            "analytics:plan_actual",
                            lambda u: permissions.can_plan(u) or permissions.can_view_dashboard(u),
                        ),
                    ],
                ),
            )
