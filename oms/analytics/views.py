"""Pages of KPIs, dashboards, the monthly assessment and order planning (O-1, O-3, Q-1, Q-2):
thin; the computing is in kpis, dashboard, assessment and actions."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from oms.accounts.models import Department, DepartmentKind
from oms.analytics import actions, assessment, dashboard, drilldown, kpis, permissions
from oms.analytics.forms import plan_input
from oms.analytics.models import OrderPlan
from oms.core import params
from oms.core.printing import printable
from oms.customers.models import Customer, CustomerGrade
from oms.policy.selectors import policy
from oms.web.listing import Column, ListSpec, sheets_xlsx, table_xlsx, watermark
from oms.web.pages import actor, entry_page

_BY = {
    "company": gettext_lazy("全公司"),
    "department": gettext_lazy("按部门"),
    "person": gettext_lazy("按人员"),
}


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


@login_required
def kpi_page(request: HttpRequest) -> HttpResponse:
    """O-1: every KPI for the month, by company, department or person, each with its formula and
    target; every figure links to the records behind it; each table exports to Excel."""
    user = actor(request)
    _require(permissions.can_view_kpis(user))
    month = params.month_param(request, "month", f"{timezone.localdate():%Y-%m}")
    start, end = assessment.month_bounds(month)
    by = request.GET.get("by", "department")
    if by not in _BY:
        by = "department"
    targets = policy().analysis
    tables = [(k, k.figures(start, end, by), getattr(targets, k.target_field)) for k in kpis.KPIS.values()]
    export = request.GET.get("export", "")
    for k, rows, _target in tables:
        if export == k.code:
            return table_xlsx(
                f"{k.title} {start:%Y-%m}",
                [_("分组"), _("分子"), _("分母"), _("比率（%）")],
                ([r.label, r.numerator, r.denominator, r.percent] for r in rows),
                viewer=user,
            )
    return render(
        request,
        "analytics/kpis.html",
        {
            "tables": tables,
            "month": f"{start:%Y-%m}",
            "by": by,
            "by_choices": list(_BY.items()),
            "amounts": permissions.sees_amounts(user),
        },
    )


@login_required
def drill(request: HttpRequest) -> HttpResponse:
    """O-1: the records behind one figure."""
    user = actor(request)
    _require(permissions.can_view_kpis(user))
    code = request.GET.get("kpi", "")
    if code not in kpis.KPIS:
        raise Http404
    start, end = assessment.month_bounds(
        params.month_param(request, "month", f"{timezone.localdate():%Y-%m}")
    )
    by = request.GET.get("by", "company")
    key = request.GET.get("key", "")
    if key and not key.isdigit():
        raise Http404
    found = drilldown.drill(code, start, end, by, key, show_money=permissions.sees_amounts(user))
    kpi = kpis.KPIS[code]
    if request.GET.get("export") == "xlsx":
        return table_xlsx(
            f"{kpi.title} {start:%Y-%m}",
            [*found.headers, _("计入分子")],
            ([*r.cells, r.counted] for r in found.rows),
            viewer=user,
        )
    return render(
        request,
        "analytics/drill.html",
        {"kpi": kpi, "found": found, "month": f"{start:%Y-%m}", "query": request.GET.urlencode()},
    )


@login_required
def dashboard_page(request: HttpRequest) -> HttpResponse:
    """Q-1: the analysis charts, each also a table with its Excel export; filtered by period,
    sales department and customer grade."""
    user = actor(request)
    _require(permissions.can_view_dashboard(user))
    default_start, default_end = dashboard.default_period(timezone.localdate())
    department = params.int_param(request, "department", 0)
    filters = dashboard.Filters(
        params.date_param(request, "date_from") or default_start,
        params.date_param(request, "date_to") or default_end,
        department or None,
        request.GET.get("grade", "") if request.GET.get("grade", "") in CustomerGrade.values else "",
    )
    rules = policy().analysis
    tables = dashboard.all_tables(
        filters, amounts=permissions.sees_amounts(user), a_share=rules.abc_a_share, b_share=rules.abc_b_share
    )
    export = request.GET.get("export", "")
    for t in tables:
        if export == t.code:
            return table_xlsx(t.title, t.headers, t.rows, viewer=user)
    return render(
        request,
        "analytics/dashboard.html",
        {
            "tables": tables,
            "charts": {t.code: {"title": t.title, **t.chart} for t in tables},
            "f": filters,
            "departments": Department.objects.filter(kind=DepartmentKind.SALES).order_by("code"),
            "grades": CustomerGrade.choices,
            "query": request.GET.urlencode(),
        },
    )


@login_required
def assessment_page(request: HttpRequest) -> HttpResponse:
    """O-3: the monthly assessment report: page, PDF and Excel."""
    user = actor(request)
    _require(permissions.can_view_kpis(user))
    month = params.month_param(request, "month", f"{timezone.localdate():%Y-%m}")
    report = assessment.build(month)
    title = _("订单管理月度考核报告 %(m)s") % {"m": f"{report.start:%Y-%m}"}
    if request.GET.get("export") == "xlsx":
        return sheets_xlsx(title, report.sheets(), viewer=user)
    context = {
        "r": report,
        "title": title,
        "month": f"{report.start:%Y-%m}",
        "company": policy().company,
        "mark": watermark(user),
    }
    return printable(
        request,
        "analytics/assessment.html",
        context,
        pdf_template="analytics/assessment_print.html",
        filename=f"assessment-{report.start:%Y-%m}.pdf",
        inline=True,
    )


def plans_for(user: object) -> object:
    if not (permissions.can_plan(user) or permissions.can_view_dashboard(user)):
        return OrderPlan.objects.none()
    return OrderPlan.objects.select_related("customer", "created_by")


PLAN_SPEC = ListSpec(
    model=OrderPlan,
    prefix="analytics:plan",
    title=gettext_lazy("订单计划"),
    columns=[
        Column("customer__name", gettext_lazy("客户")),
        Column("year"),
        Column("quarter"),
        Column("expected_quantity"),
        Column("expected_amount", group="price"),
        Column("delivery_period", sortable=False),
        Column("factory"),
        Column("method"),
        Column("basis", sortable=False),
    ],
    selector=plans_for,  # type: ignore[arg-type]
    search_fields=("customer__name", "customer__code", "factory"),
    filters=("year", "quarter", "method"),
    can_view=lambda u: permissions.can_plan(u) or permissions.can_view_dashboard(u),
    actions_template="analytics/_plan_buttons.html",
)


@login_required
def new_plan(request: HttpRequest) -> HttpResponse:
    """Q-2: enter a plan, or estimate it from the customer's history (the method is shown)."""
    user = actor(request)
    _require(permissions.can_plan(user))
    return entry_page(
        request,
        template="analytics/plan_new.html",
        context={
            "customers": Customer.objects.order_by("code").only("pk", "code", "name"),
            "year": timezone.localdate().year + 1,
        },
        save=lambda user: actions.save_plan(
            actor=user, **plan_input(request.POST), estimated="estimate" in request.POST
        ),
        message=lambda plan: _("已保存：%(p)s") % {"p": plan},
        then=lambda plan: redirect("analytics:plan_list"),
    )


@login_required
def plan_vs_actual(request: HttpRequest) -> HttpResponse:
    """Q-2: each plan of the year against the orders that came."""
    user = actor(request)
    _require(permissions.can_plan(user) or permissions.can_view_dashboard(user))
    year = params.year_param(request, timezone.localdate().year)
    rows = actions.plan_vs_actual(OrderPlan.objects.all(), year)
    amounts = permissions.sees_amounts(user)
    headers = [_("客户"), _("期间"), _("计划数量"), _("实际数量")]
    if amounts:
        headers += [_("计划金额"), _("实际金额"), _("完成率（%）")]
    table = [
        [r.plan.customer.name, r.plan.get_quarter_display(), r.plan.expected_quantity, r.actual_quantity]
        + ([r.plan.expected_amount, r.actual_amount, r.achieved] if amounts else [])
        for r in rows
    ]
    if request.GET.get("export") == "xlsx":
        return table_xlsx(_("计划与实际 %(y)s") % {"y": year}, headers, table, viewer=user)
    return render(request, "analytics/plan_actual.html", {"headers": headers, "table": table, "year": year})
