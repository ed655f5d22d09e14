"""Every seam between apps, in one place (issue 22, point 2; the seams are in `oms.core.registry`).

Read top to bottom to see how the apps meet: which pages the side menu offers, which jobs the
scheduler runs, where the credit check learns what a customer owes, what the audit verification
also checks, and what else happens when a record changes state.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from oms.accounts import permissions as perms
from oms.analytics import permissions as analytics_perms
from oms.analytics.actions import record_closed_months
from oms.archive import permissions as archive_perms
from oms.archive.actions import file_finished, file_on_end
from oms.archive.integrity import check_access_log
from oms.billing import states as billing_states
from oms.billing.actions import check_dunning
from oms.billing.receivables import exposure
from oms.core import registry
from oms.core.registry import HomePanel, MenuEntry, MenuSection, OrderAction, OrderPanel, SideEffect
from oms.feedback import permissions as feedback_perms
from oms.feedback.actions import on_order_closed
from oms.fulfilment import states as fulfilment_states
from oms.fulfilment.actions import check_reporting
from oms.notifications.channels import on_transition
from oms.orders import states as order_states
from oms.orders.models import OrderStatus
from oms.quality import states as quality_states
from oms.review import actions as review_actions
from oms.supervision import permissions as supervision_perms
from oms.web.downloads.actions import expire_files
from oms.wiring import panels
from oms.workbench.views.work import home_counts


def wire() -> None:
    """Fill every registry; idempotent (a registry keeps one copy of each entry)."""
    registry.menu.extend(MENU)
    registry.periodic_jobs.extend(PERIODIC_JOBS)
    registry.credit_exposure_sources.extend(CREDIT_EXPOSURE_SOURCES)
    registry.audit_checks.extend(AUDIT_CHECKS)
    registry.side_effects.extend(SIDE_EFFECTS)
    registry.order_panels.extend(ORDER_PANELS)
    registry.order_actions.extend(ORDER_ACTIONS)
    registry.home_panels.extend(HOME_PANELS)


# --- the side menu ---------------------------------------------------------------------------
# Section by section in the order shown; each link only for whom its predicate allows (no dead
# links). The predicates are the ones the pages themselves check.


def _everyone(user: Any) -> bool:
    return True


def _plans(user: Any) -> bool:
    return bool(analytics_perms.can_plan(user) or analytics_perms.can_view_dashboard(user))


def _section(title: Any, *entries: tuple[Any, str, Any]) -> MenuSection:
    return MenuSection(
        title, tuple(MenuEntry(label, url_name, allowed) for label, url_name, allowed in entries)
    )


_SENIOR = perms.is_head | perms.is_executive | perms.is_admin | perms.is_auditor

MENU = (
    _section(
        _("工作台"),
        (_("首页"), "core:home", perms.is_staff_member),
        (_("我的待办"), "workbench:work", perms.is_staff_member),
        (_("评审任务"), "review:tasks", perms.is_staff_member),
        (_("批量审批"), "review:batch", perms.is_staff_member),
        (_("消息"), "notifications:inbox", perms.is_staff_member),
        (_("我的下载"), "core:downloads", perms.is_staff_member),
    ),
    _section(
        _("订单"),
        (_("订单列表"), "workbench:order_list", perms.is_staff_member),
        (_("订单执行跟踪表"), "workbench:register_list", perms.is_staff_member),
        (_("咨询"), "intake:inquiry_list", perms.is_staff_member),
        (_("变更与取消"), "changes:request_list", perms.is_staff_member),
        (_("应收账款"), "billing:receivables", perms.is_staff_member),
        (_("进度总览"), "tracking:overview", _SENIOR),
        (_("拣货单"), "fulfilment:picking", perms.in_warehouse | perms.is_admin | perms.is_executive),
        (_("批量打印送货单"), "delivery:notes", perms.is_staff_member),
        (_("质量统计"), "quality:statistics", perms.in_quality | perms.is_head | perms.is_auditor),
    ),
    _section(
        _("基础资料"),
        (_("客户"), "customers:customer_list", perms.is_staff_member),
        (_("联系人"), "customers:contact_list", perms.is_staff_member),
        (_("产品"), "catalog:product_list", perms.is_staff_member),
        (_("仓库"), "catalog:warehouse_list", perms.is_staff_member),
        (_("库存"), "catalog:stock_list", perms.is_staff_member),
        (_("供应商"), "partners:supplier_list", perms.is_staff_member),
        (_("承运商"), "partners:carrier_list", perms.is_staff_member),
    ),
    _section(
        _("组织"),
        (_("部门"), "accounts:department_list", perms.can_manage_users),
        (_("用户"), "accounts:user_list", perms.can_manage_users),
        (_("在线会话"), "accounts:sessions", perms.is_admin),
        (_("登录锁定"), "accounts:login_locks", perms.is_admin),
        (_("API 令牌"), "accounts:api_tokens", perms.is_admin),
        (_("两步验证"), "accounts:two_factor", perms.can_use_two_factor),
    ),
    _section(
        _("系统设置"),
        (_("制度设置"), "policy:overview", perms.can_view_policy),
        (_("工作日历"), "policy:calendar", perms.can_view_policy),
        (_("合同模板"), "contracts:template", perms.can_edit_policy),
        (_("通知渠道"), "notifications:channel_list", perms.is_admin),
        (_("发送记录"), "notifications:delivery_list", perms.is_admin),
        (_("系统运行"), "ops:system", perms.is_admin),
    ),
    _section(
        _("客户之声"),
        (_("客户投诉"), "feedback:complaint_list", _everyone),
        (_("满意度调查"), "feedback:survey_list", feedback_perms.can_see_surveys),
        (_("订单评价"), "feedback:invitation_list", feedback_perms.can_see_surveys),
        (_("改进措施"), "feedback:action_list", _everyone),
        (_("调查问题"), "feedback:question_list", feedback_perms.can_edit_questions),
    ),
    _section(
        _("档案"),
        (_("订单档案"), "archive:record_list", archive_perms.can_browse),
        (_("查询申请"), "archive:request_list", archive_perms.can_browse),
        (_("保存期满"), "archive:retention_list", archive_perms.can_see_retention),
        (_("销毁登记"), "archive:disposed_list", archive_perms.can_see_retention),
        (_("查阅登记"), "archive:log_list", archive_perms.can_see_access_log),
    ),
    _section(
        _("监督检查"),
        (_("抽查"), "supervision:check_list", supervision_perms.can_see_checks),
        (_("检查发现与整改"), "supervision:finding_list", _everyone),
        (_("违规举报"), "supervision:report_list", supervision_perms.can_read_reports),
        (_("我要举报"), "supervision:report_new", supervision_perms.can_report),
    ),
    _section(
        _("考核与分析"),
        (_("分析看板"), "analytics:dashboard", analytics_perms.can_view_dashboard),
        (_("考核指标"), "analytics:kpis", analytics_perms.can_view_kpis),
        (_("月度考核报告"), "analytics:assessment", analytics_perms.can_view_kpis),
        (_("订单计划"), "analytics:plan_list", _plans),
        (_("计划与实际"), "analytics:plan_actual", _plans),
    ),
    _section(_("审计"), (_("审计日志"), "audit:list", perms.can_view_audit)),
)


# --- periodic jobs (run by `oms.tracking.tasks.sweep_deadlines` after its own sweep) -----------
PERIODIC_JOBS = (
    check_reporting,  # H-3: progress reports that fell due at the policy's cadence
    check_dunning,  # L-5: reminder steps for overdue invoices
    file_finished,  # M-2: file ended orders whose remaining work is done
    record_closed_months,  # O-3: the KPI figures of the months just closed
    expire_files,  # issue 24.2: generated files past their time are deleted (their rows stay)
)


# --- credit exposure (B-6: the intake credit check adds up what a customer owes) --------------
def _owed_on_invoices(customer_id: int) -> dict[str, Decimal]:
    """L-4: receivables and overdue amounts on the customer's invoices as of today."""
    return exposure(customer_id, timezone.localdate())


CREDIT_EXPOSURE_SOURCES = (_owed_on_invoices,)


# --- checks run with the audit chain's verification (S-2) --------------------------------------
AUDIT_CHECKS = (check_access_log,)  # issue 20.11: the archive's access log against its audit events


def _start_review_round(*, instance: Any, transition: Any, actor: Any) -> None:
    """C-1: an order that passed the preliminary check, or that management accepted, is reviewed
    by every department concerned; a resubmission after a failed review starts its own round."""
    if transition in (order_states.PASS_CHECK, order_states.ACCEPT):
        review_actions.start_round(order=instance, actor=actor)


# --- side effects of transitions, in the order they run, inside the deciding transaction ------
SIDE_EFFECTS = (
    SideEffect(
        model="orders.SalesOrder",
        handler=on_transition,
        why="T-1: every state change of an order is an event for the webhooks that want it",
    ),
    SideEffect(
        model="orders.SalesOrder",
        targets=frozenset({OrderStatus.CLOSED}),
        handler=on_order_closed,
        why="N-3: a closed order invites the customer to rate it",
    ),
    SideEffect(
        model="orders.SalesOrder",
        targets=frozenset({OrderStatus.CLOSED, OrderStatus.CANCELLED}),
        handler=file_on_end,
        why="M-2: a closed or cancelled order is filed in the archive",
    ),
    SideEffect(
        model="orders.SalesOrder",
        targets=frozenset({OrderStatus.IN_REVIEW}),
        handler=_start_review_round,
        why="C-1: passing the check (B-6) or management's acceptance opens the review round",
    ),
)


# --- the order page (H-1): one panel per process stage, in process order, each in its tab -----
# (issue 23, point 5: the tabs are `oms.workbench.tabs.TABS`; a panel without one goes to the tab
# named like its key, else the first)
ORDER_PANELS = (
    OrderPanel("review", _("评审与确认"), "review/_order_panel.html", panels.review, order=10, tab="review"),
    OrderPanel(
        "contracts", _("合同"), "contracts/_order_panel.html", panels.contract, order=15, tab="contract"
    ),
    OrderPanel("changes", _("变更"), "changes/_order_panel.html", panels.changes, order=20, tab="changes"),
    OrderPanel(
        "fulfilment", _("执行"), "fulfilment/_order_panel.html", panels.fulfilment, order=30, tab="execution"
    ),
    OrderPanel(
        "delivery", _("交付"), "delivery/_order_panel.html", panels.delivery, order=40, tab="delivery"
    ),
    OrderPanel("billing", _("结算"), "billing/_order_panel.html", panels.billing, order=50, tab="billing"),
    OrderPanel("quality", _("质量"), "quality/_order_panel.html", panels.quality, order=60, tab="execution"),
    OrderPanel("tracking", _("跟踪"), "tracking/_order_panel.html", panels.tracking, order=70, tab="records"),
)


# --- the order page's toolbar: the order's transitions other apps post (issue 23, point 5) -----
def _order_verb(route: str, verb: str) -> Any:
    return lambda order: reverse(route, args=[order.pk, verb])


ORDER_ACTIONS = (
    OrderAction(fulfilment_states.RELEASE, _order_verb("fulfilment:execution", "release"), tab="execution"),
    OrderAction(quality_states.RESUME, _order_verb("quality:quality", "resume"), tab="execution"),
    OrderAction(billing_states.CLOSE, _order_verb("billing:billing", "close"), tab="billing"),
)


# --- the start page (issue 23): what waits on the user, counted by kind -----------------------
HOME_PANELS = (HomePanel("my_work", "workbench/_home_counts.html", home_counts, order=10),)
