"""Supervision pages (O-2, O-4): thin; the selectors scope and the actions decide."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from oms.accounts.models import User
from oms.core.forms import cleaned
from oms.supervision import actions, checks, permissions, selectors, states
from oms.supervision.forms import CloseReportForm, FindingForm, ItemForm, ReportForm, SpotCheckForm
from oms.supervision.models import Finding, SpotCheck, ViolationReport
from oms.web.listing import Column, ListSpec
from oms.web.pages import actor, attempt, entry_page, visible_or_404

CHECK_SPEC = ListSpec(
    model=SpotCheck,
    prefix="supervision:check",
    title=gettext_lazy("抽查"),
    columns=[
        Column("number"),
        Column("title"),
        Column("period_start"),
        Column("period_end"),
        Column("sample_size"),
        Column("population"),
        Column("status"),
        Column("created_at"),
    ],
    selector=selectors.spot_checks_for,
    search_fields=("number", "title"),
    filters=("status",),
    date_field="created_at",
    detail_url_name="supervision:check",
    can_view=permissions.can_see_checks,
    actions_template="supervision/_new_check_button.html",
)
FINDING_SPEC = ListSpec(
    model=Finding,
    prefix="supervision:finding",
    title=gettext_lazy("检查发现与整改"),
    columns=[
        Column("description"),
        Column("order__number", gettext_lazy("订单号")),
        Column("spot_check__number", gettext_lazy("抽查编号")),
        Column("action__title", gettext_lazy("整改措施")),
        Column("action__owner", gettext_lazy("整改负责人"), sortable=False),
        Column("action__due_on", gettext_lazy("整改期限")),
        Column("action__status", gettext_lazy("状态")),
    ],
    selector=selectors.findings_for,
    search_fields=("description", "order__number", "spot_check__number"),
    date_field="created_at",
    detail_url_name="supervision:finding",
)
# O-4: the reporter is not a column, nor searchable.
REPORT_SPEC = ListSpec(
    model=ViolationReport,
    prefix="supervision:report",
    title=gettext_lazy("违规举报"),
    columns=[
        Column("subject"),
        Column("order_number"),
        Column("created_at"),
        Column("status"),
        Column("substantiated"),
    ],
    selector=selectors.reports_for,
    search_fields=("subject", "order_number"),
    filters=("status",),
    date_field="created_at",
    detail_url_name="supervision:report",
    can_view=permissions.can_read_reports,
)


@login_required
def new_check(request: HttpRequest) -> HttpResponse:
    """O-2: draw a spot check; giving an earlier check's seed draws the same sample again."""
    from oms.policy.selectors import policy

    return entry_page(
        request,
        allowed=permissions.can_run_checks(actor(request)),
        template="supervision/check_new.html",
        context={"default_size": policy().supervision.sample_size},
        save=lambda user: actions.start_spot_check(actor=user, **cleaned(SpotCheckForm(request.POST))),
        then=lambda done: redirect("supervision:check", pk=done.pk),
    )


@login_required
def check(request: HttpRequest, pk: int) -> HttpResponse:
    """O-2: the sample, each order's checklist as the records show it and as confirmed, the
    findings, and whether the seed still draws this sample."""
    found = visible_or_404(selectors.spot_checks_for(request.user), pk)
    user = actor(request)
    items = list(found.items.select_related("order", "order__customer").order_by("pk"))
    redrawn = actions.draw(
        actions.population(found.period_start, found.period_end), found.sample_size, found.seed
    )
    labels = [(code, checks.CHECKS[code][0]) for code in found.checks]
    return render(
        request,
        "supervision/check.html",
        {
            "c": found,
            "items": items,
            "labels": labels,
            "reproducible": redrawn == [i.order_id for i in items],
            "findings": found.findings.select_related("action", "action__owner", "order"),
            "can_run": permissions.can_run_checks(user) and found.status == "open",
            "people": User.objects.filter(is_active=True, department__isnull=False).order_by("username"),
        },
    )


@login_required
@require_POST
def check_do(request: HttpRequest, pk: int, verb: str) -> HttpResponse:
    found = visible_or_404(selectors.spot_checks_for(request.user), pk)
    user = actor(request)

    def run() -> object:
        if verb == "item":
            given = cleaned(ItemForm(request.POST))
            item = found.items.filter(pk=given["item"] or 0).first()
            if item is None:
                raise Http404
            return actions.confirm_item(
                actor=user,
                item=item,
                verdicts={c: request.POST.get(f"v-{c}", "") for c in found.checks},
                note=given["note"],
                version=given["version"] or 0,
            )
        if verb == "finding":
            item = found.items.filter(pk=cleaned(ItemForm(request.POST))["item"] or 0).first()
            return actions.add_finding(actor=user, item=item, **cleaned(FindingForm(request.POST)))
        if verb == "close":
            return actions.close_spot_check(actor=user, check=found, summary=request.POST.get("summary", ""))
        raise Http404

    attempt(request, run)  # "已记录。"
    return redirect("supervision:check", pk=found.pk)


@login_required
def finding(request: HttpRequest, pk: int) -> HttpResponse:
    """O-2: a finding; its correction is worked on the improvement action's page."""
    found = visible_or_404(selectors.findings_for(request.user), pk)
    return render(request, "supervision/finding.html", {"f": found})


@login_required
def new_report(request: HttpRequest) -> HttpResponse:
    """O-4: anyone reports a violation; the page says who will see their name."""
    return entry_page(
        request,
        template="supervision/report_new.html",
        save=lambda user: actions.report_violation(actor=user, **cleaned(ReportForm(request.POST))),
        message=lambda done: _("举报已提交。您的姓名只有监督小组负责人可见。"),
        then=lambda done: redirect("core:home"),
    )


def _close_report(user: User, found: ViolationReport, given: dict[str, Any]) -> ViolationReport:
    return actions.close_report(
        actor=user,
        report=found,
        outcome=given["outcome"],
        substantiated=given["substantiated"],
        version=given["version"] or 0,
    )


@login_required
def report(request: HttpRequest, pk: int) -> HttpResponse:
    found = visible_or_404(selectors.reports_for(request.user), pk)
    user = actor(request)
    if request.method == "POST":
        attempt(request, lambda: _close_report(user, found, cleaned(CloseReportForm(request.POST))))
        return redirect("supervision:report", pk=found.pk)
    return render(
        request,
        "supervision/report.html",
        {
            "r": found,
            "reporter": selectors.reporter_of(user, found),
            "transitions": states.REPORT.available(found, user),
        },
    )
