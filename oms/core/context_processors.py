"""The left menu of the whole product, filtered by what the user may open (no dead links)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from oms.accounts import permissions as perms

MENU: list[tuple[Any, list[tuple[Any, str, Any]]]] = [
    (
        _("工作台"),
        [
            (_("首页"), "core:home", perms.is_staff_member),
            (_("我的待办"), "workbench:work", perms.is_staff_member),
            (_("评审任务"), "review:tasks", perms.is_staff_member),
            (_("消息"), "notifications:inbox", perms.is_staff_member),
        ],
    ),
    (
        _("订单"),
        [
            (_("订单列表"), "workbench:order_list", perms.is_staff_member),
            (_("咨询"), "intake:inquiry_list", perms.is_staff_member),
            (_("变更与取消"), "changes:request_list", perms.is_staff_member),
            (_("应收账款"), "billing:receivables", perms.is_staff_member),
            (
                _("进度总览"),
                "tracking:overview",
                perms.is_head | perms.is_executive | perms.is_admin | perms.is_auditor,
            ),
            (_("拣货单"), "fulfilment:picking", perms.in_warehouse | perms.is_admin | perms.is_executive),
            (_("质量统计"), "quality:statistics", perms.in_quality | perms.is_head | perms.is_auditor),
        ],
    ),
    (
        _("基础资料"),
        [
            (_("客户"), "customers:customer_list", perms.is_staff_member),
            (_("联系人"), "customers:contact_list", perms.is_staff_member),
            (_("产品"), "catalog:product_list", perms.is_staff_member),
            (_("仓库"), "catalog:warehouse_list", perms.is_staff_member),
            (_("库存"), "catalog:stock_list", perms.is_staff_member),
            (_("供应商"), "partners:supplier_list", perms.is_staff_member),
            (_("承运商"), "partners:carrier_list", perms.is_staff_member),
        ],
    ),
    (
        _("组织"),
        [
            (_("部门"), "accounts:department_list", perms.can_manage_users),
            (_("用户"), "accounts:user_list", perms.can_manage_users),
            (_("在线会话"), "accounts:sessions", perms.is_admin),
            (_("登录锁定"), "accounts:login_locks", perms.is_admin),
            (_("API 令牌"), "accounts:api_tokens", perms.is_admin),
            (_("两步验证"), "accounts:two_factor", perms.can_use_two_factor),
        ],
    ),
    (
        _("系统设置"),
        [
            (_("制度设置"), "policy:overview", perms.can_view_policy),
            (_("工作日历"), "policy:calendar", perms.can_view_policy),
            (_("合同模板"), "contracts:template", perms.can_edit_policy),
            (_("通知渠道"), "notifications:channel_list", perms.is_admin),
            (_("发送记录"), "notifications:delivery_list", perms.is_admin),
            (_("系统运行"), "ops:system", perms.is_admin),
        ],
    ),
    (_("审计"), [(_("审计日志"), "audit:list", perms.can_view_audit)]),
]


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or getattr(user, "is_customer", False):
        return {"menu": []}
    menu = []
    for title, items in MENU:
        visible = [
            {
                "label": label,
                "url": reverse(name),
                "active": request.path.startswith(reverse(name)) and name != "core:home",
            }
            for label, name, allowed in items
            if allowed(user)
        ]
        if visible:
            menu.append({"title": title, "items": visible})
    return {"menu": menu}
