"""Reading supervision records, scoped to the viewer (O-2, O-4, S-1)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from oms.accounts.permissions import is_staff_member
from oms.supervision import permissions
from oms.supervision.models import Finding, SpotCheck, ViolationReport


def spot_checks_for(user: Any) -> QuerySet[SpotCheck]:
    if not permissions.can_see_checks(user):
        return SpotCheck.objects.none()
    return SpotCheck.objects.select_related("created_by")


def findings_for(user: Any) -> QuerySet[Finding]:
    """O-2: the group, executives and auditors see every finding; an owner sees their own."""
    qs = Finding.objects.select_related("order", "spot_check", "action", "action__owner")
    if permissions.can_see_checks(user):
        return qs
    if is_staff_member(user):
        return qs.filter(Q(action__owner=user))
    return qs.none()


def reports_for(user: Any) -> QuerySet[ViolationReport]:
    """O-4: the supervision group handles reports. The reporter is never selected here; only
    `reporter_of` gives it, to the group's head."""
    if not permissions.can_read_reports(user):
        return ViolationReport.objects.none()
    return ViolationReport.objects.defer("reporter")


def reporter_of(user: Any, report: ViolationReport) -> Any:
    """O-4: who filed the report, for the supervision group's head alone."""
    if not permissions.is_group_head(user):
        return None
    return ViolationReport.objects.select_related("reporter").get(pk=report.pk).reporter
