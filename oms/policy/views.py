from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from oms.accounts.permissions import can_edit_calendar, can_edit_policy, can_view_policy
from oms.core import params
from oms.core.errors import FieldErrors, StaleVersion
from oms.policy import actions, selectors
from oms.policy.forms import collect, sections
from oms.policy.models import CalendarDay, PolicyVersion
from oms.policy.schema import PolicyData


def _require(allowed: bool) -> None:
    if not allowed:
        raise Http404


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    """The version in force, its settings, and every earlier version."""
    _require(can_view_policy(request.user))
    current = selectors.current_version()
    return render(
        request,
        "policy/overview.html",
        {
            "current": current,
            "sections": sections(PolicyData.model_validate(current.data)),
            "versions": selectors.versions(),
            "can_edit": can_edit_policy(request.user),
        },
    )


@login_required
def edit(request: HttpRequest) -> HttpResponse:
    """Edit every setting; the whole policy is validated and published as a new version."""
    _require(can_edit_policy(request.user))
    current = selectors.current_version()
    policy = PolicyData.model_validate(current.data)
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        try:
            data = collect(request.POST, policy)
            version = actions.publish_policy(
                actor=request.user,
                data=data,
                note=request.POST.get("note", ""),
                based_on=int(request.POST.get("based_on", "0") or 0),
            )
        except FieldErrors as exc:
            errors, status = exc.errors, 400
        except StaleVersion as exc:
            errors, status = {"__all__": [exc.message]}, 409
        else:
            messages.success(request, _("已发布制度 v%(n)s，新订单将按此版本执行。") % {"n": version.number})
            return redirect("policy:overview")
    return render(
        request,
        "policy/edit.html",
        {
            "current": current,
            "sections": sections(policy),
            "errors": errors,
            "posted": request.POST if request.method == "POST" else None,
        },
        status=status,
    )


@login_required
def import_toml(request: HttpRequest) -> HttpResponse:
    """Load a whole policy from a TOML file; any bad value refuses it whole."""
    _require(can_edit_policy(request.user))
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        upload = request.FILES.get("file")
        text = upload.read().decode("utf-8", errors="replace") if upload else request.POST.get("text", "")
        try:
            version = actions.import_policy_toml(
                actor=request.user, text=text, note=request.POST.get("note", "")
            )
        except FieldErrors as exc:
            errors, status = exc.errors, 400
        else:
            messages.success(request, _("已导入并发布制度 v%(n)s。") % {"n": version.number})
            return redirect("policy:overview")
    return render(request, "policy/import.html", {"errors": errors}, status=status)


@login_required
def export_toml(request: HttpRequest, number: int | None = None) -> HttpResponse:
    _require(can_view_policy(request.user))
    version = (
        selectors.current_version() if number is None else get_object_or_404(PolicyVersion, number=number)
    )
    response = HttpResponse(actions.policy_to_toml(version), content_type="application/toml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="policy-v{version.number}.toml"'
    return response


@login_required
def calendar(request: HttpRequest) -> HttpResponse:
    """C-3: the working calendar by year; rest days and make-up workdays at a glance."""
    _require(can_view_policy(request.user))
    years = selectors.calendar_years()
    year = params.year_param(request, timezone.localdate().year)
    days = list(CalendarDay.objects.filter(date__year=year))
    special = [d for d in days if d.is_workday != (d.date.weekday() < 5) or d.source == "manual"]
    return render(
        request,
        "policy/calendar.html",
        {
            "year": year,
            "years": years,
            "special": special,
            "day_count": len(days),
            "workday_count": sum(1 for d in days if d.is_workday),
            "missing_year": selectors.missing_next_year(),
            "can_edit": can_edit_calendar(request.user),
        },
    )


@login_required
def calendar_seed(request: HttpRequest) -> HttpResponse:
    _require(can_edit_calendar(request.user))
    if request.method != "POST":
        return redirect("policy:calendar")
    year = int(request.POST.get("year", "0") or 0)
    try:
        if request.POST.get("mode") == "weekdays":
            written = actions.add_calendar_year(actor=request.user, year=year)
        else:
            written = actions.seed_calendar(actor=request.user, years=[year])
    except FieldErrors as exc:
        for ms in exc.errors.values():
            for m in ms:
                messages.error(request, m)
    else:
        messages.success(request, _("已写入 %(y)s 年 %(n)s 天。") % {"y": year, "n": written})
    return redirect(f"{reverse('policy:calendar')}?year={year}")


@login_required
def calendar_day(request: HttpRequest) -> HttpResponse:
    """Set one day working or resting (company holidays, extra make-up days)."""
    _require(can_edit_calendar(request.user))
    if request.method != "POST":
        return redirect("policy:calendar")
    try:
        when = date.fromisoformat(request.POST.get("date", ""))
    except ValueError:
        messages.error(request, _("日期：格式不正确，应为 YYYY-MM-DD。"))
        return redirect("policy:calendar")
    day = CalendarDay.objects.filter(date=when).first()
    if day is None:
        messages.error(request, _("日期：%(d)s 所在年份还没有日历数据。") % {"d": when})
        return redirect("policy:calendar")
    try:
        actions.set_calendar_day(
            actor=request.user,
            day=day,
            is_workday=request.POST.get("is_workday") == "1",
            name=request.POST.get("name", ""),
            version=None,
            reason=request.POST.get("reason", ""),
        )
    except StaleVersion as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已更新 %(d)s。") % {"d": when})
    return redirect(f"{reverse('policy:calendar')}?year={when.year}")
